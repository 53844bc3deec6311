// Per-thread numeric setup for the training thread: flush-to-zero / denormals-are-zero, and the number of OpenMP
// threads Eigen's products may use (a per-thread OpenMP setting, so the UI thread keeps its own).
#pragma once

namespace ll::train
{

// Sets FTZ/DAZ on the calling thread and, with OpenMP, omp_set_num_threads(threads) for it and FTZ/DAZ on each
// worker of its team (one parallel region, run once). threads <= 0 picks DefaultThreads(true).
// background = true lowers the scheduling priority of the thread and its workers (Linux: nice 10 per thread), so a
// window's UI thread, and a software rasteriser's threads, get the CPU first when they want it; training still
// takes every cycle they leave.
void ConfigureTrainingThread(int threads, bool background = false);

// The nice value of the calling thread (Linux; 0 elsewhere), for tests.
int ThreadNiceValue();

// Threads for training: all cores when headless, one less than the cores (at least 1) when a window shares them.
int DefaultThreads(bool ui_attached);

// True when the calling thread flushes denormals to zero (for tests).
bool FlushToZeroEnabled();

} // namespace ll::train
