// Helpers for the checkpoint tests: tiny experiments (a toy GAN, a VAE on synthetic IDX files written to a temp
// folder), training loops that log every metric, and bitwise comparisons.
#pragma once

#include "../data/data_test_util.h"
#include "../support/tiny_ring.h"
#include "core/io/checkpoint.h"
#include "core/train/experiment.h"

#include <doctest/doctest.h>

#include <bit>
#include <cstring>

namespace ll::io::test
{

using data::test::TempDir;

inline models::ExperimentConfig TinyGan(models::GanObjective objective = models::GanObjective::NonSaturating,
                                        bool spectral = false)
{
    models::ExperimentConfig c = ll::test::TinyRing("ckpt-gan");
    c.gan.objective = objective;
    c.gan.generator.hidden = {16, 16};
    c.gan.discriminator.hidden = {16, 16};
    c.gan.discriminator.spectral_norm = spectral;
    c.gan.g_opt.learning_rate = 1e-3; // Adam (the default)
    c.gan.d_opt.learning_rate = 1e-3;
    c.seed = 11;
    return c;
}

// 28x28 images with a class-dependent bright bar, 10 classes: a tiny MNIST-format folder.
inline void WriteSyntheticIdx(const std::filesystem::path& dir, const std::string& split, std::uint32_t n, std::uint32_t seed)
{
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(n) * 784), labels(n);
    Rng rng(seed);
    for (std::uint32_t i = 0; i < n; ++i)
    {
        labels[i] = static_cast<std::uint8_t>(i % 10);
        for (int p = 0; p < 784; ++p)
        {
            const int row = p / 28;
            const bool bar = row >= 2 * labels[i] + 2 && row < 2 * labels[i] + 6;
            pixels[static_cast<std::size_t>(i) * 784 + p] =
                static_cast<std::uint8_t>(bar ? 200 + rng.Below(56) : rng.Below(40));
        }
    }
    data::test::WriteBytes((dir / (split + "-images-idx3-ubyte")).string(), data::test::IdxBytes({n, 28, 28}, pixels));
    data::test::WriteBytes((dir / (split + "-labels-idx1-ubyte")).string(), data::test::IdxBytes({n}, labels));
}

inline models::ExperimentConfig TinyVae(const std::filesystem::path& dir)
{
    WriteSyntheticIdx(dir, "train", 250, 1);
    WriteSyntheticIdx(dir, "t10k", 60, 2);
    models::ExperimentConfig c;
    c.name = "ckpt-vae";
    c.family = ll::models::Family::Vae;
    c.data.kind = ll::models::DataKind::Idx;
    c.data.dir = dir.string();
    c.vae.latent_dim = 4;
    c.vae.encoder.hidden = {32};
    c.vae.decoder.hidden = {32};
    c.vae.warmup_steps = 300; // a schedule that depends on the step
    c.batch_size = 24;        // 10 batches per epoch: step 200 is mid-epoch
    c.seed = 5;
    c.eval_every = 0;
    c.sample_every = 0;
    return c;
}

inline void TrainSteps(train::Experiment& e, int n, std::vector<models::Metrics>& log)
{
    models::Metrics m;
    for (int i = 0; i < n; ++i)
    {
        e.Step(models::StepPhase::Both, m);
        log.push_back(m);
    }
}

inline bool SameBits(double a, double b)
{
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

inline void CheckSameMetrics(const std::vector<models::Metrics>& a, const std::vector<models::Metrics>& b)
{
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        REQUIRE(a[i].size() == b[i].size());
        for (std::size_t k = 0; k < a[i].size(); ++k)
        {
            INFO("step " << i << " metric " << a[i][k].first);
            CHECK(a[i][k].first == b[i][k].first);
            CHECK(SameBits(a[i][k].second, b[i][k].second));
        }
    }
}

// Every tensor, the RNG, the counters: bit-identical.
inline void CheckSameState(const CheckpointData& a, const CheckpointData& b)
{
    CHECK(a.step == b.step);
    CHECK(a.epoch == b.epoch);
    CHECK(a.rng.s == b.rng.s);
    CHECK(a.optimizer_steps == b.optimizer_steps);
    CHECK(a.iterator_position == b.iterator_position);
    REQUIRE(a.tensors.size() == b.tensors.size());
    for (std::size_t i = 0; i < a.tensors.size(); ++i)
    {
        INFO(a.tensors[i].name);
        CHECK(a.tensors[i].name == b.tensors[i].name);
        CHECK(a.tensors[i].bytes == b.tensors[i].bytes);
    }
}

// Exact resume: 2 * half steps straight against half steps, save, load into a fresh experiment, half more; the
// metrics of every step and every tensor must be bit-identical. Returns the checkpoint as loaded, for more checks.
inline CheckpointData CheckExactResume(const models::ExperimentConfig& config, const TempDir& dir, int half = 200)
{
    train::Experiment straight(config, train::LoadExperimentData(config, ""));
    std::vector<models::Metrics> log_straight;
    TrainSteps(straight, 2 * half, log_straight);

    std::vector<models::Metrics> log_resumed;
    const auto path = dir.Path() / "half.ckpt";
    {
        train::Experiment first(config, train::LoadExperimentData(config, ""));
        TrainSteps(first, half, log_resumed);
        SaveCheckpointFile(path, first.SaveState());
    } // the first experiment is gone: nothing survives but the file
    CheckpointData state = LoadCheckpointFile(path);
    CHECK(state.step == half);
    auto resumed = train::Experiment::FromState(state, train::LoadExperimentData(state.config, ""), path.string());
    CHECK(resumed->StepCount() == half);
    TrainSteps(*resumed, half, log_resumed);

    CheckSameMetrics(log_straight, log_resumed);
    CheckSameState(straight.SaveState(), resumed->SaveState());
    return state;
}

} // namespace ll::io::test
