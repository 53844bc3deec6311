// Layers and Sequential: hand-checked forwards, backward against central finite differences (double), spectral
// normalisation, initialisation statistics, deep copies and MakeMlp's validation.
#include "core/nn/layers.h"
#include "core/nn/sequential.h"
#include "nn_test_util.h"

#include <Eigen/SVD>
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

struct SizeCase
{
    Index in, out, batch;
};
constexpr SizeCase kShapes[] = {{1, 1, 1}, {3, 2, 4}, {5, 7, 3}, {8, 4, 6}};
constexpr std::uint64_t kSeeds[] = {1, 7, 42};
constexpr double kTol = 1e-6;

} // namespace

TEST_CASE("Activation: forward values match hand computation")
{
    MatrixD x(1, 4);
    x << -1.0, 0.0, 2.0, 100.0;
    Activation<double> relu(ActivationKind::ReLU);
    Activation<double> leaky(ActivationKind::LeakyReLU, 0.2);
    Activation<double> tanh_act(ActivationKind::Tanh);
    Activation<double> sigmoid(ActivationKind::Sigmoid);
    Activation<double> softplus(ActivationKind::Softplus);
    Activation<double> identity(ActivationKind::Identity);
    const MatrixD yr = relu.Forward(x);
    const MatrixD yl = leaky.Forward(x);
    const MatrixD yt = tanh_act.Forward(x);
    const MatrixD ys = sigmoid.Forward(x);
    const MatrixD yp = softplus.Forward(x);
    const MatrixD yi = identity.Forward(x);
    CHECK(yr(0, 0) == 0.0);
    CHECK(yr(0, 2) == 2.0);
    CHECK(yl(0, 0) == doctest::Approx(-0.2).epsilon(1e-15));
    CHECK(yl(0, 2) == 2.0);
    CHECK(yt(0, 1) == 0.0);
    CHECK(yt(0, 2) == doctest::Approx(std::tanh(2.0)).epsilon(1e-15));
    CHECK(ys(0, 1) == doctest::Approx(0.5).epsilon(1e-15));
    CHECK(ys(0, 0) == doctest::Approx(1.0 / (1.0 + std::exp(1.0))).epsilon(1e-14));
    CHECK(yp(0, 1) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(yp(0, 3) == doctest::Approx(100.0).epsilon(1e-15)); // no overflow at large inputs
    CHECK(yi == x);

    MatrixD very_negative(1, 1);
    very_negative << -100.0;
    CHECK(softplus.Forward(very_negative)(0, 0) == doctest::Approx(std::exp(-100.0)).epsilon(1e-12));
}

TEST_CASE("Activation: names parse and round-trip; unknown names throw")
{
    for (auto kind : {ActivationKind::Identity, ActivationKind::ReLU, ActivationKind::LeakyReLU, ActivationKind::Tanh,
                      ActivationKind::Sigmoid, ActivationKind::Softplus})
    {
        CHECK(ParseActivation(ActivationName(kind)) == kind);
    }
    CHECK(ParseActivation("ReLU") == ActivationKind::ReLU);
    CHECK(ParseActivation("none") == ActivationKind::Identity);
    CHECK(ParseActivation("linear") == ActivationKind::Identity);
    CHECK_THROWS_AS(ParseActivation("gelu"), std::invalid_argument);
    CHECK(Activation<double>(ActivationKind::LeakyReLU).Kind() == "leaky_relu");
}

TEST_CASE("Activation: backward matches finite differences for every kind")
{
    for (auto kind : {ActivationKind::Identity, ActivationKind::ReLU, ActivationKind::LeakyReLU, ActivationKind::Tanh,
                      ActivationKind::Sigmoid, ActivationKind::Softplus})
    {
        for (auto seed : kSeeds)
        {
            for (const auto& s : kShapes)
            {
                CAPTURE(ActivationName(kind));
                CAPTURE(seed);
                Rng rng(seed);
                Activation<double> act(kind, 0.3);
                // Away from 0 by 0.1 while the difference step is 1e-6: no kink is crossed.
                CheckLayerGradients(act, RandomAwayFromZero(s.in, s.batch, rng), rng);
            }
        }
    }
}

TEST_CASE("Linear: backward matches finite differences, with and without bias")
{
    for (bool bias : {true, false})
    {
        for (auto seed : kSeeds)
        {
            for (const auto& s : kShapes)
            {
                CAPTURE(bias);
                CAPTURE(seed);
                Rng rng(seed);
                Linear<double> linear(s.in, s.out, bias, InitKind::Xavier, rng);
                if (bias)
                {
                    linear.Bias() = RandomMatrix(s.out, 1, rng);
                }
                std::vector<ParamRef<double>> params;
                linear.CollectParams("L.", params);
                REQUIRE(params.size() == (bias ? 2u : 1u));
                CHECK(params[0].name == "L.weight");
                CheckLayerGradients(linear, RandomMatrix(s.in, s.batch, rng), rng);
            }
        }
    }
}

TEST_CASE("Linear: forward is W x + b and backward accumulates until zeroed")
{
    Rng rng(3);
    Linear<double> linear(2, 2, true, InitKind::He, rng);
    linear.Weight() << 1.0, 2.0, 3.0, 4.0;
    linear.Bias() << 0.5, -0.5;
    MatrixD x(2, 1);
    x << 1.0, -1.0;
    const MatrixD y = linear.Forward(x);
    CHECK(y(0, 0) == doctest::Approx(-0.5));
    CHECK(y(1, 0) == doctest::Approx(-1.5));
    MatrixD dy = MatrixD::Ones(2, 1);
    linear.Backward(dy);
    linear.Backward(dy);
    CHECK(linear.BiasGrad()(0, 0) == doctest::Approx(2.0)); // two calls, accumulated
    linear.Backward(dy, false);
    CHECK(linear.BiasGrad()(0, 0) == doctest::Approx(2.0)); // accumulate=false leaves gradients alone
}

TEST_CASE("Linear: spectral-normalised backward matches finite differences with u, v frozen")
{
    for (bool bias : {true, false})
    {
        for (auto seed : kSeeds)
        {
            for (const auto& s : kShapes)
            {
                CAPTURE(seed);
                Rng rng(seed);
                Linear<double> linear(s.in, s.out, bias, InitKind::He, rng);
                linear.EnableSpectralNorm(rng);
                MatrixD x = RandomMatrix(s.in, s.batch, rng);
                linear.Forward(x); // one power-iteration step, then freeze u, v for the derivative
                linear.SetTraining(false);
                CheckLayerGradients(linear, x, rng);
            }
        }
    }
}

TEST_CASE("Linear: spectral norm's power iteration converges to the largest singular value")
{
    Rng rng(11);
    Linear<double> linear(6, 5, true, InitKind::He, rng);
    linear.EnableSpectralNorm(rng);
    const MatrixD x = RandomMatrix(6, 3, rng);
    for (int i = 0; i < 200; ++i)
    {
        linear.Forward(x);
    }
    const double top = Eigen::JacobiSVD<MatrixD>(linear.Weight()).singularValues()(0);
    CHECK(linear.Sigma() == doctest::Approx(top).epsilon(1e-8));

    // Frozen: evaluation forwards leave u alone; training forwards move it.
    linear.Weight() += RandomMatrix(5, 6, rng, 0.5);
    const MatrixD u_before = linear.SpectralU();
    linear.SetTraining(false);
    linear.Forward(x);
    CHECK(linear.SpectralU() == u_before);
    linear.SetTraining(true);
    linear.Forward(x);
    CHECK((linear.SpectralU() - u_before).norm() > 1e-6);
}

TEST_CASE("Linear: shape errors and out-of-order calls throw")
{
    Rng rng(1);
    Linear<double> linear(3, 2, true, InitKind::Xavier, rng);
    const MatrixD dy = MatrixD::Ones(2, 4);
    CHECK_THROWS_AS(linear.Backward(dy), std::runtime_error);
    CHECK_THROWS_AS(linear.Forward(MatrixD::Ones(4, 2)), std::invalid_argument);
    const MatrixD x = MatrixD::Ones(3, 4);
    linear.Forward(x);
    CHECK_THROWS_AS(linear.Backward(MatrixD::Ones(2, 3)), std::invalid_argument);
    CHECK_THROWS_AS(Linear<double>(0, 2, true, InitKind::He, rng), std::invalid_argument);
}

TEST_CASE("InitWeights: He and Xavier have the documented spread")
{
    Rng rng(5);
    MatrixD w(200, 400);
    InitWeights(w, InitKind::He, rng);
    const double var_he = w.array().square().mean();
    CHECK(var_he == doctest::Approx(2.0 / 400.0).epsilon(0.03));
    CHECK(std::abs(w.mean()) < 0.003);

    InitWeights(w, InitKind::Xavier, rng);
    const double a = std::sqrt(6.0 / 600.0);
    CHECK(w.cwiseAbs().maxCoeff() <= a);
    CHECK(w.array().square().mean() == doctest::Approx(a * a / 3.0).epsilon(0.03));

    // Same seed, same weights.
    Rng r1(9), r2(9);
    MatrixD w1(4, 3), w2(4, 3);
    InitWeights(w1, InitKind::He, r1);
    InitWeights(w2, InitKind::He, r2);
    CHECK(w1 == w2);
}

TEST_CASE("Sequential: MLP backward matches finite differences for every hidden activation")
{
    for (auto hidden : {ActivationKind::ReLU, ActivationKind::LeakyReLU, ActivationKind::Tanh, ActivationKind::Sigmoid,
                        ActivationKind::Softplus})
    {
        for (auto seed : kSeeds)
        {
            CAPTURE(ActivationName(hidden));
            CAPTURE(seed);
            Rng rng(seed);
            MlpSpec spec;
            spec.sizes = {3, 6, 5, 2};
            spec.hidden = hidden;
            spec.output = ActivationKind::Sigmoid;
            auto net = MakeMlp<double>(spec, rng);
            MatrixD x = RandomMatrix(3, 4, rng);
            const MatrixD r = RandomMatrix(2, 4, rng);
            auto loss = [&]() { return net.Forward(x).cwiseProduct(r).sum(); };
            auto params = net.Params("D.");
            net.ZeroGrad();
            net.Forward(x);
            const MatrixD dx = net.Backward(r);
            CHECK(RelativeError(dx, NumericGradient(x, loss)) < kTol);
            for (auto& p : params)
            {
                CAPTURE(p.name);
                const MatrixD analytic = *p.grad;
                CHECK(RelativeError(analytic, NumericGradient(*p.value, loss)) < kTol);
            }
        }
    }
}

TEST_CASE("MakeMlp: layout, names and parameter count")
{
    Rng rng(2);
    MlpSpec spec;
    spec.sizes = {2, 8, 8, 1};
    spec.hidden = ActivationKind::LeakyReLU;
    spec.leaky_slope = 0.1;
    auto net = MakeMlp<float>(spec, rng);
    CHECK(net.Size() == 5); // Linear, act, Linear, act, Linear (identity output adds nothing)
    CHECK(net.InputSize() == 2);
    CHECK(net.OutputSize() == 1);
    CHECK(net.At(1).Kind() == "leaky_relu");
    CHECK(net.LinearLayers().size() == 3);
    CHECK(net.ParamCount() == static_cast<std::size_t>(2 * 8 + 8 + 8 * 8 + 8 + 8 + 1));
    const auto params = net.Params("G.");
    REQUIRE(params.size() == 6);
    CHECK(params[0].name == "G.0.weight");
    CHECK(params[1].name == "G.0.bias");
    CHECK(params[2].name == "G.2.weight");
    CHECK(params[5].name == "G.4.bias");

    spec.bias = false;
    spec.output = ActivationKind::Tanh;
    spec.spectral_norm = true;
    auto sn = MakeMlp<float>(spec, rng);
    CHECK(sn.Size() == 6);
    CHECK(sn.Params("D.").size() == 3);
    for (auto* linear : sn.LinearLayers())
    {
        CHECK(linear->SpectralNorm());
    }
}

TEST_CASE("MakeMlp: refuses bad specs")
{
    Rng rng(1);
    MlpSpec spec;
    spec.sizes = {};
    CHECK_THROWS_AS(MakeMlp<float>(spec, rng), std::invalid_argument);
    spec.sizes = {4};
    CHECK_THROWS_AS(MakeMlp<float>(spec, rng), std::invalid_argument);
    spec.sizes = {4, 0, 1};
    CHECK_THROWS_AS(MakeMlp<float>(spec, rng), std::invalid_argument);
    spec.sizes = {4, 3, -2};
    CHECK_THROWS_AS(MakeMlp<double>(spec, rng), std::invalid_argument);
}

TEST_CASE("Sequential: copies are deep, and Clone of a layer is independent")
{
    Rng rng(4);
    MlpSpec spec;
    spec.sizes = {3, 5, 2};
    spec.hidden = ActivationKind::Tanh;
    auto original = MakeMlp<double>(spec, rng);
    const MatrixD x = RandomMatrix(3, 2, rng);
    const MatrixD y0 = original.Forward(x);

    Sequential<double> copy(original);
    CHECK(copy.Forward(x) == y0);
    copy.LinearLayers()[0]->Weight().setZero();
    copy.LinearLayers()[1]->Bias().setConstant(3.0);
    CHECK(original.Forward(x) == y0);
    CHECK(copy.Forward(x) != y0);

    Sequential<double> assigned;
    assigned = original;
    assigned.LinearLayers()[0]->Weight()(0, 0) += 1.0;
    CHECK(original.Forward(x) == y0);

    auto layer_copy = original.At(0).Clone();
    static_cast<Linear<double>&>(*layer_copy).Weight().setOnes();
    CHECK(original.Forward(x) == y0);
}

TEST_CASE("Sequential: float and double builds of the same MLP agree")
{
    MlpSpec spec;
    spec.sizes = {4, 16, 3};
    spec.hidden = ActivationKind::Softplus;
    Rng rf(8), rd(8);
    auto net_f = MakeMlp<float>(spec, rf);
    auto net_d = MakeMlp<double>(spec, rd);
    Rng rx(1);
    const MatrixD x = RandomMatrix(4, 5, rx);
    const MatrixF xf = x.cast<float>();
    const MatrixD yd = net_d.Forward(x);
    const MatrixD yf = net_f.Forward(xf).cast<double>();
    CHECK(RelativeError(yf, yd) < 1e-5);
    const MatrixD dy = MatrixD::Ones(3, 5);
    const MatrixF dyf = dy.cast<float>();
    CHECK(RelativeError(net_f.Backward(dyf).cast<double>(), net_d.Backward(dy)) < 1e-5);
}
