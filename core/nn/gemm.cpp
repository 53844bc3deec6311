// Gemm: the float backend chosen at build time (LATENTLAB_GEMM: OpenBLAS or BLIS through their cblas_sgemm, or
// Eigen's own kernels), always called single-threaded; large products are cut along their wider side into chunks
// that the calling thread's ThreadPool runs (thread_pool.h). Double always runs on Eigen, on the calling thread.
#include "core/nn/gemm.h"

#include "core/nn/gemm_stats.h"
#include "core/nn/thread_pool.h"

#include <algorithm>
#include <cassert>
#include <mutex>
#include <type_traits>
#include <utility>

#if defined(LATENTLAB_GEMM_OPENBLAS) || defined(LATENTLAB_GEMM_BLIS)
#define LATENTLAB_GEMM_CBLAS 1
// Declared here rather than through <cblas.h>: Debian's cblas.h is an alternatives link that may belong to another
// BLAS. The CBLAS enums are ints (ColMajor 102, NoTrans 111, Trans 112) and both libraries use 32-bit indices.
extern "C" void cblas_sgemm(int layout, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                            int lda, const float* b, int ldb, float beta, float* c, int ldc);
#endif
#if defined(LATENTLAB_GEMM_OPENBLAS)
extern "C" void openblas_set_num_threads(int threads);
extern "C" char* openblas_get_corename(void);
#elif defined(LATENTLAB_GEMM_BLIS)
extern "C" void bli_thread_set_num_threads(long threads);
#endif

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

