// Optimizers: hand-computed first steps of Adam, SGD with momentum and RMSProp, the once-per-Step counter,
// state tensors, weight decay, GradNorm, name parsing, and a small MLP that actually learns.
#include "core/nn/losses.h"
#include "core/nn/optimizer.h"
#include "core/nn/sequential.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

// One scalar parameter and its gradient, owned by the test.
struct Scalar1
{
    MatrixD value = MatrixD::Constant(1, 1, 1.0);
    MatrixD grad = MatrixD::Zero(1, 1);
    ParamRef<double> Ref(const std::string& name) { return {name, &value, &grad}; }
};

} // namespace

TEST_CASE("Adam: the first two steps match hand-computed values")
{
    // lr 0.1, betas (0.9, 0.999), eps 1e-8, w0 = 1, g1 = 0.5, g2 = -0.25.
    // Step 1: m = 0.05, v = 2.5e-4, m_hat = 0.5, v_hat = 0.25: w = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002.
    // Step 2: m = 0.02, v = 3.1225e-4, m_hat = 0.02 / 0.19, v_hat = 3.1225e-4 / 0.001999:
    //         w = 0.900000002 - 0.1 * 0.1052631579 / (0.3952253808 + 1e-8) = 0.8733662987.
    Scalar1 p;
    OptimizerConfig config;
    config.kind = OptimizerKind::Adam;
    config.learning_rate = 0.1;
    Optimizer<double> opt({p.Ref("w")}, config);
    p.grad(0, 0) = 0.5;
    opt.Step();
    CHECK(p.value(0, 0) == doctest::Approx(0.900000002).epsilon(1e-12));
    p.grad(0, 0) = -0.25;
    opt.Step();
    CHECK(p.value(0, 0) == doctest::Approx(0.8733662987078463).epsilon(1e-12));
    CHECK(opt.StepCount() == 2);
    auto state = opt.StateTensors();
    REQUIRE(state.size() == 2);
    CHECK(state[0].name == "w.m");
    CHECK((*state[0].value)(0, 0) == doctest::Approx(0.02));
    CHECK(state[1].name == "w.v");
    CHECK((*state[1].value)(0, 0) == doctest::Approx(3.1225e-4));
}

TEST_CASE("Adam: the step counter advances once per Step, whatever the number of tensors")
{
    Scalar1 a, b, c;
    OptimizerConfig config;
    config.learning_rate = 0.1;
    Optimizer<double> opt({a.Ref("a"), b.Ref("b"), c.Ref("c")}, config);
    for (double g : {0.5, -0.25})
    {
        a.grad(0, 0) = b.grad(0, 0) = c.grad(0, 0) = g;
        opt.Step();
    }
    CHECK(opt.StepCount() == 2);
    // Every tensor saw the bias correction of steps 1 and 2, exactly as a single tensor does.
    CHECK(a.value(0, 0) == doctest::Approx(0.8733662987078463).epsilon(1e-12));
    CHECK(c.value(0, 0) == a.value(0, 0));

    opt.SetStepCount(10);
    CHECK(opt.StepCount() == 10);
}

TEST_CASE("SGD: momentum and weight decay match hand-computed values")
{
    Scalar1 p;
    OptimizerConfig config;
    config.kind = OptimizerKind::Sgd;
    config.learning_rate = 0.1;
    config.momentum = 0.9;
    Optimizer<double> opt({p.Ref("w")}, config);
    p.grad(0, 0) = 0.5;
    opt.Step(); // buf = 0.5, w = 1 - 0.05
    CHECK(p.value(0, 0) == doctest::Approx(0.95).epsilon(1e-14));
    opt.Step(); // buf = 0.9 * 0.5 + 0.5 = 0.95, w = 0.95 - 0.095
    CHECK(p.value(0, 0) == doctest::Approx(0.855).epsilon(1e-14));
    CHECK(p.grad(0, 0) == 0.5); // Step does not zero gradients
    CHECK(opt.StateTensors().size() == 1);

    Scalar1 q;
    config.momentum = 0.0;
    config.weight_decay = 0.1;
    Optimizer<double> decayed({q.Ref("w")}, config);
    q.grad(0, 0) = 0.5;
    decayed.Step(); // g = 0.5 + 0.1 * 1 = 0.6, w = 1 - 0.06
    CHECK(q.value(0, 0) == doctest::Approx(0.94).epsilon(1e-14));
}

