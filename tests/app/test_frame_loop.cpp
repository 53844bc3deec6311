// The window loop's GL-free parts: when the pacer draws on demand, the frame-rate cap, when the loop ends (--frames,
// and a screenshot's wait for training and loading), and the frame-time statistics.
#include "app/frame_pacer.h"
#include "app/frame_stats.h"
#include "app/loop_end.h"

#include <doctest/doctest.h>

#include <memory>

using ll::app::FramePacer;
using ll::app::FrameStats;
using ll::app::GuiOptions;
using ll::app::LoopEnd;
using ll::train::Snapshot;
using ll::train::Status;
using namespace std::chrono_literals;

namespace
{

std::shared_ptr<const Snapshot> SnapshotAt(std::int64_t step, Status status)
{
    auto snap = std::make_shared<Snapshot>();
    snap->step = step;
    snap->status = status;
    snap->config = std::make_shared<const ll::models::ExperimentConfig>();
    return snap;
}

// A --screenshot run of `frames` frames after training 100 steps.
GuiOptions ShotAfter100Steps(int frames)
{
    GuiOptions options;
    options.screenshot = "x.png";
    options.frames = frames;
    options.train_steps = 100;
    return options;
}

} // namespace

TEST_CASE("FramePacer: on demand it draws after input, a new snapshot, held input or the heartbeat, else waits")
{
    FramePacer pacer(GuiOptions{});
    const auto t0 = FramePacer::Clock::now();
    const auto snap = SnapshotAt(0, Status::Paused);
    for (int i = 0; i < FramePacer::kFramesAfterInput; ++i) // the first frames settle ImGui
    {
        CHECK(pacer.NeedsFrame(0, snap, t0));
        pacer.Drawn(snap, false, t0);
    }
    CHECK_FALSE(pacer.NeedsFrame(0, snap, t0 + 10ms));
    CHECK(pacer.NeedsFrame(0, SnapshotAt(1, Status::Running), t0 + 10ms)); // a new snapshot
    CHECK(pacer.NeedsFrame(0, snap, t0 + FramePacer::kHeartbeat));          // the heartbeat
    CHECK(pacer.NeedsFrame(5, snap, t0 + 10ms));                            // input: a few frames again
    for (int i = 0; i < FramePacer::kFramesAfterInput; ++i)
    {
        pacer.Drawn(snap, false, t0 + 10ms);
    }
    CHECK_FALSE(pacer.NeedsFrame(5, snap, t0 + 20ms));
    pacer.Drawn(snap, true, t0 + 20ms); // a held button animates without events
    CHECK(pacer.NeedsFrame(5, snap, t0 + 30ms));
    pacer.Drawn(snap, false, t0 + 30ms);
    CHECK_FALSE(pacer.NeedsFrame(5, snap, t0 + 40ms));
}

TEST_CASE("FramePacer: --continuous and screenshots draw every frame; the cap spaces frames by 1/fps unless shooting, and shooting waits while training")
{
    GuiOptions continuous;
    continuous.continuous = true;
    continuous.fps = 50;
    FramePacer pacer(continuous);
    const auto t0 = FramePacer::Clock::now();
    const auto snap = SnapshotAt(0, Status::Paused);
    for (int i = 0; i < 10; ++i)
    {
        CHECK(pacer.NeedsFrame(0, snap, t0));
        pacer.Drawn(snap, false, t0);
    }
    CHECK(pacer.NextStart(t0) - t0 == 20ms);
    CHECK(pacer.WaitSeconds() == doctest::Approx(0.02));

    GuiOptions shot;
    shot.screenshot = "x.png";
    FramePacer shooting(shot);
    shooting.Drawn(snap, false, t0);
    shooting.Drawn(snap, false, t0);
    shooting.Drawn(snap, false, t0);
    CHECK(shooting.NeedsFrame(0, snap, t0));
    CHECK(shooting.NextStart(t0) == t0);
    // ...except while it trains towards --train-steps: then nobody sees the frames, and they come 10 a second
    shooting.Drawn(SnapshotAt(5, Status::Running), false, t0);
    CHECK(shooting.NeedsFrame(0, snap, t0));
    CHECK(shooting.NextStart(t0) - t0 == FramePacer::kShotTrainingPeriod);
    CHECK(FramePacer::kShotTrainingPeriod == 100ms);
    shooting.Drawn(snap, false, t0);
    CHECK(shooting.NextStart(t0) == t0);
    GuiOptions uncapped;
    uncapped.fps = 0;
    CHECK(FramePacer(uncapped).NextStart(t0) == t0);
}

