// The judge's and the samples' subcommands, run in-process: `latentlab sample` writes IDX files the lab's reader takes
// back (images and the labels asked for), and every bad input gets a sentence and a non-zero exit: a 2-D toy, a judge
// file given as a model, an unconditional model asked for a label, a judge action that does not exist.
#include "app/cli_judge.h"
#include "app/cli_sample.h"
#include "app/cli_train.h"

#include "core/data/idx.h"
#include "core/io/checkpoint.h"
#include "core/io/config_json.h"
#include "core/train/experiment.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace
{

// A checkpoint of an untrained preset (no step taken): enough for a generator to sample from.
fs::path UntrainedCheckpoint(const std::string& preset)
{
    const auto config = ll::io::LoadPreset(preset, fs::path(LATENTLAB_SOURCE_DIR) / "assets" / "presets");
    ll::train::Experiment experiment(config, ll::train::LoadExperimentData(config, ""));
    const fs::path path = fs::temp_directory_path() / ("latentlab_test_cli_" + preset + ".ckpt");
    ll::io::SaveCheckpointFile(path, experiment.SaveState());
    return path;
}

struct Run
{
    int exit = 0;
    std::string out, err;
};

template <typename Fn>
Run Call(Fn fn, const std::vector<std::string>& args)
{
    std::ostringstream out, err;
    Run r;
    r.exit = fn(args, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

} // namespace

TEST_CASE("latentlab sample: a conditional GAN's samples read back as a labelled IDX data set, one label if asked")
{
    const fs::path ckpt = UntrainedCheckpoint("cgan-fashion");
    const fs::path dir = fs::temp_directory_path() / "latentlab_test_cli_samples";
    fs::remove_all(dir);
    Run r = Call(ll::app::RunSampleArgs, {"--checkpoint", ckpt.string(), "--n", "30", "--out", dir.string()});
    REQUIRE_MESSAGE(r.exit == 0, r.err);
    ll::data::ImageDataset ds = ll::data::LoadIdxFolder(dir.string(), "train");
    CHECK(ds.count == 30);
    CHECK(ds.rows == 28);
    CHECK(ds.cols == 28);
    CHECK(ds.labels[0] == 0);
    CHECK(ds.labels[9] == 9);
    CHECK(ds.labels[13] == 3);
    CHECK(fs::exists(dir / "samples.png"));

    r = Call(ll::app::RunSampleArgs,
             {"--checkpoint", ckpt.string(), "--n", "12", "--label", "7", "--out", dir.string()});
    REQUIRE_MESSAGE(r.exit == 0, r.err);
    ds = ll::data::LoadIdxFolder(dir.string(), "train");
    CHECK(ds.count == 12);
    CHECK(std::all_of(ds.labels.begin(), ds.labels.end(), [](std::uint8_t y) { return y == 7; }));
    fs::remove_all(dir);
    fs::remove(ckpt);
}

TEST_CASE("latentlab sample and eval: a 2-D toy, a judge file, a label for an unconditional model are refused")
{
    const fs::path dir = fs::temp_directory_path() / "latentlab_test_cli_refused";
    const fs::path toy = UntrainedCheckpoint("gan-ring8");
    Run r = Call(ll::app::RunSampleArgs, {"--checkpoint", toy.string(), "--n", "10", "--out", dir.string()});
    CHECK(r.exit == 1);
    CHECK(r.err.find("models 2-D toy points (gan-ring8), not images") != std::string::npos);
    fs::remove(toy);

    const fs::path judge = fs::path(LATENTLAB_SOURCE_DIR) / "assets" / "judge" / "fashion-mnist.judge";
    r = Call(ll::app::RunSampleArgs, {"--checkpoint", judge.string(), "--n", "10", "--out", dir.string()});
    CHECK(r.exit == 1);
    CHECK(r.err.find("holds the image judge's weights, not a model: it has no generator") != std::string::npos);
    r = Call(ll::app::RunEvalArgs, {"--checkpoint", judge.string()});
    CHECK(r.exit == 1);
    CHECK(r.err.find("it has no generator") != std::string::npos);

    const fs::path gan = UntrainedCheckpoint("gan-fashion");
    r = Call(ll::app::RunSampleArgs,
             {"--checkpoint", gan.string(), "--n", "10", "--label", "3", "--out", dir.string()});
    CHECK(r.exit == 1);
    CHECK(r.err.find("unconditional: it cannot draw samples of class 3") != std::string::npos);
    fs::remove(gan);
    CHECK_FALSE(fs::exists(dir / "train-images-idx3-ubyte"));

    r = Call(ll::app::RunSampleArgs, {"--n", "10"});
    CHECK(r.exit == 2);
    r = Call(ll::app::RunJudgeArgs, {"fly"});
    CHECK(r.exit == 2);
    CHECK(r.err.find("unknown action 'fly'") != std::string::npos);
    r = Call(ll::app::RunJudgeArgs, {"train"});
    CHECK(r.exit == 2);
    CHECK(r.err.find("needs --out FILE") != std::string::npos);
}
