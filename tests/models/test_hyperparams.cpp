// The hyperparameter table: every row is consistent (names unique, sliders inside the allowed range, the field's
// type matches "integer"), Validate, the JSON reader / writer and the live path all follow it.
#include "core/io/config_json.h"
#include "core/models/config.h"
#include "core/models/hyperparams.h"
#include "refusal.h"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

using ll::models::ExperimentConfig;
using ll::models::Family;
using ll::models::Hyperparam;
using ll::models::FindHyper;
using ll::models::Hyperparams;

namespace
{

ExperimentConfig Of(Family family)
{
    ExperimentConfig c;
    c.family = family;
    return c;
}

using ll::test::Refusal;

} // namespace

TEST_CASE("Hyperparams: names and keys are unique, defaults are allowed, sliders lie inside the allowed range")
{
    std::set<std::string> names, keys;
    for (const Hyperparam& h : Hyperparams())
    {
        CAPTURE(h.key);
        CHECK(names.insert(h.name).second);
        CHECK(keys.insert(h.key).second);
        CHECK(FindHyper(h.name) == &h);
        CHECK((h.field != nullptr));
        CHECK(h.lo <= h.hi);
        const bool shown = *h.label != '\0';
        CHECK(shown == (*h.tooltip != '\0')); // every control has a tooltip
        if (h.Live())
        {
            CHECK(shown); // a live setting nobody can move would be odd
            CHECK(h.slider_lo < h.slider_hi);
            CHECK(h.slider_lo >= h.lo);
            CHECK(h.slider_hi <= h.hi);
        }
        // The struct's default is an allowed value.
        const ExperimentConfig c = Of(h.family.value_or(Family::Vae));
        CHECK_NOTHROW(ll::models::CheckHyperValue(h, GetHyper(h, c)));
    }
    CHECK(FindHyper("no_such_knob") == nullptr);
    // Issue 12's drift: the slider for D steps now spans what the model accepts.
    const Hyperparam* d_steps = FindHyper("d_steps");
    REQUIRE(d_steps != nullptr);
    CHECK(d_steps->slider_lo == d_steps->lo);
    CHECK(d_steps->slider_hi == d_steps->hi);
    CHECK(d_steps->Integer());
    CHECK_FALSE(FindHyper("beta")->Integer());
    CHECK(FindHyper("warmup_steps")->Live()); // the VAE's warm-up changes the running experiment
}

TEST_CASE("Hyperparams: Validate refuses every row's value just outside its range, naming the key and the range")
{
    for (const Hyperparam& h : Hyperparams())
    {
        CAPTURE(h.key);
        ExperimentConfig c = Of(h.family.value_or(Family::Gan));
        const double outside = h.hi_open ? h.hi : h.hi + (h.Integer() ? 1.0 : h.hi * 0.5 + 1.0);
        ll::models::PutHyper(h, c, outside);
        const std::string message = Refusal(c);
        CHECK(message.find(std::string(h.key) + " must be in " + h.RangeText()) != std::string::npos);
        // The other family's rows are not validated: presets need not tune both.
        if (h.family)
        {
            c.family = *h.family == Family::Gan ? Family::Vae : Family::Gan;
            CHECK(Refusal(c).empty());
        }
    }
    CHECK(FindHyper("clip")->RangeText() == "(0, 10]");
    CHECK(FindHyper("g_ema")->RangeText() == "[0, 1)");
}

TEST_CASE("Hyperparams: the JSON reader and writer carry every row under its key")
{
    for (const Hyperparam& h : Hyperparams())
    {
        CAPTURE(h.key);
        ExperimentConfig c = Of(h.family.value_or(Family::Vae));
        // A value inside the range that differs from the default.
        const double v = h.Integer() ? std::floor(h.lo + 1) : (h.lo_open ? h.lo : h.lo) + (h.hi - h.lo) * 0.25;
        ll::models::PutHyper(h, c, v);
        REQUIRE(GetHyper(h, c) == v);
        const ExperimentConfig back = ll::io::ParseConfig(ll::io::ConfigToJson(c), "row.json");
        CHECK(GetHyper(h, back) == v);
        CHECK(back == c);
    }
    // By key path: "gan.g_opt.learning_rate" is the learning_rate inside gan's g_opt object.
    const ExperimentConfig c = ll::io::ParseConfig(
        R"({"family": "gan", "batch_size": 32, "gan": {"d_steps": 3, "g_opt": {"learning_rate": 0.005}}})", "k.json");
    CHECK(c.batch_size == 32);
    CHECK(c.gan.d_steps == 3);
    CHECK(c.gan.g_opt.learning_rate == 0.005);
    CHECK(ll::models::HyperValue(c, "g_lr") == 0.005);
    CHECK(std::isnan(ll::models::HyperValue(c, "beta"))); // the other family's
}

