// Tests of the training session: commands at step boundaries, determinism with interruptions, replayable
// hyperparameter events, prompt shutdown, errors and divergence as states. Tiny GANs on ring8 keep them fast.
// Waiting is on the session's condition variable with deadlines, never on sleeps.
#include "core/train/session.h"
#include "core/train/thread_setup.h"

#include "../support/tiny_ring.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <stdexcept>

using namespace std::chrono_literals;
using ll::models::ExperimentConfig;
using ll::train::MetricBlock;
using ll::train::Session;
using ll::train::SessionOptions;
using ll::train::Snapshot;
using ll::train::Status;

namespace
{

constexpr auto kDeadline = 30s; // generous: a deadline, not a pace

// The shutdown bound of the issue. ThreadSanitizer makes every step ~20x slower and Stop waits for the step in
// flight, so a sanitized build gets a proportionally larger bound (it checks races there, not speed).
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr double kStopBoundMs = 2000.0;
#else
constexpr double kStopBoundMs = 100.0;
#endif

// The tiny ring, wider, at Adam 1e-3, with an evaluation every 100 steps.
ExperimentConfig TinyGan(std::uint64_t seed = 7)
{
    ExperimentConfig c = ll::test::TinyRing("test-ring8");
    c.gan.generator.hidden = {32, 32};
    c.gan.discriminator.hidden = {32, 32};
    c.gan.g_opt.learning_rate = 1e-3;
    c.gan.d_opt.learning_rate = 1e-3;
    c.batch_size = 64;
    c.seed = seed;
    c.eval_every = 100;
    c.eval_samples = 500;
    return c;
}

SessionOptions FastOptions()
{
    SessionOptions o;
    o.threads = 1;
    o.publish_interval = 0ms; // every step publishes: waiters see every step
    o.view.field_res = 16;
    o.view.points = 64;
    return o;
}

std::shared_ptr<const Snapshot> Wait(Session& s, std::uint64_t command)
{
    auto snap = s.WaitForCommand(command, kDeadline);
    REQUIRE(snap != nullptr);
    return snap;
}

// All metric rows of a run, in step order: an evaluation that ran on its own thread arrives as a late row of its
// step (MetricBlock::hold_from), merged here into that step's row as the run's CSV has it.
MetricBlock DrainAll(Session& s)
{
    MetricBlock all, part;
    s.DrainMetrics(part);
    all.MergeInOrder(part);
    return all;
}

// Bitwise equality of two metric blocks (steps, names and every value; NaN equal to NaN of the same bits).
void CheckSameMetrics(const MetricBlock& a, const MetricBlock& b)
{
    REQUIRE(a.names == b.names);
    REQUIRE(a.steps == b.steps);
    for (std::size_t i = 0; i < a.columns.size(); ++i)
    {
        REQUIRE(a.columns[i].size() == b.columns[i].size());
        const bool same = std::memcmp(a.columns[i].data(), b.columns[i].data(), a.columns[i].size() * sizeof(double)) == 0;
        INFO("series " << a.names[i]);
        CHECK(same);
    }
}

MetricBlock UninterruptedRun(const ExperimentConfig& config, std::int64_t steps)
{
    Session s(FastOptions());
    Wait(s, s.Load(config));
    auto snap = Wait(s, s.RunUntil(steps));
    CHECK(snap->step == steps);
    CHECK(snap->status == Status::Paused);
    return DrainAll(s);
}

} // namespace

TEST_CASE("Session: start, pause, step 5 and resume move the step counter exactly as asked")
{
    Session s(FastOptions());
    auto loaded = Wait(s, s.Load(TinyGan()));
    CHECK(loaded->status == Status::Idle);
    CHECK(loaded->step == 0);
    REQUIRE(loaded->view2d != nullptr); // views rendered at load, before any step

    s.Start();
    auto running = s.WaitFor([](const Snapshot& snap) { return snap.step >= 20; }, kDeadline);
    REQUIRE(running != nullptr);
    CHECK(running->status == Status::Running);

    auto paused = Wait(s, s.Pause());
    CHECK(paused->status == Status::Paused);
    const std::int64_t at = paused->step;
    // While paused nothing is published and the step stays: a bounded wait for any newer snapshot times out.
    CHECK(s.WaitForVersion(paused->version + 1, 100ms) == nullptr);
    CHECK(s.Latest()->step == at);

    auto stepped = Wait(s, s.Step(5));
    CHECK(stepped->step == at + 5);
    CHECK(stepped->status == Status::Paused);
    CHECK(stepped->view2d->step == at + 5); // fresh views after single steps

    s.Resume();
    auto resumed = s.WaitFor([&](const Snapshot& snap) { return snap.step >= at + 25; }, kDeadline);
    REQUIRE(resumed != nullptr);
    CHECK(resumed->status == Status::Running);
    CHECK(resumed->steps_per_second >= 0);
    s.Stop();
    s.Stop(); // idempotent
}

