// InfoGAN in the GAN: the D step's and the G step's information gradients against a double-precision recomputation
// (the same layers in double, Q on D's body through the side gradient checked in test_info_gan.cpp), every objective
// carrying the term, the latent's layout, the refusals, a short ring-8 run where the code takes on modes, and an
// exact resume from a checkpoint with Q's parameters and optimiser state.
#include "../io/checkpoint_test_util.h"
#include "core/eval/code_agreement.h"
#include "core/models/config.h"
#include "core/models/gan.h"
#include "core/models/hyperparams.h"
#include "core/models/info_codes.h"
#include "toy_source.h"

#include <doctest/doctest.h>

#include <cmath>

using ll::Rng;
using ll::models::ExperimentConfig;
using ll::models::Gan;
using ll::models::GanObjective;
using ll::models::InfoCodes;
namespace nn = ll::nn;
using MatD = Eigen::MatrixXd;

namespace
{

// A small toy GAN with one categorical code of 3 values and one continuous code: G 2+4 -> 7 -> 2, D 2 -> 6 -> 5 -> 1.
ExperimentConfig InfoToyConfig(double lambda, GanObjective objective = GanObjective::NonSaturating)
{
    ExperimentConfig c;
    c.family = ll::models::Family::Gan;
    c.data.kind = ll::models::DataKind::Toy;
    c.gan.objective = objective;
    c.gan.noise_dim = 2;
    c.gan.generator.hidden = {7};
    c.gan.generator.activation = nn::ActivationKind::Tanh;
    c.gan.discriminator.hidden = {6, 5};
    c.gan.discriminator.activation = nn::ActivationKind::Tanh; // smooth: float and double agree closely
    c.gan.info_categorical = 1;
    c.gan.info_k = 3;
    c.gan.info_continuous = 1;
    c.gan.info_lambda = lambda;
    return c;
}

// A double copy of an MLP built from the same short form (same layer order), its parameters cast from the float one.
nn::Sequential<double> ToDouble(nn::Sequential<float>& net, std::vector<nn::Index> sizes, nn::ActivationKind act)
{
    nn::MlpSpec spec;
    spec.sizes = std::move(sizes);
    spec.hidden = act;
    Rng rng(1);
    nn::Sequential<double> out = nn::MakeMlp<double>(spec, rng);
    auto from = net.Params("");
    auto to = out.Params("");
    REQUIRE(from.size() == to.size());
    for (std::size_t i = 0; i < from.size(); ++i)
    {
        *to[i].value = from[i].value->cast<double>();
    }
    return out;
}

std::vector<MatD> Grads(const std::vector<nn::ParamRef<float>>& params)
{
    std::vector<MatD> out;
    for (const auto& p : params)
    {
        out.push_back(p.grad->cast<double>());
    }
    return out;
}

double MaxRelative(const MatD& a, const MatD& b)
{
    return (a - b).cwiseAbs().maxCoeff() / std::max(1e-6, b.cwiseAbs().maxCoeff());
}

// The double reference of the information term on fakes G(z): L = lambda L_I(Q(h(G(z))), c), h = D's body.
struct InfoReference
{
    std::vector<MatD> d_grads, q_grads, g_grads;
    double loss = 0;
};

InfoReference Reference(Gan& gan, const nn::MatrixF& z)
{
    const InfoCodes codes = gan.Codes();
    nn::Sequential<double> g = ToDouble(gan.Generator(), {2 + codes.Dim(), 7, 2}, nn::ActivationKind::Tanh);
    nn::Sequential<double> d = ToDouble(gan.Discriminator(), {2, 6, 5, 1}, nn::ActivationKind::Tanh);
    nn::Sequential<double> q = ToDouble(gan.InfoQ()->Network(), {5, ll::models::InfoHead::kQHidden, codes.QOutputs()},
                                        nn::ActivationKind::LeakyReLU);
    const std::size_t tap = gan.InfoQ()->TapLayer();
    REQUIRE(tap == 4);
    g.ZeroGrad();
    d.ZeroGrad();
    q.ZeroGrad();
    const MatD zd = z.cast<double>();
    const MatD c = zd.bottomRows(codes.Dim());
    const MatD& fake = g.Forward(zd);
    d.Forward(fake);
    MatD grad_q;
    InfoReference ref;
    ref.loss = ll::models::InfoLoss(codes, q.Forward(d.LayerInput(tap)), c, grad_q);
    const MatD dh = q.Backward(grad_q, true);
    const MatD dfake = d.Backward(MatD::Zero(1, z.cols()), true, true, tap, dh); // the information term only
    g.Backward(dfake, true);
    for (auto& p : d.Params(""))
    {
        ref.d_grads.push_back(*p.grad);
    }
    for (auto& p : q.Params(""))
    {
        ref.q_grads.push_back(*p.grad);
    }
    for (auto& p : g.Params(""))
    {
        ref.g_grads.push_back(*p.grad);
    }
    return ref;
}

} // namespace

