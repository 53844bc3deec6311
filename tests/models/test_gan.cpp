// GAN tests: every objective's losses and gradients against a hand-written double-precision reference with
// central finite differences, the WGAN-GP penalty's double backward, the saturation lesson, a short ring-8 run,
// determinism, clipping, the G step's hands-off D gradients, and the model's bookkeeping.
#include "core/data/toy2d.h"
#include "core/models/config.h"
#include "core/models/gan.h"
#include "core/models/hyperparams.h"
#include "reference_gan.h"
#include "toy_source.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

using ll::Rng;
using ll::models::Batch;
using ll::models::BatchSource;
using ll::models::ExperimentConfig;
using ll::models::Gan;
using ll::models::GanObjective;
using ll::models::Metrics;
using ll::models::StepPhase;
namespace nn = ll::nn;
using MatD = Eigen::MatrixXd;

namespace
{

// A copy of one network's parameter list. Looping over gan.Networks()[i].params directly would read a destroyed
// temporary (a range-for extends the lifetime of the vector returned by Networks(), not of a member of it).
std::vector<nn::ParamRef<float>> ParamsOf(Gan& gan, std::size_t i) { return gan.Networks()[i].params; }

// --- A hand-written reference in double: Linear -> activation -> Linear (identity output). ---------------

double Act(nn::ActivationKind kind, double slope, double h)
{
    return kind == nn::ActivationKind::Tanh ? std::tanh(h) : (h > 0 ? h : slope * h);
}

double ActPrime(nn::ActivationKind kind, double slope, double h)
{
    if (kind == nn::ActivationKind::Tanh)
    {
        const double t = std::tanh(h);
        return 1 - t * t;
    }
    return h > 0 ? 1.0 : slope;
}

struct RefNet
{
    MatD w1, b1, w2, b2; // (hidden, in), (hidden, 1), (out, hidden), (out, 1)
    nn::ActivationKind act = nn::ActivationKind::LeakyReLU;
    double slope = 0.2;
    bool sn = false;
    MatD u1, v1, u2, v2; // frozen power-iteration vectors: sigma = u^T W v

    MatD Eff(const MatD& w, const MatD& u, const MatD& v) const { return sn ? MatD(w / (u.transpose() * w * v)(0, 0)) : w; }
    MatD W1() const { return Eff(w1, u1, v1); }
    MatD W2() const { return Eff(w2, u2, v2); }

    MatD Hidden(const MatD& x) const
    {
        MatD h = W1() * x;
        h.colwise() += b1.col(0);
        return h;
    }
    MatD Forward(const MatD& x) const
    {
        const MatD h = Hidden(x);
        MatD a = h.unaryExpr([&](double v) { return Act(act, slope, v); });
        MatD y = W2() * a;
        y.colwise() += b2.col(0);
        return y;
    }
    // grad_x of a one-output net, one column per example: W1^T (act'(h) * W2^T).
    MatD InputGrad(const MatD& x) const
    {
        const MatD h = Hidden(x);
        const MatD d = h.unaryExpr([&](double v) { return ActPrime(act, slope, v); });
        MatD g(x.rows(), x.cols());
        for (Eigen::Index j = 0; j < x.cols(); ++j)
        {
            g.col(j) = W1().transpose() * (d.col(j).array() * W2().transpose().col(0).array()).matrix();
        }
        return g;
    }
    std::vector<MatD*> Params() { return {&w1, &b1, &w2, &b2}; }
};

RefNet FromModel(nn::Sequential<float>& net, nn::ActivationKind act, double slope)
{
    REQUIRE(net.Size() == 3); // Linear, activation, Linear
    auto& l1 = dynamic_cast<nn::Linear<float>&>(net.At(0));
    auto& l2 = dynamic_cast<nn::Linear<float>&>(net.At(2));
    RefNet r;
    r.w1 = l1.Weight().cast<double>();
    r.b1 = l1.Bias().cast<double>();
    r.w2 = l2.Weight().cast<double>();
    r.b2 = l2.Bias().cast<double>();
    r.act = act;
    r.slope = slope;
    r.sn = l1.SpectralNorm();
    if (r.sn)
    {
        r.u1 = l1.SpectralU().cast<double>();
        r.v1 = l1.SpectralV().cast<double>();
        r.u2 = l2.SpectralU().cast<double>();
        r.v2 = l2.SpectralV().cast<double>();
    }
    return r;
}

double Softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

// The objectives written out independently of core/nn/losses (means over the batch).
struct RefGan
{
    GanObjective objective = GanObjective::NonSaturating;
    double real_label = 1, gp_lambda = 10, gp_target = 1, r1_gamma = 0;
    int pack = 1; // PacGAN: D's input j is examples j pack .. j pack + pack - 1, each [x; y], stacked
    RefNet g, d;
    MatD real, z, labels, eps; // labels empty when unconditional; eps (1, n / pack)

