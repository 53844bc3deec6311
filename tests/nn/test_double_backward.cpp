// BackwardOfBackward (the gradient penalty's double backward): per layer and through whole MLPs, checked against
// central finite differences of penalties computed from the input gradient, in double precision.
#include "core/nn/layers.h"
#include "core/nn/sequential.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

constexpr double kTol = 1e-6;

// P = sum(q .* dx) with dx = layer's Backward(dy) at x: checks dP/dx, dP/d(dy) and dP/dparams.
void CheckLayerDoubleBackward(Layer<double>& layer, MatrixD x, Rng& rng)
{
    const Index out = layer.OutputSize(x.rows());
    MatrixD dy = RandomMatrix(out, x.cols(), rng);
    const MatrixD q = RandomMatrix(x.rows(), x.cols(), rng);
    auto penalty = [&]()
    {
        layer.Forward(x);
        return layer.Backward(dy, false).cwiseProduct(q).sum();
    };
    std::vector<ParamRef<double>> params;
    layer.CollectParams("", params);
    for (auto& p : params)
    {
        p.grad->setZero();
    }
    layer.Forward(x);
    layer.Backward(dy, false);
    MatrixD dp_dx;
    const MatrixD dp_ddy = layer.BackwardOfBackward(q, dp_dx);

    CHECK(RelativeError(dp_dx, NumericGradient(x, penalty), 1e-3) < kTol);
    CHECK(RelativeError(dp_ddy, NumericGradient(dy, penalty)) < kTol);
    for (auto& p : params)
    {
        CAPTURE(p.name);
        const MatrixD analytic = *p.grad;
        CHECK(RelativeError(analytic, NumericGradient(*p.value, penalty)) < kTol);
    }
}

// Smallest |pre-activation| feeding a kinked activation (ReLU / LeakyReLU) for input x: the finite-difference
// step must not cross a kink.
double MinKinkDistance(Sequential<double>& net, const MatrixD& x)
{
    double closest = 1e300;
    MatrixD a = x;
    for (std::size_t i = 0; i < net.Size(); ++i)
    {
        const std::string kind = net.At(i).Kind();
        if (kind == "relu" || kind == "leaky_relu")
        {
            closest = std::min(closest, a.cwiseAbs().minCoeff());
        }
        a = net.At(i).Forward(a);
    }
    return closest;
}

enum class Penalty
{
    WeightedSquaredNorm, // P = 0.5 sum_b c_b |dx_b|^2, dy random
    WganGp,              // P = mean_b (|dx_b| - 1)^2, dy = ones (the critic's output is a scalar per example)
};

// Builds an MLP, then checks Sequential::BackwardOfBackward's dP/dparams and dP/dx against finite differences.
void CheckMlpDoubleBackward(ActivationKind hidden, Penalty kind, std::uint64_t seed, bool spectral_norm)
{
    Rng rng(seed);
    MlpSpec spec;
    spec.sizes = {3, 7, 6, kind == Penalty::WganGp ? 1 : 2};
    spec.hidden = hidden;
    spec.leaky_slope = 0.2;
    spec.spectral_norm = spectral_norm;
    auto net = MakeMlp<double>(spec, rng);
    for (auto* linear : net.LinearLayers())
    {
        linear->Bias() = RandomMatrix(linear->Bias().rows(), 1, rng, 0.5);
    }
    const Index batch = 5;
    MatrixD x = RandomMatrix(3, batch, rng);
    const Index out = net.OutputSize();
    const MatrixD dy = kind == Penalty::WganGp ? MatrixD::Ones(out, batch) : RandomMatrix(out, batch, rng);
    const MatrixD c = RandomMatrix(1, batch, rng).cwiseAbs();
    if (spectral_norm)
    {
        net.Forward(x); // one power-iteration step, then u, v frozen so P is a fixed function of W
        net.SetTraining(false);
    }
    REQUIRE(MinKinkDistance(net, x) > 1e-3);

    auto penalty_and_u = [&](MatrixD* u)
    {
        net.Forward(x);
        const MatrixD& dx = kind == Penalty::WganGp ? net.Backward(MatrixD::Ones(out, batch), false) // temporary
                                                    : net.Backward(dy, false);
        double p = 0.0;
        if (u != nullptr)
        {
            u->resize(dx.rows(), dx.cols());
        }
        for (Index b = 0; b < batch; ++b)
        {
            const double norm = dx.col(b).norm();
            if (kind == Penalty::WganGp)
            {
                p += (norm - 1.0) * (norm - 1.0) / static_cast<double>(batch);
                if (u != nullptr)
                {
                    u->col(b) = dx.col(b) * (2.0 * (norm - 1.0) / (static_cast<double>(batch) * norm));
                }
            }
            else
            {
                p += 0.5 * c(0, b) * norm * norm;
                if (u != nullptr)
                {
                    u->col(b) = c(0, b) * dx.col(b);
                }
            }
        }
        return p;
    };
    auto penalty = [&]() { return penalty_and_u(nullptr); };

    net.ZeroGrad();
    MatrixD u;
    penalty_and_u(&u);
    const MatrixD dp_dx = net.BackwardOfBackward(u);
    CHECK(RelativeError(dp_dx, NumericGradient(x, penalty), 1e-3) < kTol);
    for (auto& p : net.Params("D."))
    {
        CAPTURE(p.name);
        const MatrixD analytic = *p.grad;
        CHECK(RelativeError(analytic, NumericGradient(*p.value, penalty)) < kTol);
    }
}

} // namespace

