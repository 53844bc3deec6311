// Losses: hand-computed values, gradients against central finite differences (double), per-example forms and
// numerical stability at extreme logits.
#include "core/nn/losses.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

constexpr double kTol = 1e-6;
constexpr std::uint64_t kSeeds[] = {1, 2, 3};
constexpr Index kShapes[][2] = {{1, 1}, {3, 4}, {7, 2}};

MatrixD Scalar(double v)
{
    return MatrixD::Constant(1, 1, v);
}

// Checks grad of loss(input) against finite differences, over several random shapes and seeds.
template <typename LossFn>
void CheckLossGradient(const char* name, LossFn loss, bool away_from_zero_margin = false)
{
    for (auto seed : kSeeds)
    {
        for (const auto& s : kShapes)
        {
            CAPTURE(name);
            CAPTURE(seed);
            Rng rng(seed);
            MatrixD input = away_from_zero_margin ? RandomAwayFromZero(s[0], s[1], rng) : RandomMatrix(s[0], s[1], rng);
            MatrixD grad;
            loss(input, grad);
            MatrixD scratch;
            const MatrixD numeric = NumericGradient(input, [&]() { return loss(input, scratch); });
            CHECK(RelativeError(grad, numeric) < kTol);
        }
    }
}

} // namespace

TEST_CASE("BceWithLogits: hand values and stability")
{
    MatrixD g;
    CHECK(BceWithLogits(Scalar(0.0), 1.0, g) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(g(0, 0) == doctest::Approx(-0.5));
    CHECK(BceWithLogits(Scalar(0.0), 0.0, g) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(BceWithLogits(Scalar(100.0), 1.0, g) == doctest::Approx(0.0).epsilon(1e-30));
    CHECK(BceWithLogits(Scalar(-100.0), 1.0, g) == doctest::Approx(100.0).epsilon(1e-14));
    CHECK(BceWithLogits(Scalar(1000.0), 0.0, g) == doctest::Approx(1000.0)); // no overflow
    MatrixF gf;
    CHECK(std::isfinite(BceWithLogits<float>(MatrixF::Constant(2, 2, -500.f), 1.f, gf)));
    CHECK(gf.allFinite());
    // Mean over all elements: two columns of two logits.
    MatrixD l(2, 2);
    l << 0.0, 0.0, 0.0, 0.0;
    CHECK(BceWithLogits(l, 0.9, g) == doctest::Approx(std::log(2.0)));
    CHECK(g(1, 1) == doctest::Approx((0.5 - 0.9) / 4.0));
}

TEST_CASE("GAN losses: hand-computed values")
{
    MatrixD g;
    CHECK(LogOneMinusSigmoid(Scalar(0.0), g) == doctest::Approx(-std::log(2.0)));
    CHECK(g(0, 0) == doctest::Approx(-0.5));

    MatrixD p(1, 2);
    p << 1.0, 3.0;
    CHECK(MeanSquaredError(p, 1.0, g) == doctest::Approx(2.0));
    CHECK(g(0, 1) == doctest::Approx(2.0 * 2.0 / 2.0));
    MatrixD t(1, 2);
    t << 0.0, 1.0;
    CHECK(MeanSquaredError(p, t, g) == doctest::Approx((1.0 + 4.0) / 2.0));

    MatrixD s(1, 3);
    s << 1.0, 2.0, 3.0;
    CHECK(WassersteinMean(s, -1.0, g) == doctest::Approx(-2.0));
    CHECK(g(0, 2) == doctest::Approx(-1.0 / 3.0));

    MatrixD h(1, 3);
    h << 2.0, 0.5, -1.0;
    CHECK(Hinge(h, 1.0, g) == doctest::Approx((0.0 + 0.5 + 2.0) / 3.0));
    CHECK(g(0, 0) == 0.0);
    CHECK(g(0, 1) == doctest::Approx(-1.0 / 3.0));
    CHECK(Hinge(h, -1.0, g) == doctest::Approx((3.0 + 1.5 + 0.0) / 3.0));
    CHECK(g(0, 2) == 0.0);
}

TEST_CASE("GaussianKl: KL of N(1, 1) to N(0, 1) is 0.5, and per-dimension values sum to the total")
{
    MatrixD gm, glv;
    CHECK(GaussianKl(Scalar(1.0), Scalar(0.0), gm, glv) == doctest::Approx(0.5));
    CHECK(gm(0, 0) == doctest::Approx(1.0));
    CHECK(glv(0, 0) == doctest::Approx(0.0));
    CHECK(GaussianKl(Scalar(0.0), Scalar(0.0), gm, glv) == 0.0);

    // Two dims, two examples; batch mean of per-example sums.
    MatrixD mu(2, 2), lv(2, 2);
    mu << 1.0, 0.0, 2.0, 0.0;
    lv << 0.0, std::log(2.0), 0.0, 0.0;
    Vector<double> per_dim;
    const double kl = GaussianKl(mu, lv, gm, glv, &per_dim);
    const double kl_n2 = 0.5 * (2.0 - 1.0 - std::log(2.0)); // KL(N(0, 2) || N(0, 1))
    CHECK(per_dim(0) == doctest::Approx((0.5 + kl_n2) / 2.0));
    CHECK(per_dim(1) == doctest::Approx((2.0 + 0.0) / 2.0));
    CHECK(kl == doctest::Approx(per_dim.sum()));
}

TEST_CASE("Log-likelihoods: hand values and per-example forms agree with the batch mean")
{
    MatrixD g;
    CHECK(BernoulliLogLikelihood(Scalar(0.0), Scalar(1.0), g) == doctest::Approx(-std::log(2.0)));
    CHECK(BernoulliLogLikelihood(Scalar(0.0), Scalar(0.5), g) == doctest::Approx(-std::log(2.0)));
    CHECK(g(0, 0) == doctest::Approx(0.0));
    CHECK(GaussianLogLikelihood(Scalar(0.3), Scalar(0.3), 1.0, g) ==
          doctest::Approx(-0.5 * std::log(2.0 * std::numbers::pi)));
    CHECK(GaussianLogLikelihood(Scalar(0.0), Scalar(2.0), 2.0, g) ==
          doctest::Approx(-0.5 - std::log(2.0) - 0.5 * std::log(2.0 * std::numbers::pi)));
    CHECK(g(0, 0) == doctest::Approx(2.0 / 4.0));

    Rng rng(6);
    const MatrixD logits = RandomMatrix(5, 4, rng, 3.0);
    const MatrixD x = (RandomMatrix(5, 4, rng).array() > 0.0).cast<double>();
    Vector<double> per;
    BernoulliLogLikelihoodPerExample(logits, x, per);
    REQUIRE(per.size() == 4);
    CHECK(per.mean() == doctest::Approx(BernoulliLogLikelihood(logits, x, g)).epsilon(1e-12));
    CHECK(per(1) == doctest::Approx(BernoulliLogLikelihood<double>(logits.col(1), x.col(1), g)).epsilon(1e-12));

    const MatrixD mean = RandomMatrix(5, 4, rng);
    GaussianLogLikelihoodPerExample(mean, x, 0.7, per);
    CHECK(per.mean() == doctest::Approx(GaussianLogLikelihood(mean, x, 0.7, g)).epsilon(1e-12));
}

TEST_CASE("Losses: gradients match finite differences")
{
    CheckLossGradient("bce t=1", [](const MatrixD& l, MatrixD& g) { return BceWithLogits(l, 1.0, g); });
    CheckLossGradient("bce t=0.9", [](const MatrixD& l, MatrixD& g) { return BceWithLogits(l, 0.9, g); });
    CheckLossGradient("bce t=0", [](const MatrixD& l, MatrixD& g) { return BceWithLogits(l, 0.0, g); });
    CheckLossGradient("log(1-s)", [](const MatrixD& l, MatrixD& g) { return LogOneMinusSigmoid(l, g); });
    CheckLossGradient("mse", [](const MatrixD& p, MatrixD& g) { return MeanSquaredError(p, 0.7, g); });
    CheckLossGradient("mse matrix",
                      [](const MatrixD& p, MatrixD& g)
                      {
                          const MatrixD t = MatrixD::Constant(p.rows(), p.cols(), -0.3);
                          return MeanSquaredError(p, t, g);
                      });
    CheckLossGradient("wasserstein", [](const MatrixD& s, MatrixD& g) { return WassersteinMean(s, -1.0, g); });
    // Hinge kinks at s = +-1: shift the inputs (margin 0.1 from 0) so 1 - s stays away from 0.
    CheckLossGradient("hinge +",
                      [](const MatrixD& s, MatrixD& g)
                      {
                          const MatrixD shifted = s.array() + 1.0;
                          return Hinge(shifted, 1.0, g);
                      },
                      true);
    CheckLossGradient("hinge -",
                      [](const MatrixD& s, MatrixD& g)
                      {
                          const MatrixD shifted = s.array() - 1.0;
                          return Hinge(shifted, -1.0, g);
                      },
                      true);
    CheckLossGradient("bernoulli ll",
                      [](const MatrixD& l, MatrixD& g)
                      {
                          const MatrixD x = MatrixD::Constant(l.rows(), l.cols(), 0.3);
                          return BernoulliLogLikelihood(l, x, g);
                      });
    CheckLossGradient("gaussian ll",
                      [](const MatrixD& m, MatrixD& g)
                      {
                          const MatrixD x = MatrixD::Constant(m.rows(), m.cols(), 0.2);
                          return GaussianLogLikelihood(m, x, 0.5, g);
                      });
}

TEST_CASE("GaussianKl: gradients for mu and logvar match finite differences")
{
    for (auto seed : kSeeds)
    {
        for (const auto& s : kShapes)
        {
            CAPTURE(seed);
            Rng rng(seed);
            MatrixD mu = RandomMatrix(s[0], s[1], rng);
            MatrixD lv = RandomMatrix(s[0], s[1], rng);
            MatrixD gm, glv, sm, slv;
            GaussianKl(mu, lv, gm, glv);
            auto kl = [&]() { return GaussianKl(mu, lv, sm, slv); };
            CHECK(RelativeError(gm, NumericGradient(mu, kl)) < kTol);
            CHECK(RelativeError(glv, NumericGradient(lv, kl)) < kTol);
        }
    }
}

TEST_CASE("Losses: shape mismatches and empty inputs throw")
{
    MatrixD g, g2;
    CHECK_THROWS_AS(BceWithLogits<double>(MatrixD(0, 3), 1.0, g), std::invalid_argument);
    CHECK_THROWS_AS(MeanSquaredError<double>(MatrixD::Ones(2, 2), MatrixD::Ones(2, 3), g), std::invalid_argument);
    CHECK_THROWS_AS(GaussianKl<double>(MatrixD::Ones(2, 2), MatrixD::Ones(3, 2), g, g2), std::invalid_argument);
    CHECK_THROWS_AS(BernoulliLogLikelihood<double>(MatrixD::Ones(2, 2), MatrixD::Ones(2, 1), g), std::invalid_argument);
    CHECK_THROWS_AS(GaussianLogLikelihood<double>(MatrixD::Ones(2, 2), MatrixD::Ones(2, 2), 0.0, g), std::invalid_argument);
}

TEST_CASE("Losses: float results agree with double")
{
    Rng rng(12);
    const MatrixD l = RandomMatrix(6, 5, rng, 2.0);
    const MatrixF lf = l.cast<float>();
    MatrixD g;
    MatrixF gf;
    CHECK(BceWithLogits(lf, 0.9f, gf) == doctest::Approx(BceWithLogits(l, 0.9, g)).epsilon(1e-5));
    CHECK(RelativeError(gf.cast<double>(), g) < 1e-5);
    const MatrixD x = MatrixD::Constant(6, 5, 0.25);
    const MatrixF xf = x.cast<float>();
    CHECK(BernoulliLogLikelihood(lf, xf, gf) == doctest::Approx(BernoulliLogLikelihood(l, x, g)).epsilon(1e-5));
}

TEST_CASE("SoftmaxCrossEntropy: hand values, gradient against finite differences, stability and bad labels")
{
    // Two classes, logits (0, 0): -log(1/2) for either label; gradient (p - onehot) / B.
    MatrixD logits = MatrixD::Zero(2, 1);
    MatrixD g;
    const std::uint8_t one[] = {1};
    CHECK(SoftmaxCrossEntropy(logits, one, 1, g) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(g(0, 0) == doctest::Approx(0.5));
    CHECK(g(1, 0) == doctest::Approx(-0.5));
    // Logits (1, 2, 3), label 0: log(e + e^2 + e^3) - 1.
    logits = MatrixD(3, 1);
    logits << 1, 2, 3;
    const std::uint8_t zero[] = {0};
    const double expected = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 1.0;
    CHECK(SoftmaxCrossEntropy(logits, zero, 1, g) == doctest::Approx(expected).epsilon(1e-14));
    // Gradient over random logits and labels.
    for (auto seed : kSeeds)
    {
        Rng rng(seed);
        MatrixD x = RandomMatrix(5, 4, rng);
        const std::uint8_t labels[] = {0, 4, 2, 2};
        MatrixD grad, scratch;
        SoftmaxCrossEntropy(x, labels, 4, grad);
        const MatrixD numeric = NumericGradient(x, [&]() { return SoftmaxCrossEntropy(x, labels, 4, scratch); });
        CHECK(RelativeError(grad, numeric) < kTol);
    }
    // Extreme logits stay finite; a label outside the classes and a count mismatch are refused.
    MatrixF big(2, 1);
    big << 1000.0f, -1000.0f;
    MatrixF gf;
    CHECK(SoftmaxCrossEntropy(big, one, 1, gf) == doctest::Approx(2000.0f));
    const std::uint8_t seven[] = {7};
    CHECK_THROWS_AS(SoftmaxCrossEntropy(big, seven, 1, gf), std::invalid_argument);
    CHECK_THROWS_AS(SoftmaxCrossEntropy(big, one, 2, gf), std::invalid_argument);
    MatrixF probs;
    Softmax(big, probs);
    CHECK(probs(0, 0) == doctest::Approx(1.0f));
    CHECK(probs(1, 0) == doctest::Approx(0.0f));
}