TEST_CASE("Session: a run with pauses, single steps and resumes gives bitwise the metrics of an uninterrupted run")
{
    const ExperimentConfig config = TinyGan(11);
    const MetricBlock reference = UninterruptedRun(config, 300);
    REQUIRE(reference.Rows() == 300);

    Session s(FastOptions());
    Wait(s, s.Load(config));
    s.Start();
    REQUIRE(s.WaitFor([](const Snapshot& snap) { return snap.step >= 30; }, kDeadline) != nullptr);
    auto paused = Wait(s, s.Pause());
    REQUIRE(paused->step < 280); // room left for the rest of the script
    s.Step(1);
    s.Step(1);
    Wait(s, s.Step(1));
    Wait(s, s.Step(5));
    s.Start();
    Wait(s, s.Pause());
    Wait(s, s.Step(2));
    s.SetSlowMotion(0);
    auto done = Wait(s, s.RunUntil(300));
    REQUIRE(done->step == 300);
    CheckSameMetrics(reference, DrainAll(s));
}

TEST_CASE("Session: a hyperparameter change is recorded as an event and replaying it reproduces the run")
{
    const ExperimentConfig config = TinyGan(5);
    MetricBlock changed;
    std::vector<ll::train::HyperEvent> events;
    {
        Session s(FastOptions());
        Wait(s, s.Load(config));
        Wait(s, s.RunUntil(100));
        s.SetHyper("d_lr", 5e-3);
        auto done = Wait(s, s.RunUntil(200));
        REQUIRE(done->events != nullptr);
        events = *done->events;
        REQUIRE(done->config != nullptr);
        CHECK(done->config->gan.d_opt.learning_rate == 5e-3);
        changed = DrainAll(s);
    }
    REQUIRE(events.size() == 1);
    CHECK(events[0].step == 100);
    CHECK(events[0].name == "d_lr");
    CHECK(events[0].old_value == 1e-3);
    CHECK(events[0].new_value == 5e-3);

    // Replay from the event log on a fresh session.
    Session replay(FastOptions());
    Wait(replay, replay.Load(config));
    for (const auto& e : events)
    {
        Wait(replay, replay.RunUntil(e.step));
        replay.SetHyper(e.name, e.new_value);
    }
    Wait(replay, replay.RunUntil(200));
    CheckSameMetrics(changed, DrainAll(replay));

    // And the change mattered: without it the second half differs.
    const MetricBlock plain = UninterruptedRun(config, 200);
    REQUIRE(plain.Rows() == changed.Rows());
    const int d_loss = 0;
    REQUIRE(plain.names[d_loss] == "d_loss");
    CHECK(plain.columns[d_loss][99] == changed.columns[d_loss][99]);
    CHECK(plain.columns[d_loss][150] != changed.columns[d_loss][150]);
}

TEST_CASE("Session: a refused hyperparameter leaves the run alone and says why")
{
    Session s(FastOptions());
    Wait(s, s.Load(TinyGan()));
    auto snap = Wait(s, s.SetHyper("d_lr", -1.0));
    CHECK(snap->command_error.find("d_lr") != std::string::npos);
    CHECK((snap->events == nullptr || snap->events->empty()));
    snap = Wait(s, s.SetHyper("no_such_knob", 1.0));
    CHECK(snap->command_error.find("no_such_knob") != std::string::npos);
}

