// ExperimentConfig validation: defaults pass, each kind of nonsense is refused with a message naming the key and
// its range, and the memory estimate refuses absurd sizes.
#include "core/models/config.h"
#include "refusal.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using ll::models::ExperimentConfig;

namespace
{

using ll::test::Refusal;

void CheckRefused(const ExperimentConfig& config, const std::vector<std::string>& fragments)
{
    const std::string message = Refusal(config);
    INFO("message: " << message);
    REQUIRE_FALSE(message.empty());
    for (const std::string& fragment : fragments)
    {
        INFO("expected fragment: " << fragment);
        CHECK(message.find(fragment) != std::string::npos);
    }
}

ExperimentConfig Gan()
{
    ExperimentConfig c;
    c.family = ll::models::Family::Gan;
    return c;
}

} // namespace

TEST_CASE("Config: the defaults of both families are accepted")
{
    ExperimentConfig vae;
    CHECK(Refusal(vae).empty());
    CHECK(Refusal(Gan()).empty());
    ExperimentConfig toy = Gan();
    toy.data.kind = ll::models::DataKind::Toy;
    toy.data.toy = ll::data::ToyKind::Grid25;
    CHECK(Refusal(toy).empty());
    ExperimentConfig toy_vae;
    toy_vae.data.kind = ll::models::DataKind::Toy;
    toy_vae.vae.likelihood = ll::models::Likelihood::Gaussian;
    CHECK(Refusal(toy_vae).empty());
    CHECK(ll::models::IsToy(toy));
    CHECK_FALSE(ll::models::IsToy(vae));
}

TEST_CASE("Config: out-of-range numbers are refused with the key, the range and the value")
{
    ExperimentConfig c;
    c.vae.opt.learning_rate = -1;
    CHECK(Refusal(c) == "vae.opt.learning_rate must be in (0, 10], got -1");

    ExperimentConfig g = Gan();
    g.gan.d_steps = 0;
    CHECK(Refusal(g) == "gan.d_steps must be in [1, 100], got 0");

    c = ExperimentConfig{};
    c.vae.opt.learning_rate = std::numeric_limits<double>::quiet_NaN();
    CheckRefused(c, {"vae.opt.learning_rate", "(0, 10]"});

    c = ExperimentConfig{};
    c.vae.opt.beta2 = 1.0;
    CheckRefused(c, {"vae.opt.beta2", "[0, 1)", "got 1"});

    c = ExperimentConfig{};
    c.batch_size = 0;
    CheckRefused(c, {"batch_size", "[1, 65536]", "got 0"});
    c.batch_size = 100000;
    CheckRefused(c, {"batch_size", "[1, 65536]", "got 100000"});

    c = ExperimentConfig{};
    c.vae.latent_dim = 0;
    CheckRefused(c, {"vae.latent_dim", "[1, 4096]"});
    c.vae.latent_dim = 5000;
    CheckRefused(c, {"vae.latent_dim", "got 5000"});

    g = Gan();
    g.gan.noise_dim = 0;
    CheckRefused(g, {"gan.noise_dim", "[1, 4096]"});

    c = ExperimentConfig{};
    c.vae.beta = -0.5;
    CheckRefused(c, {"vae.beta", "[0, 1000]", "got -0.5"});
    c.vae.beta = 1001;
    CheckRefused(c, {"vae.beta", "[0, 1000]"});

    c = ExperimentConfig{};
    c.vae.warmup_steps = -1;
    CheckRefused(c, {"vae.warmup_steps"});

    c = ExperimentConfig{};
    c.vae.decoder.hidden = {256, 0};
    CheckRefused(c, {"vae.decoder.hidden[1] must be in [1, 65536], got 0"});
    c.vae.decoder.hidden = {70000};
    CheckRefused(c, {"vae.decoder.hidden[0]", "got 70000"});

    g = Gan();
    g.gan.real_label = 0.2;
    CheckRefused(g, {"gan.real_label", "[0.5, 1]"});
    g = Gan();
    g.gan.gp_lambda = -1;
    CheckRefused(g, {"gan.gp_lambda"});
    g = Gan();
    g.gan.discriminator.leaky_slope = 1.5;
    CheckRefused(g, {"gan.discriminator.leaky_slope", "[0, 1)"});

    c = ExperimentConfig{};
    c.iwae_k = 0;
    CheckRefused(c, {"iwae_k", "[1, 10000]"});
    c = ExperimentConfig{};
    c.metrics_every = 0;
    CheckRefused(c, {"metrics_every"});
}

