// The R1 penalty on real data (gan.r1_gamma, Mescheder et al. 2018): its value against a double-precision
// reference whose input gradient is itself checked by finite differences, its gradient with respect to D's weights
// against central differences, the r1_penalty metric, and an exact resume from a checkpoint with it on.
#include "../io/checkpoint_test_util.h"
#include "core/data/toy2d.h"
#include "core/models/config.h"
#include "core/models/gan.h"
#include "reference_gan.h"
#include "toy_source.h"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using ll::Rng;
using ll::models::ExperimentConfig;
using ll::models::Gan;
using ll::models::Metrics;
using ll::models::StepPhase;
namespace nn = ll::nn;
using MatD = Eigen::MatrixXd;

namespace
{

// D in double: Linear -> activation (leaky ReLU 0.2 or tanh) -> Linear to one raw score.
struct RefD
{
    MatD w1, b1, w2, b2; // (hidden, in), (hidden, 1), (1, hidden), (1, 1)
    bool tanh = false;

    double Act(double h) const { return tanh ? std::tanh(h) : (h > 0 ? h : 0.2 * h); }
    double ActPrime(double h) const
    {
        if (tanh)
        {
            const double t = std::tanh(h);
            return 1 - t * t;
        }
        return h > 0 ? 1.0 : 0.2;
    }
    double Score(const Eigen::VectorXd& x) const
    {
        const Eigen::VectorXd h = w1 * x + b1.col(0);
        return (w2 * h.unaryExpr([&](double v) { return Act(v); }))(0, 0) + b2(0, 0);
    }
    // grad_x D(x) = W1^T (act'(h) * W2^T): (in)
    Eigen::VectorXd InputGrad(const Eigen::VectorXd& x) const
    {
        const Eigen::VectorXd h = w1 * x + b1.col(0);
        const Eigen::VectorXd d = h.unaryExpr([&](double v) { return ActPrime(v); });
        return w1.transpose() * (d.array() * w2.transpose().col(0).array()).matrix();
    }
    // R = mean_j ||grad_x D(x_j)||^2 over the first data_dim rows (labels are constants).
    double R1(const MatD& x, Eigen::Index data_dim) const
    {
        double sum = 0;
        for (Eigen::Index j = 0; j < x.cols(); ++j)
        {
            sum += InputGrad(x.col(j)).head(data_dim).squaredNorm();
        }
        return sum / static_cast<double>(x.cols());
    }
    std::vector<MatD*> Params() { return {&w1, &b1, &w2, &b2}; }
};

RefD FromModel(nn::Sequential<float>& net, bool tanh)
{
    REQUIRE(net.Size() == 3);
    auto& l1 = dynamic_cast<nn::Linear<float>&>(net.At(0));
    auto& l2 = dynamic_cast<nn::Linear<float>&>(net.At(2));
    return RefD{l1.Weight().cast<double>(), l1.Bias().cast<double>(), l2.Weight().cast<double>(),
                l2.Bias().cast<double>(), tanh};
}

ExperimentConfig R1Config(double gamma, const std::string& d_activation, bool conditional = false)
{
    ExperimentConfig c =
        ll::test::ReferenceGanConfig(ll::models::GanObjective::NonSaturating, nn::ParseActivation(d_activation));
    c.gan.conditional = conditional;
    c.gan.r1_gamma = gamma;
    return c;
}

struct Fixed
{
    nn::MatrixF real, z, labels;
    Fixed()
    {
        real.resize(2, 4);
        real << 1.0f, 0.0f, -0.7f, 0.3f, 0.0f, 1.0f, -0.7f, -0.9f;
        z.resize(2, 4);
        z << 0.5f, -1.2f, 0.3f, 0.9f, -0.4f, 0.8f, 1.5f, -0.6f;
        labels.resize(2, 4);
        labels << 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f, 0.0f;
    }
    MatD DInput(bool conditional) const
    {
        if (!conditional)
            return real.cast<double>();
        MatD out(4, 4);
        out << real.cast<double>(), labels.cast<double>();
        return out;
    }
};

} // namespace

TEST_CASE("GAN R1: the penalty's value matches a double reference whose input gradient matches finite differences")
{
    const Fixed b;
    for (const bool tanh : {false, true})
    {
        CAPTURE(tanh);
        Rng rng(5);
        Gan gan(R1Config(2.0, tanh ? "tanh" : "leaky_relu"), 2, 0, rng);
        const RefD ref = FromModel(gan.Discriminator(), tanh);
        const MatD x = b.DInput(false);

        // The reference's hand-derived grad_x D against central differences of its own score.
        const double h = 1e-6;
        for (Eigen::Index j = 0; j < x.cols(); ++j)
        {
            const Eigen::VectorXd g = ref.InputGrad(x.col(j));
            for (Eigen::Index i = 0; i < x.rows(); ++i)
            {
                Eigen::VectorXd up = x.col(j), down = x.col(j);
                up(i) += h;
                down(i) -= h;
                CHECK(g(i) == doctest::Approx((ref.Score(up) - ref.Score(down)) / (2 * h)).epsilon(1e-6));
            }
        }

        const auto stats = gan.DiscriminatorGrad(b.real, nullptr, b.z, nullptr, false);
        const double expected = ref.R1(x, 2);
        CHECK(expected > 1e-3); // not vacuous
        CHECK(stats.r1 == doctest::Approx(expected).epsilon(1e-5));

        // The loss includes gamma / 2 * R on top of the plain non-saturating D loss.
        Rng rng0(5);
        Gan plain(R1Config(0.0, tanh ? "tanh" : "leaky_relu"), 2, 0, rng0);
        const auto plain_stats = plain.DiscriminatorGrad(b.real, nullptr, b.z, nullptr, false);
        CHECK(plain_stats.r1 == 0.0);
        CHECK(stats.loss == doctest::Approx(plain_stats.loss + 1.0 * expected).epsilon(1e-5));
    }
}

