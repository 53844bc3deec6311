// Gemm on Eigen's own product kernels (the default backend). Maps the raw buffers without copying.
#include "core/nn/gemm.h"

#include "core/nn/gemm_stats.h"

#include <cassert>

namespace ll::nn
{

namespace
{

template <typename T>
using ConstMap = Eigen::Map<const Matrix<T>, 0, Eigen::OuterStride<>>;
template <typename T>
using MutMap = Eigen::Map<Matrix<T>, 0, Eigen::OuterStride<>>;

template <typename T, typename A, typename B>
void Accumulate(MutMap<T>& cm, const A& am, const B& bm, T alpha, T beta)
{
    if (beta == T(0))
    {
        if (alpha == T(1))
        {
            cm.noalias() = am * bm;
        }
        else
        {
            cm.noalias() = alpha * (am * bm);
        }
        return;
    }
    if (beta != T(1))
    {
        cm *= beta;
    }
    if (alpha == T(1))
    {
        cm.noalias() += am * bm;
    }
    else
    {
        cm.noalias() += alpha * (am * bm);
    }
}

} // namespace

template <typename T>
void Gemm(Trans ta, Trans tb, Index m, Index n, Index k, T alpha, const T* a, Index lda, const T* b, Index ldb,
          T beta, T* c, Index ldc)
{
    if (m == 0 || n == 0)
    {
        return;
    }
    MutMap<T> cm(c, m, n, Eigen::OuterStride<>(ldc));
    if (k == 0)
    {
        if (beta == T(0))
        {
            cm.setZero();
        }
        else
        {
            cm *= beta;
        }
        return;
    }
    const SerialProducts serial(SkinnyLayer(m, n) || k <= kSerialLayerWidth);
    const GemmTimer timer(m, n, k);
    const Index a_rows = ta == Trans::No ? m : k;
    const Index a_cols = ta == Trans::No ? k : m;
    const Index b_rows = tb == Trans::No ? k : n;
    const Index b_cols = tb == Trans::No ? n : k;
    assert(lda >= a_rows && ldb >= b_rows && ldc >= m);
    ConstMap<T> am(a, a_rows, a_cols, Eigen::OuterStride<>(lda));
    ConstMap<T> bm(b, b_rows, b_cols, Eigen::OuterStride<>(ldb));
    if (ta == Trans::No && tb == Trans::No)
    {
        Accumulate<T>(cm, am, bm, alpha, beta);
    }
    else if (ta == Trans::No)
    {
        Accumulate<T>(cm, am, bm.transpose(), alpha, beta);
    }
    else if (tb == Trans::No)
    {
        Accumulate<T>(cm, am.transpose(), bm, alpha, beta);
    }
    else
    {
        Accumulate<T>(cm, am.transpose(), bm.transpose(), alpha, beta);
    }
}

template <typename T>
void Gemm(Trans ta, Trans tb, T alpha, const Matrix<T>& a, const Matrix<T>& b, T beta, Matrix<T>& c)
{
    const Index m = ta == Trans::No ? a.rows() : a.cols();
    const Index k = ta == Trans::No ? a.cols() : a.rows();
    const Index n = tb == Trans::No ? b.cols() : b.rows();
    assert((tb == Trans::No ? b.rows() : b.cols()) == k);
    if (beta == T(0))
    {
        if (c.rows() != m || c.cols() != n)
        {
            c.resize(m, n);
        }
    }
    assert(c.rows() == m && c.cols() == n);
    Gemm<T>(ta, tb, m, n, k, alpha, a.data(), a.rows(), b.data(), b.rows(), beta, c.data(), c.rows());
}

const char* GemmBackendName() { return "eigen"; }

template void Gemm<float>(Trans, Trans, Index, Index, Index, float, const float*, Index, const float*, Index, float,
                          float*, Index);
template void Gemm<double>(Trans, Trans, Index, Index, Index, double, const double*, Index, const double*, Index,
                           double, double*, Index);
template void Gemm<float>(Trans, Trans, float, const Matrix<float>&, const Matrix<float>&, float, Matrix<float>&);
template void Gemm<double>(Trans, Trans, double, const Matrix<double>&, const Matrix<double>&, double,
                           Matrix<double>&);

} // namespace ll::nn
