// Convolutional GANs and VAEs built from layer lists: Validate's shape checks and refusals (naming the network and
// the layer), label planes for a conditional conv D / encoder, BatchNorm's two modes (batch statistics in training
// forwards, running statistics for sampling), G's moving average carrying the running statistics, WGAN clipping of
// conv weights.
#include "core/models/gan.h"
#include "core/models/networks.h"
#include "core/models/vae.h"
#include "refusal.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

using namespace ll;
using models::ExperimentConfig;
using nn::LayerKind;
using nn::LayerSpec;
using test::Refusal;

namespace
{

LayerSpec L(LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return nn::MakeLayerSpec(kind, args);
}

LayerSpec Conv(LayerKind kind, int out, int kernel = 4, int stride = 2, int pad = 1)
{
    return L(kind, {{"out", out}, {"kernel", kernel}, {"stride", stride}, {"pad", pad}});
}

// Issue 13's dcgan on Fashion-MNIST (28 x 28).
ExperimentConfig Dcgan()
{
    ExperimentConfig c;
    c.family = models::Family::Gan;
    c.data.kind = models::DataKind::FashionMnist;
    c.gan.noise_dim = 64;
    c.gan.generator.layers = {L(LayerKind::Linear, {{"out", 1024}}), L(LayerKind::BatchNorm), L(LayerKind::ReLU),
                              L(LayerKind::Linear, {{"out", 6272}}), L(LayerKind::BatchNorm), L(LayerKind::ReLU),
                              L(LayerKind::Reshape, {{"c", 128}, {"h", 7}, {"w", 7}}),
                              Conv(LayerKind::ConvTranspose, 64), L(LayerKind::BatchNorm), L(LayerKind::ReLU),
                              Conv(LayerKind::ConvTranspose, 1), L(LayerKind::Sigmoid)};
    c.gan.discriminator.layers = {Conv(LayerKind::Conv, 64), L(LayerKind::LeakyReLU), Conv(LayerKind::Conv, 128),
                                  L(LayerKind::BatchNorm), L(LayerKind::LeakyReLU), L(LayerKind::Flatten),
                                  L(LayerKind::Linear, {{"out", 1024}}), L(LayerKind::BatchNorm),
                                  L(LayerKind::LeakyReLU), L(LayerKind::Linear, {{"out", 1}})};
    c.batch_size = 64;
    return c;
}

// A small conv GAN on 1 x 8 x 8 images: G z -> 8 x 4 x 4 -> 1 x 8 x 8; D 8 x 8 -> 6 x 4 x 4 -> 1.
ExperimentConfig SmallConvGan(bool batchnorm, bool conditional)
{
    ExperimentConfig c;
    c.family = models::Family::Gan;
    c.data.kind = models::DataKind::Folder;
    c.data.dir = "unused";
    c.data.image_size = 8;
    c.gan.noise_dim = 5;
    c.gan.conditional = conditional;
    c.gan.generator.layers = {L(LayerKind::Linear, {{"out", 128}})};
    if (batchnorm)
    {
        c.gan.generator.layers.push_back(L(LayerKind::BatchNorm));
    }
    c.gan.generator.layers.push_back(L(LayerKind::ReLU));
    c.gan.generator.layers.push_back(L(LayerKind::Reshape, {{"c", 8}, {"h", 4}, {"w", 4}}));
    c.gan.generator.layers.push_back(Conv(LayerKind::ConvTranspose, 1));
    c.gan.generator.layers.push_back(L(LayerKind::Sigmoid));
    c.gan.discriminator.layers = {Conv(LayerKind::Conv, 6)};
    if (batchnorm)
    {
        c.gan.discriminator.layers.push_back(L(LayerKind::BatchNorm));
    }
    c.gan.discriminator.layers.push_back(L(LayerKind::LeakyReLU));
    c.gan.discriminator.layers.push_back(L(LayerKind::Flatten));
    c.gan.discriminator.layers.push_back(L(LayerKind::Linear, {{"out", 1}}));
    c.gan.g_opt.learning_rate = c.gan.d_opt.learning_rate = 1e-3;
    c.batch_size = 6;
    return c;
}

// Random 1 x 8 x 8 images in [0, 1] with one-hot labels of 3 classes.
class ImageSource final : public models::BatchSource
{
public:
    ImageSource(nn::Index features, nn::Index batch, int classes) : m_x(features, batch), m_y(classes, batch) {}
    models::Batch Next(Rng& rng) override
    {
        for (nn::Index i = 0; i < m_x.size(); ++i)
        {
            m_x.data()[i] = static_cast<float>(rng.Uniform());
        }
        m_y.setZero();
        for (nn::Index j = 0; j < m_y.cols() && m_y.rows() > 0; ++j)
        {
            m_y(static_cast<nn::Index>(rng.Below(static_cast<std::uint64_t>(m_y.rows()))), j) = 1.0f;
        }
        return {&m_x, m_y.rows() > 0 ? &m_y : nullptr};
    }

private:
    nn::MatrixF m_x, m_y;
};

const nn::MatrixF* Find(const std::vector<nn::ParamRef<float>>& refs, const std::string& name)
{
    for (const auto& r : refs)
    {
        if (r.name == name)
        {
            return r.value;
        }
    }
    return nullptr;
}

} // namespace

