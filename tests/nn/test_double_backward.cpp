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
    if (spectral_norm)
    {
        net.Forward(x); // one power-iteration step, then u, v frozen so P is a fixed function of W
        net.SetTraining(false);
    }
    CheckNetDoubleBackward(net, x, kind, rng);
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
