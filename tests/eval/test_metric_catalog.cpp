// The metric catalog: every series the models and evaluations log has a row, names are unique, every plotted
// metric's plot exists and every plot has a metric, and lookups by name and by per-dimension prefix find their rows.
#include "core/eval/metric_catalog.h"
#include "core/io/config_json.h"
#include "core/train/experiment.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>

namespace fs = std::filesystem;
using ll::eval::FindMetric;
using ll::eval::PlotId;

namespace
{

// The names one experiment logs in a few training steps and one evaluation.
std::set<std::string> LoggedNames(const ll::models::ExperimentConfig& config)
{
    ll::train::Experiment experiment(config, ll::train::LoadExperimentData(config, ""));
    std::set<std::string> names;
    ll::models::Metrics metrics;
    for (int i = 0; i < 3; ++i)
    {
        experiment.Step(ll::models::StepPhase::Both, metrics);
        for (const auto& [name, value] : metrics)
        {
            names.insert(name);
        }
    }
    for (const auto& [name, value] : experiment.Evaluate(experiment.Live(), false))
    {
        names.insert(name);
    }
    return names;
}

ll::models::ExperimentConfig Small(ll::models::ExperimentConfig config)
{
    config.batch_size = 32;
    config.eval_samples = 200;
    config.iwae_k = 4;
    return config;
}

} // namespace

TEST_CASE("Metric catalog: every series a GAN or a VAE on 2-D data logs, and its evaluation, has a row")
{
    const fs::path presets = fs::path(LATENTLAB_SOURCE_DIR) / "assets" / "presets";
    ll::models::ExperimentConfig r1 = ll::io::LoadPreset("gan-ring8", presets);
    r1.gan.r1_gamma = 1.0; // R1 logs its own penalty
    const ll::models::ExperimentConfig configs[] = {
        r1,
        ll::io::LoadPreset("wgan-gp-grid25", presets),
        ll::io::LoadPreset("hinge-sn-grid25", presets),
        ll::io::LoadPreset("minimax-saturation", presets),
        ll::io::LoadPreset("vae-ring8", fs::path(LATENTLAB_SOURCE_DIR) / "tests" / "app" / "presets"),
    };
    std::set<std::string> all;
    for (const ll::models::ExperimentConfig& config : configs)
    {
        for (const std::string& name : LoggedNames(Small(config)))
        {
            INFO(config.name << " logs " << name);
            CHECK(FindMetric(name) != nullptr);
            all.insert(name);
        }
    }
    // The runs above did log the GAN's, the critic's, R1's and the VAE's series, and both evaluations.
    for (const char* name : {"d_loss", "w_estimate", "gp", "r1_penalty", "loss", "kl_dim_1", "test_iwae", "grid_kl"})
    {
        CHECK(all.count(name) == 1);
    }
}

TEST_CASE("Metric catalog: names are unique, plots have rows and metrics, and every plot has a title")
{
    std::set<std::string> names;
    std::set<PlotId> used;
    for (const ll::eval::MetricInfo& m : ll::eval::Metrics())
    {
        INFO(m.name);
        CHECK(names.insert(m.name).second);
        CHECK(std::string(m.label).size() > 0);
        CHECK(m.color.a == 255);
        if (m.plot != PlotId::None)
        {
            CHECK_NOTHROW(ll::eval::FindPlot(m.plot));
            used.insert(m.plot);
        }
    }
    std::set<PlotId> plots;
    for (const ll::eval::PlotInfo& p : ll::eval::Plots())
    {
        INFO(p.title);
        CHECK(plots.insert(p.id).second);
        CHECK(used.count(p.id) == 1); // a plot nobody logs into would never show
        CHECK(std::string(p.title).size() > 0);
        CHECK(std::string(p.critic_title).empty() == std::string(p.critic_y_label).empty());
    }
    CHECK_THROWS_AS(ll::eval::FindPlot(PlotId::None), std::invalid_argument);
}

TEST_CASE("Metric catalog: lookups match exact names and per-dimension prefixes followed by a number only")
{
    REQUIRE(FindMetric("d_real") != nullptr);
    CHECK(std::string(FindMetric("d_real")->label) == "D(x)");
    CHECK(std::string(ll::eval::MetricLabel(*FindMetric("d_real"), true)) == "critic(x)");
    CHECK(std::string(ll::eval::MetricLabel(*FindMetric("d_real"), false)) == "D(x)");
    CHECK(std::string(ll::eval::MetricLabel(*FindMetric("d_loss"), true)) == "D loss");
    const ll::eval::PlotInfo& scores = ll::eval::FindPlot(PlotId::Scores);
    CHECK(std::string(ll::eval::PlotTitle(scores, false)) == "D(x) and D(G(z))");
    CHECK(std::string(ll::eval::PlotYLabel(scores, true)) == "score");
    REQUIRE(FindMetric("kl_dim_12") != nullptr);
    CHECK(std::string(FindMetric("kl_dim_12")->name) == "kl_dim_");
    CHECK(FindMetric("kl_dim_") == nullptr);
    CHECK(FindMetric("kl_dim_x") == nullptr);
    CHECK(FindMetric("kl")->plot == PlotId::Kl);
    CHECK(FindMetric("d_real_") == nullptr);
    CHECK(FindMetric("no_such_metric") == nullptr);
    CHECK(FindMetric("test_elbo")->evaluation);
    CHECK(FindMetric("modes_covered")->better == ll::eval::Better::Higher);
}