TEST_CASE("Conv models: issue 13's dcgan validates on 28x28 data with the parameters counted layer by layer")
{
    const ExperimentConfig c = Dcgan();
    CHECK(Refusal(c).empty());
    const auto summaries = models::SummarizeNetworks(c, nn::Shape{1, 28, 28}, 10);
    REQUIRE(summaries.size() == 2);
    CHECK(summaries[0].name == "G");
    CHECK(summaries[0].input == nn::Shape::Flat(64));
    CHECK(summaries[0].output == (nn::Shape{1, 28, 28}));
    CHECK(summaries[0].layers[7].output == (nn::Shape{64, 14, 14}));
    const nn::Index g_params = (64 * 1024 + 1024) + 2 * 1024 + (1024 * 6272 + 6272) + 2 * 6272 +
                               (128 * 64 * 16 + 64) + 2 * 64 + (64 * 16 + 1);
    CHECK(summaries[0].params == g_params);
    CHECK(summaries[1].input == (nn::Shape{1, 28, 28}));
    CHECK(summaries[1].output == nn::Shape::Flat(1));
    const nn::Index d_params = (64 * 16 + 64) + (128 * 64 * 16 + 128) + 2 * 128 + (6272 * 1024 + 1024) + 2 * 1024 +
                               (1024 + 1);
    CHECK(summaries[1].params == d_params);
    // The memory estimate comes from the summaries: parameters, gradients and Adam's two moments, 4 bytes each.
    const models::MemoryEstimate est = models::EstimateMemory(c, nn::Shape{1, 28, 28}, 10);
    CHECK(est.parameters == doctest::Approx(4.0 * static_cast<double>(g_params + d_params)));
    CHECK(est.optimizer == doctest::Approx(8.0 * static_cast<double>(g_params + d_params)));
    CHECK(est.activations == doctest::Approx(static_cast<double>(summaries[0].ActivationBytes(64) +
                                                                 summaries[1].ActivationBytes(64))));
}

TEST_CASE("Conv models: Validate refuses a layer too small for its kernel, naming the network, layer and shape")
{
    ExperimentConfig c = Dcgan();
    // 28 -> 14 -> 7 -> 3, then a 4 x 4 kernel without padding does not fit.
    c.gan.discriminator.layers = {Conv(LayerKind::Conv, 16), Conv(LayerKind::Conv, 32), Conv(LayerKind::Conv, 64),
                                  Conv(LayerKind::Conv, 64, 4, 1, 0), L(LayerKind::Flatten),
                                  L(LayerKind::Linear, {{"out", 1}})};
    const std::string why = Refusal(c);
    CHECK(why.find("D layer 3 (conv, out 64, kernel 4") != std::string::npos);
    CHECK(why.find("input 64x3x3 is smaller than the kernel") != std::string::npos);
}

