// The image metrics on features built by hand: Frechet distance against the closed form (and for a singular
// covariance), k-NN precision and recall on points whose balls can be drawn on paper, the class histogram, and the
// independence of every metric from the order of the samples.
#include "core/eval/judge_metrics.h"
#include "core/nn/thread_pool.h"
#include "core/util/rng.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using ll::eval::ComputeStats;
using ll::eval::FeatureStats;
using ll::eval::FrechetDistance;
using ll::eval::KnnPrecisionRecall;
using ll::eval::MeasureClasses;
namespace nn = ll::nn;

namespace
{

// (d, n) Gaussian features with the given per-dimension mean and standard deviation.
nn::MatrixF Gaussian(int d, int n, float mean, float sd, ll::Rng& rng)
{
    nn::MatrixF x(d, n);
    for (int j = 0; j < n; ++j)
    {
        for (int i = 0; i < d; ++i)
        {
            x(i, j) = mean + sd * static_cast<float>(rng.Normal());
        }
    }
    return x;
}

nn::MatrixF Reversed(const nn::MatrixF& x) { return x.rowwise().reverse(); }

} // namespace

TEST_CASE("Frechet distance: zero for equal statistics and the closed form for diagonal covariances")
{
    FeatureStats a;
    a.mean = Eigen::Vector3d(1, 2, 3);
    a.cov = Eigen::Vector3d(4, 1, 0.25).asDiagonal();
    CHECK(FrechetDistance(a, a) == doctest::Approx(0.0).epsilon(1e-12));
    FeatureStats b;
    b.mean = Eigen::Vector3d(0, 2, 5);
    b.cov = Eigen::Vector3d(1, 9, 0.25).asDiagonal();
    // |mu_a - mu_b|^2 = 1 + 0 + 4; per dimension (sqrt(s_a) - sqrt(s_b))^2 = 1 + 4 + 0.
    CHECK(FrechetDistance(a, b) == doctest::Approx(10.0).epsilon(1e-12));
    CHECK(FrechetDistance(b, a) == doctest::Approx(10.0).epsilon(1e-12));
}

TEST_CASE("Frechet distance: a rank-deficient covariance gives the closed form, not NaN")
{
    FeatureStats a;
    a.mean = Eigen::Vector3d::Zero();
    a.cov = Eigen::Vector3d(1, 0, 0).asDiagonal(); // singular
    FeatureStats b = a;
    b.cov = Eigen::Vector3d(4, 1e-18, 0).asDiagonal();
    const double d = FrechetDistance(a, b);
    CHECK(std::isfinite(d));
    CHECK(d == doctest::Approx(1.0).epsilon(1e-9)); // (1 - 2)^2 + (0 - 1e-9)^2
}

TEST_CASE("Frechet distance: samples of one Gaussian sit near 0, a shifted one near the squared shift")
{
    ll::Rng rng(3);
    const nn::MatrixF x = Gaussian(4, 4000, 0.0f, 1.0f, rng);
    const nn::MatrixF y = Gaussian(4, 4000, 0.0f, 1.0f, rng);
    const nn::MatrixF z = Gaussian(4, 4000, 1.0f, 1.0f, rng);
    const double same = FrechetDistance(ComputeStats(x), ComputeStats(y));
    const double shifted = FrechetDistance(ComputeStats(x), ComputeStats(z));
    CHECK(same < 0.02);
    CHECK(shifted == doctest::Approx(4.0).epsilon(0.05));
    CHECK_THROWS_AS(ComputeStats(nn::MatrixF::Zero(4, 1)), std::invalid_argument);
}

