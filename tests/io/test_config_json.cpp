// Config JSON: round trips, strict parsing with useful messages, and every shipped preset parses and validates.
#include "core/io/config_json.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;
using ll::models::ExperimentConfig;

namespace
{

const fs::path kPresetDir = fs::path(LATENTLAB_SOURCE_DIR) / "assets" / "presets";

// The message of the std::invalid_argument that ParseConfig throws, or "" if it does not throw.
std::string ParseError(const std::string& text)
{
    try
    {
        ll::io::ParseConfig(text, "test.json");
    }
    catch (const std::invalid_argument& e)
    {
        return e.what();
    }
    return "";
}

// A fresh empty folder under the system temp dir, removed when the test ends.
struct TempDir
{
    fs::path path;
    explicit TempDir(const std::string& tag)
    {
        path = fs::temp_directory_path() / ("latentlab-io-" + tag + "-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

void WriteText(const fs::path& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

} // namespace

TEST_CASE("Config JSON: a config with every field changed survives config -> JSON -> config")
{
    ExperimentConfig c;
    c.name = "round-trip";
    c.description = "Quotes \" and newlines \n and unicode \xc3\xa9 survive.";
    c.family = ll::models::Family::Gan;
    c.data.kind = ll::models::DataKind::Toy;
    c.data.toy = ll::data::ToyKind::Grid25;
    c.data.dir = "some/dir";
    c.data.image_size = 32;
    c.data.grayscale = false;
    c.gan.objective = ll::models::GanObjective::WganGp;
    c.gan.noise_dim = 7;
    c.gan.noise = ll::models::GanNoise::Uniform;
    c.gan.d_steps = 5;
    c.gan.real_label = 0.9;
    c.gan.clip = 0.02;
    c.gan.gp_lambda = 3.5;
    c.gan.conditional = true;
    c.gan.generator = {{128, 64, 32}, ll::nn::ActivationKind::Tanh, 0.1, ll::nn::ActivationKind::Sigmoid, true};
    c.gan.discriminator = {{}, ll::nn::ActivationKind::Softplus, 0.3, std::nullopt, true};
    c.gan.g_opt = {ll::nn::OptimizerKind::RmsProp, 1.0 / 3.0, 0.1, 0.2, 1e-7, 0.5, 0.95, 1e-5};
    c.gan.d_opt = {ll::nn::OptimizerKind::Sgd, 0.123456789012345, 0.0, 0.5, 1e-6, 0.9, 0.5, 0.0};
    c.vae.latent_dim = 3;
    c.vae.likelihood = ll::models::Likelihood::Gaussian;
    c.vae.gaussian_sigma = 0.25;
    c.vae.beta = 4.0;
    c.vae.warmup_steps = 1234567890123;
    c.vae.conditional = true;
    c.vae.encoder.hidden = {400, 200};
    c.vae.decoder.activation = ll::nn::ActivationKind::LeakyReLU;
    c.vae.opt.learning_rate = 5e-4;
    c.batch_size = 77;
    c.steps = 9876543210;
    c.seed = 18446744073709551615ull; // the full uint64 range
    c.metrics_every = 3;
    c.eval_every = 0;
    c.sample_every = 250;
    c.eval_samples = 1000;
    c.iwae_k = 5;

    const std::string text = ll::io::ConfigToJson(c);
    const ExperimentConfig back = ll::io::ParseConfig(text, "round-trip.json");
    CHECK(c == back); // operator== compares field by field
    CHECK(back.gan.g_opt.learning_rate == c.gan.g_opt.learning_rate); // doubles exact, not approximately
    CHECK(back.seed == c.seed);
    CHECK(back.gan.generator.hidden == c.gan.generator.hidden);
    CHECK(back.gan.discriminator.hidden.empty());
    CHECK(back.description == c.description);
    CHECK(ll::io::ConfigToJson(back) == text);
    CHECK_FALSE(c == ExperimentConfig{});
}

TEST_CASE("Config JSON: ToJson writes every field, and missing keys take the struct's defaults")
{
    const std::string text = ll::io::ConfigToJson(ExperimentConfig{});
    for (const char* key : {"\"name\"", "\"data\"", "\"image_size\"", "\"spectral_norm\"", "\"g_opt\"", "\"rho\"",
                            "\"weight_decay\"", "\"warmup_steps\"", "\"iwae_k\"", "\"eval_samples\""})
    {
        CHECK_MESSAGE(text.find(key) != std::string::npos, key);
    }
    const ExperimentConfig c = ll::io::ParseConfig(R"({"family": "gan", "gan": {"noise_dim": 2}})", "partial.json");
    ExperimentConfig expected;
    expected.family = ll::models::Family::Gan;
    expected.gan.noise_dim = 2;
    CHECK(c == expected);
    CHECK(ll::io::ParseConfig("{}", "empty.json") == ExperimentConfig{});
}

TEST_CASE("Config JSON: an unknown key is refused by its path, with a suggestion")
{
    std::string message = ParseError(R"({"family": "gan", "gan": {"optimiser_g": {}}})");
    CHECK(message == "test.json: gan.optimiser_g: unknown key (did you mean g_opt?)");

    message = ParseError(R"({"vae": {"encoder": {"hiden": [10]}}})");
    CHECK(message == "test.json: vae.encoder.hiden: unknown key (did you mean hidden?)");

    message = ParseError(R"({"batchsize": 3})");
    CHECK(message == "test.json: batchsize: unknown key (did you mean batch_size?)");

    message = ParseError(R"({"completely_unrelated": 3})");
    CHECK(message == "test.json: completely_unrelated: unknown key");
}

TEST_CASE("Config JSON: a syntax error is reported with file, line and column")
{
    // Line 3 is missing a comma before "steps": the parser stops at the '"' in column 5.
    const std::string text = "{\n    \"batch_size\": 64\n    \"steps\": 10\n}\n";
    const std::string message = ParseError(text);
    CHECK(message.rfind("test.json:3:5: invalid JSON: ", 0) == 0);
    CHECK(message.find("parse error at") == std::string::npos); // nlohmann's own prefix is replaced by ours

    const std::string unterminated = ParseError("{\n  \"name\": \"abc");
    CHECK(unterminated.rfind("test.json:2:", 0) == 0);

    CHECK(ParseError("[1, 2]").rfind("test.json: (top level): expected an object", 0) == 0);
}

TEST_CASE("Config JSON: comments are allowed")
{
    const ExperimentConfig c =
        ll::io::ParseConfig("{\n  // a comment\n  \"batch_size\": 64 /* inline */\n}", "comments.json");
    CHECK(c.batch_size == 64);
}

TEST_CASE("Config JSON: wrong types are refused by key path")
{
    CHECK(ParseError(R"({"batch_size": "64"})") == "test.json: batch_size: expected an integer, got string \"64\"");
    CHECK(ParseError(R"({"batch_size": 64.5})") == "test.json: batch_size: expected an integer, got number 64.5");
    CHECK(ParseError(R"({"vae": {"beta": true}})") == "test.json: vae.beta: expected a number, got boolean true");
    CHECK(ParseError(R"({"data": {"grayscale": 1}})") == "test.json: data.grayscale: expected true or false, got number 1");
    CHECK(ParseError(R"({"gan": {"generator": {"hidden": [64, "x"]}}})") ==
          "test.json: gan.generator.hidden[1]: expected an integer, got string \"x\"");
    CHECK(ParseError(R"({"gan": []})") == "test.json: gan: expected an object, got array []");
    CHECK(ParseError(R"({"seed": -1})").rfind("test.json: seed: expected a non-negative integer", 0) == 0);
    CHECK(ParseError(R"({"batch_size": 1e10})").rfind("test.json: batch_size: expected an integer", 0) == 0);
    CHECK(ParseError(R"({"vae": {"opt": {"kind": "adamw"}}})") ==
          "test.json: vae.opt.kind: must be one of \"sgd\", \"adam\", \"rmsprop\", got \"adamw\" (did you mean \"adam\"?)");
    CHECK(ParseError(R"({"family": 1})") ==
          "test.json: family: expected a string (one of \"vae\", \"gan\"), got number 1");
    // Whole numbers written as floats are fine where an integer is expected.
    CHECK(ll::io::ParseConfig(R"({"steps": 2e4})", "t.json").steps == 20000);
}

TEST_CASE("Config JSON: unknown names are refused by key path with the allowed list")
{
    const auto refused = [](const std::string& text, std::initializer_list<const char*> fragments)
    {
        const std::string message = ParseError(text);
        INFO("message: " << message);
        for (const char* fragment : fragments)
        {
            CHECK(message.find(fragment) != std::string::npos);
        }
    };
    refused(R"({"family": "flow"})", {"test.json: family: must be one of", "\"vae\"", "\"gan\"", "got \"flow\""});
    refused(R"({"vae": {"likelihood": "poisson"}})", {"vae.likelihood", "\"bernoulli\"", "\"gaussian\"", "\"poisson\""});
    refused(R"({"gan": {"objective": "wgan"}})", {"gan.objective", "\"wgan_gp\"", "\"hinge\""});
    refused(R"({"gan": {"noise": "cauchy"}})", {"gan.noise", "\"uniform\""});
    refused(R"({"gan": {"generator": {"activation": "gelu"}}})", {"gan.generator.activation", "\"leaky_relu\""});
    refused(R"({"gan": {"generator": {"output_activation": "swish"}}})", {"gan.generator.output_activation"});
    refused(R"({"data": {"kind": "csv"}})", {"data.kind", "\"fashion-mnist\""});
    refused(R"({"data": {"kind": "toy", "toy": "hexagon"}})", {"data.toy", "\"ring8\""});
    refused(R"({"vae": {"decoder": {"init": "kaiming"}}})",
            {"vae.decoder.init", "\"auto\"", "\"he\"", "\"xavier\"", "\"torch\"", "got \"kaiming\""});
    refused(R"({"vae": {"encoder": {"init": ""}}})", {"vae.encoder.init", "got \"\""});
    refused(R"({"gan": {"generator": {"init": "Torch"}}})", {"gan.generator.init", "got \"Torch\""}); // lower case
    // Aliases are accepted and written back as the canonical name; "" is the model's default output.
    const ExperimentConfig c =
        ll::io::ParseConfig(R"({"vae": {"encoder": {"output_activation": "none"}, "decoder": {"output_activation": ""}}})",
                            "aliases.json");
    CHECK(c.vae.encoder.output_activation == ll::nn::ActivationKind::Identity);
    CHECK_FALSE(c.vae.decoder.output_activation.has_value());
    const std::string text = ll::io::ConfigToJson(c);
    CHECK(text.find("\"output_activation\": \"identity\"") != std::string::npos);
    CHECK(text.find("\"output_activation\": \"\"") != std::string::npos);
}

TEST_CASE("Config JSON: Validate's message comes through, prefixed with the file name")
{
    const std::string message = ParseError(R"({"vae": {"opt": {"learning_rate": -0.001}}})");
    CHECK(message.rfind("test.json: vae.opt.learning_rate must be", 0) == 0);
    CHECK(ParseError(R"({"family": "gan", "gan": {"d_steps": 0}})").rfind("test.json: gan.d_steps must be", 0) == 0);
}

TEST_CASE("Config JSON: LoadConfigFile names the file, and a missing file is a runtime_error")
{
    TempDir dir("load");
    WriteText(dir.path / "broken.json", "{\"steps\": }");
    try
    {
        ll::io::LoadConfigFile(dir.path / "broken.json");
        FAIL("expected an exception");
    }
    catch (const std::invalid_argument& e)
    {
        CHECK(std::string(e.what()).rfind("broken.json:1:11: invalid JSON", 0) == 0);
    }
    CHECK_THROWS_AS(ll::io::LoadConfigFile(dir.path / "absent.json"), std::runtime_error);
}

TEST_CASE("Presets: every shipped preset parses, validates, and carries its own name and a description")
{
    const std::vector<ll::io::PresetInfo> presets = ll::io::ListPresets(kPresetDir);
    REQUIRE(presets.size() >= 10);
    for (const ll::io::PresetInfo& info : presets)
    {
        INFO(info.name);
        CHECK(info.error == "");
        CHECK(info.description.size() > 80);
        const ExperimentConfig c = ll::io::LoadPreset(info.name, kPresetDir);
        CHECK(c.name == info.name);
        // What ToJson writes is what the file means: parse(write(c)) == c.
        CHECK(ll::io::ParseConfig(ll::io::ConfigToJson(c), info.name) == c);
    }
    for (const char* name : {"gan-ring8", "gan-grid25-collapse", "wgan-gp-grid25", "hinge-sn-grid25",
                             "minimax-saturation", "gan-fashion", "cgan-fashion", "vae-fashion", "beta-vae-fashion",
                             "cvae-fashion", "vae-2d-latent-fashion"})
    {
        CHECK_MESSAGE(std::any_of(presets.begin(), presets.end(), [&](const auto& p) { return p.name == name; }),
                      name);
    }
    CHECK(std::is_sorted(presets.begin(), presets.end(), [](const auto& a, const auto& b) { return a.name < b.name; }));
}

TEST_CASE("Presets: the default vae-fashion runs 5 epochs of Fashion-MNIST at batch 128")
{
    const ExperimentConfig c = ll::io::LoadPreset("vae-fashion", kPresetDir);
    CHECK(c.family == ll::models::Family::Vae);
    CHECK(c.data.kind == ll::models::DataKind::FashionMnist);
    CHECK(c.batch_size == 128);
    CHECK(c.steps == 5 * (60000 / 128));
    CHECK(c.vae.latent_dim == 20);
}

TEST_CASE("Presets: a broken preset is listed with its error, an unknown name lists the available ones")
{
    TempDir dir("presets");
    WriteText(dir.path / "good.json", R"({"name": "good", "description": "fine"})");
    WriteText(dir.path / "bad.json", R"({"name": "bad", "batch_size": 0})");
    WriteText(dir.path / "renamed.json", R"({"name": "other"})");
    WriteText(dir.path / "notes.txt", "not a preset");
    const std::vector<ll::io::PresetInfo> presets = ll::io::ListPresets(dir.path);
    REQUIRE(presets.size() == 3);
    CHECK(presets[0].name == "bad");
    CHECK(presets[0].error.find("batch_size must be") != std::string::npos);
    CHECK(presets[1].name == "good");
    CHECK(presets[1].description == "fine");
    CHECK(presets[1].error.empty());
    CHECK(presets[2].error.find("does not match the file name") != std::string::npos);
    try
    {
        ll::io::LoadPreset("nope", dir.path);
        FAIL("expected an exception");
    }
    catch (const std::invalid_argument& e)
    {
        CHECK(std::string(e.what()).find("available: bad, good, renamed") != std::string::npos);
    }
    CHECK_THROWS_AS(ll::io::ListPresets(dir.path / "absent"), std::runtime_error);
}

TEST_CASE("Presets: FindPresetDir honours LATENTLAB_PRESETS, else finds the source tree's presets")
{
    TempDir dir("find");
    const char* old = std::getenv("LATENTLAB_PRESETS");
    const std::string saved = old ? old : "";
    ::setenv("LATENTLAB_PRESETS", dir.path.c_str(), 1);
    CHECK(ll::io::FindPresetDir() == dir.path);
    ::setenv("LATENTLAB_PRESETS", (dir.path / "absent").c_str(), 1);
    CHECK_THROWS_AS(ll::io::FindPresetDir(), std::runtime_error);
    ::unsetenv("LATENTLAB_PRESETS");
    CHECK(fs::equivalent(ll::io::FindPresetDir(), kPresetDir));
    if (old)
    {
        ::setenv("LATENTLAB_PRESETS", saved.c_str(), 1);
    }
}

TEST_CASE("Config JSON: layer lists read in every form, round-trip, and an MLP writes no layers key")
{
    const std::string text = R"({"family": "gan", "gan": {"generator": {"layers": [
        {"linear": 1024}, {"batchnorm": {}}, {"relu": {}}, {"linear": {"out": 6272, "bias": false}},
        {"reshape": [128, 7, 7]}, {"conv_transpose": {"out": 64, "kernel": 4, "stride": 2, "pad": 1}},
        {"leaky_relu": 0.1}, {"conv_transpose": [1, 4, 2, 1]}, {"sigmoid": {}}]}}})";
    const ExperimentConfig c = ll::io::ParseConfig(text, "layers.json");
    const auto& layers = c.gan.generator.layers;
    REQUIRE(layers.size() == 9);
    CHECK(layers[0] == ll::nn::MakeLayerSpec(ll::nn::LayerKind::Linear, {{"out", 1024}}));
    CHECK(layers[3] == ll::nn::MakeLayerSpec(ll::nn::LayerKind::Linear, {{"out", 6272}, {"bias", 0}}));
    CHECK(layers[4] == ll::nn::MakeLayerSpec(ll::nn::LayerKind::Reshape, {{"c", 128}, {"h", 7}, {"w", 7}}));
    CHECK(layers[5] == ll::nn::MakeLayerSpec(ll::nn::LayerKind::ConvTranspose,
                                             {{"out", 64}, {"kernel", 4}, {"stride", 2}, {"pad", 1}}));
    CHECK(layers[6].Arg("slope") == 0.1);

    const std::string written = ll::io::ConfigToJson(c);
    CHECK(written.find("\"conv_transpose\": {") != std::string::npos);
    CHECK(ll::io::ParseConfig(written, "written.json") == c);
    // The MLP short form (the discriminator here) writes no layers key: configs without layer lists read as before.
    CHECK(written.find("\"layers\"") == written.rfind("\"layers\""));
}