    MatD WithLabels(const MatD& x) const
    {
        if (labels.size() == 0)
            return x;
        MatD out(x.rows() + labels.rows(), x.cols());
        out << x, labels;
        return out;
    }
    // D's input: (pack (data + classes), n / pack); repeated: every column packed with copies of itself.
    MatD Cat(const MatD& x, bool repeated = false) const
    {
        const MatD one = WithLabels(x);
        const Eigen::Index f = one.rows();
        const Eigen::Index n = repeated ? one.cols() : one.cols() / pack;
        MatD out(pack * f, n);
        for (Eigen::Index j = 0; j < n; ++j)
            for (int k = 0; k < pack; ++k)
                out.col(j).segment(k * f, f) = one.col(repeated ? j : j * pack + k);
        return out;
    }
    MatD Fake() const { return g.Forward(WithLabels(z)); }
    // The norm of a packed input gradient over its data rows (every slot's x, none of its labels).
    double DataNorm2(const Eigen::VectorXd& grad) const
    {
        const Eigen::Index f = grad.size() / pack;
        double sum = 0;
        for (int k = 0; k < pack; ++k)
            sum += grad.segment(k * f, real.rows()).squaredNorm();
        return sum;
    }

    double Penalty(const MatD& fake) const
    {
        const Eigen::Index n = real.cols();
        MatD x_hat(real.rows(), n);
        for (Eigen::Index j = 0; j < n; ++j)
            x_hat.col(j) = eps(0, j / pack) * real.col(j) + (1 - eps(0, j / pack)) * fake.col(j);
        const MatD grad = d.InputGrad(Cat(x_hat));
        double p = 0;
        for (Eigen::Index j = 0; j < grad.cols(); ++j)
        {
            const double norm = std::sqrt(DataNorm2(grad.col(j)));
            p += (norm - gp_target) * (norm - gp_target);
        }
        return p / grad.cols();
    }
    double R1() const
    {
        const MatD grad = d.InputGrad(Cat(real));
        double p = 0;
        for (Eigen::Index j = 0; j < grad.cols(); ++j)
            p += DataNorm2(grad.col(j));
        return p / grad.cols();
    }

    double DLoss(bool with_penalty = true) const
    {
        const MatD fake = Fake();
        const Eigen::ArrayXd sr = d.Forward(Cat(real)).row(0).transpose().array();
        const Eigen::ArrayXd sf = d.Forward(Cat(fake)).row(0).transpose().array();
        const double t = real_label;
        const double r1 = r1_gamma > 0 ? 0.5 * r1_gamma * R1() : 0.0;
        switch (objective)
        {
        case GanObjective::Minimax:
        case GanObjective::NonSaturating: // BCE(l, t) = softplus(l) - t l
            return (sr.unaryExpr(&Softplus) - t * sr).mean() + sf.unaryExpr(&Softplus).mean() + r1;
        case GanObjective::LeastSquares:
            return (sr - t).square().mean() + sf.square().mean() + r1;
        case GanObjective::WganClip:
            return sf.mean() - sr.mean() + r1;
        case GanObjective::WganGp:
            return sf.mean() - sr.mean() + (with_penalty ? gp_lambda * Penalty(fake) : 0.0) + r1;
        case GanObjective::Hinge:
            return (1 - sr).max(0.0).mean() + (1 + sf).max(0.0).mean() + r1;
        }
        return 0;
    }

