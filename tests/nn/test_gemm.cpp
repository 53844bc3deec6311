// Gemm's contract: every transpose combination, leading dimensions larger than the rows, alpha / beta, and
// beta == 0 ignoring NaN garbage in C; float against a double reference computed by hand-written loops.
#include "core/nn/gemm.h"
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
