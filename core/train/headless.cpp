// Headless training over a Session: run to each sample point with RunUntil (so grids land on exact steps), drain
// the metrics into the CSV as they come, evaluate at the end, write summary.json.
#include "core/train/headless.h"

#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "core/io/run_folder.h"
#include "core/train/thread_setup.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <stdexcept>

namespace ll::train
{

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace
{

constexpr auto kLoadDeadline = std::chrono::minutes(10);

std::string StepFileName(const char* stem, std::int64_t step)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s_%06lld.png", stem, static_cast<long long>(step));
    return buffer;
}

void Plot(io::RgbaImage& img, int x, int y, const std::uint8_t (&rgb)[3], int radius)
{
    for (int dy = -radius; dy <= radius; ++dy)
    {
        for (int dx = -radius; dx <= radius; ++dx)
        {
            const int px = x + dx, py = y + dy;
            if (px >= 0 && py >= 0 && px < img.width && py < img.height)
            {
                std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(py) * img.width + px) * 4];
                p[0] = rgb[0];
                p[1] = rgb[1];
                p[2] = rgb[2];
                p[3] = 255;
            }
        }
    }
}

// The 2-D view as a picture: D's field in grey (light = "real"), real points green, generated points orange.
io::RgbaImage RenderView2D(const View2D& v, int size)
{
    io::RgbaImage img;
    img.width = img.height = size;
    img.pixels.assign(static_cast<std::size_t>(size) * size * 4, 255);
    const float range = std::max(v.field_max - v.field_min, 1e-6f);
    for (int y = 0; y < size; ++y)
    {
        for (int x = 0; x < size; ++x)
        {
            std::uint8_t g = 24;
            if (v.field_res > 0)
            {
                const int ix = std::min(v.field_res - 1, x * v.field_res / size);
                const int iy = std::min(v.field_res - 1, (size - 1 - y) * v.field_res / size); // y up
                const float f = v.field[static_cast<std::size_t>(ix + v.field_res * iy)];
                const float t = v.field_is_probability ? f : (f - v.field_min) / range;
                g = static_cast<std::uint8_t>(24 + std::lround(std::clamp(t, 0.0f, 1.0f) * 80.0f));
            }
            std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(y) * size + x) * 4];
            p[0] = p[1] = p[2] = g;
        }
    }
    const auto to_px = [&](float c) { return static_cast<int>(std::lround((c + v.extent) / (2 * v.extent) * (size - 1))); };
    const std::uint8_t green[3] = {80, 200, 120}, orange[3] = {255, 150, 40};
    for (nn::Index i = 0; i < v.real.cols(); ++i)
    {
        Plot(img, to_px(v.real(0, i)), size - 1 - to_px(v.real(1, i)), green, 1);
    }
    for (nn::Index i = 0; i < v.generated.cols(); ++i)
    {
        if (std::isfinite(v.generated(0, i)) && std::isfinite(v.generated(1, i)))
        {
            Plot(img, to_px(v.generated(0, i)), size - 1 - to_px(v.generated(1, i)), orange, 1);
        }
    }
    return img;
}

void WriteGrid(const fs::path& path, const ImageGrid& grid)
{
    io::RgbaImage img;
    img.width = grid.width;
    img.height = grid.height;
    img.pixels = grid.rgba;
    io::WritePng(path, img);
}

// Drains the session's new metric rows into the CSV.
void WriteRows(Session& session, io::MetricsCsv* csv, MetricBlock& block, io::MetricsCsv::Values& values)
{
    session.DrainMetrics(block);
    if (csv == nullptr)
    {
        return;
    }
    for (std::size_t r = 0; r < block.Rows(); ++r)
    {
        values.clear();
        for (std::size_t i = 0; i < block.columns.size(); ++i)
        {
            // NaN marks "no value at this step" in a block; a diverged metric's NaN is in last_metrics.
            if (!std::isnan(block.columns[i][r]))
            {
                values.emplace_back(block.names[i], block.columns[i][r]);
            }
        }
        csv->Append(block.steps[r], block.wall[r], values);
    }
}

void PrintProgress(std::ostream& out, const Snapshot& s, std::int64_t total, double steps_per_second)
{
    char head[160];
    std::snprintf(head, sizeof head, "step %lld/%lld  epoch %lld  %.0f steps/s", static_cast<long long>(s.step),
                  static_cast<long long>(total), static_cast<long long>(s.epoch), steps_per_second);
    out << head;
    int shown = 0;
    for (const auto& [name, value] : s.last_metrics)
    {
        if (name.rfind("kl_dim_", 0) == 0 || shown >= 5)
        {
            continue;
        }
        char item[96];
        std::snprintf(item, sizeof item, "  %s %.4g", name.c_str(), value);
        out << item;
        ++shown;
    }
    out << '\n' << std::flush;
}