TEST_CASE("Conv models: Validate refuses networks whose output does not fit what the model needs")
{
    ExperimentConfig c = Dcgan();
    c.gan.generator.layers.resize(10); // stops at 64x14x14
    std::string why = Refusal(c);
    CHECK(why.find("G: output 64x14x14 (12544 values) does not match the data 1x28x28 (784 values)") !=
          std::string::npos);
    c = Dcgan();
    c.gan.discriminator.layers.back() = L(LayerKind::Linear, {{"out", 2}});
    why = Refusal(c);
    CHECK(why.find("D: output 2 (2 values) does not match one score") != std::string::npos);
    c = Dcgan();
    c.gan.discriminator.layers[0].args[2] = 9; // stride (table order: out, kernel, stride, pad, bias)
    CHECK(Refusal(c).find("gan.discriminator.layers[0]: conv.stride must be an integer in [1, 8], got 9") !=
          std::string::npos);
}

TEST_CASE("Conv models: a BatchNorm critic is refused with WGAN-GP and with R1, saying why")
{
    ExperimentConfig c = Dcgan();
    c.gan.objective = models::GanObjective::WganGp;
    std::string why = Refusal(c);
    CHECK(why.find("gan.discriminator layer 3 (batchnorm)") != std::string::npos);
    CHECK(why.find("the penalty is per example, and batch statistics mix the examples") != std::string::npos);
    c.gan.objective = models::GanObjective::NonSaturating;
    c.gan.r1_gamma = 1.0;
    why = Refusal(c);
    CHECK(why.find("R1 penalty") != std::string::npos);
    // The model refuses it too (tests and tools build models without Validate).
    Rng rng(1);
    CHECK_THROWS_WITH_AS(models::Gan(c, nn::Shape{1, 28, 28}, 10, rng), doctest::Contains("per example"),
                         std::invalid_argument);
    // Without BatchNorm in the critic (wgan-gp-dcgan-fashion's recipe) it is accepted.
    c.gan.discriminator.layers.erase(c.gan.discriminator.layers.begin() + 7);
    c.gan.discriminator.layers.erase(c.gan.discriminator.layers.begin() + 3);
    c.gan.objective = models::GanObjective::WganGp;
    c.gan.r1_gamma = 0.0;
    CHECK(Refusal(c).empty());
}

TEST_CASE("Conv models: a conditional conv D reads the labels as extra input planes, G reads them beside z")
{
    const ExperimentConfig c = SmallConvGan(true, true);
    const auto plans = models::PlanNetworks(c, nn::Shape{1, 8, 8}, 3);
    CHECK_FALSE(plans[0].label_planes);
    CHECK(plans[0].input == nn::Shape::Flat(5 + 3));
    CHECK(plans[1].label_planes);
    CHECK(plans[1].input == (nn::Shape{1 + 3, 8, 8}));

    Rng rng(3);
    models::Gan gan(c, nn::Shape{1, 8, 8}, 3, rng);
    const auto nets = gan.Networks();
    CHECK(Find(nets[1].params, "D.0.weight")->size() == 6 * 4 * 4 * 4); // Cout x k x k x (1 + 3)
    ImageSource source(64, 6, 3);
    models::Metrics m;
    for (int step = 0; step < 5; ++step)
    {
        m.clear();
        gan.TrainStep(source, rng, step, models::StepPhase::Both, m);
    }
    for (const auto& [name, value] : m)
    {
        INFO(name);
        CHECK(std::isfinite(value));
    }
}

TEST_CASE("Conv models: sampling uses BatchNorm's running statistics, so a sample does not depend on its batch")
{
    const ExperimentConfig c = SmallConvGan(true, false);
    Rng rng(4);
    models::Gan gan(c, nn::Shape{1, 8, 8}, 0, rng);
    ImageSource source(64, 6, 0);
    models::Metrics m;
    for (int step = 0; step < 3; ++step)
    {
        gan.TrainStep(source, rng, step, models::StepPhase::Both, m);
    }
    const nn::MatrixF mean_before = *Find(gan.ExtraState(), "G.1.running_mean");
    CHECK(mean_before.cwiseAbs().maxCoeff() > 0.0f); // training forwards moved the running statistics

    nn::MatrixF z, all, one;
    gan.SampleLatent(rng, 5, z);
    gan.Decode(z, nullptr, all);
    gan.Decode(z.leftCols(1), nullptr, one);
    CHECK((all.col(0) - one.col(0)).cwiseAbs().maxCoeff() < 1e-6f);
    // Sampling leaves the running statistics alone, and the next training step normalises with the batch again.
    CHECK(*Find(gan.ExtraState(), "G.1.running_mean") == mean_before);
    gan.TrainStep(source, rng, 3, models::StepPhase::Both, m);
    CHECK(*Find(gan.ExtraState(), "G.1.running_mean") != mean_before);

    // An inference copy samples the same way.
    auto clone = gan.CloneForInference();
    nn::MatrixF a, b;
    gan.Decode(z, nullptr, a);
    clone->Decode(z, nullptr, b);
    CHECK(a == b);
    clone->Decode(z, nullptr, b); // and stays on running statistics
    CHECK(a == b);
    // It keeps no gradient storage (a conv GAN's gradients are as large as its parameters).
    for (const auto& net : clone->Networks())
    {
        for (const auto& p : net.params)
        {
            CHECK(p.grad->size() == 0);
        }
    }
}

