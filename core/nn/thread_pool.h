// The lab's one pool of compute threads: a product (nn::Gemm) or a loop is cut into chunks that the calling thread
// and the pool's workers take from one atomic counter, so a descheduled thread delays only the chunk it holds.
// Idle threads spin for a few microseconds, then block on a condition variable: a busy machine loses no core to us
// spinning, and the thread that has work always gets the core back. When a worker keeps the owner waiting (another
// process took its core), the owner runs the next jobs' chunks alone for a while, so a contended machine costs the
// lab its second core, not its speed on the first. The chunks are the same either way: results do not depend on
// which thread ran what.
// Thread contract: a pool belongs to the thread that made it current (the owner, e.g. the training thread); only
// the owner calls Run / ForRange, and not from inside a chunk. Chunks run concurrently on the owner and the workers.
#pragma once

#include "core/nn/tensor.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace ll::nn
{

class ThreadPool
{
public:
    // threads counts the owner: threads - 1 workers are started (none for threads <= 1). worker_init runs once on
    // each worker before it takes any chunk (FTZ/DAZ, scheduling priority).
    explicit ThreadPool(int threads, std::function<void()> worker_init = {});
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int Threads() const { return static_cast<int>(m_workers.size()) + 1; }

    // Calls fn(chunk) once for every chunk in [0, count), spread over the owner and the workers; returns when all
    // have finished. The first exception a chunk throws is rethrown here (the other chunks still run).
    template <typename F>
    void Run(Index count, F&& fn)
    {
        using Fn = std::remove_reference_t<F>;
        RunImpl(count, const_cast<void*>(static_cast<const void*>(&fn)),
                [](void* ctx, Index chunk) { (*static_cast<Fn*>(ctx))(chunk); });
    }

    // fn(begin, end) over [0, n) in pieces of at least `grain` items (at most a few per thread), e.g. an
    // elementwise loop or im2col over the batch. Runs fn(0, n) on the owner alone when n < 2 * grain.
    template <typename F>
    void ForRange(Index n, Index grain, F&& fn)
    {
        const Index pieces = RangePieces(n, grain);
        if (pieces <= 1)
        {
            if (n > 0)
            {
                fn(Index(0), n);
            }
            return;
        }
        Run(pieces, [&](Index p) { fn(n * p / pieces, n * (p + 1) / pieces); });
    }

    // How many pieces ForRange cuts [0, n) into with this grain (1 means: no split).
    Index RangePieces(Index n, Index grain) const;

private:
    using Call = void (*)(void*, Index);
    void RunImpl(Index count, void* ctx, Call call);
    void WorkerMain();
    // Claims the next chunk of generation `gen` (and learns the job's chunk count); false when none is left or the
    // generation has moved on.
    bool Claim(std::uint32_t gen, std::uint32_t& chunk, std::uint32_t& count);
    std::uint32_t Work(std::uint32_t gen); // runs chunks of `gen` while any are left; returns how many it ran
    void Finish(std::uint32_t done, std::uint32_t count);
    void RunInline(Index count, void* ctx, Call call); // every chunk on the owner, in order
    void RethrowError();

    std::vector<std::thread> m_workers;
    std::function<void()> m_worker_init;

    // The job of the current generation: written by the owner before it publishes the generation, read by the
    // workers only after they claimed a chunk of it (the owner cannot start another job while a chunk is out).
    void* m_ctx = nullptr;
    Call m_call = nullptr;
    // Generation, chunk count and next chunk in one word (see thread_pool.cpp): claiming checks the generation, so
    // a late worker cannot take a chunk of a job that has already been replaced.
    std::atomic<std::uint64_t> m_next{0};
    std::atomic<std::uint32_t> m_done{0};
    std::uint32_t m_generation = 0; // owner only
    int m_solo_runs = 0;            // owner only: jobs still to run without the workers after a straggler
    int m_backoff = 0;              // owner only
    int m_clean_runs = 0;           // owner only
    double m_saved = 0;             // owner only: decayed sum of the time the workers' chunks saved (s)
    double m_waited = 0;            // owner only: decayed sum of the time waited for them after the owner's own (s)

    std::mutex m_mutex;
    std::condition_variable m_work_cv; // workers sleep here between jobs
    std::condition_variable m_done_cv; // the owner sleeps here while the last chunks finish
    bool m_stop = false;               // under m_mutex
    std::exception_ptr m_error;        // under m_mutex
};

// The pool that products and loops of the calling thread run on; nullptr (the default) means the calling thread
// alone. Set by train::ConfigureTrainingThread for the training thread; the UI thread never has one.
ThreadPool* CurrentPool();
void SetCurrentPool(ThreadPool* pool);

// Threads available to the calling thread's products and loops (1 without a pool).
inline int CurrentThreads()
{
    const ThreadPool* pool = CurrentPool();
    return pool != nullptr ? pool->Threads() : 1;
}

} // namespace ll::nn
