// The exponential moving average of G's weights (gan.g_ema): the average follows avg = d avg + (1 - d) G after each
// G update, Decode draws from it (training never does), it is extra state for checkpoints, an inference clone keeps
// it, and a checkpointed run with it resumes bit for bit. Also the linear learning-rate decay (gan.lr_decay_*).
#include "../io/checkpoint_test_util.h"
#include "core/data/toy2d.h"
#include "core/models/config.h"
#include "core/models/gan.h"
#include "core/nn/network_spec.h"
#include "toy_source.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using ll::Rng;
using ll::models::ExperimentConfig;
using ll::models::Gan;
using ll::models::Metrics;
using ll::models::StepPhase;
namespace nn = ll::nn;

namespace
{

ExperimentConfig EmaConfig(double decay)
{
    ExperimentConfig c;
    c.family = ll::models::Family::Gan;
    c.gan.noise_dim = 2;
    c.gan.generator = {{8, 8}, ll::nn::ActivationKind::ReLU, 0.2, std::nullopt, false};
    c.gan.discriminator = {{8}, ll::nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    c.gan.g_opt = {nn::OptimizerKind::Adam, 1e-2, 0.5, 0.999};
    c.gan.d_opt = {nn::OptimizerKind::Adam, 1e-2, 0.5, 0.999};
    c.gan.g_ema = decay;
    return c;
}

// Copies of the values of a parameter list (the list points into layers that training changes).
std::vector<nn::MatrixF> Values(const std::vector<nn::ParamRef<float>>& params)
{
    std::vector<nn::MatrixF> out;
    for (const auto& p : params)
    {
        out.push_back(*p.value);
    }
    return out;
}

// The extra-state tensors whose name starts with prefix, in order.
std::vector<nn::ParamRef<float>> ExtraWithPrefix(Gan& gan, const std::string& prefix)
{
    std::vector<nn::ParamRef<float>> out;
    for (const auto& t : gan.ExtraState())
    {
        if (t.name.rfind(prefix, 0) == 0)
        {
            out.push_back(t);
        }
    }
    return out;
}

} // namespace

TEST_CASE("GAN EMA: the average starts at G, then follows avg = d avg + (1 - d) G after every G update")
{
    const double decay = 0.75;
    Rng rng(3);
    Gan gan(EmaConfig(decay), 2, 0, rng);
    CHECK(gan.GeneratorEma() == decay);
    const auto g_params = gan.Networks()[0].params;
    const auto avg = ExtraWithPrefix(gan, "G_ema.");
    REQUIRE(avg.size() == g_params.size());
    CHECK(avg[0].name == "G_ema.0.weight");
    CHECK(avg.back().name == "G_ema.4.bias");
    for (std::size_t i = 0; i < avg.size(); ++i)
    {
        CHECK(*avg[i].value == *g_params[i].value);
        CHECK(avg[i].grad == nullptr);
    }

    ll::test::ToySource source(ll::data::ToyKind::Ring8, 16);
    Metrics m;
    std::vector<nn::MatrixF> expected = Values(avg);
    for (int step = 0; step < 3; ++step)
    {
        gan.TrainStep(source, rng, step, StepPhase::Both, m);
        for (std::size_t i = 0; i < avg.size(); ++i)
        {
            expected[i] = static_cast<float>(decay) * expected[i] + static_cast<float>(1 - decay) * *g_params[i].value;
            CHECK((*avg[i].value - expected[i]).cwiseAbs().maxCoeff() <= 1e-6f);
        }
    }
    CHECK_FALSE(*avg[0].value == *g_params[0].value); // the average lags G

    // A D-only step does not move G, so the average stays where it is.
    const std::vector<nn::MatrixF> before = Values(avg);
    gan.TrainStep(source, rng, 3, StepPhase::DiscriminatorOnly, m);
    for (std::size_t i = 0; i < avg.size(); ++i)
    {
        CHECK(*avg[i].value == before[i]);
    }
}

TEST_CASE("GAN EMA: Decode draws from the average, training from G; without g_ema Decode is G")
{
    Rng rng(5);
    Gan gan(EmaConfig(0.9), 2, 0, rng);
    ll::test::ToySource source(ll::data::ToyKind::Ring8, 16);
    Metrics m;
    for (int step = 0; step < 5; ++step)
    {
        gan.TrainStep(source, rng, step, StepPhase::Both, m);
    }
    nn::MatrixF z(2, 4), decoded, from_avg, from_g;
    z << 0.1f, -0.5f, 1.2f, 0.3f, -0.7f, 0.2f, 0.4f, -1.1f;
    gan.Decode(z, nullptr, decoded);
    from_avg = gan.SamplingGenerator().Forward(z);
    from_g = gan.Generator().Forward(z);
    CHECK(decoded == from_avg);
    CHECK((decoded - from_g).cwiseAbs().maxCoeff() > 1e-4f); // after 5 steps at lr 1e-2 they differ

    // An inference clone carries the average (the UI's samples match the headless evaluation).
    auto clone = gan.CloneForInference();
    nn::MatrixF cloned;
    clone->Decode(z, nullptr, cloned);
    CHECK(cloned == decoded);
    nn::MatrixF bad(3, 4);
    CHECK_THROWS_AS(gan.Decode(bad, nullptr, decoded), std::invalid_argument);

    Rng rng_off(5);
    Gan off(EmaConfig(0.0), 2, 0, rng_off);
    CHECK(off.ExtraState().empty());
    CHECK(&off.SamplingGenerator() == &off.Generator());
    off.Decode(z, nullptr, decoded);
    CHECK(decoded == off.Generator().Forward(z));

    ExperimentConfig bad_decay = EmaConfig(1.0);
    CHECK_THROWS_AS(Gan(bad_decay, 2, 0, rng), std::invalid_argument);
}

TEST_CASE("GAN EMA: with BatchNorm in G the average keeps running statistics of its own activations, not G's")
{
    // G: linear 6 -> BatchNorm -> ReLU -> linear 2. With decay 0.999 the average stays near G's initial weights while
    // G, at Adam's lr 0.05, moves far; the average's BatchNorm must normalise what the average computes.
    ExperimentConfig c = EmaConfig(0.999);
    c.gan.generator.layers = {nn::MakeLayerSpec(nn::LayerKind::Linear, {{"out", 6}}),
                              nn::MakeLayerSpec(nn::LayerKind::BatchNorm, {}),
                              nn::MakeLayerSpec(nn::LayerKind::ReLU, {}),
                              nn::MakeLayerSpec(nn::LayerKind::Linear, {{"out", 2}})};
    c.gan.g_opt.learning_rate = 0.05;
    Rng rng(11);
    Gan gan(c, 2, 0, rng);
    ll::test::ToySource source(ll::data::ToyKind::Ring8, 512);
    Metrics m;
    for (int step = 0; step < 60; ++step)
    {
        gan.TrainStep(source, rng, step, StepPhase::Both, m);
    }
    // The first linear layer's output on z ~ N(0, I) has mean b and variance |W row|^2 per unit.
    // Every named tensor: G's parameters and state, and the extra state (the average's weights and statistics).
    std::vector<nn::ParamRef<float>> tensors = gan.ExtraState();
    for (auto list : {gan.Generator().Params("G."), gan.Generator().State("G.")})
    {
        tensors.insert(tensors.end(), list.begin(), list.end());
    }
    const auto find = [&](const std::string& name) {
        for (const auto& t : tensors)
        {
            if (t.name == name)
            {
                return *t.value;
            }
        }
        FAIL("no tensor named " << name);
        return nn::MatrixF();
    };
    const nn::MatrixF avg_w = find("G_ema.0.weight"), avg_b = find("G_ema.0.bias");
    const nn::MatrixF avg_mean = find("G_ema.1.running_mean"), avg_var = find("G_ema.1.running_var");
    const nn::MatrixF g_w = find("G.0.weight"), g_b = find("G.0.bias");
    const nn::MatrixF g_mean = find("G.1.running_mean");
    REQUIRE(avg_mean.rows() == 6);
    // G has moved away from the average (BatchNorm makes the first layer's scale free, and Adam grows it), so G's
    // statistics would be the wrong ones: its variances are far from what the average computes.
    const nn::MatrixF g_var = find("G.1.running_var");
    float widest = 0;
    for (int u = 0; u < 6; ++u)
    {
        widest = std::max(widest, std::abs(g_var(u, 0) / avg_w.row(u).squaredNorm() - 1.0f));
    }
    CHECK(widest > 0.5f);
    for (int u = 0; u < 6; ++u)
    {
        const float row_sq = avg_w.row(u).squaredNorm();
        // Batch statistics of 512 draws, averaged by the momentum over the last steps while the average moves a
        // little: within a few hundredths of a unit's scale, and within 15% where the scale is not tiny.
        CHECK(std::abs(avg_mean(u, 0) - avg_b(u, 0)) <= 0.05f * std::sqrt(row_sq) + 1e-3f);
        CHECK(std::abs(avg_var(u, 0) - row_sq) <= 0.15f * row_sq + 0.01f);
        CHECK(std::abs(g_mean(u, 0) - g_b(u, 0)) <= 0.05f * std::sqrt(g_w.row(u).squaredNorm()) + 0.05f);
    }
}

TEST_CASE("GAN EMA: the same seed gives the same training metrics with and without the average")
{
    // The average only reads G: it must not change the training run (no RNG draws, no effect on the updates).
    auto run = [](double decay) {
        Rng rng(9);
        Gan gan(EmaConfig(decay), 2, 0, rng);
        ll::test::ToySource source(ll::data::ToyKind::Ring8, 16);
        Metrics all, m;
        for (int step = 0; step < 20; ++step)
        {
            m.clear();
            gan.TrainStep(source, rng, step, StepPhase::Both, m);
            all.insert(all.end(), m.begin(), m.end());
        }
        return all;
    };
    CHECK(run(0.0) == run(0.99));
}

TEST_CASE("GAN EMA: a run with g_ema resumed from a checkpoint matches the straight run bit for bit")
{
    using namespace ll;
    using namespace ll::io::test;
    TempDir dir("ckpt_ema");
    models::ExperimentConfig config = TinyGan();
    config.gan.g_ema = 0.9;
    const io::CheckpointData state = CheckExactResume(config, dir, 30); // the state compared includes extra/G_ema.*
    bool has_average = false;
    for (const auto& t : state.tensors)
    {
        has_average = has_average || t.name == "extra/G_ema.0.weight";
    }
    CHECK(has_average);
    CHECK(state.config.gan.g_ema == 0.9);
}

TEST_CASE("GAN LR decay: both rates fall linearly to lr_decay_to at lr_decay_steps, then stay; SetHyper moves the base")
{
    ExperimentConfig config = EmaConfig(0.0);
    config.gan.g_opt.learning_rate = 1e-3;
    config.gan.d_opt.learning_rate = 4e-3;
    config.gan.lr_decay_steps = 100;
    config.gan.lr_decay_to = 0.1;
    Rng rng(6);
    Gan gan(config, 2, 0, rng);
    CHECK(gan.LearningRateFactor(0) == 1.0);
    CHECK(gan.LearningRateFactor(50) == doctest::Approx(0.55).epsilon(1e-12));
    CHECK(gan.LearningRateFactor(100) == doctest::Approx(0.1).epsilon(1e-12));
    CHECK(gan.LearningRateFactor(5000) == doctest::Approx(0.1).epsilon(1e-12));

    ll::test::ToySource source(ll::data::ToyKind::Ring8, 8);
    Metrics m;
    auto g_lr = [&] { return gan.Optimizers()[0]->Config().learning_rate; };
    auto d_lr = [&] { return gan.Optimizers()[1]->Config().learning_rate; };
    gan.TrainStep(source, rng, 50, StepPhase::Both, m); // the step index sets the rate, whatever came before
    CHECK(g_lr() == doctest::Approx(0.55e-3).epsilon(1e-12));
    CHECK(d_lr() == doctest::Approx(2.2e-3).epsilon(1e-12));
    gan.TrainStep(source, rng, 150, StepPhase::Both, m);
    CHECK(g_lr() == doctest::Approx(1e-4).epsilon(1e-12));
    config.gan.g_opt.learning_rate = 2e-3; // a new base: the schedule scales it from the next step on
    gan.ApplyLiveSettings(config);
    gan.TrainStep(source, rng, 75, StepPhase::Both, m);
    CHECK(g_lr() == doctest::Approx(2e-3 * 0.325).epsilon(1e-12));
    CHECK(d_lr() == doctest::Approx(4e-3 * 0.325).epsilon(1e-12));

    // Off (the default): the rates stay as configured.
    Rng rng_off(6);
    Gan off(EmaConfig(0.0), 2, 0, rng_off);
    CHECK(off.LearningRateFactor(123456) == 1.0);
    off.TrainStep(source, rng_off, 999, StepPhase::Both, m);
    CHECK(off.Optimizers()[0]->Config().learning_rate == 1e-2);

    ExperimentConfig bad = EmaConfig(0.0);
    bad.gan.lr_decay_to = 1.5;
    CHECK_THROWS_AS(Gan(bad, 2, 0, rng), std::invalid_argument);
}

TEST_CASE("GAN LR decay: a decaying run resumed from a checkpoint matches the straight run bit for bit")
{
    using namespace ll;
    using namespace ll::io::test;
    TempDir dir("ckpt_lr_decay");
    models::ExperimentConfig config = TinyGan();
    config.gan.lr_decay_steps = 50; // ends between the save (30) and the last step (60)
    config.gan.lr_decay_to = 0.2;
    config.gan.g_ema = 0.5;
    CheckExactResume(config, dir, 30);
}
