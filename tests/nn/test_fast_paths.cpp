// The performance paths give the same numbers as the plain ones: a backward that skips the first layer's dx,
// the fused optimizer step (norm + update + zeroing), the one-exp Bernoulli likelihood, and the product timer's
// bookkeeping. No timing is asserted.
#include "core/nn/gemm_stats.h"
#include "core/nn/losses.h"
#include "core/nn/optimizer.h"
#include "core/nn/sequential.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>


using namespace ll;
using namespace ll::nn;
using ll::nn::test::MatrixD;
using ll::nn::test::RandomMatrix;

namespace
{
MlpSpec SmallSpec()
{
    MlpSpec spec;
    spec.sizes = {7, 9, 5, 3};
    spec.hidden = ActivationKind::LeakyReLU;
    return spec;
}
} // namespace

TEST_CASE("Sequential: backward without the input gradient leaves the same parameter gradients")
{
    Rng rng(3);
    Sequential<double> a = MakeMlp<double>(SmallSpec(), rng);
    Sequential<double> b = a; // deep copy: same weights
    Rng data_rng(4);
    const MatrixD x = RandomMatrix(7, 6, data_rng);
    const MatrixD dy = RandomMatrix(3, 6, data_rng);
    a.ZeroGrad();
    b.ZeroGrad();
    a.Forward(x);
    const MatrixD dx = a.Backward(dy);
    b.Forward(x);
    const MatrixD& skipped = b.Backward(dy, true, false);
    CHECK(dx.rows() == 7);
    CHECK(skipped.size() == 0);
    const auto pa = a.Params("N.");
    const auto pb = b.Params("N.");
    REQUIRE(pa.size() == pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i)
    {
        CAPTURE(pa[i].name);
        CHECK((*pa[i].grad - *pb[i].grad).cwiseAbs().maxCoeff() < 1e-12);
    }
    // accumulate = false always returns dx (the gradient penalty needs it).
    b.Forward(x);
    const MatrixD dx_again = b.Backward(dy, false, false);
    CHECK((dx_again - dx).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("Adam: StepAndZeroGrad equals GradNorm, Step and ZeroGrad, and returns the norm")
{
    for (OptimizerKind kind : {OptimizerKind::Adam, OptimizerKind::Sgd, OptimizerKind::RmsProp})
    {
        CAPTURE(OptimizerName(kind));
        Rng rng(5);
        // 2500 entries: more than one of the fused loop's blocks, with a ragged last block.
        Matrix<double> w1 = RandomMatrix(50, 50, rng), g1 = RandomMatrix(50, 50, rng);
        Matrix<double> b1 = RandomMatrix(3, 1, rng), gb1 = RandomMatrix(3, 1, rng);
        Matrix<double> w2 = w1, g2 = g1, b2 = b1, gb2 = gb1;
        OptimizerConfig config;
        config.kind = kind;
        config.weight_decay = 0.01;
        config.momentum = 0.5;
        Optimizer<double> plain({{"w", &w1, &g1}, {"b", &b1, &gb1}}, config);
        Optimizer<double> fused({{"w", &w2, &g2}, {"b", &b2, &gb2}}, config);
        for (int step = 0; step < 3; ++step)
        {
            const double norm = GradNorm(plain.Params());
            plain.Step();
            plain.ZeroGrad();
            const double fused_norm = fused.StepAndZeroGrad();
            CHECK(fused_norm == doctest::Approx(norm).epsilon(1e-12));
            CHECK((w1 - w2).cwiseAbs().maxCoeff() < 1e-13);
            CHECK((b1 - b2).cwiseAbs().maxCoeff() < 1e-13);
            CHECK(g2.cwiseAbs().maxCoeff() == 0.0);
            CHECK(gb2.cwiseAbs().maxCoeff() == 0.0);
            g1 = RandomMatrix(50, 50, rng); // fresh gradients for the next step, the same on both sides
            g2 = g1;
            gb1 = RandomMatrix(3, 1, rng);
            gb2 = gb1;
        }
        CHECK(fused.StepCount() == plain.StepCount());
    }
}

TEST_CASE("BernoulliLogLikelihood: the one-exp form matches the textbook formula, also for large logits")
{
    Rng rng(6);
    MatrixD logits = RandomMatrix(30, 5, rng, 4.0);
    logits(0, 0) = 60.0; // exp(60) would overflow a float; the stable form must not care
    logits(1, 0) = -60.0;
    MatrixD x(30, 5);
    for (Index i = 0; i < x.size(); ++i)
    {
        x.data()[i] = rng.Uniform();
    }
    MatrixD grad;
    const double value = BernoulliLogLikelihood(logits, x, grad);
    double expect = 0;
    MatrixD expect_grad(30, 5);
    for (Index j = 0; j < 5; ++j)
    {
        for (Index i = 0; i < 30; ++i)
        {
            const double l = logits(i, j);
            const double softplus = std::max(l, 0.0) + std::log1p(std::exp(-std::abs(l)));
            expect += x(i, j) * l - softplus;
            expect_grad(i, j) = (x(i, j) - 1.0 / (1.0 + std::exp(-l))) / 5.0;
        }
    }
    CHECK(value == doctest::Approx(expect / 5.0).epsilon(1e-12));
    CHECK((grad - expect_grad).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("GemmTimer: counts products and their flops only while timing is on")
{
    ResetGemmTotals();
    SetGemmTiming(false);
    {
        const GemmTimer off(10, 20, 30);
    }
    CHECK(ReadGemmTotals().products == 0);
    SetGemmTiming(true);
    {
        const GemmTimer on(100, 200, 300);
    }
    SetGemmTiming(false);
    const GemmTotals t = ReadGemmTotals();
    CHECK(t.products == 1);
    CHECK(t.flops == doctest::Approx(2.0 * 100 * 200 * 300));
    CHECK(t.nanoseconds >= 0);
    ResetGemmTotals();
}