TEST_CASE("InfoGAN: the latent is z then the codes, and Q's parameters and optimiser join the model's")
{
    Rng rng(4);
    Gan gan(InfoToyConfig(1.0), 2, 0, rng);
    CHECK(gan.LatentDim() == 2 + 4);
    CHECK(gan.Codes().Dim() == 4);
    nn::MatrixF z;
    gan.SampleLatent(rng, 50, z);
    REQUIRE(z.rows() == 6);
    for (nn::Index j = 0; j < z.cols(); ++j)
    {
        CHECK(z.col(j).segment(2, 3).sum() == 1.0f);
        CHECK(std::abs(z(5, j)) <= 1.0f);
    }
    const auto networks = gan.Networks();
    REQUIRE(networks.size() == 3);
    CHECK(networks[2].role == "Q");
    CHECK(networks[2].params.front().name == "Q.0.weight");
    CHECK(gan.Optimizers().size() == 3);
    nn::MatrixF out;
    gan.Decode(z, nullptr, out);
    CHECK(out.rows() == 2);
    CHECK(gan.Formula().find("lambda L_I") != std::string::npos);
    // Without codes nothing changes: no Q, the latent is z.
    ExperimentConfig plain = InfoToyConfig(1.0);
    plain.gan.info_categorical = 0;
    plain.gan.info_continuous = 0;
    Gan gan_plain(plain, 2, 0, rng);
    CHECK(gan_plain.LatentDim() == 2);
    CHECK(gan_plain.Networks().size() == 2);
    CHECK(gan_plain.InfoQ() == nullptr);
    CHECK(gan_plain.Formula().find("L_I") == std::string::npos);
}

TEST_CASE("InfoGAN: the D step adds the information term's gradients to Q and D's body, as a double reference says")
{
    // Same seed, lambda 0.7 against 0: the same networks; the gradients differ by exactly the information term.
    const double lambda = 0.7;
    Rng rng_a(9), rng_b(9);
    Gan with(InfoToyConfig(lambda), 2, 0, rng_a);
    Gan without(InfoToyConfig(0.0), 2, 0, rng_b);
    Rng rng(2);
    nn::MatrixF real = nn::MatrixF::Random(2, 6), z;
    with.SampleLatent(rng, 6, z);
    with.DiscriminatorGrad(real, nullptr, z, nullptr, false);
    without.DiscriminatorGrad(real, nullptr, z, nullptr, false);
    const std::vector<MatD> d_with = Grads(with.Networks()[1].params);
    const std::vector<MatD> d_without = Grads(without.Networks()[1].params);
    const std::vector<MatD> q_with = Grads(with.Networks()[2].params);

    ll::models::InfoCodes codes = with.Codes();
    const InfoReference ref = Reference(with, z);
    REQUIRE(ref.d_grads.size() == d_with.size());
    for (std::size_t i = 0; i < d_with.size(); ++i)
    {
        // lambda scales the reference (built with the model's lambda): the score layer's gradient is untouched.
        CHECK_MESSAGE(MaxRelative(d_with[i] - d_without[i], ref.d_grads[i]) < 1e-4, "D param ", i);
    }
    for (std::size_t i = 0; i < q_with.size(); ++i)
    {
        CHECK_MESSAGE(MaxRelative(q_with[i], ref.q_grads[i]) < 1e-4, "Q param ", i);
    }
    CHECK(ref.d_grads.back().cwiseAbs().maxCoeff() == 0.0); // the score layer's bias: Q does not read it
    CHECK(codes.lambda == lambda);
}

