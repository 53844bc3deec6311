// Process-wide product timing counters.
#include "core/nn/gemm_stats.h"

#include <atomic>

namespace ll::nn
{

namespace
{
std::atomic<bool> g_timing{false};
std::atomic<std::int64_t> g_nanoseconds{0};
std::atomic<std::int64_t> g_products{0};
std::atomic<std::int64_t> g_kiloflops{0}; // integer kFLOP so a relaxed fetch_add suffices
} // namespace

void SetGemmTiming(bool on) { g_timing.store(on, std::memory_order_relaxed); }
bool GemmTimingEnabled() { return g_timing.load(std::memory_order_relaxed); }

GemmTotals ReadGemmTotals()
{
    GemmTotals t;
    t.nanoseconds = g_nanoseconds.load(std::memory_order_relaxed);
    t.products = g_products.load(std::memory_order_relaxed);
    t.flops = 1000.0 * static_cast<double>(g_kiloflops.load(std::memory_order_relaxed));
    return t;
}

void ResetGemmTotals()
{
    g_nanoseconds.store(0, std::memory_order_relaxed);
    g_products.store(0, std::memory_order_relaxed);
    g_kiloflops.store(0, std::memory_order_relaxed);
}

GemmTimer::GemmTimer(Index m, Index n, Index k) : m_on(GemmTimingEnabled())
{
    if (m_on)
    {
        m_flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
        m_start = std::chrono::steady_clock::now();
    }
}

GemmTimer::~GemmTimer()
{
    if (m_on)
    {
        const auto ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - m_start).count();
        g_nanoseconds.fetch_add(static_cast<std::int64_t>(ns), std::memory_order_relaxed);
        g_products.fetch_add(1, std::memory_order_relaxed);
        g_kiloflops.fetch_add(static_cast<std::int64_t>(m_flops / 1000.0), std::memory_order_relaxed);
    }
}

} // namespace ll::nn
