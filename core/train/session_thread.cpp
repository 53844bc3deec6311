// The training thread of a Session: the command loop and one step with its checks (publishing snapshots is in
// session_publish.cpp). Everything here runs on the training thread only (the public side is in session.cpp).
#include "core/train/session.h"

#include "core/train/session_state.h"

#include "core/train/thread_setup.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ll::train
{

std::string LearningRateHint(const models::ExperimentConfig& c)
{
    if (c.family == models::Family::Gan)
    {
        std::ostringstream s;
        s << "Lower the learning rates (d_lr " << c.gan.d_opt.learning_rate << ", g_lr " << c.gan.g_opt.learning_rate
          << "), e.g. by 10x, and Reset.";
        return s.str();
    }
    std::ostringstream s;
    s << "Lower the learning rate (lr " << c.vae.opt.learning_rate << "), e.g. by 10x, and Reset.";
    return s.str();
}

void Session::ThreadMain()
{
    ConfigureTrainingThread(m_options.threads, m_options.background_priority);
    State& s = *m_state;
    while (true)
    {
        ApplyCommands();
        if (m_stop.load())
        {
            break;
        }
        const bool active = s.exp != nullptr &&
                            (s.running || s.pending_steps > 0 || s.run_until > s.exp->StepCount());
        const Clock::time_point now = Clock::now();
        if (active && !s.was_active)
        {
            s.active_mark = now;
            s.rate_time = now;
            s.rate_wall = s.wall;
            s.rate_step = s.exp->StepCount();
        }
        s.was_active = active;
        if (!active)
        {
            if (TakeEvaluation(true)) // a run that stops shows its last evaluation
            {
                Publish(false);
            }
            s.rate = 0;
            std::unique_lock<std::mutex> lock(m_queue_mutex);
            m_queue_cv.wait(lock, [&] { return !m_queue.empty() || m_stop.load(); });
            continue;
        }
        if (s.slow_motion > 0)
        {
            if (now < s.next_slow_step)
            {
                std::unique_lock<std::mutex> lock(m_queue_mutex);
                m_queue_cv.wait_until(lock, s.next_slow_step, [&] { return !m_queue.empty() || m_stop.load(); });
                continue;
            }
            s.next_slow_step = now + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(1.0 / s.slow_motion));
        }
        TrainOneStep();
    }
    EndRun();
}

void Session::ApplyCommands()
{
    std::vector<Command> batch;
    {
        std::lock_guard<std::mutex> lock(m_queue_mutex);
        batch.swap(m_queue);
    }
    if (batch.empty())
    {
        return;
    }
    bool force_views = false;
    for (Command& c : batch)
    {
        const Command::Kind kind = c.kind;
        Apply(c);
        m_state->commands_applied = c.id;
        // A new model (load, reset, a checkpoint) or a pause: the views and the frozen model follow at once, since
        // no step may come to refresh them.
        force_views = force_views || kind == Command::Kind::Pause || kind == Command::Kind::Load ||
                      kind == Command::Kind::Reset || kind == Command::Kind::LoadCheckpoint;
    }
    const State& s = *m_state;
    if (s.exp == nullptr || !(s.running || s.pending_steps > 0 || s.run_until > s.exp->StepCount()))
    {
        TakeEvaluation(true); // paused: this publish shows the last evaluation, and none comes after it
    }
    Publish(force_views);
}