TEST_CASE("GAN R1: the penalty's gradient with respect to D's weights matches central differences in double")
{
    const Fixed b;
    struct Case
    {
        bool tanh;
        bool conditional;
    };
    for (const Case c : {Case{false, false}, Case{true, false}, Case{true, true}})
    {
        CAPTURE(c.tanh);
        CAPTURE(c.conditional);
        const double gamma = 3.0;
        const std::string act = c.tanh ? "tanh" : "leaky_relu";
        const nn::MatrixF* labels = c.conditional ? &b.labels : nullptr;
        Rng rng(11), rng0(11);
        Gan gan(R1Config(gamma, act, c.conditional), 2, c.conditional ? 2 : 0, rng);
        Gan plain(R1Config(0.0, act, c.conditional), 2, c.conditional ? 2 : 0, rng0); // same weights
        plain.DiscriminatorGrad(b.real, labels, b.z, nullptr, false);
        gan.DiscriminatorGrad(b.real, labels, b.z, nullptr, false);

        // The penalty's own gradient: (with R1) - (without), isolated from the BCE terms.
        const auto with = gan.Networks()[1].params;
        const auto without = plain.Networks()[1].params;
        REQUIRE(with.size() == without.size());
        std::vector<nn::MatrixF> penalty_grad(with.size());
        RefD ref = FromModel(gan.Discriminator(), c.tanh);
        const MatD x = b.DInput(c.conditional);
        std::vector<MatD*> params = ref.Params();
        REQUIRE(params.size() == with.size());
        const double h = 1e-6;
        for (std::size_t k = 0; k < with.size(); ++k)
        {
            penalty_grad[k] = *with[k].grad - *without[k].grad;
            MatD& p = *params[k];
            REQUIRE(p.rows() == penalty_grad[k].rows());
            REQUIRE(p.cols() == penalty_grad[k].cols());
            for (Eigen::Index i = 0; i < p.size(); ++i)
            {
                const double keep = p.data()[i];
                p.data()[i] = keep + h;
                const double up = ref.R1(x, 2);
                p.data()[i] = keep - h;
                const double down = ref.R1(x, 2);
                p.data()[i] = keep;
                const double numeric = 0.5 * gamma * (up - down) / (2 * h);
                const double analytic = penalty_grad[k].data()[i];
                CAPTURE(with[k].name);
                CAPTURE(i);
                CHECK(std::abs(analytic - numeric) <= 1e-4 + 1e-3 * std::abs(numeric));
            }
        }
    }
}

TEST_CASE("GAN R1: r1_penalty is reported only when r1_gamma is above 0, and never by a G-only step")
{
    auto has_r1 = [](double gamma, StepPhase phase) {
        Rng rng(1);
        Gan gan(R1Config(gamma, "leaky_relu"), 2, 0, rng);
        ll::test::ToySource source(ll::data::ToyKind::Ring8, 8);
        Metrics m;
        gan.TrainStep(source, rng, 0, phase, m);
        for (const auto& [name, value] : m)
        {
            if (name == "r1_penalty")
            {
                CHECK(std::isfinite(value));
                CHECK(value > 0.0);
                return true;
            }
        }
        return false;
    };
    CHECK(has_r1(1.0, StepPhase::Both));
    CHECK(has_r1(1.0, StepPhase::DiscriminatorOnly));
    CHECK_FALSE(has_r1(1.0, StepPhase::GeneratorOnly));
    CHECK_FALSE(has_r1(0.0, StepPhase::Both));
}

TEST_CASE("GAN R1: a run with r1_gamma resumed from a checkpoint matches the straight run bit for bit")
{
    using namespace ll;
    using namespace ll::io::test;
    TempDir dir("ckpt_r1");
    models::ExperimentConfig config = TinyGan();
    config.gan.r1_gamma = 1.0;
    const io::CheckpointData state = CheckExactResume(config, dir, 30);
    CHECK(state.config.gan.r1_gamma == 1.0);
}

TEST_CASE("GAN R1: the formula shows the penalty with its weight gamma/2 only when it is on")
{
    Rng rng(1);
    const Gan on(R1Config(3.0, "leaky_relu"), 2, 0, rng);
    const Gan off(R1Config(0.0, "leaky_relu"), 2, 0, rng);
    CHECK(on.Formula().find("D's loss + 1.5 E[||grad_x D(x)||^2] on real x (R1)") != std::string::npos);
    CHECK(on.Formula().find("max_D E[log D(x)]") != std::string::npos); // the game itself is still shown
    CHECK(off.Formula().find("(R1)") == std::string::npos);
}
