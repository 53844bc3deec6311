// Tests of headless training: the files a run writes (CSV with every step, grids at sample steps, summary.json)
// and that it stops exactly at the requested step.
#include "core/train/headless.h"

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

ExperimentConfig TinyToy(ll::models::Family family)
{
    ExperimentConfig c;
    c.name = "test-headless-" + ll::util::NameOf(family);
    c.family = family;
    c.data.kind = ll::models::DataKind::Toy;
    c.data.toy = ll::data::ToyKind::Ring8;
    c.gan.noise_dim = 2;
    c.gan.generator.hidden = {32, 32};
    c.gan.discriminator.hidden = {32, 32};
    c.vae.latent_dim = 2;
    c.vae.likelihood = ll::models::Likelihood::Gaussian;
    c.vae.encoder.hidden = {32};
    c.vae.decoder.hidden = {32};
    c.batch_size = 64;
    c.seed = 3;
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