TEST_CASE("Conv models: G's moving average keeps BatchNorm running statistics of its own, in the checkpointed state")
{
    ExperimentConfig c = SmallConvGan(true, false);
    c.gan.g_ema = 0.9;
    Rng rng(5);
    models::Gan gan(c, nn::Shape{1, 8, 8}, 0, rng);
    ImageSource source(64, 6, 0);
    models::Metrics m;
    for (int step = 0; step < 3; ++step)
    {
        gan.TrainStep(source, rng, step, models::StepPhase::Both, m);
    }
    const auto state = gan.ExtraState();
    REQUIRE(Find(state, "G_ema.1.running_mean") != nullptr);
    REQUIRE(Find(state, "G_ema.1.running_var") != nullptr);
    const nn::MatrixF& avg_mean = *Find(state, "G_ema.1.running_mean");
    const nn::MatrixF& avg_var = *Find(state, "G_ema.1.running_var");
    // Moved from their start (0 and 1) by the average's own forwards, and not a copy of G's (other weights).
    CHECK(avg_mean.allFinite());
    CHECK(avg_var.allFinite());
    CHECK(avg_mean.cwiseAbs().maxCoeff() > 0.0f);
    CHECK((avg_var.array() - 1.0f).abs().maxCoeff() > 1e-3f);
    CHECK_FALSE(avg_mean == *Find(state, "G.1.running_mean"));
    CHECK_FALSE(avg_var == *Find(state, "G.1.running_var"));
}

TEST_CASE("Conv models: WGAN clipping clips convolution weights as well")
{
    ExperimentConfig c = SmallConvGan(false, false);
    c.gan.objective = models::GanObjective::WganClip;
    c.gan.clip = 0.01;
    Rng rng(6);
    models::Gan gan(c, nn::Shape{1, 8, 8}, 0, rng);
    ImageSource source(64, 6, 0);
    models::Metrics m;
    gan.TrainStep(source, rng, 0, models::StepPhase::DiscriminatorOnly, m);
    const nn::MatrixF* conv = Find(gan.Networks()[1].params, "D.0.weight");
    REQUIRE(conv != nullptr);
    CHECK(conv->cwiseAbs().maxCoeff() <= 0.01f);
    CHECK(conv->cwiseAbs().maxCoeff() > 0.005f); // clipped, not vanished
}

TEST_CASE("Conv models: a conditional conv VAE trains and encodes, its encoder reading label planes")
{
    ExperimentConfig c;
    c.family = models::Family::Vae;
    c.vae.latent_dim = 3;
    c.vae.conditional = true;
    c.vae.encoder.layers = {Conv(LayerKind::Conv, 4), L(LayerKind::ReLU), L(LayerKind::Flatten),
                            L(LayerKind::Linear, {{"out", 6}})};
    c.vae.decoder.layers = {L(LayerKind::Linear, {{"out", 64}}), L(LayerKind::ReLU),
                            L(LayerKind::Reshape, {{"c", 4}, {"h", 4}, {"w", 4}}), Conv(LayerKind::ConvTranspose, 1)};
    Rng rng(7);
    models::Vae vae(c.vae, nn::Shape{1, 8, 8}, 3, rng);
    CHECK(Find(vae.Networks()[0].params, "E.0.weight")->size() == 4 * 16 * 4);
    ImageSource source(64, 6, 3);
    models::Metrics m;
    double first = 0, last = 0;
    for (int step = 0; step < 30; ++step)
    {
        m.clear();
        vae.TrainStep(source, rng, step, models::StepPhase::Both, m);
        (step == 0 ? first : last) = m[0].second;
    }
    CHECK(last < first);
    const models::Batch batch = source.Next(rng);
    nn::MatrixF mu, logvar;
    vae.Encode(*batch.x, batch.labels, mu, logvar);
    CHECK(mu.rows() == 3);
    CHECK(mu.cols() == 6);
}

