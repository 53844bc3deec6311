// Tests of headless training: the files a run writes (CSV with every step, grids at sample steps, summary.json)
// and that it stops exactly at the requested step.
#include "core/train/headless.h"

#include "core/io/checkpoint.h"
#include "core/io/config_json.h"
#include "core/io/model_export.h"

#include "../support/tiny_ring.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using ll::models::ExperimentConfig;

namespace
{

constexpr std::int64_t kDrawnSteps = 1500;

// The tiny ring, wider, with an evaluation and a sample grid every 100 steps.
ExperimentConfig TinyToy(ll::models::Family family)
{
    ExperimentConfig c = ll::test::TinyRing("test-headless-" + ll::util::NameOf(family), family);
    c.gan.generator.hidden = {32, 32};
    c.gan.discriminator.hidden = {32, 32};
    c.vae.encoder.hidden = {32};
    c.vae.decoder.hidden = {32};
    c.batch_size = 64;
    c.eval_every = 100;
    c.eval_samples = 500;
    c.sample_every = 100;
    c.iwae_k = 8;
    return c;
}

fs::path FreshDir(const std::string& name)
{
    const fs::path dir = fs::temp_directory_path() / ("latentlab_test_" + name);
    fs::remove_all(dir);
    return dir;
}

int CountLines(const fs::path& path)
{
    std::ifstream in(path);
    std::string line;
    int n = 0;
    while (std::getline(in, line))
    {
        ++n;
    }
    return n;
}

} // namespace

TEST_CASE("RunHeadless: a toy GAN writes every step to the CSV, views at sample steps and the 2-D summary")
{
    const fs::path dir = FreshDir("gan");
    ll::train::HeadlessOptions options;
    options.steps = 250;
    options.out_dir = dir.string();
    options.threads = 1;
    std::ostringstream progress;
    options.progress = &progress;
    const auto result = ll::train::RunHeadless(TinyToy(ll::models::Family::Gan), options);
    CHECK(result.Ok());
    CHECK(result.steps == 250);
    CHECK(CountLines(dir / "metrics.csv") == 251); // header + one row per step
    CHECK(fs::exists(dir / "view2d_000100.png"));
    CHECK(fs::exists(dir / "view2d_000200.png"));
    CHECK(!fs::exists(dir / "view2d_000250.png")); // 250 is not a sample step
    CHECK(progress.str().find("step 250/250") != std::string::npos);

    std::ifstream in(dir / "summary.json");
    const auto j = nlohmann::json::parse(in);
    CHECK(j.at("steps").get<std::int64_t>() == 250);
    CHECK(j.at("seed").get<std::uint64_t>() == 3);
    CHECK(j.at("modes_total").get<int>() == 8);
    const int covered = j.at("modes_covered").get<int>();
    CHECK(covered >= 0);
    CHECK(covered <= 8);
    const double hq = j.at("high_quality").get<double>();
    CHECK(hq >= 0.0);
    CHECK(hq <= 1.0);
    CHECK(j.contains("grid_kl"));
    CHECK(j.contains("grid_js"));
    CHECK(j.contains("mmd"));
    CHECK(j.at("wall_seconds").get<double>() > 0.0);
    CHECK(j.at("steps_per_s").get<double>() > 0.0);
    fs::remove_all(dir);
}

TEST_CASE("RunHeadless: a VAE reports its test bounds with iwae_k, IWAE no looser than the ELBO by much")
{
    const fs::path dir = FreshDir("vae");
    ll::train::HeadlessOptions options;
    options.steps = 200;
    options.out_dir = dir.string();
    options.threads = 1;
    const auto result = ll::train::RunHeadless(TinyToy(ll::models::Family::Vae), options);
    REQUIRE(result.Ok());
    std::ifstream in(dir / "summary.json");
    const auto j = nlohmann::json::parse(in);
    CHECK(j.at("iwae_k").get<int>() == 8);
    const double elbo = j.at("test_elbo").get<double>();
    const double iwae = j.at("test_iwae").get<double>();
    CHECK(std::isfinite(elbo));
    // IWAE >= ELBO in expectation; with independent noise allow a small Monte Carlo slack.
    CHECK(iwae >= elbo - 0.05 * std::abs(elbo) - 0.05);
    fs::remove_all(dir);
}

