// When the window's loop ends and what it returns. --frames N ends it after N frames. With --screenshot the N frames
// count from the moment the preset has loaded, --train-steps are reached (or training failed) and no view still
// loads its data; the last of them is the picture. A run that stopped with an error exits 1 (the message on stderr);
// a screenshot whose training is not done after 5 minutes gives up with 1. GL-free; main thread only.
#pragma once

#include "app/gui_options.h"
#include "core/train/session.h"

#include <chrono>

namespace ll::app
{

class LoopEnd
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kTrainingDeadline = std::chrono::minutes(5);

    enum class Verdict
    {
        Continue,
        Last,   // the loop ends after this frame (with --screenshot: write it first)
        GiveUp, // the loop ends now, with exit code 1
    };

    LoopEnd(const GuiOptions& options, Clock::time_point start);

    // After each frame is rendered, before the swap: the snapshot it showed and whether a view still loads.
    Verdict AfterFrame(const train::Snapshot& snap, bool loading, Clock::time_point now);
    int Frames() const { return m_frame; } // frames so far
    int ExitCode() const { return m_exit_code; }

private:
    std::int64_t m_train_steps;
    int m_frames;
    bool m_shooting;
    Clock::time_point m_deadline;
    bool m_trained = false; // the preset has loaded and the --train-steps target is reached (or training failed)
    int m_frame = 0;
    int m_frames_after = 0; // frames since then, with no view loading
    int m_exit_code = 0;
};

} // namespace ll::app
