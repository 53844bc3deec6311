// When the window draws (see frame_pacer.h).
#include "app/frame_pacer.h"

#include <algorithm>

namespace ll::app
{

FramePacer::FramePacer(const GuiOptions& options)
    : m_on_demand(!options.continuous && options.screenshot.empty()),
      m_capped(options.fps > 0 && options.screenshot.empty()),
      m_shooting(!options.screenshot.empty()),
      m_period(
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / std::max(1, options.fps)))),
      m_wait_seconds(1.0 / std::max(1, options.fps > 0 ? options.fps : 60))
{
}

bool FramePacer::NeedsFrame(unsigned input_events, const std::shared_ptr<const train::Snapshot>& latest,
                            Clock::time_point now)
{
    if (input_events != m_input_seen)
    {
        m_input_seen = input_events;
        m_frames_owed = kFramesAfterInput;
    }
    return !m_on_demand || m_frames_owed > 0 || latest != m_shown || now - m_last_drawn >= kHeartbeat;
}

void FramePacer::Drawn(std::shared_ptr<const train::Snapshot> shown, bool held, Clock::time_point now)
{
    m_frames_owed = std::max(held ? 1 : 0, m_frames_owed - 1);
    m_shown_training = shown != nullptr && shown->status == train::Status::Running;
    m_shown = std::move(shown);
    m_last_drawn = now;
}

FramePacer::Clock::time_point FramePacer::NextStart(Clock::time_point frame_start) const
{
    if (m_shooting && m_shown_training)
    {
        return frame_start + kShotTrainingPeriod;
    }
    return m_capped ? frame_start + m_period : frame_start;
}

} // namespace ll::app