// The output folder (created) as a run folder (core/io/run_folder.h): config.json first, a summary.json of an
// earlier run there removed (until this run's is written the folder reads as incomplete), the metrics CSV opened.
// Nothing when out is empty.
void OpenOutput(const fs::path& out, const models::ExperimentConfig& config, io::MetricsCsv& csv)
{
    if (out.empty())
    {
        return;
    }
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec)
    {
        throw std::runtime_error("cannot create output folder '" + out.string() + "': " + ec.message());
    }
    io::WriteFileAtomic(out / io::kRunConfigFile, io::ConfigToJson(config));
    fs::remove(out / io::kRunSummaryFile, ec);
    csv.Open(out / io::kRunMetricsFile);
}

SessionOptions HeadlessSessionOptions(const HeadlessOptions& options)
{
    SessionOptions so;
    so.threads = options.threads > 0 ? options.threads : DefaultThreads(false);
    so.data_dir = options.data_dir;
    // Grids are drawn at the pauses on sample steps only; nothing else needs views or a frozen model.
    so.render_interval = std::chrono::hours(24);
    so.model_interval = std::chrono::hours(24);
    return so;
}

// Loads config, or the checkpoint to resume from; throws with the session's message when that fails.
std::shared_ptr<const Snapshot> LoadRun(Session& session, const models::ExperimentConfig& config,
                                        const HeadlessOptions& options)
{
    const bool resume = !options.resume_from.empty();
    auto loaded = session.WaitForCommand(resume ? session.LoadCheckpoint(options.resume_from) : session.Load(config),
                                         kLoadDeadline);
    if (loaded == nullptr || loaded->status == Status::Error || (resume && !loaded->checkpoint_error.empty()))
    {
        throw std::runtime_error(loaded == nullptr ? "timed out loading '" + config.name + "'"
                                 : resume          ? loaded->checkpoint_error
                                                   : loaded->message);
    }
    return loaded;
}

void SaveCheckpoint(Session& session, const fs::path& path)
{
    const auto saved = session.WaitForCommand(session.SaveCheckpoint(path.string()), kLoadDeadline);
    if (saved == nullptr || !saved->checkpoint_error.empty())
    {
        throw std::runtime_error(saved ? saved->checkpoint_error : "timed out saving '" + path.string() + "'");
    }
}

// The next step to pause at: the next sample step or checkpoint step, at most total.
std::int64_t NextTarget(std::int64_t step, std::int64_t total, std::int64_t sample_every, std::int64_t checkpoint_every)
{
    std::int64_t target = std::min(total, (step / sample_every + 1) * sample_every);
    if (checkpoint_every > 0)
    {
        target = std::min(target, (step / checkpoint_every + 1) * checkpoint_every);
    }
    return target;
}

// Runs to target, draining metrics into the CSV and printing progress while waiting; returns the snapshot at the
// pause (or at a divergence / error).
std::shared_ptr<const Snapshot> RunUntilTarget(Session& session, std::int64_t target, std::int64_t total,
                                               const HeadlessOptions& options, io::MetricsCsv* csv, MetricBlock& block,
                                               io::MetricsCsv::Values& values, Clock::time_point& last_progress)
{
    const std::uint64_t id = session.RunUntil(target);
    std::shared_ptr<const Snapshot> done;
    while (done == nullptr)
    {
        const auto wait = std::max(std::chrono::milliseconds(10), options.progress_every);
        done = session.WaitFor(
            [id](const Snapshot& s) {
                return (s.commands_applied >= id && s.run_until < 0) || s.status == Status::Error ||
                       s.status == Status::Diverged;
            },
            wait);
        WriteRows(session, csv, block, values);
        if (done == nullptr && options.progress != nullptr && Clock::now() - last_progress >= options.progress_every)
        {
            const auto latest = session.Latest();
            PrintProgress(*options.progress, *latest, total, latest->steps_per_second);
            last_progress = Clock::now();
        }
    }
    return done;
}

// samples_000500.png, recon_000500.png (VAEs on images), view2d_000500.png (2-D data) for the snapshot's views.
void WriteSampleFiles(const fs::path& out, std::int64_t step, const Snapshot& snap)
{
    if (snap.samples && snap.samples->width > 0)
    {
        WriteGrid(out / StepFileName("samples", step), *snap.samples);
    }
    if (snap.reconstructions && snap.reconstructions->width > 0)
    {
        WriteGrid(out / StepFileName("recon", step), *snap.reconstructions);
    }
    if (snap.view2d)
    {
        io::WritePng(out / StepFileName("view2d", step), RenderView2D(*snap.view2d, 320));
    }
}