TEST_CASE("RunHeadless: data that cannot be loaded is an exception naming the problem")
{
    ExperimentConfig bad = TinyToy(ll::models::Family::Gan);
    bad.data.kind = ll::models::DataKind::Idx;
    bad.data.dir = "/nonexistent/latentlab";
    ll::train::HeadlessOptions options;
    options.steps = 10;
    CHECK_THROWS_WITH_AS(ll::train::RunHeadless(bad, options), doctest::Contains("latentlab"), std::runtime_error);
}

TEST_CASE("LoadExperimentData: a drawn distribution (toy custom) samples its points with the drawn spread")
{
    ExperimentConfig c = TinyToy(ll::models::Family::Gan);
    c.data.toy = ll::data::ToyKind::Custom;
    c.data.points = {{-1.0f, 0.0f}, {1.0f, 0.5f}};
    c.data.spread = 0.05;
    const ll::train::ExperimentData data = ll::train::LoadExperimentData(c, "");
    REQUIRE(data.toy != nullptr);
    ll::Rng rng(4);
    ll::nn::MatrixF x;
    data.toy->Sample(rng, 4000, x);
    int left = 0;
    double sq = 0;
    for (Eigen::Index i = 0; i < x.cols(); ++i)
    {
        const bool l = x(0, i) < 0;
        left += l ? 1 : 0;
        const double dx = x(0, i) - (l ? -1.0 : 1.0), dy = x(1, i) - (l ? 0.0 : 0.5);
        sq += dx * dx + dy * dy;
    }
    CHECK(left > 1800);
    CHECK(left < 2200);
    CHECK(std::sqrt(sq / (2.0 * x.cols())) == doctest::Approx(0.05).epsilon(0.05)); // per-axis sd of the jitter
    ExperimentConfig moved = c;
    moved.data.points[1].x = 1.5f;
    CHECK(ll::train::DataKey(moved, "") != data.key); // another drawing is other data
}

TEST_CASE("RunHeadless: a drawn distribution trains a GAN and a VAE, their samples moving onto the drawing")
{
    for (const auto family : {ll::models::Family::Gan, ll::models::Family::Vae})
    {
        CAPTURE(ll::util::NameOf(family));
        ExperimentConfig c = TinyToy(family);
        c.data.toy = ll::data::ToyKind::Custom;
        for (int i = 0; i < 40; ++i) // a drawn stroke: the segment from (-1, -1) to (1, 1)
        {
            const float t = -1.0f + 2.0f * static_cast<float>(i) / 39.0f;
            c.data.points.push_back({t, t});
        }
        c.data.spread = 0.03;
        c.eval_every = 0;
        c.sample_every = 0;
        c.gan.g_opt.learning_rate = c.gan.d_opt.learning_rate = 1e-3;
        c.vae.encoder.hidden = c.vae.decoder.hidden = {64, 64}; // as the toy VAE preset (tests/app/presets)
        c.vae.opt.learning_rate = 2e-3;
        // Preset text -> config, as `latentlab train --config drawn.json` reads it.
        c = ll::io::ParseConfig(ll::io::ConfigToJson(c), "drawn.json");
        const fs::path dir = FreshDir("drawn_" + ll::util::NameOf(family));
        ll::train::HeadlessOptions options;
        options.steps = family == ll::models::Family::Gan ? kDrawnSteps : 2 * kDrawnSteps;
        options.threads = 1;
        options.out_dir = dir.string();
        const auto result = ll::train::RunHeadless(c, options);
        REQUIRE(result.Ok());
        // The trained model's samples: near the segment, and reaching both of its ends.
        ll::io::CheckpointModel trained =
            ll::io::ModelFromCheckpoint(ll::io::LoadCheckpointFile(dir / "final.ckpt"), "final.ckpt");
        ll::Rng rng(8);
        ll::nn::MatrixF x;
        trained.model->Sample(rng, 2000, nullptr, x);
        double off_line = 0;
        int low = 0, high = 0;
        for (Eigen::Index i = 0; i < x.cols(); ++i)
        {
            off_line += std::abs(x(1, i) - x(0, i)) / std::sqrt(2.0);
            low += x(0, i) < -0.5 ? 1 : 0;
            high += x(0, i) > 0.5 ? 1 : 0;
        }
        off_line /= static_cast<double>(x.cols());
        MESSAGE("mean distance from the drawn line " << off_line << ", ends " << low << " / " << high);
        CHECK(off_line < 0.15);
        CHECK(low > 200);
        CHECK(high > 200);
        fs::remove_all(dir);
    }
}