void Session::Apply(Command& c)
{
    State& s = *m_state;
    using Kind = Command::Kind;
    const auto need_experiment = [&]() {
        if (s.exp == nullptr)
        {
            s.command_error = "Nothing is loaded: load an experiment first.";
            return false;
        }
        return true;
    };
    switch (c.kind)
    {
    case Kind::Load:
        Build(*c.config);
        break;
    case Kind::Reset:
        if (need_experiment())
        {
            Build(s.loaded_config);
        }
        break;
    case Kind::Start:
        if (need_experiment())
        {
            s.running = true;
            s.pending_steps = 0;
            s.run_until = -1;
            SetStatus(Status::Running, "");
        }
        break;
    case Kind::Pause:
        s.running = false;
        s.pending_steps = 0;
        s.run_until = -1;
        if (s.status == Status::Running)
        {
            SetStatus(Status::Paused, "paused at step " + std::to_string(s.exp ? s.exp->StepCount() : 0));
        }
        break;
    case Kind::Step:
        if (need_experiment() && c.n > 0)
        {
            s.running = false;
            s.run_until = -1;
            if (s.pending_steps > 0 && s.pending_phase != c.phase)
            {
                s.pending_steps = 0; // a different kind of step replaces the queued ones
            }
            s.pending_steps += c.n;
            s.pending_phase = c.phase;
            SetStatus(Status::Paused, "stepping");
        }
        break;
    case Kind::RunUntil:
        if (need_experiment())
        {
            s.running = false;
            s.pending_steps = 0;
            if (c.n > s.exp->StepCount())
            {
                s.run_until = c.n;
                SetStatus(Status::Running, "");
            }
            else
            {
                s.run_until = -1;
                SetStatus(Status::Paused, "at step " + std::to_string(s.exp->StepCount()));
            }
        }
        break;
    case Kind::SlowMotion:
        s.slow_motion = std::isfinite(c.value) && c.value > 0 ? c.value : 0.0;
        s.next_slow_step = Clock::now();
        break;
    case Kind::Evaluate:
        if (need_experiment())
        {
            TakeEvaluation(true); // the judge serves one evaluation at a time
            try
            {
                auto clone = s.exp->Live().CloneForInference();
                s.last_eval = s.exp->Evaluate(*clone, c.n != 0);
                s.eval_step = s.exp->StepCount();
                s.eval_full = c.n != 0;
                clone.reset();
                ReleaseFreedMemory();
            }
            catch (const std::exception& e)
            {
                s.command_error = std::string("Evaluation failed: ") + e.what();
            }
        }
        break;
    case Kind::SaveCheckpoint:
        s.checkpoint_command = c.id;
        s.checkpoint_path = c.name;
        if (need_experiment())
        {
            SaveCheckpointNow(c.name);
        }
        else
        {
            s.checkpoint_error = s.command_error;
        }
        break;
    case Kind::LoadCheckpoint:
        s.checkpoint_command = c.id;
        s.checkpoint_path = c.name;
        LoadCheckpointNow(c.name);
        break;
    case Kind::RenameRun:
        RenameRunNow(c.name);
        break;
    case Kind::SetHyper:
        if (need_experiment())
        {
            try
            {
                s.exp->SetHyper(c.name, c.value);
                s.config_dirty = true;
            }
            catch (const std::exception& e)
            {
                s.command_error = e.what();
            }
        }
        break;
    }
}

void Session::Build(const models::ExperimentConfig& config)
{
    State& s = *m_state;
    TakeEvaluation(true); // it evaluates the experiment this may replace
    try
    {
        const std::string key = DataKey(config, m_options.data_dir);
        ExperimentData data = key == s.data_cache.key ? s.data_cache : LoadExperimentData(config, m_options.data_dir);
        auto exp = std::make_unique<Experiment>(config, data);
        exp->SetStepHook(m_options.step_hook);
        exp->SetModelHook(m_options.model_hook);
        EndRun(); // the run so far is kept (its folder closed with a summary) before the new one replaces it
        s.exp = std::move(exp);
        s.data_cache = std::move(data);
        s.loaded_config = config;
    }
    catch (const std::exception& e)
    {
        const std::string why = std::string("Could not load '") + config.name + "': " + e.what();
        if (s.exp)
        {
            // Refused data or config: the current run goes on exactly as it was (status, step, views), and says why.
            s.command_error = why + " (the current run is unchanged)";
            return;
        }
        SetStatus(Status::Error, why);
    }
    s.running = false;
    s.pending_steps = 0;
    s.run_until = -1;
    ++s.generation;
    s.wall = 0;
    s.rate = 0;
    s.was_active = false;
    s.render_step = -1;
    s.model_step = -1;
    s.samples.reset();
    s.reconstructions.reset();
    s.view2d.reset();
    s.model.reset();
    s.events.reset();
    s.config.reset();
    s.config_dirty = true;
    s.metrics.clear();
    s.last_eval.clear();
    s.eval_step = -1;
    s.eval_full = false;
    s.late_rows.clear();
    s.recorded_rows = 0;
    s.steps_since_publish = 0;
    s.local.Clear();
    s.local.generation = s.generation;
    s.history.Clear();
    {
        std::lock_guard<std::mutex> lock(m_metrics_mutex);
        m_pending.Clear();
        m_pending.generation = s.generation;
    }
    s.rollback_step = -1;
    s.record_next = !m_options.runs_dir.empty() && s.exp != nullptr;
    s.build_step = 0;
    s.continue_dir.clear();
    if (s.exp != nullptr)
    {
        SetStatus(Status::Idle, "ready: " + config.name);
        KeepGoodState(); // step 0: a divergence before the first periodic copy rolls back to the start
    }
    else
    {
        s.good.reset();
        s.good_file.reset();
        s.good_spilled.clear();
    }
}

void Session::SetStatus(Status status, std::string message)
{
    m_state->status = status;
    m_state->message = std::move(message);
}

void Session::PauseHere(Status status, std::string message)
{
    State& s = *m_state;
    TakeEvaluation(true);
    s.running = false;
    s.pending_steps = 0;
    s.run_until = -1;
    SetStatus(status, std::move(message));
    Publish(true);
}

