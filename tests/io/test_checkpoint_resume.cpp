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

namespace
{

nn::LayerSpec L(nn::LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return nn::MakeLayerSpec(kind, args);
}

nn::LayerSpec Conv(nn::LayerKind kind, int out)
{
    return L(kind, {{"out", out}, {"kernel", 4}, {"stride", 2}, {"pad", 1}});
}

} // namespace

TEST_CASE("Checkpoint: a conv GAN with BatchNorm resumes exactly (running statistics are saved)")
{
    using K = nn::LayerKind;
    TempDir dir("ckpt_dcgan");
    models::ExperimentConfig c = TinyVae(dir.Path()); // its 28 x 28 IDX folder
    c.name = "ckpt-dcgan";
    c.family = models::Family::Gan;
    c.gan.noise_dim = 8;
    c.gan.conditional = true; // label planes in D
    c.gan.generator.layers = {L(K::Linear, {{"out", 4 * 7 * 7}}), L(K::BatchNorm), L(K::ReLU),
                              L(K::Reshape, {{"c", 4}, {"h", 7}, {"w", 7}}), Conv(K::ConvTranspose, 4),
                              L(K::BatchNorm), L(K::ReLU), Conv(K::ConvTranspose, 1), L(K::Sigmoid)};
    c.gan.discriminator.layers = {Conv(K::Conv, 4), L(K::LeakyReLU), Conv(K::Conv, 8), L(K::BatchNorm),
                                  L(K::LeakyReLU), L(K::Flatten), L(K::Linear, {{"out", 1}})};
    c.gan.g_ema = 0.9;
    const io::CheckpointData state = CheckExactResume(c, dir, 20);
    bool saw_running_stats = false;
    for (const auto& t : state.tensors)
    {
        saw_running_stats = saw_running_stats || t.name == "extra/D.3.running_var";
    }
    CHECK(saw_running_stats);
}

TEST_CASE("Checkpoint: a conv VAE resumes exactly")
{
    using K = nn::LayerKind;
    TempDir dir("ckpt_convvae");
    models::ExperimentConfig c = TinyVae(dir.Path());
    c.vae.encoder.layers = {Conv(K::Conv, 4), L(K::ReLU), Conv(K::Conv, 8), L(K::BatchNorm), L(K::ReLU),
                            L(K::Flatten), L(K::Linear, {{"out", 8}})};
    c.vae.decoder.layers = {L(K::Linear, {{"out", 8 * 7 * 7}}), L(K::ReLU),
                            L(K::Reshape, {{"c", 8}, {"h", 7}, {"w", 7}}),
                            Conv(K::ConvTranspose, 4), L(K::ReLU), Conv(K::ConvTranspose, 1)};
    CheckExactResume(c, dir, 20);
}