// summary.json's content: the run, then its evaluation.
std::string SummaryJson(const models::ExperimentConfig& config, const HeadlessResult& result, const Snapshot& snap)
{
    nlohmann::ordered_json j;
    j["name"] = config.name;
    j["family"] = snap.family ? util::NameOf(*snap.family) : std::string();
    j["objective"] = snap.objective;
    j["status"] = result.Ok() ? "completed" : StatusName(result.status);
    if (!result.Ok())
    {
        j["message"] = result.message;
    }
    j["steps"] = result.steps;
    j["seed"] = config.seed;
    j["wall_seconds"] = result.wall_seconds;
    j["steps_per_s"] = result.steps_per_second;
    AppendEvaluationJson(j, result.evaluation, config.iwae_k);
    return j.dump(4) + "\n";
}

} // namespace

void AppendEvaluationJson(nlohmann::ordered_json& j, const models::Metrics& metrics, int iwae_k)
{
    for (const auto& [name, value] : metrics)
    {
        if (name == "modes_covered" || name == "modes_total" || name == "judge_classes" || name == "judge_samples")
        {
            j[name] = static_cast<std::int64_t>(std::lround(value));
        }
        else
        {
            j[name] = std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
        }
        if (name == "test_iwae")
        {
            j["iwae_k"] = iwae_k;
        }
    }
}

HeadlessResult RunHeadless(const models::ExperimentConfig& config, const HeadlessOptions& options)
{
    const std::int64_t total = options.steps >= 0 ? options.steps : config.steps;
    const fs::path out = options.out_dir;
    io::MetricsCsv csv;
    OpenOutput(out, config, csv);
    Session session(HeadlessSessionOptions(options));
    std::shared_ptr<const Snapshot> snap = LoadRun(session, config, options);

    // Train from pause to pause: every sample step (grids) and checkpoint step.
    MetricBlock block;
    io::MetricsCsv::Values values;
    io::MetricsCsv* csv_ptr = out.empty() ? nullptr : &csv;
    Clock::time_point last_progress = Clock::now();
    const std::int64_t every = config.sample_every > 0 ? config.sample_every : total;
    const std::int64_t checkpoint_every = out.empty() ? 0 : options.checkpoint_every;
    while (snap->step < total && (snap->status == Status::Idle || snap->status == Status::Paused))
    {
        const std::int64_t target = NextTarget(snap->step, total, every, checkpoint_every);
        snap = RunUntilTarget(session, target, total, options, csv_ptr, block, values, last_progress);
        if (!out.empty() && snap->step == target && config.sample_every > 0 && target % config.sample_every == 0)
        {
            WriteSampleFiles(out, target, *snap);
        }
        if (checkpoint_every > 0 && snap->step == target && target % checkpoint_every == 0 &&
            snap->status == Status::Paused)
        {
            char name[64];
            std::snprintf(name, sizeof name, "step_%06lld.ckpt", static_cast<long long>(target));
            SaveCheckpoint(session, out / name);
        }
    }

    // The run's end state, whatever happened (after a divergence: the rolled-back, finite state).
    HeadlessResult result;
    result.status = snap->status;
    result.message = snap->message;
    if (!out.empty())
    {
        try
        {
            SaveCheckpoint(session, out / "final.ckpt");
        }
        catch (const std::exception& e)
        {
            if (result.Ok())
            {
                result.status = Status::Error;
                result.message = e.what();
            }
        }
    }
    if (options.final_evaluation && snap->status == Status::Paused)
    {
        auto evaluated = session.WaitForCommand(session.Evaluate(true), kLoadDeadline);
        if (evaluated != nullptr && evaluated->command_error.empty())
        {
            result.evaluation = evaluated->last_eval;
        }
        else if (evaluated != nullptr)
        {
            result.status = Status::Error;
            result.message = evaluated->command_error;
        }
        snap = evaluated ? evaluated : session.Latest();
    }
    WriteRows(session, csv_ptr, block, values);
    session.Stop();
    csv.Close();

    result.steps = snap->step;
    result.wall_seconds = snap->wall_seconds;
    result.steps_per_second = snap->wall_seconds > 0 ? static_cast<double>(snap->step) / snap->wall_seconds : 0.0;
    if (options.progress != nullptr)
    {
        PrintProgress(*options.progress, *snap, total, result.steps_per_second); // the run's average rate
    }
    result.summary_json = SummaryJson(config, result, *snap);
    if (!out.empty())
    {
        io::WriteFileAtomic(out / io::kRunSummaryFile, result.summary_json);
    }
    return result;
}

} // namespace ll::train