TEST_CASE("InfoGAN: the G step adds the information term's gradient to G's, as a double reference says")
{
    const double lambda = 1.3;
    Rng rng_a(21), rng_b(21);
    Gan with(InfoToyConfig(lambda), 2, 0, rng_a);
    Gan without(InfoToyConfig(0.0), 2, 0, rng_b);
    Rng rng(3);
    nn::MatrixF z;
    with.SampleLatent(rng, 5, z);
    const double loss_with = with.GeneratorGrad(z, nullptr);
    const double loss_without = without.GeneratorGrad(z, nullptr);
    const std::vector<MatD> g_with = Grads(with.Networks()[0].params);
    const std::vector<MatD> g_without = Grads(without.Networks()[0].params);
    const InfoReference ref = Reference(with, z);
    for (std::size_t i = 0; i < g_with.size(); ++i)
    {
        CHECK_MESSAGE(MaxRelative(g_with[i] - g_without[i], ref.g_grads[i]) < 1e-4, "G param ", i);
    }
    // G's loss reported is its adversarial term; the information term is reported apart (info_loss).
    CHECK(loss_with == doctest::Approx(loss_without).epsilon(1e-6));
    // The G step leaves Q's gradients alone (Q moves with D).
    for (const MatD& g : Grads(with.Networks()[2].params))
    {
        CHECK(g.cwiseAbs().maxCoeff() == 0.0);
    }
}

TEST_CASE("InfoGAN: every objective trains with codes, reporting the information loss and the MI bound")
{
    for (const GanObjective objective : {GanObjective::Minimax, GanObjective::NonSaturating, GanObjective::LeastSquares,
                                         GanObjective::WganClip, GanObjective::WganGp, GanObjective::Hinge})
    {
        CAPTURE(ll::util::NameOf(objective));
        Rng rng(5);
        Gan gan(InfoToyConfig(1.0, objective), 2, 0, rng);
        ll::test::ToySource source(ll::data::ToyKind::Ring8, 16);
        ll::models::Metrics metrics;
        gan.TrainStep(source, rng, 0, ll::models::StepPhase::Both, metrics);
        auto value = [&](const char* name) {
            for (const auto& [n, v] : metrics)
            {
                if (n == name)
                {
                    return v;
                }
            }
            return std::nan("");
        };
        CHECK(std::isfinite(value("info_loss")));
        CHECK(value("info_mi_max") == doctest::Approx(std::log(3.0)));
        CHECK(value("info_mi") <= value("info_mi_max"));
        CHECK(std::isfinite(value("d_loss")));
    }
}

TEST_CASE("InfoGAN: Validate refuses codes with packing and with a D that has no body, naming the keys")
{
    ExperimentConfig c = InfoToyConfig(1.0);
    c.gan.pack = 2;
    CHECK_THROWS_WITH_AS(ll::models::Validate(c), doctest::Contains("gan.pack"), std::invalid_argument);
    c.gan.pack = 1;
    c.gan.discriminator.hidden = {};
    CHECK_THROWS_WITH_AS(ll::models::Validate(c), doctest::Contains("gan.discriminator"), std::invalid_argument);
    c = InfoToyConfig(1.0);
    c.gan.info_k = 1;
    CHECK_THROWS_WITH_AS(ll::models::Validate(c), doctest::Contains("gan.info_k"), std::invalid_argument);
    CHECK_NOTHROW(ll::models::Validate(InfoToyConfig(1.0)));
}

