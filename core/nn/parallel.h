// The one place the nn loops (im2col / col2im, BatchNorm, upsampling) split work across threads: ParallelFor(n,
// grain, fn) calls fn(begin, end) on disjoint ranges covering [0, n). Static partition, so every index is handled by
// exactly one call and results do not depend on the thread count when each index writes only its own outputs.
// Thread contract: uses the calling thread's OpenMP budget (omp_get_max_threads(), set per training thread), runs
// serially inside an already parallel region and without LATENTLAB_HAVE_OPENMP. fn must not throw.
#pragma once

#include "core/nn/tensor.h"

#include <algorithm>

#ifdef LATENTLAB_HAVE_OPENMP
#include <omp.h>
#endif

namespace ll::nn
{

// Threads ParallelFor would use for n items of at least `grain` items per thread.
inline int ParallelThreads(Index n, Index grain)
{
#ifdef LATENTLAB_HAVE_OPENMP
    if (omp_in_parallel())
    {
        return 1;
    }
    const Index by_work = n / std::max<Index>(grain, 1);
    return static_cast<int>(std::clamp<Index>(by_work, 1, omp_get_max_threads()));
#else
    (void)n;
    (void)grain;
    return 1;
#endif
}

template <typename Fn>
void ParallelFor(Index n, Index grain, Fn&& fn)
{
    if (n <= 0)
    {
        return;
    }
    const int threads = ParallelThreads(n, grain);
    if (threads <= 1)
    {
        fn(Index(0), n);
        return;
    }
#ifdef LATENTLAB_HAVE_OPENMP
#pragma omp parallel num_threads(threads)
    {
        const Index t = omp_get_thread_num();
        const Index nt = omp_get_num_threads();
        const Index begin = n * t / nt;
        const Index end = n * (t + 1) / nt;
        if (begin < end)
        {
            fn(begin, end);
        }
    }
#endif
}

} // namespace ll::nn
