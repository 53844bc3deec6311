// BatchNorm over flat features and over image channels: training-mode gradients against finite differences
// (double), evaluation with the running statistics, the running statistics after a few steps against hand-computed
// values, the refused double backward, and the mode switch through Sequential.
#include "core/nn/batch_norm.h"
#include "core/nn/sequential.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

// Per-channel mean and biased variance of a channels-last batch, by plain loops.
void ChannelStats(const MatrixD& x, const Shape& s, std::vector<double>& mean, std::vector<double>& var)
{
    const Index n = s.Pixels() * x.cols();
    mean.assign(static_cast<std::size_t>(s.c), 0.0);
    var.assign(static_cast<std::size_t>(s.c), 0.0);
    for (Index b = 0; b < x.cols(); ++b)
        for (Index p = 0; p < s.Pixels(); ++p)
            for (Index c = 0; c < s.c; ++c)
                mean[c] += x(p * s.c + c, b) / static_cast<double>(n);
    for (Index b = 0; b < x.cols(); ++b)
        for (Index p = 0; p < s.Pixels(); ++p)
            for (Index c = 0; c < s.c; ++c)
                var[c] += (x(p * s.c + c, b) - mean[c]) * (x(p * s.c + c, b) - mean[c]) / static_cast<double>(n);
}

void RandomAffine(BatchNorm<double>& bn, Rng& rng)
{
    bn.Gamma() = RandomMatrix(bn.Channels(), 1, rng) + MatrixD::Constant(bn.Channels(), 1, 1.0);
    bn.Beta() = RandomMatrix(bn.Channels(), 1, rng);
}

} // namespace

TEST_CASE("BatchNorm: training forward normalises each channel with the batch's mean and biased variance")
{
    Rng rng(1);
    for (const Shape& s : {Shape::Flat(5), Shape{3, 2, 3}})
    {
        CAPTURE(s.Text());
        BatchNorm<double> bn(s);
        RandomAffine(bn, rng);
        const MatrixD x = RandomMatrix(s.Size(), 4, rng, 2.0) + MatrixD::Constant(s.Size(), 4, 3.0);
        const MatrixD& y = bn.Forward(x);
        std::vector<double> mean, var;
        ChannelStats(x, s, mean, var);
        double worst = 0.0;
        for (Index b = 0; b < x.cols(); ++b)
            for (Index p = 0; p < s.Pixels(); ++p)
                for (Index c = 0; c < s.c; ++c)
                {
                    const Index i = p * s.c + c;
                    const double expect = bn.Gamma()(c, 0) * (x(i, b) - mean[c]) / std::sqrt(var[c] + 1e-5) +
                                          bn.Beta()(c, 0);
                    worst = std::max(worst, std::abs(y(i, b) - expect));
                }
        CHECK(worst < 1e-12);
    }
}

TEST_CASE("BatchNorm: training-mode backward matches finite differences, flat and per channel")
{
    for (const Shape& s : {Shape::Flat(5), Shape{3, 2, 3}, Shape{2, 1, 3}})
    {
        for (Index batch : {2, 4})
        {
            CAPTURE(s.Text());
            CAPTURE(batch);
            Rng rng(2 + static_cast<std::uint64_t>(batch));
            BatchNorm<double> bn(s);
            RandomAffine(bn, rng);
            CheckLayerGradients(bn, RandomMatrix(s.Size(), batch, rng), rng);
        }
    }
}

TEST_CASE("BatchNorm: evaluation mode uses the running statistics, and its backward matches finite differences")
{
    Rng rng(3);
    const Shape s{2, 2, 2};
    BatchNorm<double> bn(s);
    RandomAffine(bn, rng);
    bn.RunningMean() << 0.5, -1.0;
    bn.RunningVar() << 4.0, 0.25;
    bn.SetTraining(false);
    CHECK_FALSE(bn.Training());
    const MatrixD x = RandomMatrix(s.Size(), 3, rng);
    const MatrixD& y = bn.Forward(x);
    for (Index b = 0; b < 3; ++b)
        for (Index p = 0; p < 4; ++p)
            for (Index c = 0; c < 2; ++c)
            {
                const Index i = p * 2 + c;
                const double expect = bn.Gamma()(c, 0) * (x(i, b) - bn.RunningMean()(c, 0)) /
                                          std::sqrt(bn.RunningVar()(c, 0) + 1e-5) +
                                      bn.Beta()(c, 0);
                CHECK(y(i, b) == doctest::Approx(expect).epsilon(1e-13));
            }
    // A batch of one is fine in evaluation mode; the statistics do not move.
    CHECK_NOTHROW(bn.Forward(RandomMatrix(s.Size(), 1, rng)));
    CHECK(bn.RunningMean()(1, 0) == -1.0);
    CheckLayerGradients(bn, RandomMatrix(s.Size(), 3, rng), rng);
}

