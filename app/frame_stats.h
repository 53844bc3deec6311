// --frame-stats: per frame, the interval from one frame's start to the next (what a viewer sees), the wall time spent
// making it (before any pacing wait) and the UI thread's CPU time for it; printed as mean, p50, p95 and max at exit.
// Main thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <vector>

namespace ll::app
{

class FrameStats
{
public:
    struct Summary
    {
        std::size_t count = 0;
        double mean = 0, p50 = 0, p95 = 0, max = 0; // ms
    };

    FrameStats();
    // Around the making of one frame (after any wait for a reason to draw, before any pacing wait).
    void BeginFrame();
    void EndFrame();
    // Prints the three statistics, leaving out the first frames (they build fonts and load data).
    void Print(std::FILE* out) const;

    // Mean, nearest-rank p50 and p95, and max of ms (empty: all zero).
    static Summary Summarise(std::vector<double> ms);

private:
    using Clock = std::chrono::steady_clock;
    Clock::time_point m_start{}, m_previous_start{};
    double m_cpu_start = 0;
    bool m_first = true;
    std::vector<double> m_interval_ms, m_work_ms, m_cpu_ms;
};

} // namespace ll::app
