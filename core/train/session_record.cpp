// The session's run folder (SessionOptions::runs_dir): begun at the first trained step, rows at every publish,
// sample grids at sample steps, a periodic checkpoint, summary.json and final.ckpt at the end. Training thread only
// (called from Publish and RefreshViews in session_publish.cpp, Build, Apply and the end of ThreadMain in
// session_thread.cpp). A recording error never stops training: it is said in Snapshot::run_error and recording
// stops until the next run.
#include "core/train/session.h"

#include "core/io/run_folder.h"
#include "core/train/session_state.h"
#include "core/util/enum_names.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace ll::train
{

void Session::RecordRows()
{
    State& s = *m_state;
    if (s.exp == nullptr)
    {
        return;
    }
    try
    {
        if (s.record_next && s.exp->StepCount() > s.build_step)
        {
            s.record_next = false;
            if (!s.continue_dir.empty())
            {
                s.recorder.Continue(s.continue_dir, s.build_step);
                s.recorded_step = s.build_step;
            }
            else
            {
                s.recorder.Begin(NewRunDir(m_options.runs_dir, s.loaded_config.name, std::chrono::system_clock::now()),
                                 s.exp->Config());
                s.recorded_step = -1;
            }
            s.run_dir = s.recorder.Dir().string();
            s.run_error.clear();
            s.next_sample_record = 0;
            s.last_run_checkpoint = Clock::now();
        }
        if (!s.recorder.Active())
        {
            return;
        }
        // Rows the CSV holds already (a continued run's history, handed over at its load; steps trained again after
        // a rollback) are skipped; a late evaluation row (TakeEvaluation) is not, though its step is behind. Rows
        // of `local` an earlier call this publish has seen are skipped too.
        const std::size_t first = std::min(s.recorded_rows, s.local.Rows());
        s.recorded_rows = s.local.Rows();
        const auto keep = [&](std::size_t r) {
            const std::int64_t step = s.local.steps[r];
            return step > s.recorded_step ||
                   std::find(s.late_rows.begin(), s.late_rows.end(), step) != s.late_rows.end();
        };
        MetricBlock rows;
        rows.names = s.local.names;
        rows.hold_from = s.local.hold_from;
        rows.columns.resize(s.local.columns.size());
        for (std::size_t r = first; r < s.local.Rows(); ++r)
        {
            if (keep(r))
            {
                rows.steps.push_back(s.local.steps[r]);
                rows.wall.push_back(s.local.wall[r]);
                for (std::size_t c = 0; c < s.local.columns.size(); ++c)
                {
                    rows.columns[c].push_back(s.local.columns[c][r]);
                }
            }
        }
        // Also with no rows: rows held for an evaluation may go now.
        s.recorder.AppendRows(rows);
        for (std::size_t r = first; r < s.local.Rows(); ++r)
        {
            s.recorded_step = std::max(s.recorded_step, s.local.steps[r]);
        }
    }
    catch (const std::exception& e)
    {
        s.run_error = std::string("Recording stopped: ") + e.what();
        s.recorder.Close();
        s.record_next = false;
    }
}

void Session::RecordSamples(std::int64_t step)
{
    State& s = *m_state;
    const int every = s.exp ? s.exp->Config().sample_every : 0;
    if (!s.recorder.Active() || every <= 0 || step < s.next_sample_record)
    {
        return;
    }
    try
    {
        s.recorder.WriteSamples(step, s.samples.get(), s.reconstructions.get(), s.view2d.get());
        s.next_sample_record = (step / every + 1) * every;
    }
    catch (const std::exception& e)
    {
        s.run_error = std::string("Could not write the run's sample grid: ") + e.what();
        s.next_sample_record = step + every; // try again later
    }
}

void Session::RecordCheckpoint(Clock::time_point now)
{
    State& s = *m_state;
    if (!s.recorder.Active() || s.exp == nullptr || now - s.last_run_checkpoint < m_options.run_checkpoint_interval)
    {
        return;
    }
    s.last_run_checkpoint = now;
    std::string bad;
    if (!s.exp->ParametersFinite(bad))
    {
        return;
    }
    try
    {
        WriteCheckpoint((s.recorder.Dir() / io::kRunLatestCheckpoint).string());
    }
    catch (const std::exception& e)
    {
        s.run_error = std::string("Could not write the run's checkpoint: ") + e.what();
    }
}

void Session::EndRun()
{
    State& s = *m_state;
    TakeEvaluation(true);
    s.local.hold_from = s.eval_running;
    RecordRows();
    if (!s.recorder.Active() || s.exp == nullptr)
    {
        s.recorder.Close();
        s.run_dir.clear();
        return;
    }
    RunSummary summary;
    summary.name = s.loaded_config.name;
    summary.family = util::NameOf(s.exp->Live().Family());
    summary.objective = s.exp->Live().Objective();
    summary.status = s.status == Status::Diverged ? "diverged" : s.status == Status::Error ? "error" : "stopped";
    if (s.status == Status::Diverged || s.status == Status::Error)
    {
        summary.message = s.message;
    }
    summary.steps = s.exp->StepCount();
    summary.seed = s.exp->Config().seed;
    summary.wall_seconds = s.wall;
    summary.iwae_k = s.exp->Config().iwae_k;
    // The last value of every series: the latest step's metrics, then the latest evaluation's.
    summary.metrics = s.metrics;
    for (const auto& entry : s.last_eval)
    {
        const auto same = [&](const auto& m) { return m.first == entry.first; };
        if (std::none_of(summary.metrics.begin(), summary.metrics.end(), same))
        {
            summary.metrics.push_back(entry);
        }
    }
    try
    {
        std::string bad;
        if (s.exp->ParametersFinite(bad))
        {
            WriteCheckpoint(s.recorder.FinalCheckpointPath().string());
        }
        s.recorder.Finish(summary);
    }
    catch (const std::exception& e)
    {
        s.run_error = std::string("Could not close the run: ") + e.what();
        s.recorder.Close();
    }
    s.run_dir.clear();
}

void Session::RenameRunNow(const std::string& name)
{
    State& s = *m_state;
    try
    {
        if (!s.recorder.Active())
        {
            throw std::invalid_argument("No run is being recorded: train a step first.");
        }
        s.recorder.Rename(name);
        s.run_dir = s.recorder.Dir().string();
    }
    catch (const std::exception& e)
    {
        s.command_error = e.what();
    }
}

} // namespace ll::train