template <typename T>
void EigenGemm(Trans ta, Trans tb, Index m, Index n, Index k, T alpha, const T* a, Index lda, const T* b, Index ldb,
               T beta, T* c, Index ldc)
{
    MutMap<T> cm(c, m, n, Eigen::OuterStride<>(ldc));
    const Index a_rows = ta == Trans::No ? m : k;
    const Index a_cols = ta == Trans::No ? k : m;
    const Index b_rows = tb == Trans::No ? k : n;
    const Index b_cols = tb == Trans::No ? n : k;
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

// Below this many flops (2 m n k) a product is not worth a library call's set-up: Eigen's kernels, inlined, win
// on the tiny products of a step (D's 1-wide score, 2-D toy layers). Measured with `latentlab bench --gemm`.
constexpr double kTinyFlops = 2.0 * 64 * 64 * 16;
// A product is cut across the pool only above this many flops (~30-60 us on one core here): below it the wake-up
// and the hand-back cost more than the second core gives. Each chunk keeps at least kMinChunkFlops and is a
// multiple of kChunkAlign wide (the kernels' register blocks are 8-16 wide).
constexpr double kSplitFlops = 4.0e6;
constexpr double kMinChunkFlops = 1.0e6;
constexpr Index kChunkAlign = 16;
constexpr Index kChunksPerThread = 2;

#ifdef LATENTLAB_GEMM_CBLAS
void SetLibraryThreads(int threads)
{
#if defined(LATENTLAB_GEMM_OPENBLAS)
    openblas_set_num_threads(threads);
#else
    bli_thread_set_num_threads(threads);
#endif
}

void LibrarySgemm(Trans ta, Trans tb, Index m, Index n, Index k, float alpha, const float* a, Index lda,
                  const float* b, Index ldb, float beta, float* c, Index ldc)
{
    constexpr int kColMajor = 102, kNoTrans = 111, kTrans = 112;
    cblas_sgemm(kColMajor, ta == Trans::No ? kNoTrans : kTrans, tb == Trans::No ? kNoTrans : kTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
                static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// Every call runs on the calling thread (the pool does the splitting): the library's own threads stay asleep.
std::once_flag g_single_threaded;
#endif

// One single-threaded float product on the build's backend.
void SerialSgemm(Trans ta, Trans tb, Index m, Index n, Index k, float alpha, const float* a, Index lda,
                 const float* b, Index ldb, float beta, float* c, Index ldc)
{
#ifdef LATENTLAB_GEMM_CBLAS
    if (2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) >= kTinyFlops)
    {
        std::call_once(g_single_threaded, [] { SetLibraryThreads(1); });
        LibrarySgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
#endif
    EigenGemm<float>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// How many chunks a product of `flops` along a side of `extent` is cut into on `threads` threads (1: not split).
Index ProductChunks(double flops, Index extent, int threads)
{
    if (threads < 2 || flops < kSplitFlops)
    {
        return 1;
    }
    const Index by_flops = static_cast<Index>(flops / kMinChunkFlops);
    const Index by_width = extent / kChunkAlign;
    return std::max<Index>(1, std::min({by_flops, by_width, static_cast<Index>(threads) * kChunksPerThread}));
}

// [begin, end) of chunk p of `chunks` over `extent`, boundaries on multiples of kChunkAlign.
std::pair<Index, Index> ChunkRange(Index extent, Index chunks, Index p)
{
    const auto edge = [&](Index q) {
        if (q >= chunks)
        {
            return extent;
        }
        return std::min(extent, (extent * q / chunks + kChunkAlign / 2) / kChunkAlign * kChunkAlign);
    };
    return {edge(p), edge(p + 1)};
}

void PooledSgemm(Trans ta, Trans tb, Index m, Index n, Index k, float alpha, const float* a, Index lda,
                 const float* b, Index ldb, float beta, float* c, Index ldc)
{
    ThreadPool* pool = CurrentPool();
    const int threads = pool != nullptr ? pool->Threads() : 1;
    // Cut the wider side: C's columns (and B's) when n >= m, else C's rows (and A's).
    const bool split_n = n >= m;
    const Index extent = split_n ? n : m;
    const Index chunks = GemmChunks(m, n, k, threads);
    if (chunks <= 1)
    {
        SerialSgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    pool->Run(chunks, [&](Index p) {
        const auto [begin, end] = ChunkRange(extent, chunks, p);
        if (end <= begin)
        {
            return;
        }
        if (split_n)
        {
            // Columns [begin, end) of C = op(A) * columns [begin, end) of op(B).
            const float* bp = tb == Trans::No ? b + begin * ldb : b + begin;
            SerialSgemm(ta, tb, m, end - begin, k, alpha, a, lda, bp, ldb, beta, c + begin * ldc, ldc);
        }
        else
        {
            // Rows [begin, end) of C = rows [begin, end) of op(A) * op(B).
            const float* ap = ta == Trans::No ? a + begin : a + begin * lda;
            SerialSgemm(ta, tb, end - begin, n, k, alpha, ap, lda, b, ldb, beta, c + begin, ldc);
        }
    });
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
    if (k == 0)
    {
        MutMap<T> cm(c, m, n, Eigen::OuterStride<>(ldc));
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
    assert(lda >= (ta == Trans::No ? m : k) && ldb >= (tb == Trans::No ? k : n) && ldc >= m);
    const GemmTimer timer(m, n, k);
    if constexpr (std::is_same_v<T, float>)
    {
        PooledSgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
    else
    {
        EigenGemm<T>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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

Index GemmChunks(Index m, Index n, Index k, int threads)
{
    const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
    return ProductChunks(flops, n >= m ? n : m, threads);
}

void GemmLibraryThreaded(int threads, Trans ta, Trans tb, Index m, Index n, Index k, const float* a, Index lda,
                         const float* b, Index ldb, float* c, Index ldc)
{
#ifdef LATENTLAB_GEMM_CBLAS
    std::call_once(g_single_threaded, [] { SetLibraryThreads(1); });
    SetLibraryThreads(std::max(1, threads));
    LibrarySgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
    SetLibraryThreads(1);
#else
    (void)threads;
    EigenGemm<float>(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
#endif
}

const char* GemmBackendName()
{
#if defined(LATENTLAB_GEMM_OPENBLAS)
    return "openblas";
#elif defined(LATENTLAB_GEMM_BLIS)
    return "blis";
#else
    return "eigen";
#endif
}

std::string GemmKernels()
{
#if defined(LATENTLAB_GEMM_OPENBLAS)
    // OpenBLAS picks its kernels by CPU when it loads, unless OPENBLAS_CORETYPE names a set.
    const char* name = openblas_get_corename();
    return name != nullptr ? name : "unknown";
#else
    return GemmBackendName();
#endif
}

template void Gemm<float>(Trans, Trans, Index, Index, Index, float, const float*, Index, const float*, Index, float,
                          float*, Index);
template void Gemm<double>(Trans, Trans, Index, Index, Index, double, const double*, Index, const double*, Index,
                           double, double*, Index);
template void Gemm<float>(Trans, Trans, float, const Matrix<float>&, const Matrix<float>&, float, Matrix<float>&);
template void Gemm<double>(Trans, Trans, double, const Matrix<double>&, const Matrix<double>&, double,
                           Matrix<double>&);

} // namespace ll::nn