    // repeated: what the arrows use, each point packed with copies of itself.
    double GLossOfFake(const MatD& fake, bool repeated = false) const
    {
        const Eigen::ArrayXd sf = d.Forward(Cat(fake, repeated)).row(0).transpose().array();
        switch (objective)
        {
        case GanObjective::Minimax: // mean log(1 - sigmoid(l)) = -mean softplus(l)
            return -sf.unaryExpr(&Softplus).mean();
        case GanObjective::NonSaturating: // -mean log sigmoid(l) = mean softplus(-l)
            return (-sf).unaryExpr(&Softplus).mean();
        case GanObjective::LeastSquares:
            return (sf - 1).square().mean();
        default:
            return -sf.mean();
        }
    }
    double GLoss() const { return GLossOfFake(Fake()); }
};

// Central differences (double, step h) of loss over every entry of params, against the model's float gradients.
// Tolerance: |analytic - numeric| <= 1e-4 + 1e-3 |numeric|.
void CheckGradients(std::vector<MatD*> params, const std::vector<nn::ParamRef<float>>& model,
                    const std::function<double()>& loss, double scale = 1.0)
{
    REQUIRE(params.size() == model.size());
    const double h = 1e-6;
    for (std::size_t k = 0; k < params.size(); ++k)
    {
        MatD& p = *params[k];
        REQUIRE(p.rows() == model[k].grad->rows());
        REQUIRE(p.cols() == model[k].grad->cols());
        for (Eigen::Index i = 0; i < p.size(); ++i)
        {
            const double keep = p.data()[i];
            p.data()[i] = keep + h;
            const double up = loss();
            p.data()[i] = keep - h;
            const double down = loss();
            p.data()[i] = keep;
            const double numeric = scale * (up - down) / (2 * h);
            const double analytic = model[k].grad->data()[i];
            CAPTURE(model[k].name);
            CAPTURE(i);
            CHECK(std::abs(analytic - numeric) <= 1e-4 + 1e-3 * std::abs(numeric));
        }
    }
}

// The test names the objective and D's activation, as JSON does.
ExperimentConfig TinyConfig(const std::string& objective, const std::string& d_activation = "leaky_relu")
{
    return ll::test::ReferenceGanConfig(NamesOf(GanObjective{}).Parse(objective, "gan.objective"),
                                        nn::ParseActivation(d_activation));
}

// Fixed inputs for the tiny nets: 4 examples.
struct TinyBatch
{
    nn::MatrixF real, z, eps, labels;
    TinyBatch()
    {
        real.resize(2, 4);
        real << 1.0f, 0.0f, -0.7f, 0.3f, 0.0f, 1.0f, -0.7f, -0.9f;
        z.resize(2, 4);
        z << 0.5f, -1.2f, 0.3f, 0.9f, -0.4f, 0.8f, 1.5f, -0.6f;
        eps.resize(1, 4);
        eps << 0.1f, 0.5f, 0.9f, 0.3f;
        labels.resize(2, 4);
        labels << 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f, 0.0f;
    }
};

RefGan MakeRef(Gan& gan, const TinyBatch& b, bool conditional, nn::ActivationKind d_act, double real_label,
               int pack = 1)
{
    RefGan ref;
    ref.pack = pack;
    ref.objective = gan.ObjectiveKind();
    ref.real_label = real_label;
    ref.g = FromModel(gan.Generator(), nn::ActivationKind::LeakyReLU, 0.2);
    ref.d = FromModel(gan.Discriminator(), d_act, 0.2);
    ref.real = b.real.cast<double>();
    ref.z = b.z.cast<double>();
    ref.eps = b.eps.leftCols(4 / pack).cast<double>(); // one weight per D input
    if (conditional)
        ref.labels = b.labels.cast<double>();
    return ref;
}

double MeanDistanceToNearestMode(const nn::MatrixF& x, const std::vector<ll::data::Mode>& modes)
{
    double sum = 0;
    for (Eigen::Index j = 0; j < x.cols(); ++j)
    {
        double best = std::numeric_limits<double>::infinity();
        for (const auto& m : modes)
            best = std::min(best, std::hypot(double(x(0, j)) - m.x, double(x(1, j)) - m.y));
        sum += best;
    }
    return sum / x.cols();
}

double MetricValue(const Metrics& m, const std::string& name)
{
    for (const auto& [key, value] : m)
        if (key == name)
            return value;
    FAIL("metric " << name << " missing");
    return 0;
}

} // namespace

