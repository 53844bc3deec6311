// The training thread's publishing: refreshing the views at their budget, the steps/s rate, and the snapshot the UI
// reads. Everything here runs on the training thread only (the public side is in session.cpp).
#include "core/train/session.h"

#include "core/train/session_state.h"

#include <algorithm>
#include <cmath>

namespace ll::train
{

namespace
{
constexpr auto kRateWindow = std::chrono::milliseconds(500);
constexpr int kViewCostShare = 20; // unforced view refreshes take at most about 1/20 of the training thread
} // namespace

std::string Session::RefreshViews(bool force_views, Clock::time_point now)
{
    State& s = *m_state;
    Experiment& exp = *s.exp;
    const std::int64_t step = exp.StepCount();
    // Views cost the training thread at most about 1 / kViewCostShare of its time: after a refresh that took d, the
    // next unforced one waits at least kViewCostShare * d (dcgan: a clone of G and D and a grid through G, ~40 ms a
    // refresh, so every 250 ms would have been 15% of training).
    const Clock::duration budget = kViewCostShare * s.view_cost;
    const bool need_render =
        step != s.render_step &&
        (force_views || (now - s.last_render >= m_options.render_interval && now - s.last_render >= budget));
    const bool need_model =
        m_options.frozen_model && step != s.model_step &&
        (force_views || (now - s.last_model >= m_options.model_interval && now - s.last_model >= budget));
    if (!need_render && !need_model)
    {
        return "";
    }
    std::string diverged;
    const Clock::time_point start = Clock::now();
    struct CostMeter // records the refresh's duration however it ends
    {
        Clock::duration& cost;
        Clock::time_point start;
        ~CostMeter() { cost = Clock::now() - start; }
    } meter{s.view_cost, start};
    try
    {
        std::unique_ptr<models::Model> clone = exp.Live().CloneForInference();
        if (need_render)
        {
            if (exp.HasImages())
            {
                s.samples = std::make_shared<const ImageGrid>(exp.RenderSamples(*clone));
                if (clone->CanEncode())
                {
                    s.reconstructions = std::make_shared<const ImageGrid>(exp.RenderReconstructions(*clone));
                }
            }
            if (exp.IsToy())
            {
                s.view2d = std::make_shared<const View2D>(exp.Make2DView(*clone, m_options.view));
            }
            s.render_step = step;
            s.last_render = now;
            RecordSamples(step);
            std::string bad;
            if (s.status != Status::Diverged && !exp.ParametersFinite(bad))
            {
                s.running = false;
                s.pending_steps = 0;
                s.run_until = -1;
                diverged = "Diverged at step " + std::to_string(step) + ": parameter " + bad + " is not finite. " +
                           LearningRateHint(exp.Config());
            }
        }
        if (need_model)
        {
            s.model = std::shared_ptr<const models::Model>(std::move(clone));
            s.model_step = step;
            s.last_model = now;
        }
    }
    catch (const std::exception& e)
    {
        s.running = false;
        s.pending_steps = 0;
        s.run_until = -1;
        SetStatus(Status::Error, std::string("Error while drawing the views: ") + e.what());
    }
    return diverged;
}

void Session::UpdateRate(Clock::time_point now)
{
    State& s = *m_state;
    const bool active = s.running || s.pending_steps > 0 || s.run_until >= 0;
    if (!active)
    {
        s.rate = 0;
    }
    else if (now - s.rate_time >= kRateWindow && s.exp != nullptr)
    {
        const double dt = s.wall - s.rate_wall;
        if (dt > 0)
        {
            s.rate = static_cast<double>(s.exp->StepCount() - s.rate_step) / dt;
        }
        s.rate_time = now;
        s.rate_wall = s.wall;
        s.rate_step = s.exp->StepCount();
    }
}

std::shared_ptr<Snapshot> Session::MakeSnapshot()
{
    State& s = *m_state;
    auto snap = std::make_shared<Snapshot>();
    snap->version = ++s.version;
    snap->generation = s.generation;
    snap->commands_applied = s.commands_applied;
    snap->status = s.status;
    snap->message = s.message;
    snap->command_error = s.command_error;
    snap->pending_steps = s.pending_steps;
    snap->run_until = s.run_until;
    snap->slow_motion = s.slow_motion;
    snap->wall_seconds = s.wall;
    snap->steps_per_second = s.rate;
    snap->series = s.local.names;
    snap->last_metrics = s.metrics;
    snap->last_eval = s.last_eval;
    snap->eval_step = s.eval_step;
    snap->eval_full = s.eval_full;
    snap->samples = s.samples;
    snap->reconstructions = s.reconstructions;
    snap->view2d = s.view2d;
    snap->model = s.model;
    snap->model_step = s.model_step;
    snap->config = s.config;
    snap->events = s.events;
    snap->checkpoint_command = s.checkpoint_command;
    snap->checkpoint_path = s.checkpoint_path;
    snap->checkpoint_error = s.checkpoint_error;
    snap->rollback_step = s.rollback_step;
    snap->run_dir = s.run_dir;
    snap->run_error = s.run_error;
    if (s.exp != nullptr)
    {
        snap->step = s.exp->StepCount();
        snap->epoch = s.exp->Epoch();
        snap->test_set = s.exp->Data().test;
        snap->family = s.exp->Live().Family();
        snap->objective = s.exp->Live().Objective();
        snap->formula = s.exp->Live().Formula();
    }
    return snap;
}

void Session::HandOverMetrics()
{
    State& s = *m_state;
    if (s.local.Rows() == 0 && s.local.names.empty())
    {
        return;
    }
    MetricBlock rows = std::move(s.local);
    s.late_rows.clear();
    s.recorded_rows = 0;
    s.local.Clear();
    s.local.generation = s.generation;
    s.local.names = rows.names;
    s.local.columns.assign(rows.names.size(), {});
    std::lock_guard<std::mutex> lock(m_metrics_mutex);
    m_pending.Append(std::move(rows));
}

void Session::Publish(bool force_views)
{
    State& s = *m_state;
    const Clock::time_point now = Clock::now();
    s.local.hold_from = s.eval_running; // the run's CSV holds rows from this step until its evaluation comes
    RecordRows(); // first: a run begun here gets this publish's sample grid too
    if (s.exp != nullptr)
    {
        // A non-finite parameter seen while drawing is rolled back once the experiment is no longer in use.
        std::string diverged = RefreshViews(force_views, now);
        if (s.config_dirty)
        {
            s.config = std::make_shared<const models::ExperimentConfig>(s.exp->Config());
            s.events = std::make_shared<const std::vector<HyperEvent>>(s.exp->Events());
            s.config_dirty = false;
        }
        if (!diverged.empty())
        {
            diverged += RollBack();
            SetStatus(Status::Diverged, std::move(diverged));
        }
    }
    UpdateRate(now);
    RecordCheckpoint(now);
    std::shared_ptr<const Snapshot> snap = MakeSnapshot();
    if (s.local.Rows() > s.recorded_rows)
    {
        RecordRows(); // a rollback above waited for the evaluation: its late row goes to the CSV too
    }
    HandOverMetrics();
    {
        std::lock_guard<std::mutex> lock(m_snapshot_mutex);
        m_latest = std::move(snap);
    }
    m_snapshot_cv.notify_all();
    s.last_publish = now;
    s.steps_since_publish = 0;
}

} // namespace ll::train