TEST_CASE("BatchNorm: running statistics after three steps equal the hand-computed values")
{
    // running = (1 - m) running + m stat, the variance unbiased (n / (n - 1)), starting from mean 0 and variance 1.
    Rng rng(4);
    const Shape s{2, 1, 3};
    const double momentum = 0.1;
    BatchNorm<double> bn(s, momentum);
    std::vector<double> rm{0.0, 0.0}, rv{1.0, 1.0};
    for (int step = 0; step < 3; ++step)
    {
        const MatrixD x = RandomMatrix(s.Size(), 5, rng, 1.0 + step) + MatrixD::Constant(s.Size(), 5, step - 1.0);
        bn.Forward(x);
        std::vector<double> mean, var;
        ChannelStats(x, s, mean, var);
        const double n = 3.0 * 5.0;
        for (std::size_t c = 0; c < 2; ++c)
        {
            rm[c] = (1.0 - momentum) * rm[c] + momentum * mean[c];
            rv[c] = (1.0 - momentum) * rv[c] + momentum * var[c] * n / (n - 1.0);
        }
    }
    for (Index c = 0; c < 2; ++c)
    {
        CHECK(bn.RunningMean()(c, 0) == doctest::Approx(rm[c]).epsilon(1e-13));
        CHECK(bn.RunningVar()(c, 0) == doctest::Approx(rv[c]).epsilon(1e-13));
    }
    std::vector<ParamRef<double>> state;
    bn.CollectState("D.3.", state);
    REQUIRE(state.size() == 2);
    CHECK(state[0].name == "D.3.running_mean");
    CHECK(state[1].name == "D.3.running_var");
    CHECK(state[0].grad == nullptr);
    CHECK(state[0].value == &bn.RunningMean());
}

TEST_CASE("BatchNorm: the double backward is refused with the reason")
{
    Rng rng(5);
    BatchNorm<double> bn(Shape::Flat(3));
    const MatrixD x = RandomMatrix(3, 4, rng);
    bn.Forward(x);
    bn.Backward(RandomMatrix(3, 4, rng), false);
    MatrixD dp_dx;
    try
    {
        bn.BackwardOfBackward(RandomMatrix(3, 4, rng), dp_dx);
        FAIL("BatchNorm's double backward did not throw");
    }
    catch (const std::logic_error& e)
    {
        const std::string message = e.what();
        CHECK(message.find("per-example") != std::string::npos);
        CHECK(message.find("batch statistics mix the examples") != std::string::npos);
    }
}

TEST_CASE("BatchNorm: training with one value per channel is refused, bad settings throw")
{
    BatchNorm<float> flat(Shape::Flat(4));
    CHECK_THROWS_AS(flat.Forward(MatrixF::Zero(4, 1)), std::invalid_argument);
    CHECK_THROWS_AS(flat.Forward(MatrixF::Zero(5, 2)), std::invalid_argument);
    BatchNorm<float> image(Shape{2, 2, 2}); // four values per channel in a batch of one: fine
    CHECK_NOTHROW(image.Forward(MatrixF::Ones(8, 1)));
    CHECK(image.Forward(MatrixF::Ones(8, 2)).cwiseAbs().maxCoeff() == 0.0f); // constant input: zero, not NaN
    CHECK_THROWS_AS(BatchNorm<float>(Shape::Flat(0)), std::invalid_argument);
    CHECK_THROWS_AS(BatchNorm<float>(Shape::Flat(3), 1.5), std::invalid_argument);
    CHECK_THROWS_AS(BatchNorm<float>(Shape::Flat(3), 0.1, 0.0), std::invalid_argument);
}

TEST_CASE("BatchNorm: float statistics over a large batch of shifted data stay accurate")
{
    // 128 channels x 7x7 x 64 examples with mean 100 and sd 0.1: a naive E[x^2] - E[x]^2 in float would lose the
    // variance entirely.
    const Shape s{128, 7, 7};
    Rng rng(6);
    MatrixD xd = RandomMatrix(s.Size(), 64, rng, 0.1) + MatrixD::Constant(s.Size(), 64, 100.0);
    const MatrixF x = xd.cast<float>();
    BatchNorm<float> bn(s, 1.0); // momentum 1: the running statistics are the last batch's
    bn.Forward(x);
    std::vector<double> mean, var;
    ChannelStats(x.cast<double>(), s, mean, var);
    const double n = 49.0 * 64.0;
    for (Index c = 0; c < s.c; c += 17)
    {
        CHECK(bn.RunningMean()(c, 0) == doctest::Approx(mean[c]).epsilon(1e-6));
        CHECK(bn.RunningVar()(c, 0) == doctest::Approx(var[c] * n / (n - 1.0)).epsilon(1e-4));
    }
}

TEST_CASE("Sequential: SetTraining switches BatchNorm, State lists its running statistics, copies are deep")
{
    Rng rng(7);
    Sequential<double> net;
    net.SetInputSize(3);
    net.Add(std::make_unique<Linear<double>>(3, 4, true, InitKind::He, rng));
    net.Add(std::make_unique<BatchNorm<double>>(Shape::Flat(4)));
    net.Add(std::make_unique<Activation<double>>(ActivationKind::ReLU));
    const MatrixD x = RandomMatrix(3, 6, rng);
    net.Forward(x); // training mode by default: the running statistics move
    auto& bn = dynamic_cast<BatchNorm<double>&>(net.At(1));
    const MatrixD moved = bn.RunningMean();
    CHECK(moved.cwiseAbs().maxCoeff() > 0.0);
    Sequential<double> copy = net;
    net.SetTraining(false);
    CHECK_FALSE(bn.Training());
    net.Forward(x);
    CHECK(bn.RunningMean() == moved); // evaluation leaves them
    auto& copy_bn = dynamic_cast<BatchNorm<double>&>(copy.At(1));
    CHECK(copy_bn.Training());
    copy.Forward(x);
    CHECK(copy_bn.RunningMean() != moved); // the copy trains on its own statistics
    CHECK(bn.RunningMean() == moved);
    const auto state = net.State("G.");
    REQUIRE(state.size() == 2);
    CHECK(state[0].name == "G.1.running_mean");
    CHECK(state[1].name == "G.1.running_var");
    const auto params = net.Params("G.");
    REQUIRE(params.size() == 4);
    CHECK(params[2].name == "G.1.weight");
    CHECK(params[3].name == "G.1.bias");
    CHECK(net.ParamCount() == 3 * 4 + 4 + 4 + 4);
}