TEST_CASE("GAN: every objective's D and G losses and gradients match a double-precision reference")
{
    struct Case
    {
        std::string objective;
        std::string d_activation = "leaky_relu";
        bool conditional = false;
        double real_label = 1.0;
        double r1_gamma = 0.0;
    };
    const std::vector<Case> cases = {
        {"minimax"}, {"non_saturating", "leaky_relu", false, 0.9}, {"least_squares", "leaky_relu", false, 0.9},
        {"wgan_clip"}, {"wgan_gp"}, {"wgan_gp", "tanh"}, {"hinge"}, {"non_saturating", "tanh", true},
        {"wgan_gp", "tanh", true}, {"non_saturating", "tanh", false, 1.0, 2.0}, {"hinge", "tanh", true, 1.0, 2.0},
    };
    const TinyBatch b;
    // pack 2 and 4: PacGAN's D judges 2 (4) of the 4 examples at once; every objective and penalty must hold.
    for (const int pack : {1, 2, 4})
    for (const Case& c : cases)
    {
        CAPTURE(pack);
        CAPTURE(c.objective);
        CAPTURE(c.d_activation);
        CAPTURE(c.conditional);
        CAPTURE(c.r1_gamma);
        ExperimentConfig config = TinyConfig(c.objective, c.d_activation);
        config.gan.conditional = c.conditional;
        config.gan.real_label = c.real_label;
        config.gan.r1_gamma = c.r1_gamma;
        config.gan.pack = pack;
        Rng rng(7);
        Gan gan(config, 2, c.conditional ? 2 : 0, rng);
        REQUIRE(gan.Pack() == pack);
        const nn::MatrixF* labels = c.conditional ? &b.labels : nullptr;
        const nn::ActivationKind d_act = nn::ParseActivation(c.d_activation);
        const nn::MatrixF eps = b.eps.leftCols(4 / pack); // one interpolation weight per D input
        if (gan.ObjectiveKind() == GanObjective::Hinge)
        {
            // Move u, v off their initial values: a few power-iteration steps, then frozen (eval mode).
            for (int i = 0; i < 3; ++i)
                gan.DiscriminatorGrad(b.real, labels, b.z, &eps, true);
        }
        RefGan ref = MakeRef(gan, b, c.conditional, d_act, c.real_label, pack);
        ref.r1_gamma = c.r1_gamma;
        CHECK(ref.d.sn == (c.objective == "hinge"));
        CHECK(ref.d.w1.cols() == pack * (c.conditional ? 4 : 2)); // D's input: pack samples, each [x; y]

        const auto d_stats = gan.DiscriminatorGrad(b.real, labels, b.z, &eps, false);
        const double d_ref = ref.DLoss();
        CHECK(d_stats.loss == doctest::Approx(d_ref).epsilon(1e-4));
        auto nets = gan.Networks();
        REQUIRE(nets.size() == 2);
        CHECK(nets[1].role == "D");
        CheckGradients(ref.d.Params(), nets[1].params, [&] { return ref.DLoss(); });

        const double g_loss = gan.GeneratorGrad(b.z, labels);
        CHECK(g_loss == doctest::Approx(ref.GLoss()).epsilon(1e-4));
        CHECK(nets[0].role == "G");
        CheckGradients(ref.g.Params(), nets[0].params, [&] { return ref.GLoss(); });

        // The arrows: per-point gradient = n * d(mean G loss)/d(point).
        nn::MatrixF arrows;
        gan.GeneratorOutputGrad(b.z, labels, arrows);
        REQUIRE(arrows.rows() == 2);
        REQUIRE(arrows.cols() == 4);
        MatD fake = ref.Fake();
        std::vector<nn::ParamRef<float>> as_param{{"arrows", nullptr, &arrows}};
        CheckGradients({&fake}, as_param, [&] { return ref.GLossOfFake(fake, true); }, 4.0);
    }
}

