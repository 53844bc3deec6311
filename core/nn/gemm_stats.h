// Optional timing of Linear's matrix products (for `latentlab bench`'s gemm_fraction), and the switch that keeps
// skinny products on one thread. Timing is off by default; when off, a product pays one relaxed atomic load.
// Thread contract: any thread may time products; the totals are process-wide atomics.
#pragma once

#include "core/nn/tensor.h"

#include <chrono>
#include <cstdint>

namespace ll::nn
{

struct GemmTotals
{
    std::int64_t nanoseconds = 0; // wall time spent inside timed products (OpenMP workers included)
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

// A layer this thin (a 20-wide latent layer, a 2-D toy's input or output, D's score) runs its products faster on
// one thread: OpenMP's fork/join and Eigen's packing hand-offs cost more than the work they split. The batch is not
// considered: it is the wide side of every product here.
inline constexpr Index kSerialLayerWidth = 64;
inline bool SkinnyLayer(Index in, Index out)
{
    return in <= kSerialLayerWidth || out <= kSerialLayerWidth;
}

// While alive, Eigen's products on this thread run single-threaded (OpenMP's per-thread nthreads setting, which
// Eigen reads per product); restores the previous setting. A no-op without OpenMP or when `active` is false.
class SerialProducts
{
public:
    explicit SerialProducts(bool active);
    ~SerialProducts();
    SerialProducts(const SerialProducts&) = delete;
    SerialProducts& operator=(const SerialProducts&) = delete;

private:
    int m_saved = 0; // 0: nothing to restore
};

} // namespace ll::nn