TEST_CASE("Session: Stop while running joins within 100 ms")
{
    ExperimentConfig config = TinyGan();
    config.gan.generator.hidden = {128, 128};
    config.gan.discriminator.hidden = {128, 128};
    config.batch_size = 128; // a fraction of a millisecond per step in Release
    auto s = std::make_unique<Session>(FastOptions());
    Wait(*s, s->Load(config));
    s->Start();
    REQUIRE(s->WaitFor([](const Snapshot& snap) { return snap.step >= 5; }, kDeadline) != nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    s->Stop();
    const auto stop_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    CHECK(stop_ms < kStopBoundMs);

    // The destructor does the same for a running session.
    auto s2 = std::make_unique<Session>(FastOptions());
    Wait(*s2, s2->Load(config));
    s2->Start();
    REQUIRE(s2->WaitFor([](const Snapshot& snap) { return snap.step >= 5; }, kDeadline) != nullptr);
    const auto t1 = std::chrono::steady_clock::now();
    s2.reset();
    const auto destroy_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
    CHECK(destroy_ms < kStopBoundMs);
}

TEST_CASE("Session: an exception inside a step becomes the error state and the session keeps serving commands")
{
    SessionOptions options = FastOptions();
    options.step_hook = [](std::int64_t step)
    {
        if (step == 50)
        {
            throw std::runtime_error("injected failure");
        }
    };
    Session s(options);
    Wait(s, s.Load(TinyGan()));
    s.Start();
    auto failed = s.WaitFor([](const Snapshot& snap) { return snap.status == Status::Error; }, kDeadline);
    REQUIRE(failed != nullptr);
    CHECK(failed->step == 50);
    CHECK(failed->message.find("injected failure") != std::string::npos);
    CHECK(failed->message.find("50") != std::string::npos);

    // Still answering: a reset rebuilds, single steps run.
    auto reset = Wait(s, s.Reset());
    CHECK(reset->status == Status::Idle);
    CHECK(reset->step == 0);
    auto stepped = Wait(s, s.Step(5));
    CHECK(stepped->step == 5);
    CHECK(stepped->status == Status::Paused);
}

TEST_CASE("Session: a loss that blows up pauses the session as diverged, naming the metric")
{
    ExperimentConfig config = TinyGan();
    config.gan.objective = ll::models::GanObjective::LeastSquares;
    config.gan.d_opt.kind = ll::nn::OptimizerKind::Sgd;
    config.gan.g_opt.kind = ll::nn::OptimizerKind::Sgd;
    config.gan.d_opt.learning_rate = 10.0;
    config.gan.g_opt.learning_rate = 10.0;
    config.gan.d_opt.momentum = 0.9;
    config.gan.g_opt.momentum = 0.9;
    Session s(FastOptions());
    Wait(s, s.Load(config));
    s.Start();
    auto diverged = s.WaitFor([](const Snapshot& snap) { return snap.status == Status::Diverged; }, kDeadline);
    REQUIRE(diverged != nullptr);
    INFO(diverged->message);
    CHECK(diverged->message.find("Diverged at step") != std::string::npos);
    CHECK(diverged->message.find("learning rate") != std::string::npos);
    bool named = false;
    for (const auto& [name, value] : diverged->last_metrics)
    {
        if (!std::isfinite(value) && diverged->message.find(name) != std::string::npos)
        {
            named = true;
        }
    }
    const bool parameter = diverged->message.find("parameter") != std::string::npos;
    CHECK((named || parameter));
    // Paused: the step does not move on by itself.
    CHECK(s.WaitForVersion(diverged->version + 1, 50ms) == nullptr);
}

TEST_CASE("Session: evaluation points arrive as their own series at eval_every, NaN elsewhere")
{
    MetricBlock block = UninterruptedRun(TinyGan(3), 200);
    int modes = -1;
    for (std::size_t i = 0; i < block.names.size(); ++i)
    {
        if (block.names[i] == "modes_covered")
        {
            modes = static_cast<int>(i);
        }
    }
    REQUIRE(modes >= 0);
    for (std::size_t r = 0; r < block.Rows(); ++r)
    {
        const bool eval_row = block.steps[r] % 100 == 0;
        CHECK(std::isnan(block.columns[modes][r]) == !eval_row);
    }
}

TEST_CASE("Session: an evaluation on a thread of its own logs, in step order, bitwise the rows of one run in line")
{
    const auto run = [](int background) {
        SessionOptions o = FastOptions();
        o.background_evaluation = background;
        Session s(o);
        Wait(s, s.Load(TinyGan(5)));
        auto snap = Wait(s, s.RunUntil(300));
        CHECK(snap->step == 300);
        CHECK(snap->eval_step == 300); // a paused run shows its last evaluation, even one still running at the step
        CHECK(!snap->last_eval.empty());
        MetricBlock raw;
        s.DrainMetrics(raw);
        return raw;
    };
    const MetricBlock inline_rows = run(0);
    const MetricBlock background_rows = run(1);
    // In line, one row per step. On its own thread, each evaluation's values come as a row of their own at the
    // step they describe, after that step's row: steps 100, 200 and 300 appear twice in the stream.
    const auto count = [](const MetricBlock& b, std::int64_t step) {
        return std::count(b.steps.begin(), b.steps.end(), step);
    };
    CHECK(inline_rows.Rows() == 300);
    CHECK(count(inline_rows, 100) == 1);
    CHECK(background_rows.Rows() == 303);
    CHECK(count(background_rows, 100) == 2);
    CHECK(count(background_rows, 300) == 2);
    CHECK(background_rows.hold_from == -1); // paused: nothing is running
    MetricBlock merged;
    merged.MergeInOrder(background_rows);
    MetricBlock reference;
    reference.MergeInOrder(inline_rows);
    CheckSameMetrics(reference, merged);
}

TEST_CASE("MetricBlock: merging in order fills a step's row with its late values and places other rows by step")
{
    MetricBlock a;
    a.AppendRow(1, 0.1, {{"loss", 1.0}});
    a.AppendRow(2, 0.2, {{"loss", 2.0}});
    a.AppendRow(4, 0.4, {{"loss", 4.0}});
    MetricBlock b;
    b.AppendRow(2, 0.2, {{"fd", 20.0}}); // late: the evaluation of step 2
    b.AppendRow(3, 0.3, {{"loss", 3.0}});
    b.AppendRow(5, 0.5, {{"loss", 5.0}, {"fd", 50.0}});
    a.MergeInOrder(b);
    REQUIRE(a.names == std::vector<std::string>{"loss", "fd"});
    CHECK(a.steps == std::vector<std::int64_t>{1, 2, 3, 4, 5});
    CHECK(a.columns[0] == std::vector<double>{1.0, 2.0, 3.0, 4.0, 5.0});
    CHECK(std::isnan(a.columns[1][0]));
    CHECK(a.columns[1][1] == 20.0);
    CHECK(std::isnan(a.columns[1][2]));
    CHECK(a.columns[1][4] == 50.0);
    CHECK(a.wall[2] == 0.3);
    MetricBlock head;
    a.TakeRowsBefore(3, head);
    CHECK(head.steps == std::vector<std::int64_t>{1, 2});
    CHECK(head.columns[1][1] == 20.0);
    CHECK(a.steps == std::vector<std::int64_t>{3, 4, 5});
    CHECK(a.columns[0] == std::vector<double>{3.0, 4.0, 5.0});
}

TEST_CASE("Session: views are re-used between snapshots until the step changes")
{
    Session s(FastOptions());
    auto loaded = Wait(s, s.Load(TinyGan()));
    auto again = Wait(s, s.SetSlowMotion(0)); // a command publishes; the step did not change
    CHECK(again->version > loaded->version);
    CHECK(again->view2d == loaded->view2d);
    CHECK(again->model == loaded->model);
    const auto& v = *again->view2d;
    CHECK(v.field.size() == 16u * 16u);
    CHECK(v.generated.rows() == 2);
    CHECK(v.generated.cols() == 64);
    CHECK(v.arrow_descent.cols() == v.arrow_points.cols());
    CHECK(v.field_is_probability);
    REQUIRE(again->model != nullptr);
    auto mine = again->model->CloneForInference(); // what the UI does with the frozen model
    ll::nn::MatrixF z = ll::nn::MatrixF::Zero(2, 3), out;
    mine->Decode(z, nullptr, out);
    CHECK(out.rows() == 2);
}

TEST_CASE("Session: slow motion paces the steps and the training thread flushes denormals")
{
    std::atomic<bool> ftz{false};
    SessionOptions options = FastOptions();
    options.step_hook = [&ftz](std::int64_t) { ftz.store(ll::train::FlushToZeroEnabled()); };
    Session s(options);
    Wait(s, s.Load(TinyGan()));
    s.SetSlowMotion(20.0);
    const auto t0 = std::chrono::steady_clock::now();
    s.Start();
    REQUIRE(s.WaitFor([](const Snapshot& snap) { return snap.step >= 3; }, kDeadline) != nullptr);
    auto paused = Wait(s, s.Pause());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(paused->step <= static_cast<std::int64_t>(20.0 * seconds) + 2);
#if defined(__SSE2__)
    CHECK(ftz.load());
#endif
}

TEST_CASE("Session: background priority lowers the training thread's priority, and only when asked")
{
    for (const bool background : {false, true})
    {
        std::atomic<int> nice_value{-100};
        SessionOptions options = FastOptions();
        options.background_priority = background;
        options.step_hook = [&nice_value](std::int64_t) { nice_value.store(ll::train::ThreadNiceValue()); };
        Session s(options);
        Wait(s, s.Load(TinyGan()));
        s.Step(1);
        REQUIRE(s.WaitFor([](const Snapshot& snap) { return snap.step >= 1; }, kDeadline) != nullptr);
        const int mine = ll::train::ThreadNiceValue();
#if defined(__linux__)
        CAPTURE(background);
        if (background)
        {
            CHECK(nice_value.load() >= std::min(mine + 10, 19));
        }
        else
        {
            CHECK(nice_value.load() == mine);
        }
#endif
        CHECK(ll::train::ThreadNiceValue() == mine); // the caller's own priority is never touched
    }
}

TEST_CASE("Session: commands before a load are refused with a message, not a crash")
{
    Session s(FastOptions());
    auto snap = Wait(s, s.Start());
    CHECK(snap->status == Status::Idle);
    CHECK(!snap->command_error.empty());
    ExperimentConfig bad = TinyGan();
    bad.data.kind = ll::models::DataKind::Idx;
    bad.data.dir = "/no-such-folder";
    snap = Wait(s, s.Load(bad));
    CHECK(snap->status == Status::Error);
    CHECK(snap->message.find("no-such-folder") != std::string::npos);
}