TEST_CASE("Config: choices Validate refuses are named with the allowed list")
{
    // Unknown names cannot reach a config (they are enums; the JSON reader refuses them: test_config_json.cpp), but
    // some values are wrong in their place.
    ExperimentConfig g = Gan();
    g.gan.generator.activation = ll::nn::ActivationKind::Identity; // a hidden layer needs a non-linearity
    CheckRefused(g, {"gan.generator.activation", "\"leaky_relu\"", "got \"identity\""});
    // A Bernoulli decoder must emit logits; a sigmoid output would be applied twice.
    ExperimentConfig c;
    c.vae.decoder.output_activation = ll::nn::ActivationKind::Sigmoid;
    CheckRefused(c, {"vae.decoder.output_activation"});
    c.vae.likelihood = ll::models::Likelihood::Gaussian;
    CHECK(Refusal(c).empty());
    g = Gan();
    g.gan.discriminator.output_activation = ll::nn::ActivationKind::Tanh; // D outputs a raw score
    CheckRefused(g, {"gan.discriminator.output_activation", "got \"tanh\""});
    g.gan.discriminator.output_activation = ll::nn::ActivationKind::Identity;
    CHECK(Refusal(g).empty());

    c = ExperimentConfig{};
    c.data.kind = ll::models::DataKind::Idx;
    CheckRefused(c, {"data.dir"});
}

TEST_CASE("Config: every enum's name table round-trips its values and names them for the UI")
{
    using ll::util::NameOf;
    CHECK(NamesOf(ll::models::Family{}).Names() == std::vector<std::string>{"vae", "gan"});
    CHECK(NamesOf(ll::models::GanObjective{}).Names() ==
          std::vector<std::string>{"minimax", "non_saturating", "least_squares", "wgan_clip", "wgan_gp", "hinge"});
    CHECK(NamesOf(ll::models::Likelihood{}).Names() == std::vector<std::string>{"bernoulli", "gaussian"});
    CHECK(NamesOf(ll::models::DataKind{}).Names() ==
          std::vector<std::string>{"fashion-mnist", "idx", "folder", "toy"});
    CHECK(NamesOf(ll::nn::MlpInit{}).Names() == std::vector<std::string>{"auto", "he", "xavier", "torch"});
    for (const auto objective : NamesOf(ll::models::GanObjective{}).Values())
    {
        CHECK(NamesOf(objective).Parse(NameOf(objective), "gan.objective") == objective);
    }
    CHECK(NameOf(ll::models::GanNoise::Uniform) == "uniform");
    CHECK(NamesOf(ll::nn::ActivationKind{}).Find("none") == ll::nn::ActivationKind::Identity); // an alias
    CHECK(NameOf(ll::nn::ActivationKind::Identity) == "identity");                           // the canonical name
    try
    {
        NamesOf(ll::models::GanObjective{}).Parse("wgan-gp", "gan.objective");
        FAIL("parsed an unknown objective");
    }
    catch (const std::invalid_argument& e)
    {
        CHECK(std::string(e.what()) == "gan.objective must be one of \"minimax\", \"non_saturating\", \"least_squares\", "
                                       "\"wgan_clip\", \"wgan_gp\", \"hinge\", got \"wgan-gp\" (did you mean \"wgan_gp\"?)");
    }
    CHECK_THROWS_AS(NameOf(static_cast<ll::models::Family>(7)), std::logic_error);
}

TEST_CASE("Config: a Bernoulli VAE on toy data is refused")
{
    // (Conditioning on toy data is refused by the models themselves: the data brings no classes.)
    ExperimentConfig c;
    c.data.kind = ll::models::DataKind::Toy;
    CheckRefused(c, {"vae.likelihood", "\"gaussian\"", "toy"}); // 2-D points are not in [0, 1]
}

TEST_CASE("Config: the other family's section is not validated")
{
    ExperimentConfig c; // a VAE experiment
    c.gan.d_steps = 0;
    CHECK(Refusal(c).empty());
    ExperimentConfig g = Gan();
    g.vae.latent_dim = 0;
    CHECK(Refusal(g).empty());
}

TEST_CASE("Config: a 10^9-wide layer is refused with the memory estimate")
{
    ExperimentConfig c;
    c.vae.encoder.hidden = {1000000000};
    CheckRefused(c, {"estimated memory", "GiB", "exceeds the 4 GiB limit", "vae.encoder.hidden[0] = 1000000000"});

    ExperimentConfig g = Gan();
    g.gan.discriminator.hidden = {1000000000, 1000000000};
    CheckRefused(g, {"estimated memory", "gan.discriminator.hidden[0]"});

    // Within every range yet too big together: 8 layers of 65536 (8 x 2^32 parameters).
    c = ExperimentConfig{};
    c.vae.decoder.hidden = std::vector<int>(8, 65536);
    CheckRefused(c, {"estimated memory"});
}