TEST_CASE("InfoGAN on ring-8: after a short run each value of an 8-way code lands mostly on its own mode")
{
    ExperimentConfig c;
    c.family = ll::models::Family::Gan;
    c.data.kind = ll::models::DataKind::Toy;
    c.gan.noise_dim = 2;
    c.gan.generator.hidden = {64, 64};
    c.gan.generator.activation = nn::ActivationKind::ReLU;
    c.gan.discriminator.hidden = {64, 64};
    c.gan.discriminator.activation = nn::ActivationKind::ReLU;
    c.gan.g_opt.learning_rate = 1e-3;
    c.gan.d_opt.learning_rate = 1e-3;
    c.gan.info_categorical = 1;
    c.gan.info_k = 8;
    Rng rng(1);
    Gan gan(c, 2, 0, rng);
    ll::test::ToySource source(ll::data::ToyKind::Ring8, 128);
    const auto modes = source.Sampler().Modes();
    auto agreement = [&] {
        Rng eval_rng(77);
        nn::MatrixF z, x;
        gan.SampleLatent(eval_rng, 2000, z);
        gan.Decode(z, nullptr, x);
        return ll::eval::MeasureCodeAgreement(ll::models::LatentCodeValues(gan.Codes(), z, 0), 8,
                                              ll::eval::NearestModes(x, modes), 8);
    };
    const ll::eval::CodeAgreement before = agreement();
    ll::models::Metrics metrics;
    for (int step = 0; step < 1500; ++step)
    {
        metrics.clear();
        gan.TrainStep(source, rng, step, ll::models::StepPhase::Both, metrics);
    }
    const ll::eval::CodeAgreement after = agreement();
    MESSAGE("code/mode matching before " << before.match << ", after " << after.match << "; purity " << after.purity);
    CHECK(before.match < 0.4);
    CHECK(after.match > 0.6);
    CHECK(after.distinct >= 6);
}

TEST_CASE("InfoGAN: a run with codes resumed from a checkpoint matches the straight run bit for bit")
{
    using namespace ll;
    using namespace ll::io::test;
    TempDir dir("ckpt_infogan");
    models::ExperimentConfig config = TinyGan();
    config.gan.info_categorical = 1;
    config.gan.info_k = 8;
    config.gan.info_continuous = 1;
    const io::CheckpointData state = CheckExactResume(config, dir, 30);
    CHECK(state.config.gan.info_k == 8);
    CHECK(state.Find("param/Q.0.weight") != nullptr);
}

namespace
{

// Random 1x8x8 images in [0, 1], a fresh batch each call.
class ImageSource final : public ll::models::BatchSource
{
public:
    explicit ImageSource(nn::Index batch) : m_batch(batch) {}
    ll::models::Batch Next(Rng& rng) override
    {
        m_x.resize(64, m_batch);
        for (nn::Index i = 0; i < m_x.size(); ++i)
        {
            m_x.data()[i] = static_cast<float>(rng.Uniform());
        }
        return ll::models::Batch{&m_x, nullptr};
    }

private:
    nn::Index m_batch;
    nn::MatrixF m_x;
};

nn::LayerSpec Layer(nn::LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return nn::MakeLayerSpec(kind, args);
}

} // namespace

TEST_CASE("InfoGAN with a conv D: Q reads the flattened body features, and training lowers the information loss")
{
    ExperimentConfig c;
    c.family = ll::models::Family::Gan;
    c.data.kind = ll::models::DataKind::Idx; // images; the model is built directly on 1x8x8 below
    c.gan.noise_dim = 4;
    c.gan.generator.hidden = {32};
    c.gan.discriminator.layers = {
        Layer(nn::LayerKind::Conv, {{"out", 4}, {"kernel", 4}, {"stride", 2}, {"pad", 1}}),
        Layer(nn::LayerKind::LeakyReLU), Layer(nn::LayerKind::Flatten), Layer(nn::LayerKind::Linear, {{"out", 1}})};
    c.gan.info_categorical = 1;
    c.gan.info_k = 4;
    c.gan.info_continuous = 1;
    c.gan.g_opt.learning_rate = 1e-3;
    c.gan.d_opt.learning_rate = 1e-3;
    Rng rng(8);
    Gan gan(c, nn::Shape{1, 8, 8}, 0, rng);
    REQUIRE(gan.InfoQ() != nullptr);
    CHECK(gan.InfoQ()->TapLayer() == 3); // the input of the score layer: 4 x 4 x 4 features, flattened
    CHECK(gan.InfoQ()->Params().front().value->cols() == 64);
    ImageSource source(32);
    double first = 0, last = 0;
    for (int step = 0; step < 60; ++step)
    {
        ll::models::Metrics metrics;
        gan.TrainStep(source, rng, step, ll::models::StepPhase::Both, metrics);
        for (const auto& [name, value] : metrics)
        {
            if (name == "info_loss" && step < 5)
            {
                first += value / 5;
            }
            else if (name == "info_loss" && step >= 55)
            {
                last += value / 5;
            }
        }
    }
    MESSAGE("information loss: first 5 steps " << first << ", last 5 " << last);
    CHECK(std::isfinite(last));
    CHECK(last < 0.8 * first);
}