TEST_CASE("LoopEnd: --frames N ends an interactive run after N frames whatever training does")
{
    GuiOptions options;
    options.frames = 3;
    options.train_steps = 1000;
    const auto t0 = LoopEnd::Clock::now();
    LoopEnd end(options, t0);
    const auto running = SnapshotAt(10, Status::Running);
    CHECK(end.AfterFrame(*running, true, t0) == LoopEnd::Verdict::Continue);
    CHECK(end.AfterFrame(*running, true, t0) == LoopEnd::Verdict::Continue);
    CHECK(end.AfterFrame(*running, true, t0) == LoopEnd::Verdict::Last);
    CHECK(end.Frames() == 3);
    CHECK(end.ExitCode() == 0);
    CHECK(LoopEnd(GuiOptions{}, t0).AfterFrame(*running, false, t0) == LoopEnd::Verdict::Continue); // no --frames
}

TEST_CASE("LoopEnd: a screenshot counts its frames once the steps are trained and no view loads, then shoots")
{
    const auto t0 = LoopEnd::Clock::now();
    LoopEnd end(ShotAfter100Steps(2), t0);
    Snapshot loading; // the preset has not loaded yet (no config)
    CHECK(end.AfterFrame(loading, false, t0) == LoopEnd::Verdict::Continue);
    CHECK(end.AfterFrame(*SnapshotAt(100, Status::Running), false, t0) == LoopEnd::Verdict::Continue);
    const auto done = SnapshotAt(100, Status::Paused);
    CHECK(end.AfterFrame(*done, true, t0) == LoopEnd::Verdict::Continue); // the Data view still loads
    CHECK(end.AfterFrame(*done, false, t0) == LoopEnd::Verdict::Continue);
    CHECK(end.AfterFrame(*done, false, t0) == LoopEnd::Verdict::Last);
    CHECK(end.Frames() == 5);
    CHECK(end.ExitCode() == 0);
}

TEST_CASE("LoopEnd: an error stops the wait with exit code 1, and training past the deadline gives up")
{
    const GuiOptions options = ShotAfter100Steps(1);
    const auto t0 = LoopEnd::Clock::now();
    LoopEnd failed(options, t0);
    auto error = std::make_shared<Snapshot>(*SnapshotAt(3, Status::Error));
    error->message = "test error";
    CHECK(failed.AfterFrame(*error, false, t0) == LoopEnd::Verdict::Last); // the picture shows the error
    CHECK(failed.ExitCode() == 1);

    LoopEnd slow(options, t0);
    const auto running = SnapshotAt(50, Status::Running);
    CHECK(slow.AfterFrame(*running, false, t0 + LoopEnd::kTrainingDeadline - 1s) == LoopEnd::Verdict::Continue);
    CHECK(slow.AfterFrame(*running, false, t0 + LoopEnd::kTrainingDeadline + 1s) == LoopEnd::Verdict::GiveUp);
    CHECK(slow.ExitCode() == 1);
}

TEST_CASE("FrameStats: the summary is the mean, nearest-rank p50 and p95, and the max")
{
    std::vector<double> ms;
    for (int i = 20; i >= 1; --i)
    {
        ms.push_back(i); // 20, 19, ..., 1: unsorted on purpose
    }
    const FrameStats::Summary s = FrameStats::Summarise(ms);
    CHECK(s.count == 20);
    CHECK(s.mean == doctest::Approx(10.5));
    CHECK(s.p50 == 11.0); // rank round(0.5 * 19) = 10 (0-based): the 11th smallest
    CHECK(s.p95 == 19.0); // rank round(0.95 * 19) = 18
    CHECK(s.max == 20.0);
    CHECK(FrameStats::Summarise({}).count == 0);
}