TEST_CASE("Config: the memory estimate matches a hand count")
{
    // Toy data (2-D), latent 1, one hidden layer of 3 in each net, batch 1, Adam.
    ExperimentConfig c;
    c.data.kind = ll::models::DataKind::Toy;
    c.vae.latent_dim = 1;
    c.vae.encoder.hidden = {3};
    c.vae.decoder.hidden = {3};
    c.batch_size = 1;
    // Encoder 2 -> 3 -> 2: (2*3 + 3) + (3*2 + 2) = 17 parameters; decoder 1 -> 3 -> 2: (3 + 3) + (6 + 2) = 14.
    // Activations per example: encoder 2 + 4*3 + 3*2 = 20 floats, decoder 1 + 4*3 + 3*2 = 19 floats.
    const auto est = ll::models::EstimateMemory(c, ll::models::GuessDataDim(c.data), 0);
    CHECK(est.parameters == doctest::Approx(31 * 4.0));
    CHECK(est.gradients == doctest::Approx(31 * 4.0));
    CHECK(est.optimizer == doctest::Approx(2 * 31 * 4.0)); // Adam: m and v
    CHECK(est.activations == doctest::Approx(39 * 4.0));
    CHECK(est.Total() == doctest::Approx((31 * 4 + 39) * 4.0));
}

TEST_CASE("Config: the data dimension is guessed from the data section")
{
    ll::models::DataConfig d;
    CHECK(ll::models::GuessDataDim(d) == 784);
    CHECK(ll::models::GuessNumClasses(d) == 10);
    d.kind = ll::models::DataKind::Toy;
    CHECK(ll::models::GuessDataDim(d) == 2);
    CHECK(ll::models::GuessNumClasses(d) == 0);
    d.kind = ll::models::DataKind::Folder;
    d.image_size = 32;
    d.grayscale = false;
    CHECK(ll::models::GuessDataDim(d) == 32 * 32 * 3);
}

TEST_CASE("Config: each network's init is auto by default, and every init validates")
{
    ExperimentConfig c;
    CHECK(c.vae.encoder.init == ll::nn::MlpInit::Auto); // keeps the He/Xavier rule of configurations without the key
    for (const auto init : NamesOf(ll::nn::MlpInit{}).Values())
    {
        c.vae.encoder.init = init;
        c.vae.decoder.init = init;
        CHECK(Refusal(c).empty());
    }
    ExperimentConfig g = Gan();
    g.gan.generator.init = ll::nn::MlpInit::Torch;
    g.gan.discriminator.init = ll::nn::MlpInit::Xavier;
    CHECK(Refusal(g).empty());
}

TEST_CASE("Config: gan.g_ema must be at least 0 and below 1")
{
    ExperimentConfig g = Gan();
    CHECK(g.gan.g_ema == 0.0); // off unless asked for
    for (double ok : {0.0, 0.5, 0.999, 0.9999})
    {
        g.gan.g_ema = ok;
        CHECK(Refusal(g).empty());
    }
    g.gan.g_ema = 1.0; // a frozen average would never leave the initial weights
    CHECK(Refusal(g) == "gan.g_ema must be in [0, 1), got 1");
    g.gan.g_ema = -0.1;
    CheckRefused(g, {"gan.g_ema", "[0, 1)", "got -0.1"});
    g.gan.g_ema = std::numeric_limits<double>::quiet_NaN();
    CheckRefused(g, {"gan.g_ema"});
}

TEST_CASE("Config: gan.r1_gamma must be between 0 and 1000")
{
    ExperimentConfig g = Gan();
    CHECK(g.gan.r1_gamma == 0.0); // off unless asked for
    for (double ok : {0.0, 0.1, 10.0, 1000.0})
    {
        g.gan.r1_gamma = ok;
        CHECK(Refusal(g).empty());
    }
    g.gan.r1_gamma = -1;
    CHECK(Refusal(g) == "gan.r1_gamma must be in [0, 1000], got -1");
    g.gan.r1_gamma = 1001;
    CheckRefused(g, {"gan.r1_gamma", "got 1001"});
    g.gan.r1_gamma = std::numeric_limits<double>::quiet_NaN();
    CheckRefused(g, {"gan.r1_gamma"});
}

TEST_CASE("Config: gan.lr_decay_steps must be >= 0 and gan.lr_decay_to in [0, 1]")
{
    ExperimentConfig g = Gan();
    CHECK(g.gan.lr_decay_steps == 0); // off unless asked for
    g.gan.lr_decay_steps = 20000;
    g.gan.lr_decay_to = 0.05;
    CHECK(Refusal(g).empty());
    g.gan.lr_decay_steps = -1;
    CHECK(Refusal(g) == "gan.lr_decay_steps must be in [0, 1000000000000], got -1");
    g = Gan();
    g.gan.lr_decay_to = 1.5;
    CheckRefused(g, {"gan.lr_decay_to", "[0, 1]", "got 1.5"});
    g.gan.lr_decay_to = -0.5;
    CheckRefused(g, {"gan.lr_decay_to"});
}
