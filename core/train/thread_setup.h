// Per-thread setup for the training thread: flush-to-zero / denormals-are-zero, a lower scheduling priority under a
// window, and the thread pool its products and loops run on (nn::ThreadPool, owned by the thread). The thread count
// rules of the whole lab live here (DefaultThreads).
#pragma once

namespace ll::train
{

// Sets FTZ/DAZ on the calling thread and gives it a pool of `threads` threads (itself and threads - 1 workers,
// which set FTZ/DAZ too) as nn::CurrentPool(); the pool lives until the thread ends or the next call replaces it.
// threads <= 0 picks DefaultThreads(true). background = true lowers the scheduling priority of the thread and its
// workers (Linux: nice 10 per thread), so a window's UI thread, and a software rasteriser's threads, get the CPU first
// when they want it; training still takes every cycle they leave.
// No other threads compute for the lab: the BLAS is called single-threaded (nn::Gemm) and Eigen never parallelises.
// The first call also fixes glibc's trim and mmap thresholds for the process (memory the views free is reused, not
// handed back to the kernel and faulted in again every ~30 ms).
void ConfigureTrainingThread(int threads, bool background = false);

// Hands the heap's free pages back to the kernel (glibc: malloc_trim; nothing elsewhere). The thresholds above keep
// what the frequent views free; an evaluation frees far more at once (the judge's layer buffers, the k-NN blocks:
// tens of MB) and comes every few hundred steps, so the session calls this after each one, and resident memory
// follows what is in use instead of the largest evaluation so far (issue 16's soak).
void ReleaseFreedMemory();

// The nice value of the calling thread (Linux; 0 elsewhere), for tests.
int ThreadNiceValue();

// Threads for training: all cores when headless, one less than the cores (at least 1) when a window shares them.
int DefaultThreads(bool ui_attached);

// True when the calling thread flushes denormals to zero (for tests).
bool FlushToZeroEnabled();

} // namespace ll::train
