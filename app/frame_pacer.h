// When the window draws. On demand (the default), a frame is drawn only when what the window shows could change:
// after input (a few frames, for ImGui to settle), when the session publishes a new snapshot, while a mouse button or
// key is held, and at a heartbeat (text cursors, the odd late update); a paused lab then costs almost nothing, and
// training keeps the cycles a software rasteriser would spend redrawing the same picture. And without vsync (Xvfb,
// some drivers) frames are capped at --fps, so an unpaced loop does not take the cycles training needs. Screenshots
// draw every frame, unpaced, so tests stay fast, except while the session trains towards --train-steps: nobody sees
// those frames, and under a software rasteriser each one takes cycles the training needs, so they come at 10 per
// second. GL-free; main thread only.
#pragma once

#include "app/gui_options.h"
#include "core/train/session.h"

#include <chrono>
#include <memory>

namespace ll::app
{

class FramePacer
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr int kFramesAfterInput = 3;
    static constexpr auto kHeartbeat = std::chrono::milliseconds(250);
    static constexpr auto kShotTrainingPeriod = std::chrono::milliseconds(100); // screenshot runs while training

    explicit FramePacer(const GuiOptions& options);

    // True when a frame should be drawn now. input_events counts the window's input events so far; latest is the
    // session's latest snapshot. When false, wait for events at most WaitSeconds() and ask again.
    bool NeedsFrame(unsigned input_events, const std::shared_ptr<const train::Snapshot>& latest, Clock::time_point now);
    double WaitSeconds() const { return m_wait_seconds; }
    // After a frame's UI: the snapshot it showed, and whether a mouse button or key is held (drags, repeat buttons
    // and typing animate without new events).
    void Drawn(std::shared_ptr<const train::Snapshot> shown, bool held, Clock::time_point now);
    // The earliest start of the next frame under the frame-rate cap (frame_start itself when not capped; for a
    // screenshot, kShotTrainingPeriod while the last frame showed training, else at once).
    Clock::time_point NextStart(Clock::time_point frame_start) const;

private:
    bool m_on_demand;
    bool m_capped;
    bool m_shooting;            // a screenshot run: uncapped, except while the shown snapshot is training
    bool m_shown_training = false;
    Clock::duration m_period;
    double m_wait_seconds;
    int m_frames_owed = kFramesAfterInput;
    unsigned m_input_seen = 0;
    std::shared_ptr<const train::Snapshot> m_shown; // the snapshot the last frame showed
    Clock::time_point m_last_drawn = Clock::now();
};

} // namespace ll::app
