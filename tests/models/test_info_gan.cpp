// InfoGAN tests: the information loss against hand-computed values and its gradient against central finite
// differences in double, Q on D's body (the side gradient through D's layers) against finite differences in double,
// the codes' sampling, and the GAN with codes (test_info_gan_model.cpp).
#include "core/models/info_codes.h"
#include "../nn/nn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>

using ll::Rng;
using ll::models::InfoCodes;
using ll::models::InfoLoss;
using ll::models::InfoTerms;
namespace nn = ll::nn;
using MatD = Eigen::MatrixXd;

namespace
{

InfoCodes Codes(int categorical, int k, int continuous, double lambda)
{
    InfoCodes c;
    c.categorical = categorical;
    c.k = k;
    c.continuous = continuous;
    c.lambda = lambda;
    return c;
}

// Random codes as SampleCodes draws them, in double.
MatD RandomCodes(const InfoCodes& codes, nn::Index n, Rng& rng)
{
    nn::MatrixF c;
    ll::models::SampleCodes(codes, rng, n, c);
    return c.cast<double>();
}

} // namespace

TEST_CASE("InfoGAN loss: cross-entropy, Gaussian NLL, the MI bound and Q's accuracy equal hand-computed values")
{
    const InfoCodes codes = Codes(1, 3, 1, 0.5);
    MatD q(5, 2); // rows: 3 logits, then (mean, log-variance)
    q.col(0) << 1.0, 2.0, 0.0, 0.5, 0.0;
    q.col(1) << 0.0, 0.0, 0.0, -1.0, std::log(4.0);
    MatD c(4, 2); // one-hot of 3, then the continuous value
    c.col(0) << 0.0, 1.0, 0.0, 0.3;
    c.col(1) << 0.0, 0.0, 1.0, 1.0;
    MatD grad;
    InfoTerms terms;
    const double loss = InfoLoss(codes, q, c, grad, &terms);
    // CE: log(e + e^2 + 1) - 2 and log 3. NLL: 0.5 log 2 pi + 0.02, and with the bounded log-variance
    // s = 4 tanh(log 4 / 4) = 4 / 3 exactly: 0.5 log 2 pi + 0.5 s + 0.5 * 2^2 exp(-s).
    CHECK(terms.ce == doctest::Approx(0.753109126556245).epsilon(1e-12));
    CHECK(terms.nll == doctest::Approx(1.5258690046537327).epsilon(1e-12));
    CHECK(loss == doctest::Approx(1.1394890656049887).epsilon(1e-12));
    CHECK(terms.loss == doctest::Approx(loss).epsilon(1e-12));
    CHECK(terms.mi_bound == doctest::Approx(0.3455031621118648).epsilon(1e-12));
    CHECK(terms.accuracy == doctest::Approx(0.5)); // column 0's argmax is its code; column 1's ties go to value 0
    // d/dmean of column 1: -lambda (c - m) exp(-s) / B = -0.5 * 2 exp(-4/3) / 2.
    CHECK(grad(3, 1) == doctest::Approx(-0.13179856905786339).epsilon(1e-12));
    // d/dlogit of the true value in column 1: lambda (1/3 - 1) / B.
    CHECK(grad(2, 1) == doctest::Approx(0.5 * (1.0 / 3.0 - 1.0) / 2.0).epsilon(1e-12));
}

TEST_CASE("InfoGAN loss: its gradient matches central finite differences in double")
{
    Rng rng(11);
    const InfoCodes codes = Codes(2, 4, 3, 0.7);
    const nn::Index b = 5;
    MatD q = nn::test::RandomMatrix(codes.QOutputs(), b, rng, 1.5);
    q.bottomRows(1) *= 6.0; // a continuous code's raw log-variance out where the bound bends it (|r| up to 9)
    const MatD c = RandomCodes(codes, b, rng);
    MatD grad;
    InfoLoss(codes, q, c, grad);
    MatD scratch;
    const MatD numeric = nn::test::NumericGradient(q, [&] { return InfoLoss(codes, q, c, scratch); });
    CHECK(nn::test::RelativeError(grad, numeric) < 1e-7);
}

