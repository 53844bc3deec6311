// Hand-checkable cases for the 2-D sample metrics: mode coverage, the reverse KL of the mode histogram, grid KL/JS
// and MMD.
#include "core/eval/toy_metrics.h"
#include "core/util/rng.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

using ll::data::Mode;
using ll::nn::MatrixF;

namespace
{

std::vector<Mode> Ring8()
{
    std::vector<Mode> modes;
    for (int k = 0; k < 8; ++k)
    {
        const double angle = 2.0 * M_PI * k / 8.0;
        modes.push_back({static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))});
    }
    return modes;
}

// n samples spread over the given modes in turn, each jittered by sd * N(0, 1) per axis.
MatrixF SamplesOn(const std::vector<Mode>& modes, int n, float sd, ll::Rng& rng)
{
    MatrixF out(2, n);
    for (int i = 0; i < n; ++i)
    {
        const Mode& m = modes[static_cast<std::size_t>(i) % modes.size()];
        out(0, i) = m.x + sd * static_cast<float>(rng.Normal());
        out(1, i) = m.y + sd * static_cast<float>(rng.Normal());
    }
    return out;
}

MatrixF Gaussian(int dims, int n, double shift, ll::Rng& rng)
{
    MatrixF out(dims, n);
    for (int j = 0; j < n; ++j)
    {
        for (int d = 0; d < dims; ++d)
        {
            out(d, j) = static_cast<float>(rng.Normal() + (d == 0 ? shift : 0.0));
        }
    }
    return out;
}

} // namespace

TEST_CASE("Mode coverage: samples exactly on all 8 modes cover all of them at full quality")
{
    const std::vector<Mode> modes = Ring8();
    ll::Rng rng(3);
    const MatrixF samples = SamplesOn(modes, 800, 0.0f, rng);
    const ll::eval::ModeCoverage cov = ll::eval::MeasureModeCoverage(samples, modes, 0.01f);
    CHECK(cov.modes_total == 8);
    CHECK(cov.modes_covered == 8);
    CHECK(cov.high_quality == 1.0);
    for (int count : cov.mode_counts)
    {
        CHECK(count == 100);
    }
}

TEST_CASE("Mode coverage: samples on 3 of 8 modes cover 3, and half far away halves the quality")
{
    const std::vector<Mode> modes = Ring8();
    const std::vector<Mode> three{modes[0], modes[3], modes[6]};
    ll::Rng rng(5);
    // Jitter of 1 sd: about 1% of samples fall beyond 3 sd (chi with 2 dof: P(r > 3) = exp(-4.5) = 1.1%).
    MatrixF samples = SamplesOn(three, 3000, 0.01f, rng);
    ll::eval::ModeCoverage cov = ll::eval::MeasureModeCoverage(samples, modes, 0.01f);
    CHECK(cov.modes_covered == 3);
    CHECK(cov.high_quality == doctest::Approx(1.0 - std::exp(-4.5)).epsilon(0.01));

    // Move every second sample to the centre (distance 1 from every mode): low quality, coverage unchanged.
    for (Eigen::Index i = 0; i < samples.cols(); i += 2)
    {
        samples.col(i).setZero();
    }
    cov = ll::eval::MeasureModeCoverage(samples, modes, 0.01f);
    CHECK(cov.modes_covered == 3);
    CHECK(cov.high_quality == doctest::Approx(0.5 * (1.0 - std::exp(-4.5))).epsilon(0.02));
}

TEST_CASE("Mode coverage: a sample just inside 3 sd counts, just outside does not, NaN never")
{
    const std::vector<Mode> modes{{0.0f, 0.0f}, {10.0f, 0.0f}};
    MatrixF samples(2, 3);
    samples << 0.299f, 10.31f, NAN,
               0.0f,   0.0f,   0.0f;
    const ll::eval::ModeCoverage cov = ll::eval::MeasureModeCoverage(samples, modes, 0.1f);
    CHECK(cov.modes_covered == 1);
    CHECK(cov.mode_counts[0] == 1);
    CHECK(cov.mode_counts[1] == 0);
    CHECK(cov.high_quality == doctest::Approx(1.0 / 3.0).epsilon(1e-12));
}

