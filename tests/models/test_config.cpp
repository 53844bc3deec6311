// ExperimentConfig validation: defaults pass, each kind of nonsense is refused with a message naming the key and
// its range, and the memory estimate refuses absurd sizes.
#include "core/models/config.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using ll::models::ExperimentConfig;

namespace
{

// The message Validate throws (std::invalid_argument), or "" when it accepts the configuration.
std::string Refusal(const ExperimentConfig& config)
{
    try
    {
        ll::models::Validate(config);
    }
    catch (const std::invalid_argument& e)
    {
        return e.what();
    }
    return "";
}

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
    c.family = "gan";
    return c;
}

} // namespace

TEST_CASE("Config: the defaults of both families are accepted")
{
    ExperimentConfig vae;
    CHECK(Refusal(vae).empty());
    CHECK(Refusal(Gan()).empty());
    ExperimentConfig toy = Gan();
    toy.data.kind = "toy";
    toy.data.toy = "grid25";
    CHECK(Refusal(toy).empty());
    ExperimentConfig toy_vae;
    toy_vae.data.kind = "toy";
    toy_vae.vae.likelihood = "gaussian";
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

TEST_CASE("Config: unknown names are refused with the allowed list")
{
    ExperimentConfig c;
    c.family = "flow";
    CheckRefused(c, {"family", "\"vae\"", "\"gan\"", "\"flow\""});

    c = ExperimentConfig{};
    c.vae.likelihood = "poisson";
    CheckRefused(c, {"vae.likelihood", "\"bernoulli\"", "\"gaussian\"", "\"poisson\""});

    ExperimentConfig g = Gan();
    g.gan.objective = "wgan";
    CheckRefused(g, {"gan.objective", "\"wgan_gp\"", "\"hinge\""});
    g = Gan();
    g.gan.noise = "cauchy";
    CheckRefused(g, {"gan.noise", "\"uniform\""});
    g = Gan();
    g.gan.generator.activation = "gelu";
    CheckRefused(g, {"gan.generator.activation", "\"leaky_relu\""});

    c = ExperimentConfig{};
    c.vae.encoder.activation = "swish";
    CheckRefused(c, {"vae.encoder.activation"});
    // A Bernoulli decoder must emit logits; a sigmoid output would be applied twice.
    c = ExperimentConfig{};
    c.vae.decoder.output_activation = "sigmoid";
    CheckRefused(c, {"vae.decoder.output_activation"});
    c.vae.likelihood = "gaussian";
    CHECK(Refusal(c).empty());

    c = ExperimentConfig{};
    c.data.kind = "csv";
    CheckRefused(c, {"data.kind", "\"fashion-mnist\""});
    c = ExperimentConfig{};
    c.data.kind = "toy";
    c.data.toy = "hexagon";
    CheckRefused(c, {"data.toy", "\"ring8\""});
    c = ExperimentConfig{};
    c.data.kind = "idx";
    CheckRefused(c, {"data.dir"});
}

TEST_CASE("Config: a Bernoulli VAE on toy data is refused")
{
    // (Conditioning on toy data is refused by the models themselves: the data brings no classes.)
    ExperimentConfig c;
    c.data.kind = "toy";
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
    c.data.kind = "toy";
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
    d.kind = "toy";
    CHECK(ll::models::GuessDataDim(d) == 2);
    CHECK(ll::models::GuessNumClasses(d) == 0);
    d.kind = "folder";
    d.image_size = 32;
    d.grayscale = false;
    CHECK(ll::models::GuessDataDim(d) == 32 * 32 * 3);
}

TEST_CASE("Config: each network's init must be auto, he, xavier or torch")
{
    ExperimentConfig c;
    CHECK(c.vae.encoder.init == "auto"); // the default keeps the He/Xavier rule of configurations without the key
    for (const char* name : {"auto", "he", "xavier", "torch"})
    {
        c.vae.encoder.init = name;
        c.vae.decoder.init = name;
        CHECK(Refusal(c).empty());
    }
    c.vae.decoder.init = "kaiming";
    CheckRefused(c, {"vae.decoder.init", "\"auto\"", "\"he\"", "\"xavier\"", "\"torch\"", "got \"kaiming\""});
    c = ExperimentConfig{};
    c.vae.encoder.init = "";
    CheckRefused(c, {"vae.encoder.init", "got \"\""});

    ExperimentConfig g = Gan();
    g.gan.generator.init = "torch";
    g.gan.discriminator.init = "xavier";
    CHECK(Refusal(g).empty());
    g.gan.generator.init = "Torch";
    CheckRefused(g, {"gan.generator.init", "got \"Torch\""});
    g = Gan();
    g.gan.discriminator.init = "orthogonal";
    CheckRefused(g, {"gan.discriminator.init"});
    CHECK(ll::models::InitNames() == std::vector<std::string>{"auto", "he", "xavier", "torch"});
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
