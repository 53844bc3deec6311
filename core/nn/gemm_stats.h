// Optional timing of every nn::Gemm product (for `latentlab bench`'s gemm_fraction and gemm_gflops). Timing is off
// by default; when off, a product pays one relaxed atomic load.
// Thread contract: any thread may time products; the totals are process-wide atomics.
#pragma once

#include "core/nn/tensor.h"

#include <chrono>
#include <cstdint>

namespace ll::nn
{

struct GemmTotals
{
    std::int64_t nanoseconds = 0; // wall time of the calling thread inside timed products (pool workers included)
    double flops = 0;             // 2 m n k per product
    std::int64_t products = 0;
};

// Turns product timing on or off for the whole process (the bench turns it on; training never does).
void SetGemmTiming(bool on);
bool GemmTimingEnabled();
GemmTotals ReadGemmTotals();
void ResetGemmTotals();

// Times one (m x k) * (k x n) product for the lifetime of the object when timing is on.
class GemmTimer
{
public:
    GemmTimer(Index m, Index n, Index k);
    ~GemmTimer();
    GemmTimer(const GemmTimer&) = delete;
    GemmTimer& operator=(const GemmTimer&) = delete;

private:
    bool m_on;
    double m_flops = 0;
    std::chrono::steady_clock::time_point m_start;
};

} // namespace ll::nn