// Packing a conditional conv D: each example gets its label planes, then pairs are packed along the channels (D's
// first conv reads 2 x (1 + 3) planes). D's loss with WGAN-GP's penalty or R1, and G's loss, against central
// differences in float (step 1e-2 on weights of order 0.1; tanh keeps the loss smooth).
TEST_CASE("Conv models: a packed conditional conv D's penalties and G's step match finite differences")
{
    const nn::Shape shape{1, 8, 8};
    Rng data_rng(21);
    nn::MatrixF real(64, 4), z(5, 4), labels = nn::MatrixF::Zero(3, 4), eps(1, 2);
    for (nn::Index i = 0; i < real.size(); ++i)
        real.data()[i] = static_cast<float>(data_rng.Uniform());
    for (nn::Index i = 0; i < z.size(); ++i)
        z.data()[i] = static_cast<float>(data_rng.Normal());
    for (nn::Index j = 0; j < 4; ++j)
        labels(j % 3, j) = 1.0f;
    eps << 0.3f, 0.8f;

    // Central differences of loss over every entry of params, against the gradients the model left in them.
    auto check = [](const std::vector<nn::ParamRef<float>>& params, const std::function<double()>& loss)
    {
        std::vector<nn::MatrixF> analytic;
        for (const auto& p : params)
            analytic.push_back(*p.grad);
        const float h = 1e-2f;
        double worst = 0;
        for (std::size_t k = 0; k < params.size(); ++k)
        {
            nn::MatrixF& w = *params[k].value;
            for (nn::Index i = 0; i < w.size(); ++i)
            {
                const float keep = w.data()[i];
                w.data()[i] = keep + h;
                const double up = loss();
                w.data()[i] = keep - h;
                const double down = loss();
                w.data()[i] = keep;
                const double numeric = (up - down) / (2.0 * static_cast<double>(h));
                const double a = analytic[k].data()[i];
                CAPTURE(params[k].name);
                CAPTURE(i);
                CHECK(std::abs(a - numeric) <= 2e-3 + 2e-2 * std::abs(numeric));
                worst = std::max(worst, std::abs(numeric));
            }
        }
        CHECK(worst > 1e-3); // not vacuous
    };

    for (const char* penalty : {"wgan_gp", "r1"})
    {
        CAPTURE(penalty);
        ExperimentConfig c = SmallConvGan(false, true);
        c.gan.pack = 2;
        c.gan.discriminator.layers[1] = L(LayerKind::Tanh);
        c.gan.generator.layers[1] = L(LayerKind::Tanh);
        if (std::string(penalty) == "wgan_gp")
        {
            c.gan.objective = models::GanObjective::WganGp;
            c.gan.gp_lambda = 3.0;
        }
        else
        {
            c.gan.objective = models::GanObjective::NonSaturating;
            c.gan.r1_gamma = 2.0;
        }
        const auto plans = models::PlanNetworks(c, shape, 3);
        CHECK(plans[1].example == (nn::Shape{1 + 3, 8, 8}));
        CHECK(plans[1].input == (nn::Shape{2 * (1 + 3), 8, 8}));
        Rng rng(5);
        models::Gan gan(c, shape, 3, rng);
        const auto nets = gan.Networks();
        CHECK(Find(nets[1].params, "D.0.weight")->size() == 6 * 4 * 4 * 8);

        const auto stats = gan.DiscriminatorGrad(real, &labels, z, &eps, false);
        CHECK((std::string(penalty) == "wgan_gp" ? stats.gp : stats.r1) > 1e-4);
        check(nets[1].params, [&] { return gan.DiscriminatorGrad(real, &labels, z, &eps, false).loss; });

        gan.GeneratorGrad(z, &labels);
        check(nets[0].params, [&] { return gan.GeneratorGrad(z, &labels); });
    }
}
