// Gemm's contract: every transpose combination, leading dimensions larger than the rows, alpha / beta, and
// beta == 0 ignoring NaN garbage in C; float against a double reference computed by hand-written loops; products cut
// across a pool agree with the single-threaded ones to float rounding and repeat bit for bit at a given thread count.
#include "core/nn/gemm.h"
#include "core/nn/thread_pool.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace ll;
using namespace ll::nn;

namespace
{
// Reference product with explicit loops in double.
double RefElement(Trans ta, Trans tb, Index i, Index j, Index k, const std::vector<float>& a, Index lda,
                  const std::vector<float>& b, Index ldb)
{
    double s = 0;
    for (Index p = 0; p < k; ++p)
    {
        const double av = ta == Trans::No ? a[i + p * lda] : a[p + i * lda];
        const double bv = tb == Trans::No ? b[p + j * ldb] : b[j + p * ldb];
        s += av * bv;
    }
    return s;
}
} // namespace

TEST_CASE("Gemm: every transpose combination with padded leading dimensions matches a loop reference")
{
    Rng rng(11);
    const Index m = 37, n = 71, k = 93; // odd sizes, larger than a kernel block in every direction
    for (Trans ta : {Trans::No, Trans::Yes})
    {
        for (Trans tb : {Trans::No, Trans::Yes})
        {
            for (float beta : {0.0f, 1.0f, -0.5f})
            {
                const Index a_rows = ta == Trans::No ? m : k, a_cols = ta == Trans::No ? k : m;
                const Index b_rows = tb == Trans::No ? k : n, b_cols = tb == Trans::No ? n : k;
                const Index lda = a_rows + 3, ldb = b_rows + 5, ldc = m + 2;
                std::vector<float> a(lda * a_cols), b(ldb * b_cols), c(ldc * n), c0;
                for (auto& v : a) v = static_cast<float>(rng.Uniform(-1, 1));
                for (auto& v : b) v = static_cast<float>(rng.Uniform(-1, 1));
                for (auto& v : c) v = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN()
                                                   : static_cast<float>(rng.Uniform(-1, 1));
                c0 = c;
                const float alpha = 0.75f;
                Gemm<float>(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
                double worst = 0;
                for (Index j = 0; j < n; ++j)
                {
                    for (Index i = 0; i < m; ++i)
                    {
                        double want = alpha * RefElement(ta, tb, i, j, k, a, lda, b, ldb);
                        if (beta != 0.0f)
                        {
                            want += beta * c0[i + j * ldc];
                        }
                        worst = std::max(worst, std::abs(want - c[i + j * ldc]));
                    }
                    for (Index i = m; i < ldc; ++i) // padding rows untouched
                    {
                        CHECK(std::isnan(c[i + j * ldc]) == std::isnan(c0[i + j * ldc]));
                    }
                }
                CHECK(worst < 1e-4);
            }
        }
    }
}

TEST_CASE("Gemm: the matrix form resizes C for beta 0 and names its backend")
{
    Rng rng(5);
    Matrix<double> a = ll::nn::test::RandomMatrix(4, 6, rng);
    Matrix<double> b = ll::nn::test::RandomMatrix(5, 6, rng);
    Matrix<double> c;
    Gemm<double>(Trans::No, Trans::Yes, 2.0, a, b, 0.0, c);
    REQUIRE(c.rows() == 4);
    REQUIRE(c.cols() == 5);
    const Matrix<double> want = 2.0 * a * b.transpose();
    CHECK((c - want).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(std::string(GemmBackendName()).size() > 0);
}

// Why not bit-identical to the serial product: an optimised BLAS picks its register-block and k-unrolling paths by the
// sub-problem's shape, so a chunk's elements can be summed in another order than in the whole product (OpenBLAS on
// Zen differs in the last bits). What the lab's exact-resume guarantee needs is that the chunking depends only on
// the shape and the thread count, so the same run repeats exactly.
TEST_CASE("Gemm: a float product cut across a pool of 2 or 3 threads matches the serial one and repeats exactly")
{
    struct Shape
    {
        Trans ta, tb;
        Index m, n, k;
    };
    // The standard models' shapes (Linear forward NN, dx TN, dW NT; vae-mlp, gan-mlp, gan-toy) and a convolution-like
    // wide product whose n is not a multiple of the chunk alignment.
    const Shape shapes[] = {{Trans::No, Trans::No, 512, 128, 784},  {Trans::Yes, Trans::No, 512, 128, 784},
                            {Trans::No, Trans::Yes, 784, 512, 128}, {Trans::Yes, Trans::No, 784, 64, 512},
                            {Trans::No, Trans::Yes, 512, 784, 64},  {Trans::No, Trans::No, 128, 256, 128},
                            {Trans::No, Trans::Yes, 128, 128, 256}, {Trans::No, Trans::No, 64, 1571, 200},
                            {Trans::Yes, Trans::Yes, 300, 97, 150}};
    Rng rng(3);
    for (const Shape& s : shapes)
    {
        CAPTURE(s.m);
        CAPTURE(s.n);
        CAPTURE(s.k);
        const Index lda = s.ta == Trans::No ? s.m : s.k, ldb = s.tb == Trans::No ? s.k : s.n;
        std::vector<float> a(lda * (s.ta == Trans::No ? s.k : s.m)), b(ldb * (s.tb == Trans::No ? s.n : s.k));
        for (auto& v : a) v = static_cast<float>(rng.Uniform(-1, 1));
        for (auto& v : b) v = static_cast<float>(rng.Uniform(-1, 1));
        for (const float beta : {0.0f, 1.0f})
        {
            std::vector<float> c0(s.m * s.n);
            for (auto& v : c0) v = static_cast<float>(rng.Uniform(-1, 1));
            std::vector<float> serial = c0;
            REQUIRE(CurrentPool() == nullptr);
            Gemm<float>(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, beta, serial.data(), s.m);
            for (const int threads : {2, 3})
            {
                CAPTURE(threads);
                CHECK(GemmChunks(s.m, s.n, s.k, threads) > 1); // the product really is split
                ThreadPool pool(threads);
                SetCurrentPool(&pool);
                std::vector<float> pooled = c0, again = c0;
                Gemm<float>(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, beta, pooled.data(), s.m);
                Gemm<float>(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, beta, again.data(), s.m);
                SetCurrentPool(nullptr);
                // |entries| <= 1, so an element's rounding error is below k * 2^-24 * (1 + |beta c|) in any order.
                const double tolerance = 2.0 * static_cast<double>(s.k) * 6e-8 + 1e-7;
                double worst = 0;
                Index differ_again = 0;
                for (std::size_t i = 0; i < pooled.size(); ++i)
                {
                    worst = std::max(worst, static_cast<double>(std::abs(pooled[i] - serial[i])));
                    differ_again += pooled[i] != again[i] ? 1 : 0;
                }
                CHECK(worst <= tolerance);
                CHECK(differ_again == 0);
            }
        }
    }
}

TEST_CASE("Gemm: small products are never split")
{
    CHECK(GemmChunks(20, 128, 512, 2) == 1); // a 20-wide latent layer's dx: 2.6 MFLOP
    CHECK(GemmChunks(1, 64, 256, 2) == 1);   // D's score
    CHECK(GemmChunks(512, 128, 784, 1) == 1); // one thread
    CHECK(GemmChunks(512, 128, 784, 2) > 1);
}
