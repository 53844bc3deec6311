// The one place the nn loops (im2col / col2im, BatchNorm, upsampling) split work across threads: ParallelFor(n,
// grain, fn) calls fn(begin, end) on disjoint ranges covering [0, n), on the calling thread's ThreadPool
// (core/nn/thread_pool.h) when it has one, else serially. The pieces depend only on n, grain and the pool's size,
// and every index is handled by exactly one call, so results do not depend on which thread ran what.
// Thread contract: call it from a pool's owner (the training thread) or a thread without a pool; never from inside a
// chunk (the pool does not nest). fn must not throw across threads it does not expect: the first exception of a
// chunk is rethrown on the caller.
#pragma once

#include "core/nn/tensor.h"
#include "core/nn/thread_pool.h"

namespace ll::nn
{

// Pieces ParallelFor would cut n items into with at least `grain` items each (1 = runs serially).
inline Index ParallelPieces(Index n, Index grain)
{
    const ThreadPool* pool = CurrentPool();
    return pool != nullptr ? pool->RangePieces(n, grain) : 1;
}

template <typename Fn>
void ParallelFor(Index n, Index grain, Fn&& fn)
{
    if (n <= 0)
    {
        return;
    }
    if (ThreadPool* pool = CurrentPool())
    {
        pool->ForRange(n, grain, fn);
        return;
    }
    fn(Index(0), n);
}

} // namespace ll::nn
