// ThreadPool: generation-tagged chunk counter, short spins, then condition variables.
#include "core/nn/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#define LL_PAUSE() _mm_pause()
#else
#define LL_PAUSE() std::this_thread::yield()
#endif

namespace ll::nn
{

namespace
{
// Spin budgets. A worker spins after a job so that the next product of a step, usually a few microseconds later,
// needs no wake-up; the owner spins while the last chunk finishes. Both then block, so a descheduled thread is never
// waited on for long by a spinning one that holds the only free core. Measured in time (a pause instruction takes
// 10-140 cycles depending on the CPU), the clock read every kSpinCheck pauses.
constexpr auto kWorkerSpin = std::chrono::microseconds(50);
constexpr auto kOwnerSpin = std::chrono::microseconds(20);
constexpr int kSpinCheck = 32;
constexpr int kPiecesPerThread = 4;
// Straggler handling (RunImpl). After its own chunks the owner may wait for a worker's: the worker was woken late
// (an idle virtual CPU takes 50 us to 2 ms to wake here) or lost its core to another process mid-chunk. Waiting
// is worth it as long as the workers' chunks save the owner more time than the waits cost, so both are summed with
// a decay (kDecay per job): when a wait longer than kLateWait finds the waits ahead of the savings, the owner runs
// kSoloRuns << backoff jobs alone. (A rule on single waits alone, "longer than 200 us and than the owner's share",
// also fired on a quiet 2-core virtual machine, where a worker's wake-up or a host's hiccup sometimes costs
// milliseconds, and left the second core idle most of the time: conv-vae 30 steps/s on 2 threads against 41.)
constexpr auto kLateWait = std::chrono::microseconds(200);
constexpr double kDecay = 0.97; // about the last 30 jobs count
constexpr int kSoloRuns = 64;
constexpr int kMaxBackoff = 8;
constexpr int kForgiveRuns = 1024;

// Spins until done() or `budget` has passed; returns done().
template <typename Done>
bool SpinUntil(Done&& done, std::chrono::microseconds budget)
{
    const auto until = std::chrono::steady_clock::now() + budget;
    while (true)
    {
        for (int i = 0; i < kSpinCheck; ++i)
        {
            if (done())
            {
                return true;
            }
            LL_PAUSE();
        }
        if (std::chrono::steady_clock::now() >= until)
        {
            return done();
        }
    }
}

thread_local ThreadPool* t_current_pool = nullptr;

// m_next packs (generation: 20 bits, chunk count: 22 bits, next chunk: 22 bits). A generation that wraps around is
// harmless: a chunk claimed under a matching word belongs to the job in force, whose fields are read after the claim.
constexpr int kChunkBits = 22;
constexpr std::uint64_t kChunkMask = (std::uint64_t(1) << kChunkBits) - 1;
constexpr std::uint64_t kGenerationMask = (std::uint64_t(1) << 20) - 1;
constexpr std::uint32_t Generation(std::uint64_t packed)
{
    return static_cast<std::uint32_t>(packed >> (2 * kChunkBits));
}
constexpr std::uint32_t Count(std::uint64_t packed) { return static_cast<std::uint32_t>((packed >> kChunkBits) & kChunkMask); }
constexpr std::uint32_t Next(std::uint64_t packed) { return static_cast<std::uint32_t>(packed & kChunkMask); }
constexpr std::uint64_t Pack(std::uint32_t gen, std::uint32_t count)
{
    return ((static_cast<std::uint64_t>(gen) & kGenerationMask) << (2 * kChunkBits)) |
           (static_cast<std::uint64_t>(count) << kChunkBits);
}
} // namespace

ThreadPool* CurrentPool() { return t_current_pool; }
void SetCurrentPool(ThreadPool* pool) { t_current_pool = pool; }

ThreadPool::ThreadPool(int threads, std::function<void()> worker_init) : m_worker_init(std::move(worker_init))
{
    if (threads > 256)
    {
        throw std::invalid_argument("ThreadPool: at most 256 threads, asked for " + std::to_string(threads));
    }
    for (int i = 1; i < threads; ++i)
    {
        m_workers.emplace_back([this] { WorkerMain(); });
    }
}

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_work_cv.notify_all();
    for (std::thread& t : m_workers)
    {
        t.join();
    }
}

Index ThreadPool::RangePieces(Index n, Index grain) const
{
    grain = std::max<Index>(grain, 1);
    if (m_workers.empty() || n < 2 * grain)
    {
        return 1;
    }
    return std::min<Index>(n / grain, static_cast<Index>(Threads()) * kPiecesPerThread);
}

bool ThreadPool::Claim(std::uint32_t gen, std::uint32_t& chunk, std::uint32_t& count)
{
    std::uint64_t v = m_next.load(std::memory_order_acquire);
    while (true)
    {
        if (Generation(v) != gen || Next(v) >= Count(v))
        {
            return false;
        }
        if (m_next.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire))
        {
            chunk = Next(v);
            count = Count(v);
            return true;
        }
    }
}