TEST_CASE("InfoGAN loss: the continuous codes' log-variance is bounded, so a confident Q cannot run it to -inf")
{
    const InfoCodes codes = Codes(0, 2, 1, 1.0);
    MatD q(2, 1), c(1, 1), grad;
    q << 0.0, -1000.0; // the mean misses by 1, the raw log-variance is hugely negative
    c << 1.0;
    InfoTerms terms;
    InfoLoss(codes, q, c, grad, &terms);
    // s = -4: NLL = 0.5 log 2 pi - 2 + 0.5 e^4, finite; the gradient on r vanishes (tanh is flat there).
    CHECK(terms.nll == doctest::Approx(0.5 * std::log(2.0 * M_PI) - 2.0 + 0.5 * std::exp(4.0)).epsilon(1e-9));
    CHECK(std::abs(grad(1, 0)) < 1e-12);
    CHECK(grad(0, 0) == doctest::Approx(-std::exp(4.0)).epsilon(1e-9));
}

TEST_CASE("InfoGAN loss: a fixed continuous sd gives the Gaussian NLL at that sd, ignores Q's log-variance output, and "
          "its gradient matches finite differences")
{
    InfoCodes codes = Codes(1, 3, 2, 0.8);
    codes.continuous_std = 0.5;
    Rng rng(5);
    const nn::Index b = 4;
    MatD q = nn::test::RandomMatrix(codes.QOutputs(), b, rng, 1.5);
    const MatD c = RandomCodes(codes, b, rng);
    MatD grad;
    InfoTerms terms;
    InfoLoss(codes, q, c, grad, &terms);
    // By hand: per code and column 0.5 log 2 pi + log 0.5 + (c - m)^2 / (2 * 0.25), averaged over columns.
    double nll = 0;
    for (nn::Index j = 0; j < b; ++j)
    {
        for (int i = 0; i < 2; ++i)
        {
            const double err = c(codes.ContinuousRow(i), j) - q(3 + 2 * i, j);
            nll += 0.5 * std::log(2.0 * M_PI) + std::log(0.5) + err * err / 0.5;
        }
    }
    CHECK(terms.nll == doctest::Approx(nll / b).epsilon(1e-12));
    // The log-variance rows change nothing: their gradient is 0 and moving them leaves the loss.
    CHECK(grad.row(4).norm() == 0.0);
    CHECK(grad.row(6).norm() == 0.0);
    MatD moved = q;
    moved.row(4).array() += 3.0;
    MatD scratch;
    CHECK(InfoLoss(codes, moved, c, scratch) == doctest::Approx(InfoLoss(codes, q, c, scratch)).epsilon(1e-14));
    const MatD numeric = nn::test::NumericGradient(q, [&] { return InfoLoss(codes, q, c, scratch); });
    CHECK(nn::test::RelativeError(grad, numeric) < 1e-7);
}

TEST_CASE("InfoGAN loss: refuses Q outputs or codes of the wrong shape")
{
    const InfoCodes codes = Codes(1, 3, 1, 1.0);
    MatD grad;
    const MatD q4 = MatD::Zero(4, 2), q5 = MatD::Zero(5, 2), c3 = MatD::Zero(3, 2), c4 = MatD::Zero(4, 2),
               c4x3 = MatD::Zero(4, 3);
    CHECK_THROWS_AS(InfoLoss(codes, q4, c4, grad), std::invalid_argument);
    CHECK_THROWS_AS(InfoLoss(codes, q5, c3, grad), std::invalid_argument);
    CHECK_THROWS_AS(InfoLoss(codes, q5, c4x3, grad), std::invalid_argument);
}

TEST_CASE("InfoGAN codes: one one-hot block per categorical code, continuous codes in [-1, 1], every value drawn")
{
    Rng rng(3);
    const InfoCodes codes = Codes(2, 5, 2, 1.0);
    nn::MatrixF c;
    ll::models::SampleCodes(codes, rng, 2000, c);
    REQUIRE(c.rows() == 12);
    std::vector<int> seen(5, 0);
    for (nn::Index j = 0; j < c.cols(); ++j)
    {
        CHECK(c.col(j).segment(0, 5).sum() == 1.0f);
        CHECK(c.col(j).segment(5, 5).sum() == 1.0f);
        CHECK(std::abs(c(10, j)) <= 1.0f);
        CHECK(std::abs(c(11, j)) <= 1.0f);
    }
    // LatentCodeValues reads the codes from the bottom of a latent whose noise rows come first.
    nn::MatrixF latent(3 + c.rows(), c.cols());
    latent.topRows(3).setConstant(7.0f); // noise larger than any one-hot entry must not be read as a code
    latent.bottomRows(c.rows()) = c;
    const std::vector<int> first = ll::models::LatentCodeValues(codes, latent, 0);
    const std::vector<int> second = ll::models::LatentCodeValues(codes, latent, 1);
    for (nn::Index j = 0; j < c.cols(); ++j)
    {
        CHECK(c(first[static_cast<std::size_t>(j)], j) == 1.0f);
        CHECK(c(5 + second[static_cast<std::size_t>(j)], j) == 1.0f);
        ++seen[static_cast<std::size_t>(first[static_cast<std::size_t>(j)])];
    }
    for (int v = 0; v < 5; ++v)
    {
        CHECK(seen[static_cast<std::size_t>(v)] > 300); // 400 expected of each
    }
    CHECK_THROWS_AS(ll::models::LatentCodeValues(codes, latent, 2), std::invalid_argument);
}