TEST_CASE("RMSProp: one step matches the hand-computed value")
{
    // v = 0.01 * 0.25 = 0.0025, sqrt(v) = 0.05: w = 1 - 0.01 * 0.5 / (0.05 + 1e-8).
    Scalar1 p;
    OptimizerConfig config;
    config.kind = OptimizerKind::RmsProp;
    config.learning_rate = 0.01;
    config.rho = 0.99;
    Optimizer<double> opt({p.Ref("w")}, config);
    p.grad(0, 0) = 0.5;
    opt.Step();
    CHECK(p.value(0, 0) == doctest::Approx(1.0 - 0.01 * 0.5 / (0.05 + 1e-8)).epsilon(1e-13));
    CHECK(p.value(0, 0) == doctest::Approx(0.9).epsilon(1e-6));
}

TEST_CASE("Optimizer: ZeroGrad clears gradients; bad parameters are refused")
{
    Scalar1 p;
    p.grad(0, 0) = 3.0;
    Optimizer<double> opt({p.Ref("w")}, OptimizerConfig{});
    opt.ZeroGrad();
    CHECK(p.grad(0, 0) == 0.0);

    MatrixD wrong = MatrixD::Zero(2, 2);
    const std::vector<ParamRef<double>> mismatched{{"w", &p.value, &wrong}};
    const std::vector<ParamRef<double>> no_grad{{"w", &p.value, nullptr}};
    CHECK_THROWS_AS(Optimizer<double>(mismatched, OptimizerConfig{}), std::invalid_argument);
    CHECK_THROWS_AS(Optimizer<double>(no_grad, OptimizerConfig{}), std::invalid_argument);
}

TEST_CASE("GradNorm is the global L2 norm; optimizer names parse and round-trip")
{
    Scalar1 a, b;
    a.grad(0, 0) = 3.0;
    b.grad(0, 0) = 4.0;
    CHECK(GradNorm<double>({a.Ref("a"), b.Ref("b")}) == doctest::Approx(5.0));

    for (auto kind : {OptimizerKind::Sgd, OptimizerKind::Adam, OptimizerKind::RmsProp})
    {
        CHECK(ParseOptimizer(OptimizerName(kind)) == kind);
    }
    CHECK(ParseOptimizer("Adam") == OptimizerKind::Adam);
    CHECK_THROWS_AS(ParseOptimizer("adamw"), std::invalid_argument);
}

TEST_CASE("Adam trains a small float MLP on a regression toy")
{
    Rng rng(21);
    MlpSpec spec;
    spec.sizes = {2, 16, 1};
    spec.hidden = ActivationKind::Tanh;
    auto net = MakeMlp<float>(spec, rng);
    OptimizerConfig config;
    config.learning_rate = 1e-2;
    Optimizer<float> opt(net.Params("M."), config);
    // Target y = x0 - 0.5 x1^2 on a fixed batch.
    MatrixF x(2, 64), y(1, 64), grad;
    for (Index b = 0; b < 64; ++b)
    {
        x(0, b) = static_cast<float>(rng.Uniform(-1.0, 1.0));
        x(1, b) = static_cast<float>(rng.Uniform(-1.0, 1.0));
        y(0, b) = x(0, b) - 0.5f * x(1, b) * x(1, b);
    }
    const float initial = MeanSquaredError(net.Forward(x), y, grad);
    float loss = initial;
    for (int step = 0; step < 300; ++step)
    {
        opt.ZeroGrad();
        loss = MeanSquaredError(net.Forward(x), y, grad);
        net.Backward(grad);
        opt.Step();
    }
    CHECK(loss < 0.05f * initial);
    CHECK(opt.StepCount() == 300);
}