std::uint32_t ThreadPool::Work(std::uint32_t gen)
{
    std::uint32_t chunk = 0, count = 0;
    std::uint32_t done = 0;
    while (Claim(gen, chunk, count))
    {
        try
        {
            m_call(m_ctx, static_cast<Index>(chunk));
        }
        catch (...)
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_error)
            {
                m_error = std::current_exception();
            }
        }
        ++done;
    }
    if (done > 0)
    {
        Finish(done, count);
    }
    return done;
}

void ThreadPool::Finish(std::uint32_t done, std::uint32_t count)
{
    if (m_done.fetch_add(done, std::memory_order_acq_rel) + done == count)
    {
        // The owner may be asleep: take the mutex so the notify cannot fall between its check and its wait.
        {
            std::lock_guard<std::mutex> lock(m_mutex);
        }
        m_done_cv.notify_one();
    }
}

void ThreadPool::RunImpl(Index count, void* ctx, Call call)
{
    if (count <= 0)
    {
        return;
    }
    if (m_workers.empty() || count == 1)
    {
        RunInline(count, ctx, call);
        return;
    }
    if (count > static_cast<Index>(kChunkMask))
    {
        throw std::invalid_argument("ThreadPool::Run: too many chunks (" + std::to_string(count) + ")");
    }
    const std::uint32_t n = static_cast<std::uint32_t>(count);
    if (m_solo_runs > 0)
    {
        // Recently a worker kept the owner waiting (another process has its core): run the chunks here, the same
        // chunks as always, so the result does not depend on contention.
        --m_solo_runs;
        RunInline(count, ctx, call);
        return;
    }
    m_ctx = ctx;
    m_call = call;
    m_done.store(0, std::memory_order_relaxed);
    m_generation = static_cast<std::uint32_t>((m_generation + 1) & kGenerationMask);
    const std::uint32_t gen = m_generation;
    m_next.store(Pack(gen, n), std::memory_order_release);
    {
        std::lock_guard<std::mutex> lock(m_mutex); // pairs with a worker's check before it sleeps
    }
    m_work_cv.notify_all();

    const auto start = std::chrono::steady_clock::now();
    const std::uint32_t own_chunks = Work(gen);
    const auto own_end = std::chrono::steady_clock::now();
    const auto all_done = [&] { return m_done.load(std::memory_order_acquire) == n; };
    std::chrono::steady_clock::duration waited{0};
    if (!all_done())
    {
        if (!SpinUntil(all_done, kOwnerSpin))
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_done_cv.wait(lock, all_done);
        }
        waited = std::chrono::steady_clock::now() - own_end;
    }
    // What the workers saved: their chunks at the owner's pace. What waiting cost: the time after the owner's own.
    const double own_seconds = std::chrono::duration<double>(own_end - start).count();
    const double saved = own_chunks > 0 ? own_seconds * static_cast<double>(n - own_chunks) / own_chunks : 0.0;
    m_saved = kDecay * m_saved + saved;
    m_waited = kDecay * m_waited + std::chrono::duration<double>(waited).count();
    if (waited > kLateWait && m_waited > m_saved)
    {
        // The waits have cost more than the workers gave (a worker lost its core): run solo for a while, backing
        // off exponentially while it keeps happening, then try again from a clean account.
        m_solo_runs = kSoloRuns << m_backoff;
        m_backoff = std::min(m_backoff + 1, kMaxBackoff);
        m_clean_runs = 0;
        m_saved = m_waited = 0;
        return RethrowError();
    }
    // The back-off is forgotten only slowly: a probe that happens to find the worker's core free says little.
    if (m_backoff > 0 && ++m_clean_runs >= kForgiveRuns)
    {
        --m_backoff;
        m_clean_runs = 0;
    }
    RethrowError();
}

void ThreadPool::RunInline(Index count, void* ctx, Call call)
{
    std::exception_ptr first;
    for (Index c = 0; c < count; ++c)
    {
        try
        {
            call(ctx, c);
        }
        catch (...)
        {
            if (!first)
            {
                first = std::current_exception();
            }
        }
    }
    if (first)
    {
        std::rethrow_exception(first);
    }
}

void ThreadPool::RethrowError()
{
    std::exception_ptr error;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        std::swap(error, m_error);
    }
    if (error)
    {
        std::rethrow_exception(error);
    }
}

void ThreadPool::WorkerMain()
{
    if (m_worker_init)
    {
        m_worker_init();
    }
    std::uint32_t seen = 0;
    while (true)
    {
        std::uint32_t gen = seen;
        const auto new_job = [&] {
            gen = Generation(m_next.load(std::memory_order_acquire));
            return gen != seen;
        };
        if (!SpinUntil(new_job, kWorkerSpin))
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_work_cv.wait(lock, [&] {
                return m_stop || Generation(m_next.load(std::memory_order_acquire)) != seen;
            });
            if (m_stop)
            {
                return;
            }
            gen = Generation(m_next.load(std::memory_order_acquire));
        }
        seen = gen;
        (void)Work(gen);
    }
}

} // namespace ll::nn
