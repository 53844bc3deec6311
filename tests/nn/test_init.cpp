// Initialisation choices: PyTorch's nn.Linear default (weights and biases uniform in +-1/sqrt(fan_in)), and
// MakeMlp's init option (auto keeps the old He/Xavier rule bit for bit; he, xavier, torch apply to every layer).
#include "core/nn/layers.h"
#include "core/nn/sequential.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

// Mean of the squares: for U(-a, a) it is a^2 / 3, for N(0, s^2) it is s^2.
double MeanSquare(const MatrixD& m)
{
    return m.array().square().mean();
}

} // namespace

TEST_CASE("InitWeights: Torch stays within 1/sqrt(fan_in) with the variance of that uniform")
{
    Rng rng(3);
    MatrixD w(300, 400); // (out, in): fan_in 400, bound 0.05
    InitWeights(w, InitKind::Torch, rng);
    const double a = 1.0 / std::sqrt(400.0);
    CHECK(w.cwiseAbs().maxCoeff() <= a);
    CHECK(w.cwiseAbs().maxCoeff() > 0.99 * a); // the draws reach the bound: not a narrower distribution
    CHECK(MeanSquare(w) == doctest::Approx(a * a / 3.0).epsilon(0.02));
    CHECK(std::abs(w.mean()) < 0.02 * a);
    // Independent of fan_out: a wider layer with the same fan_in has the same bound.
    MatrixD wide(900, 400);
    InitWeights(wide, InitKind::Torch, rng);
    CHECK(wide.cwiseAbs().maxCoeff() <= a);
    CHECK(MeanSquare(wide) == doctest::Approx(a * a / 3.0).epsilon(0.02));
}

TEST_CASE("Linear: Torch init draws the bias from U(-1/sqrt(in), 1/sqrt(in)); the other inits leave it at zero")
{
    Rng rng(4);
    const Index in = 64, out = 4000;
    Linear<double> torch(in, out, true, InitKind::Torch, rng);
    const double a = 1.0 / std::sqrt(static_cast<double>(in));
    const MatrixD& b = torch.Bias();
    REQUIRE(b.rows() == out);
    CHECK(b.cwiseAbs().maxCoeff() <= a);
    CHECK(b.cwiseAbs().maxCoeff() > 0.99 * a);
    CHECK(MeanSquare(b) == doctest::Approx(a * a / 3.0).epsilon(0.06)); // 4,000 draws: about 2% sd on the mean square
    CHECK(std::abs(b.mean()) < 0.05 * a);
    CHECK(torch.Weight().cwiseAbs().maxCoeff() <= a);

    Linear<double> he(in, out, true, InitKind::He, rng);
    Linear<double> xavier(in, out, true, InitKind::Xavier, rng);
    CHECK(he.Bias().isZero(0.0));
    CHECK(xavier.Bias().isZero(0.0));
    Linear<double> no_bias(in, out, false, InitKind::Torch, rng); // no bias to draw: must not throw
    CHECK(no_bias.Bias().size() == 0);

    // Same seed, same layer; the bias is drawn after the weights.
    Rng r1(8), r2(8);
    Linear<double> l1(5, 3, true, InitKind::Torch, r1);
    MatrixD w(3, 5);
    InitWeights(w, InitKind::Torch, r2);
    MatrixD b2(3, 1);
    InitUniform(b2, 1.0 / std::sqrt(5.0), r2);
    CHECK(l1.Weight() == w);
    CHECK(l1.Bias() == b2);
}

TEST_CASE("MakeMlp: init auto keeps He for ReLU hidden layers and Xavier for the output, bit for bit")
{
    MlpSpec spec;
    spec.sizes = {30, 20, 10};
    spec.hidden = ActivationKind::ReLU;
    CHECK(spec.init == MlpInit::Auto); // the default: configurations written before the key existed are unchanged
    Rng rng_mlp(12), rng_hand(12);
    auto net = MakeMlp<double>(spec, rng_mlp);
    Linear<double> first(30, 20, true, InitKind::He, rng_hand);
    Linear<double> last(20, 10, true, InitKind::Xavier, rng_hand);
    const auto linear = net.LinearLayers();
    REQUIRE(linear.size() == 2);
    CHECK(linear[0]->Weight() == first.Weight());
    CHECK(linear[1]->Weight() == last.Weight());
    CHECK(linear[0]->Bias().isZero(0.0));
}

TEST_CASE("MakeMlp: init he, xavier and torch apply to every Linear layer, with their spreads")
{
    MlpSpec spec;
    spec.sizes = {400, 300, 500};
    spec.hidden = ActivationKind::ReLU;
    spec.output = ActivationKind::Sigmoid;

    auto layer_ms = [&](MlpInit init, std::size_t i, bool bias) {
        spec.init = init;
        Rng rng(21);
        auto net = MakeMlp<double>(spec, rng);
        Linear<double>& l = *net.LinearLayers().at(i);
        return MeanSquare(bias ? l.Bias() : l.Weight());
    };
    // Output layer (fan_in 300, fan_out 500): he gives 2 / 300, xavier 6 / 800 / 3, torch 1 / 300 / 3.
    CHECK(layer_ms(MlpInit::He, 1, false) == doctest::Approx(2.0 / 300.0).epsilon(0.03));
    CHECK(layer_ms(MlpInit::Xavier, 1, false) == doctest::Approx(6.0 / 800.0 / 3.0).epsilon(0.03));
    CHECK(layer_ms(MlpInit::Torch, 1, false) == doctest::Approx(1.0 / 300.0 / 3.0).epsilon(0.03));
    // Hidden layer (fan_in 400, fan_out 300): xavier overrides auto's He there.
    CHECK(layer_ms(MlpInit::Xavier, 0, false) == doctest::Approx(6.0 / 700.0 / 3.0).epsilon(0.03));
    CHECK(layer_ms(MlpInit::Torch, 0, false) == doctest::Approx(1.0 / 400.0 / 3.0).epsilon(0.03));
    // Biases: drawn only by torch (500 output biases: within 15% of 1 / 300 / 3).
    CHECK(layer_ms(MlpInit::Torch, 1, true) == doctest::Approx(1.0 / 300.0 / 3.0).epsilon(0.15));
    CHECK(layer_ms(MlpInit::He, 1, true) == 0.0);
    CHECK(layer_ms(MlpInit::Xavier, 0, true) == 0.0);
}

TEST_CASE("MlpInit: names parse and round-trip; unknown names are refused with the allowed list")
{
    for (const std::string& name : MlpInitNames())
    {
        CHECK(MlpInitName(ParseMlpInit(name)) == name);
    }
    CHECK(ParseMlpInit("torch") == MlpInit::Torch);
    CHECK(MlpInitNames().size() == 4);
    try
    {
        ParseMlpInit("kaiming");
        FAIL("kaiming was accepted");
    }
    catch (const std::invalid_argument& e)
    {
        const std::string message = e.what();
        CHECK(message.find("\"torch\"") != std::string::npos);
        CHECK(message.find("\"kaiming\"") != std::string::npos);
    }
    CHECK_THROWS_AS(ParseMlpInit("Torch"), std::invalid_argument); // names are lower case, as in the JSON
}
