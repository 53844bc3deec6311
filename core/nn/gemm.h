// The one matrix-product entry point for Linear and the convolutions (im2col / col2im): a BLAS-style sgemm on
// column-major buffers. The float backend (OpenBLAS, BLIS or Eigen's own kernels) is chosen at build time
// (LATENTLAB_GEMM) and named by GemmBackendName(); double always runs on Eigen (finite-difference tests). Timed by
// GemmTimer (gemm_stats.h).
// Thread contract: reentrant; any thread may call it. A large float product is cut into chunks along its wider side
// and run on the calling thread's pool (nn::CurrentPool(), thread_pool.h), each chunk one single-threaded library
// call; without a pool, or when small, it runs on the calling thread alone. Chunk boundaries depend only on the
// shape and the pool's size, and every element of C is computed whole by one chunk, so a result is the same on every
// run with the same thread count.
#pragma once

#include "core/nn/tensor.h"

#include <string>

namespace ll::nn
{

enum class Trans
{
    No,
    Yes,
};

// C (m, n) = alpha * op(A) * op(B) + beta * C, with op(A) (m, k) and op(B) (k, n). All buffers column-major:
// element (i, j) of a stored matrix X is x[i + j * ldx]. A is stored (m, k) when ta is No, else (k, m); B is
// stored (k, n) when tb is No, else (n, k). beta == 0 overwrites C (its old contents may be anything, NaN too).
// C must not alias A or B.
template <typename T>
void Gemm(Trans ta, Trans tb, Index m, Index n, Index k, T alpha, const T* a, Index lda, const T* b, Index ldb,
          T beta, T* c, Index ldc);

// Convenience for whole Eigen matrices: c = alpha * op(a) * op(b) + beta * c. c must already have the result's
// shape when beta != 0; with beta == 0 it is resized (no allocation when the shape repeats).
template <typename T>
void Gemm(Trans ta, Trans tb, T alpha, const Matrix<T>& a, const Matrix<T>& b, T beta, Matrix<T>& c);

// "eigen", "openblas", "blis": the float backend this build uses.
const char* GemmBackendName();

// The kernels behind it, for reports: OpenBLAS's own name for the set it runs ("Haswell", "SkylakeX",
// "Cooperlake"), else the backend's name.
std::string GemmKernels();

// How many chunks Gemm<float> cuts an (m, n, k) product into on `threads` threads (1: it runs unsplit).
Index GemmChunks(Index m, Index n, Index k, int threads);

// For measurement only (`latentlab bench --gemm`): one float product on the backend library's own threading with
// `threads` threads (OpenBLAS's or BLIS's threads; Eigen: plain single-threaded), bypassing the pool. The library
// is set back to one thread afterwards. Not for use while other threads call Gemm.
void GemmLibraryThreaded(int threads, Trans ta, Trans tb, Index m, Index n, Index k, const float* a, Index lda,
                         const float* b, Index ldb, float* c, Index ldc);

} // namespace ll::nn