TEST_CASE("GAN: the WGAN-GP penalty's gradient with respect to D's weights matches finite differences")
{
    const TinyBatch b;
    for (const int pack : {1, 2}) // packed: x_hat interpolates whole D inputs, one eps for the pair
    for (const auto& [act, target] : {std::pair<std::string, double>{"leaky_relu", 1.0}, {"tanh", 1.0},
                                      {"leaky_relu", 0.3}, {"tanh", 2.5}})
    {
        CAPTURE(pack);
        CAPTURE(act);
        CAPTURE(target);
        ExperimentConfig config = TinyConfig("wgan_gp", act);
        config.gan.gp_target = target; // gan.gp_target: the norm the penalty pulls towards
        config.gan.pack = pack;
        Rng rng(11);
        Gan gan(config, 2, 0, rng);
        const nn::MatrixF eps = b.eps.leftCols(4 / pack);
        RefGan ref = MakeRef(gan, b, false, nn::ParseActivation(act), 1.0, pack);
        ref.gp_target = target;

        // The penalty's own gradient: (loss with lambda) - (loss with lambda = 0), isolated from the critic term.
        config.gan.gp_lambda = 0.0;
        gan.ApplyLiveSettings(config);
        gan.DiscriminatorGrad(b.real, nullptr, b.z, &eps, false);
        std::vector<nn::MatrixF> without;
        for (const auto& p : ParamsOf(gan, 1))
            without.push_back(*p.grad);
        config.gan.gp_lambda = 3.0;
        gan.ApplyLiveSettings(config);
        const auto stats = gan.DiscriminatorGrad(b.real, nullptr, b.z, &eps, false);
        const MatD fake = ref.Fake();
        CHECK(stats.gp == doctest::Approx(ref.Penalty(fake)).epsilon(1e-4));
        CHECK(stats.gp > 1e-3); // the check below is not vacuous

        auto params = ParamsOf(gan, 1);
        std::vector<nn::MatrixF> penalty_grad(params.size());
        std::vector<nn::ParamRef<float>> refs;
        for (std::size_t k = 0; k < params.size(); ++k)
        {
            penalty_grad[k] = *params[k].grad - without[k];
            refs.push_back({params[k].name, nullptr, &penalty_grad[k]});
        }
        CheckGradients(ref.d.Params(), refs, [&] { return ref.Penalty(fake); }, 3.0);
    }
}

TEST_CASE("GAN: the G step leaves D's gradients untouched")
{
    const TinyBatch b;
    Rng rng(3);
    Gan gan(TinyConfig("non_saturating"), 2, 0, rng);
    for (const auto& p : ParamsOf(gan, 1))
        p.grad->setConstant(7.0f);
    gan.GeneratorGrad(b.z, nullptr);
    for (const auto& p : ParamsOf(gan, 1))
        CHECK((p.grad->array() == 7.0f).all());
    CHECK(nn::GradNorm(ParamsOf(gan, 0)) > 0.0f);
}

TEST_CASE("GAN: the minimax generator's gradient vanishes when D confidently rejects fakes; non-saturating's does not")
{
    const TinyBatch b;
    double norms[2] = {0, 0};
    const char* objectives[2] = {"minimax", "non_saturating"};
    for (int k = 0; k < 2; ++k)
    {
        Rng rng(5); // same weights for both
        Gan gan(TinyConfig(objectives[k]), 2, 0, rng);
        for (const auto& p : ParamsOf(gan, 1))
            if (p.name == "D.2.bias")
                p.value->setConstant(-10.0f); // D(G(z)) = sigmoid(about -10): fakes confidently rejected
        gan.GeneratorGrad(b.z, nullptr);
        norms[k] = nn::GradNorm(ParamsOf(gan, 0));
    }
    // Minimax's gradient carries a factor sigmoid(l) ~ e^-10 where non-saturating carries 1 - sigmoid(l) ~ 1.
    CHECK(norms[1] > 1e-3);
    CHECK(norms[0] < 1e-3 * norms[1]);
}