TEST_CASE("Config JSON: bad layers are refused by their path")
{
    CHECK(ParseError(R"({"gan": {"generator": {"layers": [{"linear": 8}, {"convo": {}}]}}})")
              .find("gan.generator.layers[1]: unknown layer kind 'convo'") != std::string::npos);
    CHECK(ParseError(R"({"gan": {"generator": {"layers": [{"conv": {"out": 8}}]}}})")
              .find("gan.generator.layers[0].conv: conv.kernel must be an integer in [1, 15], got nothing") !=
          std::string::npos);
    CHECK(ParseError(R"({"gan": {"generator": {"layers": [{"conv": {"out": 8, "kernal": 3}}]}}})")
              .find("conv has no argument 'kernal'") != std::string::npos);
    CHECK(ParseError(R"({"gan": {"generator": {"layers": [{"relu": {}, "tanh": {}}]}}})")
              .find("gan.generator.layers[0]: expected an object with one key") != std::string::npos);
    CHECK(ParseError(R"({"gan": {"generator": {"layers": {"relu": {}}}}})")
              .find("gan.generator.layers: expected an array of layers") != std::string::npos);
}

TEST_CASE("Config JSON: drawn points and their spread round-trip, and a drawn preset validates")
{
    ExperimentConfig c;
    c.family = ll::models::Family::Gan;
    c.data.kind = ll::models::DataKind::Toy;
    c.data.toy = ll::data::ToyKind::Custom;
    c.data.points = {{0.25f, -1.5f}, {1.0f / 3.0f, 2.0f}, {-99.5f, 100.0f}};
    c.data.spread = 0.02;
    const std::string text = ll::io::ConfigToJson(c);
    CHECK(text.find("\"points\"") != std::string::npos);
    const ExperimentConfig back = ll::io::ParseConfig(text, "drawn.json");
    CHECK(back.data.points == c.data.points); // floats exact through JSON doubles
    CHECK(back.data.spread == 0.02);
    CHECK(back == c);
}

TEST_CASE("Config JSON: drawn points are refused by path when malformed, too many, or missing for a custom toy")
{
    const std::string head = R"({"family": "gan", "data": {"kind": "toy", "toy": "custom", )";
    CHECK(ParseError(head + R"("points": [[1, 2], [3]]}})") ==
          "test.json: data.points[1]: expected a point [x, y], got array [3]");
    CHECK(ParseError(head + R"("points": {"x": 1}}})").find("data.points: expected an array of [x, y] points") !=
          std::string::npos);
    std::string many = head + R"("points": [)";
    for (int i = 0; i < 20001; ++i)
    {
        many += i ? ",[0,0]" : "[0,0]";
    }
    CHECK(ParseError(many + "]}}") == "test.json: data.points: 20001 points, at most 20000");
    CHECK(ParseError(head + R"("points": []}})").find("data.points must hold 1 to 20000 drawn points") !=
          std::string::npos);
    CHECK(ParseError(head + R"("points": [[0, 1000]]}})").find("data.points[0] must lie within +-100") !=
          std::string::npos);
    CHECK(ParseError(head + R"("points": [[0, 1]], "spread": 0}})").find("data.spread") != std::string::npos);
}