TEST_CASE("Hyperparams: live names are per family, and only live rows of the family can be set live")
{
    ExperimentConfig vae = Of(Family::Vae);
    CHECK(ll::models::LiveHyperNames(vae) == std::vector<std::string>{"lr", "batch_size", "beta", "warmup_steps"});
    ll::models::SetLiveHyper(vae, "warmup_steps", 300);
    CHECK(vae.vae.warmup_steps == 300);
    ll::models::SetLiveHyper(vae, "batch_size", 64);
    CHECK(vae.batch_size == 64);
    CHECK_THROWS_WITH_AS(ll::models::SetLiveHyper(vae, "latent_dim", 4), doctest::Contains("applies on reset"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::models::SetLiveHyper(vae, "g_lr", 1e-3), doctest::Contains("other family"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::models::SetLiveHyper(vae, "gamma", 1),
                         doctest::Contains("unknown hyperparameter \"gamma\" (live for a vae: \"lr\""),
                         std::invalid_argument);
    // Objective-specific rows act (and are shown) only under their objective.
    ExperimentConfig gan = Of(Family::Gan);
    const Hyperparam& gp = *FindHyper("gp_lambda");
    CHECK_FALSE(ActsOn(gp, gan));
    gan.gan.objective = ll::models::GanObjective::WganGp;
    CHECK(ActsOn(gp, gan));
    CHECK_FALSE(ActsOn(*FindHyper("real_label"), gan));
    CHECK(ActsOn(*FindHyper("batch_size"), gan));
}

TEST_CASE("Hyperparams: an optimizer's and a network's settings are rows for each role of the family")
{
    // Each setting once per optimizer (gan.g_opt, gan.d_opt, vae.opt) and per network, under its full key.
    for (const char* role : {"gan.g_opt.", "gan.d_opt.", "vae.opt."})
    {
        for (const char* leaf : {"beta1", "beta2", "epsilon", "momentum", "rho", "weight_decay"})
        {
            CAPTURE(role);
            CAPTURE(leaf);
            const Hyperparam* h = FindHyper(std::string(role) + leaf);
            REQUIRE(h != nullptr);
            CHECK(h->key == std::string(role) + leaf);
            CHECK(h->family == (role[0] == 'g' ? Family::Gan : Family::Vae));
            CHECK_FALSE(h->Live());
            CHECK(*h->label == '\0'); // not a control of the panel
        }
    }
    for (const char* net : {"gan.generator", "gan.discriminator", "vae.encoder", "vae.decoder"})
    {
        CAPTURE(net);
        const Hyperparam* h = FindHyper(std::string(net) + ".leaky_slope");
        REQUIRE(h != nullptr);
        CHECK(h->RangeText() == "[0, 1)");
    }
    // Each row points into its own optimizer: writing d_opt's beta1 leaves g_opt's alone.
    ExperimentConfig c = Of(Family::Gan);
    ll::models::PutHyper(*FindHyper("gan.d_opt.beta1"), c, 0.25);
    CHECK(c.gan.d_opt.beta1 == 0.25);
    CHECK(c.gan.g_opt.beta1 == 0.5);
    CHECK(ll::models::HyperValue(c, "gan.g_opt.beta2") == 0.999);
    // Validate and the JSON reader name the full key, as before the table held them.
    c.gan.g_opt.epsilon = 0;
    CHECK(Refusal(c) == "gan.g_opt.epsilon must be in (0, 1], got 0");
    CHECK_THROWS_WITH_AS(ll::io::ParseConfig(R"({"family": "gan", "gan": {"d_opt": {"momentum": "high"}}})", "o.json"),
                         doctest::Contains("o.json: gan.d_opt.momentum"), std::invalid_argument);
    const ExperimentConfig back = ll::io::ParseConfig(
        R"({"family": "vae", "vae": {"opt": {"rho": 0.5}, "encoder": {"leaky_slope": 0.1}}})", "r.json");
    CHECK(back.vae.opt.rho == 0.5);
    CHECK(back.vae.encoder.leaky_slope == 0.1);
    // The writer keeps the optimizer's keys in their order: kind, learning_rate, beta1, ..., weight_decay.
    const std::string text = ll::io::ConfigToJson(back);
    const std::size_t opt = text.find("\"opt\"");
    REQUIRE(opt != std::string::npos);
    std::size_t at = opt;
    for (const char* key : {"\"kind\"", "\"learning_rate\"", "\"beta1\"", "\"beta2\"", "\"epsilon\"", "\"momentum\"",
                            "\"rho\"", "\"weight_decay\""})
    {
        CAPTURE(key);
        const std::size_t next = text.find(key, at);
        REQUIRE(next != std::string::npos);
        at = next;
    }
}
