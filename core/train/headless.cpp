// Headless training over a Session: run to each sample point with RunUntil (so grids land on exact steps), drain
// the metrics into the CSV as they come, evaluate at the end, write summary.json.
#include "core/train/headless.h"

#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "core/io/run_folder.h"
#include "core/train/run_recorder.h"
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

// Drains the session's new metric rows into the run (when recording).
void WriteRows(Session& session, RunRecorder* recorder, MetricBlock& block)
{
    session.DrainMetrics(block);
    if (recorder != nullptr)
    {
        recorder->AppendRows(block);
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


SessionOptions HeadlessSessionOptions(const HeadlessOptions& options)
{
    SessionOptions so;
    so.threads = options.threads > 0 ? options.threads : DefaultThreads(false);
    so.background_evaluation = options.background_evaluation;
    so.data_dir = options.data_dir;
    // Grids are drawn at the pauses on sample steps only; nothing else needs views or a frozen model.
    so.render_interval = std::chrono::hours(24);
    so.model_interval = std::chrono::hours(24);
    so.frozen_model = false;
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
                                               const HeadlessOptions& options, RunRecorder* recorder,
                                               MetricBlock& block, Clock::time_point& last_progress)
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
        WriteRows(session, recorder, block);
        if (done == nullptr && options.progress != nullptr && Clock::now() - last_progress >= options.progress_every)
        {
            const auto latest = session.Latest();
            PrintProgress(*options.progress, *latest, total, latest->steps_per_second);
            last_progress = Clock::now();
        }
    }
    return done;
}

// The run's summary.json: its end state, then its evaluation.
RunSummary MakeSummary(const models::ExperimentConfig& config, const HeadlessResult& result, const Snapshot& snap)
{
    RunSummary summary;
    summary.name = config.name;
    summary.family = snap.family ? util::NameOf(*snap.family) : std::string();
    summary.objective = snap.objective;
    summary.status = result.Ok() ? "completed" : StatusName(result.status);
    summary.message = result.Ok() ? std::string() : result.message;
    summary.steps = result.steps;
    summary.seed = config.seed;
    summary.wall_seconds = result.wall_seconds;
    summary.metrics = result.evaluation;
    summary.iwae_k = config.iwae_k;
    return summary;
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
    RunRecorder run; // the run folder, when there is an output folder
    if (!out.empty())
    {
        run.Begin(out, config);
    }
    Session session(HeadlessSessionOptions(options));
    std::shared_ptr<const Snapshot> snap = LoadRun(session, config, options);

    // Train from pause to pause: every sample step (grids) and checkpoint step.
    MetricBlock block;
    RunRecorder* recorder = out.empty() ? nullptr : &run;
    Clock::time_point last_progress = Clock::now();
    const std::int64_t every = config.sample_every > 0 ? config.sample_every : total;
    const std::int64_t checkpoint_every = out.empty() ? 0 : options.checkpoint_every;
    while (snap->step < total && (snap->status == Status::Idle || snap->status == Status::Paused))
    {
        const std::int64_t target = NextTarget(snap->step, total, every, checkpoint_every);
        snap = RunUntilTarget(session, target, total, options, recorder, block, last_progress);
        if (!out.empty() && snap->step == target && config.sample_every > 0 && target % config.sample_every == 0)
        {
            run.WriteSamples(target, snap->samples.get(), snap->reconstructions.get(), snap->view2d.get());
        }
        if (checkpoint_every > 0 && snap->step == target && target % checkpoint_every == 0 &&
            snap->status == Status::Paused)
        {
            SaveCheckpoint(session, run.CheckpointPath(target));
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
            SaveCheckpoint(session, run.FinalCheckpointPath());
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
    WriteRows(session, recorder, block);
    session.Stop();

    result.steps = snap->step;
    result.wall_seconds = snap->wall_seconds;
    result.steps_per_second = snap->wall_seconds > 0 ? static_cast<double>(snap->step) / snap->wall_seconds : 0.0;
    if (options.progress != nullptr)
    {
        PrintProgress(*options.progress, *snap, total, result.steps_per_second); // the run's average rate
    }
    const RunSummary summary = MakeSummary(config, result, *snap);
    result.summary_json = SummaryJson(summary);
    run.Finish(summary);
    return result;
}

} // namespace ll::train