void Session::TrainOneStep()
{
    State& s = *m_state;
    Experiment& exp = *s.exp;
    const models::StepPhase phase = s.pending_steps > 0 ? s.pending_phase : models::StepPhase::Both;
    const bool stepping = s.pending_steps > 0;
    try
    {
        exp.Step(phase, s.metrics);
        const std::int64_t step = exp.StepCount();
        const auto& config = exp.Config();
        bool log_row = config.metrics_every <= 1 || step % config.metrics_every == 0;
        if (m_options.evaluate && config.eval_every > 0 && step % config.eval_every == 0)
        {
            // On a clone and an RNG stream of its own: evaluating never changes the run.
            auto clone = exp.Live().CloneForInference();
            if (BackgroundEvaluation(m_options))
            {
                TakeEvaluation(true); // the previous one first: one at a time
                if (s.eval_worker == nullptr)
                {
                    s.eval_worker = std::make_unique<EvaluationWorker>(m_options.background_priority);
                }
                s.eval_worker->Start(exp, std::move(clone), step, config);
                s.eval_running = step;
            }
            else
            {
                s.last_eval = exp.Evaluate(*clone, false);
                s.eval_step = step;
                s.eval_full = false;
                clone.reset();
                ReleaseFreedMemory();
                s.metrics.insert(s.metrics.end(), s.last_eval.begin(), s.last_eval.end());
            }
            log_row = true;
        }
        const Clock::time_point now = Clock::now();
        s.wall += std::chrono::duration<double>(now - s.active_mark).count();
        s.active_mark = now;
        if (s.eval_running == step)
        {
            s.eval_running_wall = s.wall;
        }
        if (log_row)
        {
            s.local.AppendRow(step, s.wall, s.metrics);
            for (const auto& [name, value] : s.metrics)
            {
                s.history.Append(name, step, value);
            }
        }
        if (s.eval_running >= 0 && s.eval_running != step)
        {
            TakeEvaluation(false);
        }
        ++s.steps_since_publish;
        if (stepping)
        {
            --s.pending_steps;
        }
        for (const auto& [name, value] : s.metrics)
        {
            if (!std::isfinite(value))
            {
                std::string message = "Diverged at step " + std::to_string(step) + ": " + name + " is " +
                                      (std::isnan(value) ? "NaN" : "infinite") + ". " + LearningRateHint(config);
                message += RollBack(); // replaces the experiment: exp and config are not used after this
                PauseHere(Status::Diverged, std::move(message));
                return;
            }
        }
        if (m_options.rollback_every > 0 && step % m_options.rollback_every == 0)
        {
            std::string bad;
            if (!exp.ParametersFinite(bad))
            {
                std::string message = "Diverged at step " + std::to_string(step) + ": parameter " + bad +
                                      " is not finite. " + LearningRateHint(config);
                message += RollBack();
                PauseHere(Status::Diverged, std::move(message));
                return;
            }
            KeepGoodState();
        }
        if (s.run_until >= 0 && step >= s.run_until)
        {
            PauseHere(Status::Paused, "reached step " + std::to_string(step));
            return;
        }
        if (stepping && s.pending_steps == 0)
        {
            TakeEvaluation(true);
            Publish(true);
            return;
        }
        if (s.slow_motion > 0)
        {
            Publish(true); // a few steps per second: every one is worth seeing
            return;
        }
        if (s.steps_since_publish >= m_options.publish_every_steps &&
            now - s.last_publish >= m_options.publish_interval)
        {
            Publish(false);
        }
    }
    catch (const std::exception& e)
    {
        PauseHere(Status::Error, "Error at step " + std::to_string(exp.StepCount()) + ": " + e.what());
    }
}

bool BackgroundEvaluation(const SessionOptions& options)
{
    if (options.background_evaluation >= 0)
    {
        return options.background_evaluation > 0;
    }
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = options.threads > 0 ? options.threads : DefaultThreads(true);
    return threads < cores;
}

bool Session::TakeEvaluation(bool wait)
{
    State& s = *m_state;
    if (s.eval_running < 0 || s.eval_worker == nullptr)
    {
        return false;
    }
    std::optional<EvaluationResult> result = wait ? s.eval_worker->Take() : s.eval_worker->TryTake();
    if (!result)
    {
        return false;
    }
    s.eval_running = -1;
    if (!result->error.empty())
    {
        // Training goes on: the plots miss this evaluation, and the message says why.
        s.command_error = "Evaluation at step " + std::to_string(result->step) + " failed: " + result->error;
        return true;
    }
    s.last_eval = std::move(result->metrics);
    s.eval_step = result->step;
    s.eval_full = false;
    // Its own row at its own step, after rows of later steps: a plot takes it as it comes, the run's CSV merges
    // it into that step's row (MetricBlock::hold_from), and the history's series stay in step order (only the
    // evaluation's metrics are in this row).
    s.local.AppendRow(result->step, s.eval_running_wall, s.last_eval);
    s.late_rows.push_back(result->step);
    for (const auto& [name, value] : s.last_eval)
    {
        s.history.Append(name, result->step, value);
    }
    return true;
}

} // namespace ll::train
