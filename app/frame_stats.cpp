// Frame-time statistics (see frame_stats.h).
#include "app/frame_stats.h"

#include <algorithm>
#include <ctime>
#include <numeric>

namespace ll::app
{

namespace
{

// CPU time consumed by the calling thread, in ms.
double ThreadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void PrintLine(std::FILE* out, const std::vector<double>& ms, std::size_t skip, const char* label)
{
    if (ms.size() <= skip)
    {
        return;
    }
    const FrameStats::Summary s = FrameStats::Summarise(std::vector<double>(ms.begin() + skip, ms.end()));
    std::fprintf(out, "latentlab: frame time %s over %zu frames: mean %.2f ms, p50 %.2f ms, p95 %.2f ms, max %.2f ms\n",
                 label, s.count, s.mean, s.p50, s.p95, s.max);
}

} // namespace

FrameStats::FrameStats()
{
    m_interval_ms.reserve(4096);
    m_work_ms.reserve(4096);
    m_cpu_ms.reserve(4096);
}

void FrameStats::BeginFrame()
{
    m_start = Clock::now();
    m_cpu_start = ThreadCpuMs();
    if (!m_first)
    {
        m_interval_ms.push_back(Ms(m_start - m_previous_start));
    }
    m_first = false;
    m_previous_start = m_start;
}

void FrameStats::EndFrame()
{
    m_work_ms.push_back(Ms(Clock::now() - m_start));
    m_cpu_ms.push_back(ThreadCpuMs() - m_cpu_start);
}

void FrameStats::Print(std::FILE* out) const
{
    const std::size_t skip = std::min<std::size_t>(m_interval_ms.size() / 10, 30);
    // On demand (the default), the interval includes the time nothing needed drawing; --continuous measures the
    // frame rate itself.
    PrintLine(out, m_interval_ms, skip, "(interval)");
    // The wall time to make a frame, before pacing: how much headroom the frame rate has.
    PrintLine(out, m_work_ms, skip, "(work)");
    // The UI thread's own CPU time: what the frame costs, without the waits for a busy machine's other work.
    PrintLine(out, m_cpu_ms, skip, "(UI thread CPU)");
}

FrameStats::Summary FrameStats::Summarise(std::vector<double> ms)
{
    Summary s;
    if (ms.empty())
    {
        return s;
    }
    std::sort(ms.begin(), ms.end());
    const auto rank = [&](double p) {
        return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1) + 0.5))];
    };
    s.count = ms.size();
    s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    s.p50 = rank(0.5);
    s.p95 = rank(0.95);
    s.max = ms.back();
    return s;
}

} // namespace ll::app
