// When the window's loop ends (see loop_end.h).
#include "app/loop_end.h"

#include <cstdio>

namespace ll::app
{

LoopEnd::LoopEnd(const GuiOptions& options, Clock::time_point start)
    : m_train_steps(options.train_steps), m_frames(options.frames), m_shooting(!options.screenshot.empty()),
      m_deadline(start + kTrainingDeadline)
{
}

LoopEnd::Verdict LoopEnd::AfterFrame(const train::Snapshot& snap, bool loading, Clock::time_point now)
{
    ++m_frame;
    if (!m_trained)
    {
        const bool failed = snap.status == train::Status::Error || snap.status == train::Status::Diverged;
        if ((snap.config && snap.step >= m_train_steps && snap.status != train::Status::Running) || failed)
        {
            m_trained = true;
            if (snap.status == train::Status::Error)
            {
                std::fprintf(stderr, "latentlab: stopped with an error: %s\n", snap.message.c_str());
                m_exit_code = 1;
            }
        }
        else if (m_shooting && now > m_deadline)
        {
            std::fprintf(stderr, "latentlab: %lld of %lld steps after 5 minutes; giving up\n",
                         static_cast<long long>(snap.step), static_cast<long long>(m_train_steps));
            m_exit_code = 1;
            return Verdict::GiveUp;
        }
    }
    m_frames_after += m_trained && !loading ? 1 : 0;
    const bool last = m_frames > 0 && (m_shooting ? m_frames_after >= m_frames : m_frame >= m_frames);
    return last ? Verdict::Last : Verdict::Continue;
}

} // namespace ll::app