TEST_CASE("k-NN precision and recall: hand-placed points on a line")
{
    // Real points 0, 1, 2, 3, 4 (k = 1: every ball has radius 1, so the reals cover [-1, 5]); fakes 0.5, 4.5, 10
    // (k = 1 radii 4, 4, 5.5: balls [-3.5, 4.5], [0.5, 8.5], [4.5, 15.5]).
    nn::MatrixF real(1, 5), fake(1, 3);
    real << 0, 1, 2, 3, 4;
    fake << 0.5f, 4.5f, 10;
    const auto pr = KnnPrecisionRecall(real, fake, 1);
    CHECK(pr.precision == doctest::Approx(2.0 / 3.0)); // 10 lies outside every real ball
    CHECK(pr.recall == doctest::Approx(1.0));          // every real lies in the first fake's ball
    // k = 2 on the reals: radii 2, 1, 1, 1, 2 (the second nearest other point).
    nn::MatrixF far(1, 3);
    far << 6.5f, 7, 100;
    const auto pr2 = KnnPrecisionRecall(real, far, 2);
    CHECK(pr2.precision == doctest::Approx(0.0)); // 6.5 is 2.5 from 4, beyond its radius 2
    CHECK_THROWS_AS(KnnPrecisionRecall(real, fake, 3), std::invalid_argument); // 3 fakes, k = 3
}

TEST_CASE("k-NN precision and recall: one distribution against itself is high, against a far one zero")
{
    ll::Rng rng(5);
    const nn::MatrixF a = Gaussian(8, 600, 0.0f, 1.0f, rng);
    const nn::MatrixF b = Gaussian(8, 600, 0.0f, 1.0f, rng);
    const nn::MatrixF c = Gaussian(8, 600, 20.0f, 1.0f, rng);
    const auto same = KnnPrecisionRecall(a, b, 3);
    CHECK(same.precision > 0.6);
    CHECK(same.recall > 0.6);
    const auto apart = KnnPrecisionRecall(a, c, 3);
    CHECK(apart.precision == 0.0);
    CHECK(apart.recall == 0.0);
}

namespace
{

// Kynkaanniemi et al.'s definition written out, pair by pair in double: the (k + 1)-th smallest squared distance of
// each example to its own set (itself at 0 counts first), then the shares inside some ball of the other set.
ll::eval::PrecisionRecall BruteForcePrecisionRecall(const nn::MatrixF& real, const nn::MatrixF& fake, int k)
{
    auto dist = [](const nn::MatrixF& a, nn::Index i, const nn::MatrixF& b, nn::Index j) {
        return (a.col(i).cast<double>() - b.col(j).cast<double>()).squaredNorm();
    };
    auto radii = [&](const nn::MatrixF& x) {
        std::vector<double> r(static_cast<std::size_t>(x.cols()));
        for (nn::Index i = 0; i < x.cols(); ++i)
        {
            std::vector<double> d;
            for (nn::Index j = 0; j < x.cols(); ++j)
            {
                d.push_back(i == j ? -1.0 : dist(x, i, x, j));
            }
            std::sort(d.begin(), d.end());
            r[static_cast<std::size_t>(i)] = d[static_cast<std::size_t>(k)];
        }
        return r;
    };
    auto share = [&](const nn::MatrixF& q, const nn::MatrixF& p, const std::vector<double>& p_radii) {
        int inside = 0;
        for (nn::Index i = 0; i < q.cols(); ++i)
        {
            bool in = false;
            for (nn::Index j = 0; j < p.cols() && !in; ++j)
            {
                in = dist(q, i, p, j) <= p_radii[static_cast<std::size_t>(j)] * (1 + 1e-12);
            }
            inside += in ? 1 : 0;
        }
        return static_cast<double>(inside) / static_cast<double>(q.cols());
    };
    return {share(fake, real, radii(real)), share(real, fake, radii(fake))};
}

} // namespace

