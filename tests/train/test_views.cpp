// Tests of the views a session publishes for a VAE on 2-D data: the posterior of every shown point (means and
// standard deviations) matches the frozen model's own encoder, and a paused run's frozen model is the paused step's,
// also when the pause comes from loading a checkpoint.
#include "core/train/session.h"

#include "../support/tiny_ring.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

using namespace std::chrono_literals;
using ll::models::ExperimentConfig;
using ll::train::Session;
using ll::train::SessionOptions;
using ll::train::Status;

namespace
{

ExperimentConfig TinyToyVae()
{
    ExperimentConfig c = ll::test::TinyRing("test-vae-ring8", ll::models::Family::Vae);
    c.vae.encoder.hidden = {32};
    c.vae.decoder.hidden = {32};
    c.batch_size = 64;
    return c;
}

SessionOptions ViewOptions()
{
    SessionOptions o;
    o.threads = 1;
    o.view.points = 48;
    o.view.field_res = 8;
    o.model_interval = std::chrono::hours(1); // only forced publishes (load, pause) carry a new frozen model
    o.render_interval = std::chrono::hours(1);
    return o;
}

} // namespace

TEST_CASE("Views: a toy VAE's view gives each point's posterior sd, exp(logvar / 2) of the frozen model's encoder")
{
    Session s(ViewOptions());
    REQUIRE(s.WaitForCommand(s.Load(TinyToyVae()), 30s) != nullptr);
    const auto snap = s.WaitForCommand(s.RunUntil(40), 30s);
    REQUIRE(snap != nullptr);
    REQUIRE(snap->status == Status::Paused);
    REQUIRE(snap->view2d != nullptr);
    REQUIRE(snap->model != nullptr);
    const auto& v = *snap->view2d;
    // The view and the frozen model are of the same step, so the model's encoder must reproduce the view.
    REQUIRE(v.step == 40);
    REQUIRE(snap->model_step == 40);
    CHECK(v.real.rows() == 2);
    CHECK(v.real.cols() == 48);
    REQUIRE(v.latent_means.rows() == 2);
    REQUIRE(v.latent_means.cols() == 48);
    REQUIRE(v.latent_sds.rows() == 2);
    REQUIRE(v.latent_sds.cols() == 48);

    auto model = snap->model->CloneForInference();
    ll::nn::MatrixF mu, logvar;
    model->Encode(v.real, nullptr, mu, logvar);
    REQUIRE(mu.rows() == 2);
    REQUIRE(logvar.cols() == 48);
    for (ll::nn::Index i = 0; i < 48; ++i)
    {
        for (ll::nn::Index d = 0; d < 2; ++d)
        {
            INFO("point " << i << ", dim " << d);
            CHECK(v.latent_means(d, i) == doctest::Approx(mu(d, i)).epsilon(1e-5));
            const float expected = std::exp(0.5f * logvar(d, i));
            CHECK(v.latent_sds(d, i) == doctest::Approx(expected).epsilon(1e-5));
            CHECK(v.latent_sds(d, i) > 0.0f);
        }
    }
    // Not the prior's unit sd everywhere: the encoder has moved away from it, so the test can tell sd from 1.
    CHECK((v.latent_sds.array() - 1.0f).abs().maxCoeff() > 1e-3f);
}

TEST_CASE("Views: a GAN's view has no posterior (means and sds empty)")
{
    ExperimentConfig c = TinyToyVae();
    c.family = ll::models::Family::Gan;
    c.gan.noise_dim = 2;
    c.gan.generator.hidden = {16};
    c.gan.discriminator.hidden = {16};
    Session s(ViewOptions());
    const auto snap = s.WaitForCommand(s.Load(c), 30s);
    REQUIRE(snap != nullptr);
    REQUIRE(snap->view2d != nullptr);
    CHECK(snap->view2d->latent_means.size() == 0);
    CHECK(snap->view2d->latent_sds.size() == 0);
}

TEST_CASE("Views: a run paused by RunUntil publishes the frozen model of that step, however long model_interval is")
{
    Session s(ViewOptions());
    REQUIRE(s.WaitForCommand(s.Load(TinyToyVae()), 30s) != nullptr);
    auto snap = s.WaitForCommand(s.RunUntil(25), 30s);
    REQUIRE(snap != nullptr);
    CHECK(snap->step == 25);
    CHECK(snap->model_step == 25);
    snap = s.WaitForCommand(s.Step(3), 30s);
    REQUIRE(snap != nullptr);
    CHECK(snap->step == 28);
    CHECK(snap->model_step == 28);
}

TEST_CASE("Views: loading a checkpoint while paused publishes its model and views at once, however long the intervals")
{
    // The latent explorer of a checkpoint opened to be looked at, not trained: without a forced refresh it waited
    // for "the first model copy" until a step was trained.
    const std::string path = (std::filesystem::temp_directory_path() / "latentlab_views_load.ckpt").string();
    {
        Session s(ViewOptions());
        REQUIRE(s.WaitForCommand(s.Load(TinyToyVae()), 30s) != nullptr);
        REQUIRE(s.WaitForCommand(s.RunUntil(25), 30s) != nullptr);
        const auto saved = s.WaitForCommand(s.SaveCheckpoint(path), 30s);
        REQUIRE(saved != nullptr);
        REQUIRE(saved->checkpoint_error == "");
    }
    Session s(ViewOptions());
    REQUIRE(s.WaitForCommand(s.Load(TinyToyVae()), 30s) != nullptr);
    REQUIRE(s.WaitForCommand(s.RunUntil(3), 30s) != nullptr);
    const auto loaded = s.WaitForCommand(s.LoadCheckpoint(path), 30s);
    std::filesystem::remove(path);
    REQUIRE(loaded != nullptr);
    REQUIRE(loaded->checkpoint_error == "");
    CHECK(loaded->step == 25);
    CHECK(loaded->model_step == 25);
    REQUIRE(loaded->model != nullptr);
    REQUIRE(loaded->view2d != nullptr);
    CHECK(loaded->view2d->step == 25);
}