TEST_CASE("InfoGAN: Q on D's body adds its gradient to the body's, matching finite differences in double")
{
    // D: 3 -> 6 -> 5 -> 1 (LeakyReLU); Q reads the input of D's score layer (layer 4) and predicts 1 categorical code
    // of 3 values and 1 continuous code. L = sum(w * D(x)) + L_I(Q(h), c): D's own loss and the information term.
    Rng rng(5);
    nn::MlpSpec d_spec;
    d_spec.sizes = {3, 6, 5, 1};
    d_spec.hidden = nn::ActivationKind::LeakyReLU;
    nn::Sequential<double> d = nn::MakeMlp<double>(d_spec, rng);
    const InfoCodes codes = Codes(1, 3, 1, 0.8);
    nn::MlpSpec q_spec;
    q_spec.sizes = {5, 4, codes.QOutputs()};
    q_spec.hidden = nn::ActivationKind::Tanh; // smooth, so the finite differences need no care at kinks
    nn::Sequential<double> q = nn::MakeMlp<double>(q_spec, rng);
    const std::size_t tap = 4;
    const nn::Index b = 4;
    MatD x = nn::test::RandomAwayFromZero(3, b, rng);
    const MatD w = nn::test::RandomMatrix(1, b, rng);
    const MatD c = RandomCodes(codes, b, rng);

    auto loss = [&] {
        const MatD s = d.Forward(x);
        MatD g;
        return (w.array() * s.array()).sum() + InfoLoss(codes, q.Forward(d.LayerInput(tap)), c, g);
    };
    d.ZeroGrad();
    q.ZeroGrad();
    d.Forward(x);
    REQUIRE(d.LayerInput(tap).rows() == 5);
    MatD grad_q;
    InfoLoss(codes, q.Forward(d.LayerInput(tap)), c, grad_q);
    const MatD dh = q.Backward(grad_q, true); // Q's parameter gradients, and dL_I/dh
    const MatD dx = d.Backward(w, true, true, tap, dh);

    for (auto& p : d.Params("D."))
    {
        MatD analytic = *p.grad;
        CHECK_MESSAGE(nn::test::RelativeError(analytic, nn::test::NumericGradient(*p.value, loss)) < 1e-6, p.name);
    }
    for (auto& p : q.Params("Q."))
    {
        MatD analytic = *p.grad;
        CHECK_MESSAGE(nn::test::RelativeError(analytic, nn::test::NumericGradient(*p.value, loss)) < 1e-6, p.name);
    }
    CHECK(nn::test::RelativeError(dx, nn::test::NumericGradient(x, loss)) < 1e-6);
}

TEST_CASE("Sequential: a side gradient needs a layer inside the chain and matching columns and rows")
{
    Rng rng(2);
    nn::MlpSpec spec;
    spec.sizes = {2, 4, 1};
    nn::Sequential<double> d = nn::MakeMlp<double>(spec, rng);
    const MatD x = MatD::Ones(2, 3);
    d.Forward(x);
    const MatD top = MatD::Ones(1, 3);
    CHECK_THROWS_AS(d.Backward(top, true, true, 0, MatD::Ones(2, 3)), std::invalid_argument);
    CHECK_THROWS_AS(d.Backward(top, true, true, 2, MatD::Ones(4, 2)), std::invalid_argument);
    CHECK_THROWS_AS(d.Backward(top, true, true, 2, MatD::Ones(3, 3)), std::invalid_argument);
    CHECK_NOTHROW(d.Backward(top, true, true, 2, MatD::Ones(4, 3)));
}
