// The subcommand table (see cli.h for how to add one).
#include "app/cli.h"

#include "app/cli_bench.h"
#include "app/cli_runs.h"
#include "app/cli_judge.h"
#include "app/cli_sample.h"
#include "app/cli_export.h"
#include "app/cli_train.h"

#include <array>

namespace ll::app
{

namespace
{

const std::array<Subcommand, 9> kSubcommands{{
    {"train", "train a preset or config headless, writing metrics.csv, PNG grids and summary.json", &RunTrain},
    {"list-presets", "list the presets with their descriptions", &RunListPresets},
    {"eval", "evaluate a checkpoint, printing its test-set metrics as JSON (--checkpoint FILE [--iwae-k K])", &RunEval},
    {"runs", "list the run folders, or compare two: config differences and final metrics (list | diff A B)",
     &RunRuns},
    {"sweep", "train a grid of --set values into run folders here, or write a Slurm job array (--emit slurm)",
     &RunSweep},
    {"sample", "write a checkpoint's samples as IDX files and a PNG grid (--checkpoint FILE --n N --out DIR)",
     &RunSample},
    {"judge", "train or test the image judge, the classifier whose features the image metrics use", &RunJudge},
    {"export", "write one network of a checkpoint for PyTorch (safetensors; --checkpoint FILE --out FILE [--part P])",
     &RunExport},
    {"bench", "time training steps of the standard models (see scripts/bench.sh)", &RunBench},
}};

} // namespace

std::span<const Subcommand> Subcommands() { return kSubcommands; }

const Subcommand* FindSubcommand(std::string_view name)
{
    for (const Subcommand& sub : kSubcommands)
    {
        if (name == sub.name)
        {
            return &sub;
        }
    }
    return nullptr;
}

} // namespace ll::app
