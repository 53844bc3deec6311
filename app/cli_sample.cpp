// `latentlab sample --checkpoint C --n N [--label L] --out DIR` (see cli_sample.h).
#include "app/cli_sample.h"

#include "app/cli_args.h"
#include "app/cli_train.h"

#include "core/eval/judge_eval.h"
#include "core/io/sample_export.h"
#include "core/train/experiment.h"
#include "core/train/thread_setup.h"

#include <iostream>
#include <optional>

namespace ll::app
{

namespace
{

const char* kSampleUsage =
    "usage: latentlab sample --checkpoint FILE.ckpt --n N [--label L] [--seed S] [--data DIR] --out DIR\n"
    "  Draws N samples from the checkpoint's generator (GAN: G(z); VAE: the decoder's mean of z from the prior) and\n"
    "  writes DIR/train-images-idx3-ubyte (grey; colour models: DIR/train-images-idx4-ubyte, dims N x H x W x C,\n"
    "  channels last), for conditional models DIR/train-labels-idx1-ubyte (labels 0, 1, ... in turn, or L for\n"
    "  every sample with --label), and DIR/samples.png (the first 100). The names are MNIST's: the window opens DIR\n"
    "  as a data folder, and any MNIST loader reads the grey files.\n"
    "  --seed S   the noise's seed (default: the checkpoint's seed)\n"
    "  --data DIR the model's data folder, if not where the checkpoint's config says\n";

struct SampleArgs
{
    std::string checkpoint, out, data_dir;
    std::int64_t n = 0;
    int label = -1;
    std::optional<std::uint64_t> seed;
    bool help = false;
};

SampleArgs ParseSampleArgs(const std::vector<std::string>& args)
{
    SampleArgs a;
    ForEachOption(args, a.help, [&a](const std::string& flag, const std::string& value) {
        if (flag == "--checkpoint") a.checkpoint = value;
        else if (flag == "--out") a.out = value;
        else if (flag == "--data") a.data_dir = value;
        else if (flag == "--n") a.n = ParseNumber<std::int64_t>(flag, value, 1, 1000000);
        else if (flag == "--label") a.label = ParseNumber<int>(flag, value, 0, 255);
        else if (flag == "--seed") a.seed = ParseNumber<std::uint64_t>(flag, value, 0);
        else throw UsageError("unknown option '" + flag + "'");
    });
    if (!a.help && (a.checkpoint.empty() || a.out.empty() || a.n == 0))
    {
        throw UsageError("--checkpoint FILE.ckpt, --n N and --out DIR are required");
    }
    return a;
}

} // namespace

int RunSampleArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    SampleArgs a;
    if (const auto exit = ParseCommandLine(ParseSampleArgs, args, "latentlab sample", kSampleUsage, out, err, a))
    {
        return *exit;
    }
    try
    {
        train::ConfigureTrainingThread(0);
        const io::CheckpointData state = LoadModelCheckpoint(a.checkpoint);
        if (models::IsToy(state.config))
        {
            throw std::runtime_error("'" + a.checkpoint + "' models 2-D toy points (" + state.config.name +
                                     "), not images: there is nothing to write as IDX");
        }
        auto exp = train::Experiment::FromState(state, train::LoadExperimentData(state.config, a.data_dir),
                                                a.checkpoint);
        auto model = exp->Live().CloneForInference();
        Rng rng(a.seed.value_or(state.config.seed));
        const eval::GeneratedImages images = eval::DrawImages(*model, a.n, rng, a.label);
        const auto& ds = *exp->Data().train;
        const io::SampleFiles files = io::WriteSampleSet(a.out, images.x, images.labels, ds.rows, ds.cols, ds.channels);
        out << "latentlab sample: " << a.n << " samples of " << state.config.name << " (step " << state.step
            << ") -> " << files.images.string();
        if (!files.labels.empty())
        {
            out << ", " << files.labels.string();
        }
        out << ", " << files.grid.string() << "\n";
        return 0;
    }
    catch (const std::exception& e)
    {
        err << "latentlab sample: error: " << e.what() << "\n";
        return kExitFailure;
    }
}

int RunSample(int argc, char** argv) { return RunSampleArgs(ToArgs(argc, argv), std::cout, std::cerr); }

} // namespace ll::app
