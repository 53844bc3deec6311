// The session's checkpoint commands and divergence rollback. Training thread only (called from Apply,
// TrainOneStep and Build in session_thread.cpp, Publish in session_publish.cpp).
#include "core/train/session.h"

#include "core/io/run_folder.h"
#include "core/train/session_state.h"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <vector>

namespace ll::train
{

namespace
{
constexpr int kHistoryColumns = 6; // step_first, step_last, min, mean, max, count
}

void Session::WriteCheckpoint(const std::string& path)
{
    State& s = *m_state;
    TakeEvaluation(true); // the checkpoint's history has every evaluation up to its step
    {
        io::CheckpointData data = s.exp->SaveState();
        data.wall_seconds = s.wall;
        std::vector<HistorySample> samples;
        for (std::size_t i = 0; i < s.history.Size(); ++i)
        {
            s.history.Series(i).Collect(samples);
            const std::size_t n = samples.size();
            std::vector<double> v(n * kHistoryColumns); // (n, 6) column-major
            for (std::size_t r = 0; r < n; ++r)
            {
                const HistorySample& h = samples[r];
                v[r] = static_cast<double>(h.step_first);
                v[n + r] = static_cast<double>(h.step_last);
                v[2 * n + r] = h.min;
                v[3 * n + r] = h.mean;
                v[4 * n + r] = h.max;
                v[5 * n + r] = static_cast<double>(h.count);
            }
            data.history_series.push_back(s.history.Name(i));
            data.tensors.push_back(io::CheckpointTensor::FromDoubles("history/" + std::to_string(i),
                                                                     static_cast<std::int64_t>(n), kHistoryColumns, v));
        }
        io::SaveCheckpointFile(path, data);
    }
}

void Session::SaveCheckpointNow(const std::string& path)
{
    State& s = *m_state;
    try
    {
        WriteCheckpoint(path);
        s.checkpoint_error.clear();
        if (!s.running)
        {
            s.message = "saved '" + path + "' at step " + std::to_string(s.exp->StepCount());
        }
    }
    catch (const std::exception& e)
    {
        s.checkpoint_error = e.what();
        s.command_error = e.what();
    }
}

void Session::LoadCheckpointNow(const std::string& path)
{
    State& s = *m_state;
    std::unique_ptr<Experiment> exp;
    io::CheckpointData state;
    ExperimentData data;
    try
    {
        // Everything is read and validated against a freshly built experiment before the live one is touched.
        state = io::LoadCheckpointFile(path);
        const std::string key = DataKey(state.config, m_options.data_dir);
        data = key == s.data_cache.key ? s.data_cache : LoadExperimentData(state.config, m_options.data_dir);
        exp = Experiment::FromState(state, data, path);
        if (state.history_series.size() > 4096)
        {
            throw std::runtime_error("checkpoint '" + path + "': too many metric series");
        }
        for (std::size_t i = 0; i < state.history_series.size(); ++i)
        {
            const io::CheckpointTensor* t = state.Find("history/" + std::to_string(i));
            if (t == nullptr || t->type != io::TensorType::F64 || t->cols != kHistoryColumns)
            {
                throw std::runtime_error("checkpoint '" + path + "': history of '" + state.history_series[i] +
                                         "' is missing or not an (n, 6) f64 tensor");
            }
        }
    }
    catch (const std::exception& e)
    {
        s.checkpoint_error = e.what();
        s.command_error = std::string("Could not load checkpoint: ") + e.what();
        return; // the live experiment (if any) carries on as it was
    }

    // Accepted: reset the session's run state as a Load does (Build reuses the data just loaded), then install
    // the restored experiment in place of the freshly built one.
    s.data_cache = data;
    Build(state.config);
    exp->SetStepHook(m_options.step_hook);
    exp->SetModelHook(m_options.model_hook);
    s.exp = std::move(exp);
    s.wall = state.wall_seconds;

    // The metric history: back into the session's own history, and to the reader as rows (one per step).
    std::map<std::int64_t, models::Metrics> rows;
    for (std::size_t i = 0; i < state.history_series.size(); ++i)
    {
        const std::vector<double> v = state.Find("history/" + std::to_string(i))->ToDoubles();
        const std::size_t n = v.size() / kHistoryColumns;
        for (std::size_t r = 0; r < n; ++r)
        {
            const auto step = static_cast<std::int64_t>(v[n + r]); // step_last; buckets come back as their mean
            s.history.Append(state.history_series[i], step, v[3 * n + r]);
            rows[step].emplace_back(state.history_series[i], v[3 * n + r]);
        }
    }
    for (const auto& [step, metrics] : rows)
    {
        s.local.AppendRow(step, s.wall, metrics);
    }
    s.checkpoint_error.clear();
    s.config_dirty = true;
    s.build_step = state.step;
    // A checkpoint of a run folder continues that run (its CSV from this step on) when training goes on.
    const std::filesystem::path run = std::filesystem::path(path).parent_path();
    if (!m_options.runs_dir.empty() && io::IsRunFolder(run))
    {
        s.continue_dir = run.string();
    }
    KeepGoodState();
    SetStatus(Status::Paused, "loaded '" + path + "' at step " + std::to_string(state.step));
}

void Session::KeepGoodState()
{
    State& s = *m_state;
    std::string bad;
    if (s.exp == nullptr || !s.exp->ParametersFinite(bad))
    {
        return;
    }
    // A copy of the tensors (parameters, optimizer moments) every rollback_every steps: 160 MB for dcgan. Once the
    // copy passes rollback_spill_bytes, each further tensor's bytes go to an unnamed temporary file as soon as it is copied,
    // so a large model's copy is not resident (it lives in the page cache until a rollback reads it back) while a
    // small one stays in memory and never touches the disk. The previous copy stays until the new one is whole: a
    // full disk keeps the last rollback point instead of leaving none.
    const std::size_t spill_bytes = m_options.rollback_spill_bytes;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{nullptr, &std::fclose};
    std::vector<std::size_t> spilled; // indices of the tensors whose bytes are in the file
    std::size_t copied = 0, index = 0;
    bool failed = false;
    auto state = std::make_unique<io::CheckpointData>(s.exp->SaveState([&](io::CheckpointTensor& t) {
        const std::size_t i = index++;
        copied += t.bytes.size();
        if (failed || copied <= spill_bytes || t.bytes.empty())
        {
            return;
        }
        if (file == nullptr)
        {
            file.reset(std::tmpfile());
            if (file == nullptr)
            {
                failed = true; // no temporary file: the copy stays in memory
                return;
            }
        }
        if (std::fwrite(t.bytes.data(), 1, t.bytes.size(), file.get()) != t.bytes.size())
        {
            failed = true;
            return;
        }
        spilled.push_back(i);
        std::string().swap(t.bytes); // freed now, read back by ReadGoodTensors
    }));
    if (file != nullptr && (failed || std::fflush(file.get()) != 0))
    {
        if (!spilled.empty())
        {
            return; // part of the copy went to a file that failed: keep the previous rollback point
        }
        file.reset(); // nothing was written: the copy is whole in memory
    }
    s.good = std::move(state);
    s.good_file = std::move(file);
    s.good_spilled = std::move(spilled);
    s.good_wall = s.wall;
}

namespace
{

// The tensor bytes KeepGoodState wrote to file (the tensors at the indices in spilled, in order) back into data.
void ReadGoodTensors(std::FILE* file, const std::vector<std::size_t>& spilled, io::CheckpointData& data)
{
    if (std::fseek(file, 0, SEEK_SET) != 0)
    {
        throw std::runtime_error("the rollback copy's temporary file cannot be read");
    }
    for (const std::size_t i : spilled)
    {
        io::CheckpointTensor& t = data.tensors.at(i);
        const std::size_t element = t.type == io::TensorType::F32 ? 4 : 8; // f64 and i64: 8
        const std::size_t n = static_cast<std::size_t>(t.rows * t.cols) * element;
        t.bytes.resize(n);
        if (n > 0 && std::fread(t.bytes.data(), 1, n, file) != n)
        {
            throw std::runtime_error("the rollback copy's temporary file is truncated at tensor '" + t.name + "'");
        }
    }
}

} // namespace

std::string Session::RollBack()
{
    State& s = *m_state;
    TakeEvaluation(true); // it evaluates the experiment replaced here
    if (s.good == nullptr)
    {
        return "";
    }
    try
    {
        if (s.good_file != nullptr)
        {
            ReadGoodTensors(s.good_file.get(), s.good_spilled, *s.good);
            s.good_file.reset(); // the state is in memory now; a later KeepGoodState spills afresh
            s.good_spilled.clear();
        }
        auto exp = Experiment::FromState(*s.good, s.data_cache, "last good state");
        exp->SetStepHook(m_options.step_hook);
        exp->SetModelHook(m_options.model_hook);
        s.exp = std::move(exp);
        s.wall = s.good_wall;
        s.rollback_step = s.good->step;
        s.render_step = -1; // redraw the views from the restored model
        s.model_step = -1;
        s.config_dirty = true;
        return " Rolled back to step " + std::to_string(s.good->step) +
               " (the last good state); press Resume to continue from there.";
    }
    catch (const std::exception& e)
    {
        return std::string(" Could not roll back: ") + e.what();
    }
}

} // namespace ll::train