TEST_CASE("k-NN precision and recall equal the definition computed pair by pair, on 1 and 2 threads")
{
    // More than one block of 256 queries on both sides, sizes that do not divide it, and overlapping clouds, so
    // both shares are strictly between 0 and 1.
    ll::Rng rng(11);
    const nn::MatrixF real = Gaussian(6, 600, 0.0f, 1.0f, rng);
    const nn::MatrixF fake = Gaussian(6, 530, 0.7f, 0.8f, rng);
    for (const int k : {1, 3, 5})
    {
        CAPTURE(k);
        const auto expected = BruteForcePrecisionRecall(real, fake, k);
        REQUIRE(expected.precision > 0.05);
        REQUIRE(expected.precision < 0.95);
        REQUIRE(expected.recall > 0.05);
        REQUIRE(expected.recall < 0.95);
        const auto serial = KnnPrecisionRecall(real, fake, k);
        CHECK(serial.precision == doctest::Approx(expected.precision).epsilon(0.004));
        CHECK(serial.recall == doctest::Approx(expected.recall).epsilon(0.004));
        nn::ThreadPool pool(2);
        nn::SetCurrentPool(&pool);
        const auto pooled = KnnPrecisionRecall(real, fake, k);
        nn::SetCurrentPool(nullptr);
        CHECK(pooled.precision == serial.precision);
        CHECK(pooled.recall == serial.recall);
    }
    CHECK_THROWS_AS(ll::eval::MakeKnnSet(real, 0), std::invalid_argument);
    CHECK_THROWS_AS(ll::eval::MakeKnnSet(real.leftCols(3), 3), std::invalid_argument);
}

TEST_CASE("Image metrics: the result does not depend on the order of the samples")
{
    ll::Rng rng(7);
    const nn::MatrixF real = Gaussian(16, 700, 0.0f, 1.0f, rng);
    const nn::MatrixF fake = Gaussian(16, 500, 0.3f, 1.2f, rng);
    const double fd = FrechetDistance(ComputeStats(real), ComputeStats(fake));
    const double fd_reordered = FrechetDistance(ComputeStats(Reversed(real)), ComputeStats(Reversed(fake)));
    CHECK(fd == doctest::Approx(fd_reordered).epsilon(1e-9));
    const auto pr = KnnPrecisionRecall(real, fake, 3);
    const auto pr_reordered = KnnPrecisionRecall(Reversed(real), Reversed(fake), 3);
    CHECK(pr.precision == pr_reordered.precision);
    CHECK(pr.recall == pr_reordered.recall);
    nn::MatrixF probs = nn::MatrixF::Random(10, 300).cwiseAbs();
    probs = probs.array().rowwise() / probs.colwise().sum().array();
    const auto h = MeasureClasses(probs);
    const auto h_reordered = MeasureClasses(Reversed(probs));
    CHECK(h.counts == h_reordered.counts);
    CHECK(h.kl_bits == doctest::Approx(h_reordered.kl_bits).epsilon(1e-12));
    CHECK(h.confidence == doctest::Approx(h_reordered.confidence).epsilon(1e-6));
}

TEST_CASE("Class histogram: one class covers 1 with KL log2(10) bits, an even spread 10 with KL 0")
{
    nn::MatrixF one = nn::MatrixF::Constant(10, 50, 0.01f);
    one.row(3).setConstant(0.91f);
    const auto h1 = MeasureClasses(one);
    CHECK(h1.covered == 1);
    CHECK(h1.counts[3] == 50);
    CHECK(h1.kl_bits == doctest::Approx(std::log2(10.0)));
    CHECK(h1.confidence == doctest::Approx(0.91));
    nn::MatrixF even = nn::MatrixF::Zero(10, 100);
    for (int j = 0; j < 100; ++j)
    {
        even(j % 10, j) = 1.0f;
    }
    const auto h10 = MeasureClasses(even);
    CHECK(h10.covered == 10);
    CHECK(h10.kl_bits == doctest::Approx(0.0));
    // A class with 1 of 100 samples (under 2%) is not covered.
    even.col(0).setZero();
    even(1, 0) = 1.0f; // class 0 keeps 9 of 100, class 1 gets 11
    CHECK(MeasureClasses(even).covered == 10);
    nn::MatrixF rare = nn::MatrixF::Zero(10, 100);
    rare.row(0).setConstant(1.0f);
    rare.col(0).setZero();
    rare(5, 0) = 1.0f;
    CHECK(MeasureClasses(rare).covered == 1);
    CHECK(ll::eval::LabelAccuracy(even, std::vector<int>(100, 0)) == doctest::Approx(0.09));
}