TEST_CASE("Activation: double backward matches finite differences for every kind")
{
    for (auto kind : {ActivationKind::Identity, ActivationKind::ReLU, ActivationKind::LeakyReLU, ActivationKind::Tanh,
                      ActivationKind::Sigmoid, ActivationKind::Softplus})
    {
        for (std::uint64_t seed : {1, 2, 3})
        {
            CAPTURE(ActivationName(kind));
            CAPTURE(seed);
            Rng rng(seed);
            Activation<double> act(kind, 0.25);
            CheckLayerDoubleBackward(act, RandomAwayFromZero(4, 3 + static_cast<Index>(seed), rng), rng);
        }
    }
}

TEST_CASE("Linear: double backward matches finite differences, plain and spectral-normalised")
{
    for (bool sn : {false, true})
    {
        for (std::uint64_t seed : {1, 2, 3})
        {
            CAPTURE(sn);
            CAPTURE(seed);
            Rng rng(seed);
            Linear<double> linear(3 + static_cast<Index>(seed), 4, true, InitKind::He, rng);
            MatrixD x = RandomMatrix(linear.Weight().cols(), 5, rng);
            if (sn)
            {
                linear.EnableSpectralNorm(rng);
                linear.Forward(x);
                linear.SetTraining(false);
            }
            CheckLayerDoubleBackward(linear, x, rng);
        }
    }
}

TEST_CASE("Sequential: double backward of a weighted squared gradient norm matches finite differences")
{
    for (auto hidden : {ActivationKind::Tanh, ActivationKind::Softplus, ActivationKind::LeakyReLU,
                        ActivationKind::ReLU, ActivationKind::Sigmoid})
    {
        for (std::uint64_t seed : {1, 2})
        {
            CAPTURE(ActivationName(hidden));
            CAPTURE(seed);
            CheckMlpDoubleBackward(hidden, Penalty::WeightedSquaredNorm, seed, false);
        }
    }
}

TEST_CASE("Sequential: double backward of the WGAN-GP penalty matches finite differences")
{
    for (auto hidden : {ActivationKind::Tanh, ActivationKind::Softplus, ActivationKind::LeakyReLU,
                        ActivationKind::ReLU})
    {
        for (std::uint64_t seed : {3, 4})
        {
            CAPTURE(ActivationName(hidden));
            CAPTURE(seed);
            CheckMlpDoubleBackward(hidden, Penalty::WganGp, seed, false);
        }
    }
}

TEST_CASE("Sequential: double backward through spectral-normalised layers matches finite differences")
{
    for (auto hidden : {ActivationKind::Tanh, ActivationKind::LeakyReLU})
    {
        CAPTURE(ActivationName(hidden));
        CheckMlpDoubleBackward(hidden, Penalty::WganGp, 5, true);
    }
}

TEST_CASE("BackwardOfBackward: called before Backward it throws")
{
    Rng rng(1);
    Linear<double> linear(2, 2, true, InitKind::He, rng);
    Activation<double> act(ActivationKind::Tanh);
    MatrixD dp_dx;
    const MatrixD u = MatrixD::Ones(2, 3);
    CHECK_THROWS_AS(linear.BackwardOfBackward(u, dp_dx), std::runtime_error);
    CHECK_THROWS_AS(act.BackwardOfBackward(u, dp_dx), std::runtime_error);
}