TEST_CASE("GAN: a non-saturating GAN on ring-8 moves its samples toward the modes")
{
    ExperimentConfig config;
    config.family = ll::models::Family::Gan;
    config.gan.objective = ll::models::GanObjective::NonSaturating;
    config.gan.noise_dim = 2;
    config.gan.generator = {{64, 64}, ll::nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    config.gan.discriminator = {{64, 64}, ll::nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    config.gan.g_opt = {nn::OptimizerKind::Adam, 1e-3, 0.5, 0.999};
    config.gan.d_opt = {nn::OptimizerKind::Adam, 1e-3, 0.5, 0.999};
    Rng rng(2024);
    Gan gan(config, 2, 0, rng);
    ll::test::ToySource source(ll::data::ToyKind::Ring8, 128);
    const auto& modes = source.Sampler().Modes();
    REQUIRE(modes.size() == 8);

    Rng eval_rng(99);
    nn::MatrixF z, x;
    gan.SampleLatent(eval_rng, 1000, z);
    gan.Decode(z, nullptr, x);
    const double before = MeanDistanceToNearestMode(x, modes);
    // Tiny matrices: OpenMP threads only add contention on a busy machine (30x slower measured at load 15).
    const int threads = Eigen::nbThreads();
    Eigen::setNbThreads(1);
    Metrics m;
    for (int step = 0; step < 2000; ++step)
    {
        m.clear();
        gan.TrainStep(source, rng, step, StepPhase::Both, m);
    }
    Eigen::setNbThreads(threads);
    gan.Decode(z, nullptr, x);
    const double after = MeanDistanceToNearestMode(x, modes);
    MESSAGE("ring-8 mean distance to nearest mode: " << before << " -> " << after);
    // Measured 0.70-0.88 -> 0.11-0.16 over seeds 1, 7, 99, 2024 (2000 steps, ~0.5 s): a factor 3 is a safe bar.
    CHECK(after < before / 3.0);
    CHECK(std::isfinite(MetricValue(m, "d_loss")));
}

TEST_CASE("GAN: the same seed gives identical metrics, for every objective")
{
    for (const std::string objective :
         {"minimax", "non_saturating", "least_squares", "wgan_clip", "wgan_gp", "hinge"})
    {
        CAPTURE(objective);
        Metrics runs[2];
        for (auto& run : runs)
        {
            ExperimentConfig config = TinyConfig(objective);
            config.gan.generator.hidden = {16};
            config.gan.discriminator.hidden = {16};
            config.gan.d_steps = 2;
            Rng rng(42);
            Gan gan(config, 2, 0, rng);
            ll::test::ToySource source(ll::data::ToyKind::Grid25, 32);
            for (int step = 0; step < 10; ++step)
                gan.TrainStep(source, rng, step, StepPhase::Both, run);
        }
        REQUIRE(runs[0].size() == runs[1].size());
        CHECK(runs[0] == runs[1]);
    }
}

TEST_CASE("GAN: each step reports exactly the metrics that apply to its objective and phase")
{
    auto names = [](const std::string& objective, StepPhase phase) {
        Rng rng(1);
        Gan gan(TinyConfig(objective), 2, 0, rng);
        ll::test::ToySource source(ll::data::ToyKind::Ring8, 8);
        Metrics m;
        gan.TrainStep(source, rng, 0, phase, m);
        std::vector<std::string> out;
        for (const auto& [name, value] : m)
        {
            CHECK(std::isfinite(value));
            out.push_back(name);
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    using V = std::vector<std::string>;
    CHECK(names("minimax", StepPhase::Both) == V{"d_fake", "d_grad_norm", "d_loss", "d_real", "g_grad_norm", "g_loss"});
    CHECK(names("hinge", StepPhase::Both) ==
          V{"d_fake", "d_grad_norm", "d_loss", "d_real", "g_grad_norm", "g_loss", "w_estimate"});
    CHECK(names("wgan_gp", StepPhase::DiscriminatorOnly) ==
          V{"d_fake", "d_grad_norm", "d_loss", "d_real", "gp", "w_estimate"});
    CHECK(names("least_squares", StepPhase::GeneratorOnly) == V{"g_grad_norm", "g_loss"});
}

TEST_CASE("GAN: weight clipping keeps every critic parameter within [-clip, clip]")
{
    ExperimentConfig config = TinyConfig("wgan_clip");
    config.gan.clip = 0.05;
    config.gan.d_opt = {nn::OptimizerKind::Sgd, 0.5}; // big steps, so unclipped weights would leave the box
    Rng rng(9);
    Gan gan(config, 2, 0, rng);
    ll::test::ToySource source(ll::data::ToyKind::Ring8, 16);
    Metrics m;
    for (int step = 0; step < 5; ++step)
        gan.TrainStep(source, rng, step, StepPhase::DiscriminatorOnly, m);
    float largest = 0;
    for (const auto& p : ParamsOf(gan, 1))
        largest = std::max(largest, p.value->cwiseAbs().maxCoeff());
    CHECK(largest <= 0.05f);
    CHECK(largest == doctest::Approx(0.05f)); // some weight sits on the boundary: clipping did happen
}

TEST_CASE("GAN: live settings pass the table's checks, and ApplyLiveSettings puts them in force")
{
    using ll::models::SetLiveHyper;
    ExperimentConfig config = TinyConfig("wgan_gp");
    Rng rng(1);
    Gan gan(config, 2, 0, rng);
    const std::vector<std::string> live = ll::models::LiveHyperNames(config);
    for (const char* name : {"g_lr", "d_lr", "batch_size", "d_steps", "gp_lambda", "real_label", "clip"})
    {
        CHECK(std::find(live.begin(), live.end(), name) != live.end());
    }
    CHECK(std::find(live.begin(), live.end(), "beta") == live.end());
    CHECK_THROWS_AS(SetLiveHyper(config, "beta", 1.0), std::invalid_argument); // the VAE's
    CHECK_THROWS_AS(SetLiveHyper(config, "r1_gamma", 1.0), std::invalid_argument); // applies on reset
    CHECK_THROWS_AS(SetLiveHyper(config, "g_lr", 0.0), std::invalid_argument);
    CHECK_THROWS_AS(SetLiveHyper(config, "d_lr", -1e-3), std::invalid_argument);
    CHECK_THROWS_AS(SetLiveHyper(config, "d_lr", std::nan("")), std::invalid_argument);
    CHECK_THROWS_AS(SetLiveHyper(config, "d_steps", 0), std::invalid_argument);
    CHECK_THROWS_AS(SetLiveHyper(config, "d_steps", 2.5), std::invalid_argument);
    CHECK_THROWS_AS(SetLiveHyper(config, "real_label", 1.5), std::invalid_argument);
    CHECK_THROWS_AS(SetLiveHyper(config, "clip", 0.0), std::invalid_argument);
    CHECK_THROWS_AS(SetLiveHyper(config, "gp_lambda", -1), std::invalid_argument);
    CHECK(config == TinyConfig("wgan_gp")); // refusals change nothing
    try
    {
        SetLiveHyper(config, "d_steps", 500);
        FAIL("no throw");
    }
    catch (const std::invalid_argument& e)
    {
        CHECK(std::string(e.what()) == "d_steps: gan.d_steps must be in [1, 100], got 500"); // name, key, range
    }
    SetLiveHyper(config, "d_steps", 5);
    SetLiveHyper(config, "g_lr", 1e-4);
    SetLiveHyper(config, "d_lr", 3e-4);
    SetLiveHyper(config, "gp_lambda", 5);
    CHECK(gan.DSteps() == 1); // nothing changes until the model reads the config
    gan.ApplyLiveSettings(config);
    CHECK(gan.DSteps() == 5);
    CHECK(gan.Optimizers()[0]->Config().learning_rate == doctest::Approx(1e-4));
    CHECK(gan.Optimizers()[1]->Config().learning_rate == doctest::Approx(3e-4));
    CHECK(gan.Formula().find("- 5 E[(||grad D(x_hat)||_2 - 1)^2]") != std::string::npos);
    SetLiveHyper(config, "gp_target", 0.5); // a new row of the table is live at once
    gan.ApplyLiveSettings(config);
    CHECK(gan.Formula().find("- 5 E[(||grad D(x_hat)||_2 - 0.5)^2]") != std::string::npos);
}

TEST_CASE("GAN: names, state, formula, clone and conditional decoding")
{
    ExperimentConfig config = TinyConfig("hinge");
    config.gan.conditional = true;
    Rng rng(4);
    Gan gan(config, 2, 3, rng);
    CHECK(gan.Family() == ll::models::Family::Gan);
    CHECK(gan.Objective() == "hinge");
    CHECK(gan.NumClasses() == 3);
    CHECK(gan.LatentDim() == 2);
    CHECK(gan.CanScore());
    auto nets = gan.Networks();
    REQUIRE(nets[0].params.size() == 4);
    CHECK(nets[0].params[0].name == "G.0.weight");
    CHECK(nets[1].params[3].name == "D.2.bias");
    CHECK(nets[0].params[0].value->cols() == 2 + 3); // noise + one-hot label
    CHECK(nets[1].params[0].value->cols() == 2 + 3); // data + one-hot label
    CHECK(gan.Optimizers().size() == 2);
    auto extra = gan.ExtraState();
    REQUIRE(extra.size() == 4);
    CHECK(extra[0].name == "D.0.sn_u");
    CHECK(extra[2].name == "D.2.sn_u");
    CHECK(gan.Formula().find("max(0, 1 - D(x))") != std::string::npos);

    nn::MatrixF z(2, 3), y = nn::MatrixF::Identity(3, 3), a, c, s1, s2;
    z << 0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f;
    CHECK_THROWS_AS(gan.Decode(z, nullptr, a), std::invalid_argument);
    gan.Decode(z, &y, a);
    CHECK(a.rows() == 2);
    CHECK(a.cols() == 3);
    auto clone = gan.CloneForInference();
    CHECK(clone->Optimizers().empty());
    clone->Decode(z, &y, c);
    CHECK(a == c);
    gan.Score(a, &y, s1);
    clone->Score(a, &y, s2);
    CHECK(s1 == s2);
    // The clone is independent: changing the live G does not change the clone's decoding.
    nets[0].params[1].value->array() += 1.0f;
    clone->Decode(z, &y, c);
    CHECK(a == c);

    Rng rng2(4);
    ExperimentConfig ns = TinyConfig("non_saturating");
    Gan plain(ns, 2, 0, rng2);
    CHECK(plain.Formula().find("G: max_G E[log D(G(z))]") != std::string::npos);
    CHECK(plain.ExtraState().empty());
    CHECK_THROWS_AS(TinyConfig("nonsense"), std::invalid_argument); // an unknown objective has no enum value
}

TEST_CASE("GAN: a step asks for d_steps + 1 batches, and a conditional GAN trains on labelled batches")
{
    // Two classes of 2-D points: class 0 near (1, 0), class 1 near (-1, 0); counts the batches asked for.
    class LabelledSource final : public BatchSource
    {
    public:
        int calls = 0;
        Batch Next(Rng& rng) override
        {
            ++calls;
            m_x.resize(2, 16);
            m_y.setZero(2, 16);
            for (Eigen::Index j = 0; j < 16; ++j)
            {
                const int c = static_cast<int>(rng.Below(2));
                m_y(c, j) = 1.0f;
                m_x(0, j) = (c == 0 ? 1.0f : -1.0f) + 0.05f * static_cast<float>(rng.Normal());
                m_x(1, j) = 0.05f * static_cast<float>(rng.Normal());
            }
            return Batch{&m_x, &m_y};
        }

    private:
        nn::MatrixF m_x, m_y;
    };
    ExperimentConfig config = TinyConfig("least_squares");
    config.gan.conditional = true;
    config.gan.d_steps = 3;
    Rng rng(8);
    Gan gan(config, 2, 2, rng);
    LabelledSource source;
    Metrics m;
    gan.TrainStep(source, rng, 0, StepPhase::Both, m);
    CHECK(source.calls == 4);
    gan.TrainStep(source, rng, 1, StepPhase::GeneratorOnly, m);
    CHECK(source.calls == 5);
    gan.TrainStep(source, rng, 2, StepPhase::DiscriminatorOnly, m);
    CHECK(source.calls == 8);
    for (const auto& [name, value] : m)
        CHECK(std::isfinite(value));

    // The label is an input of G: the same noise with a different label decodes to a different point.
    nn::MatrixF z = nn::MatrixF::Zero(2, 2), y = nn::MatrixF::Identity(2, 2), x;
    gan.Decode(z, &y, x);
    CHECK((x.col(0) - x.col(1)).norm() > 1e-6f);
}
