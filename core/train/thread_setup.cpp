// FTZ/DAZ, priority and the compute pool of the training thread. Denormals appear in small gradients late in
// training and make some float operations ~100x slower on x86; flushing them changes nothing a plot could show.
#include "core/train/thread_setup.h"

#include "core/nn/thread_pool.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#if defined(__SSE2__) || defined(_M_X64)
#include <pmmintrin.h>
#include <xmmintrin.h>
#define LATENTLAB_HAVE_MXCSR 1
#endif

#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifdef __linux__
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ll::train
{

namespace
{
constexpr int kBackgroundNice = 10;

// The calling thread's pool: destroyed (its workers joined) when the thread ends.
thread_local std::unique_ptr<nn::ThreadPool> t_pool;

void SetFlushToZero()
{
#ifdef LATENTLAB_HAVE_MXCSR
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
#endif
}

// glibc hands freed memory above a threshold back to the kernel (munmap, or madvise on a thread's heap) and faults
// it in again at the next allocation. The views a session publishes (a model clone's forward on a grid of points,
// sample grids) allocate and free megabytes every ~30 ms, so with the dynamic thresholds ~10% of gan-toy's time
// (perf) was page faults, page clearing and madvise; with these, 0.4%. Fixed thresholds keep that memory in the process (the peak is
// what the process held anyway); allocations above 32 MB (data sets) still map their own pages.
void KeepFreedMemory()
{
#ifdef __GLIBC__
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    });
#endif
}

// Linux applies setpriority(PRIO_PROCESS, tid) to the one thread. Raising nice never needs privileges; a failure only
// leaves the thread at normal priority, so it is ignored. kBackgroundNice is relative to the thread's own nice (at most
// 19): a lab started under `nice -n 15` gets its training thread at 19, not raised to 10 (which root could do).
void SetBackgroundPriority()
{
#ifdef __linux__
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, tid);
    const int base = errno == 0 ? current : 0;
    (void)setpriority(PRIO_PROCESS, tid, std::min(19, base + kBackgroundNice));
#endif
}
} // namespace

void ReleaseFreedMemory()
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

int DefaultThreads(bool ui_attached)
{
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return ui_attached ? std::max(1, cores - 1) : cores;
}

void ConfigureTrainingThread(int threads, bool background)
{
    if (threads <= 0)
    {
        threads = DefaultThreads(true);
    }
    SetFlushToZero();
    KeepFreedMemory();
    if (background)
    {
        SetBackgroundPriority();
    }
    nn::SetCurrentPool(nullptr);
    t_pool.reset();
    t_pool = std::make_unique<nn::ThreadPool>(threads, [background] {
        SetFlushToZero();
        if (background)
        {
            SetBackgroundPriority();
        }
    });
    nn::SetCurrentPool(t_pool.get());
}

int ThreadNiceValue()
{
#ifdef __linux__
    errno = 0;
    const int nice_value = getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
    return errno == 0 ? nice_value : 0;
#else
    return 0;
#endif
}

bool FlushToZeroEnabled()
{
#ifdef LATENTLAB_HAVE_MXCSR
    return _MM_GET_FLUSH_ZERO_MODE() == _MM_FLUSH_ZERO_ON;
#else
    return false;
#endif
}

} // namespace ll::train
