// Exact resume: 400 steps straight equal 200 steps, save, load into a fresh experiment, 200 more, bit for bit
// (metrics of every step and every tensor), for GANs (Adam; hinge with spectral norm) and a VAE on IDX data.
#include "checkpoint_test_util.h"

using namespace ll;
using namespace ll::io::test;

TEST_CASE("Checkpoint: a GAN with Adam resumed at step 200 matches 400 straight steps bit for bit")
{
    TempDir dir("ckpt_gan");
    CheckExactResume(TinyGan(), dir);
}

TEST_CASE("Checkpoint: a hinge GAN with spectral norm resumes exactly (power-iteration vectors are saved)")
{
    TempDir dir("ckpt_sn");
    CheckExactResume(TinyGan(models::GanObjective::Hinge, true), dir);
}

TEST_CASE("Checkpoint: a VAE on IDX data resumed mid-epoch matches 400 straight steps bit for bit")
{
    TempDir dir("ckpt_vae");
    CheckExactResume(TinyVae(dir.Path()), dir);
}

TEST_CASE("Checkpoint: hyperparameter changes before the save are in force after the load")
{
    TempDir dir("ckpt_hyper");
    const auto config = TinyGan();
    train::Experiment a(config, train::LoadExperimentData(config, ""));
    std::vector<models::Metrics> log;
    TrainSteps(a, 20, log);
    a.SetHyper("g_lr", 5e-4);
    TrainSteps(a, 10, log);
    const auto path = dir.Path() / "h.ckpt";
    io::SaveCheckpointFile(path, a.SaveState());
    auto b = train::Experiment::FromState(io::LoadCheckpointFile(path), train::LoadExperimentData(config, ""), "h");
    CHECK(b->Hyper("g_lr") == 5e-4);
    REQUIRE(b->Events().size() == 1);
    CHECK(b->Events()[0].step == 20);
    std::vector<models::Metrics> la, lb;
    TrainSteps(a, 30, la);
    TrainSteps(*b, 30, lb);
    CheckSameMetrics(la, lb);
}
