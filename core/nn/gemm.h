// The one matrix-product entry point for Linear and the convolutions (im2col / col2im): a BLAS-style sgemm on
// column-major buffers. The backend behind it (Eigen's own product, or an optimised BLAS) is chosen at build time
// and named by GemmBackendName(); double always runs on Eigen (finite-difference tests). Timed by GemmTimer and
// kept on one thread for skinny shapes, as gemm_stats.h describes.
// Thread contract: reentrant; any thread may call it. Products run on the calling thread's thread budget.
#pragma once

#include "core/nn/tensor.h"

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

// "eigen", "openblas", ...: the float backend this build uses.
const char* GemmBackendName();

} // namespace ll::nn