TEST_CASE("Reverse KL of modes: hand-computed values in nats, ln K when nothing is high quality")
{
    using ll::eval::ReverseKlToUniform;
    CHECK(ReverseKlToUniform({5, 5, 5, 5}) == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(ReverseKlToUniform({7, 0, 0, 0}) == doctest::Approx(std::log(4.0)).epsilon(1e-12));
    // q = (3/4, 1/4) against (1/2, 1/2): 3/4 ln(3/2) + 1/4 ln(1/2).
    CHECK(ReverseKlToUniform({3, 1}) == doctest::Approx(0.75 * std::log(1.5) + 0.25 * std::log(0.5)).epsilon(1e-12));
    // Half the 25 modes evenly: ln 25 - ln 12.5 = ln 2 (the paper's scale: a GAN at 0.70 has lost about half).
    std::vector<int> half(25, 0);
    for (int k = 0; k < 12; ++k)
        half[k] = 4;
    CHECK(ReverseKlToUniform(half) == doctest::Approx(std::log(25.0 / 12.0)).epsilon(1e-12));
    CHECK(ReverseKlToUniform({0, 0, 0}) == doctest::Approx(std::log(3.0)).epsilon(1e-12));
    CHECK_THROWS_AS(ReverseKlToUniform({}), std::invalid_argument);
    CHECK_THROWS_AS(ReverseKlToUniform({1, -1}), std::invalid_argument);
}

TEST_CASE("Reverse KL of modes: mode coverage reports it from the high-quality samples only")
{
    const std::vector<Mode> modes{{0.0f, 0.0f}, {10.0f, 0.0f}};
    MatrixF samples(2, 4); // two at mode 0, one at mode 1, one far from both (not counted)
    samples << 0.0f, 0.01f, 10.0f, 5.0f,
               0.0f, 0.0f,  0.0f,  0.0f;
    const ll::eval::ModeCoverage cov = ll::eval::MeasureModeCoverage(samples, modes, 0.1f);
    CHECK(cov.reverse_kl == doctest::Approx((2.0 / 3.0) * std::log(4.0 / 3.0) + (1.0 / 3.0) * std::log(2.0 / 3.0))
                                .epsilon(1e-12));
}

TEST_CASE("Mode coverage: refuses 3-D samples and sd <= 0")
{
    const std::vector<Mode> modes = Ring8();
    CHECK_THROWS_AS(ll::eval::MeasureModeCoverage(MatrixF::Zero(3, 4), modes, 0.01f), std::invalid_argument);
    CHECK_THROWS_AS(ll::eval::MeasureModeCoverage(MatrixF::Zero(2, 4), modes, 0.0f), std::invalid_argument);
}

TEST_CASE("Grid divergence: identical point sets give KL 0 and JS 0")
{
    ll::Rng rng(7);
    const MatrixF points = Gaussian(2, 2500, 0.0, rng);
    const ll::eval::GridDivergence div = ll::eval::MeasureGridDivergence(points, points, 3.0f);
    CHECK(std::abs(div.kl_bits) < 1e-12);
    CHECK(std::abs(div.js_bits) < 1e-12);
}

TEST_CASE("Grid divergence: disjoint point sets give JS near 1 bit (0.916 with the smoothing) and a large KL")
{
    // All real points in one corner bin, all generated points in the opposite corner bin.
    MatrixF real = MatrixF::Constant(2, 1000, -2.9f);
    MatrixF generated = MatrixF::Constant(2, 1000, 2.9f);
    const ll::eval::GridDivergence div = ll::eval::MeasureGridDivergence(real, generated, 3.0f);
    // By hand: p has a = (1 + s) / (1 + 900 s) on its bin and b = s / (1 + 900 s) on the 899 others; q mirrors it.
    // m = (a + b) / 2 on the two occupied bins and b elsewhere, so JS = a log2(2a / (a + b)) + b log2(2b / (a + b)):
    // 0.916 bits, not 1, because the smoothing spreads 8% of each histogram's mass over the empty bins.
    const double s = 1e-4, a = (1 + s) / (1 + 900 * s), b = s / (1 + 900 * s);
    const double js = a * std::log2(2 * a / (a + b)) + b * std::log2(2 * b / (a + b));
    CHECK(div.js_bits == doctest::Approx(js).epsilon(1e-9));
    CHECK(div.js_bits > 0.9);
    CHECK(div.kl_bits > 10.0);
}

TEST_CASE("Grid divergence: points outside the extent are clamped into the border bins")
{
    MatrixF inside = MatrixF::Constant(2, 10, 2.99f);
    MatrixF outside = MatrixF::Constant(2, 10, 50.0f);
    const ll::eval::GridDivergence div = ll::eval::MeasureGridDivergence(inside, outside, 3.0f);
    CHECK(std::abs(div.js_bits) < 1e-12);
}

TEST_CASE("Grid divergence: KL matches a hand computation on a 2x2 grid")
{
    // Real: 2 points in bin (0,0), 2 in (1,1). Generated: 4 points in (0,0). Smoothing s = 0.1.
    MatrixF real(2, 4), generated(2, 4);
    real << -0.5f, -0.5f, 0.5f, 0.5f,
            -0.5f, -0.5f, 0.5f, 0.5f;
    generated.setConstant(-0.5f);
    const double s = 0.1, z = 1.0 + 4 * s;
    const double p_a = (0.5 + s) / z; // real: two bins at 0.5, two empty
    const double q_a = (1.0 + s) / z, q_b = s / z; // generated: one bin full, three empty
    // Bin (0,0): p_a vs q_a; bin (1,1): p_a vs q_b; the two empty bins: p_b vs q_b contribute 0.
    const double kl = p_a * std::log2(p_a / q_a) + p_a * std::log2(p_a / q_b);
    const ll::eval::GridDivergence div = ll::eval::MeasureGridDivergence(real, generated, 1.0f, 2, s);
    CHECK(div.kl_bits == doctest::Approx(kl).epsilon(1e-9));
}

TEST_CASE("MMD: identical sets give ~0 (unbiased) and exactly 0 (biased)")
{
    ll::Rng rng(11);
    const MatrixF x = Gaussian(3, 400, 0.0, rng);
    ll::eval::MmdOptions options;
    const double unbiased = ll::eval::Mmd2(x, x, options);
    // For identical sets the U-statistic is -2/n * (1 - mean off-diagonal kernel): |value| < 2/n.
    CHECK(std::abs(unbiased) < 2.0 / 400.0);
    options.estimator = ll::eval::MmdEstimator::Biased;
    CHECK(std::abs(ll::eval::Mmd2(x, x, options)) < 1e-12);
}

TEST_CASE("MMD: two samples of the same distribution give ~0, and MMD grows with the shift")
{
    ll::Rng rng(13);
    const MatrixF x = Gaussian(2, 2500, 0.0, rng);
    const MatrixF same = Gaussian(2, 2500, 0.0, rng);
    const double base = ll::eval::Mmd2(x, same); // subsampled to 500 x 500
    CHECK(std::abs(base) < 0.01);
    double previous = base;
    for (double shift : {0.5, 1.0, 2.0, 4.0})
    {
        const MatrixF y = Gaussian(2, 2500, shift, rng);
        const double mmd2 = ll::eval::Mmd2(x, y);
        CHECK(mmd2 > previous + 0.01);
        previous = mmd2;
    }
    // Far apart: the cross term vanishes and MMD^2 tends to E k(x, x') + E k(y, y') = 2 * 1/(1 + 2) = 2/3 in 2-D
    // (for N(0, I) with sigma 1: E exp(-|x - x'|^2 / 2) = det(I + 2I)^(-1/2) = 1/3 per set).
    const MatrixF far = Gaussian(2, 2500, 20.0, rng);
    CHECK(ll::eval::Mmd2(x, far) == doctest::Approx(2.0 / 3.0).epsilon(0.05));
}

TEST_CASE("MMD: refuses mismatched dimensions, a bad bandwidth and too few points")
{
    ll::eval::MmdOptions options;
    CHECK_THROWS_AS(ll::eval::Mmd2(MatrixF::Zero(2, 5), MatrixF::Zero(3, 5)), std::invalid_argument);
    options.bandwidth = 0.0;
    CHECK_THROWS_AS(ll::eval::Mmd2(MatrixF::Zero(2, 5), MatrixF::Zero(2, 5), options), std::invalid_argument);
    CHECK_THROWS_AS(ll::eval::Mmd2(MatrixF::Zero(2, 1), MatrixF::Zero(2, 5)), std::invalid_argument);
}
