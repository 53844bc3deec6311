// `latentlab train | list-presets | eval`: option parsing and reporting around train::RunHeadless.
#include "app/cli_train.h"

#include "app/cli_args.h"

#include "core/eval/judge_eval.h"
#include "core/io/checkpoint.h"
#include "core/io/config_json.h"
#include "core/models/config.h"
#include "core/models/network_templates.h"
#include "core/train/experiment.h"
#include "core/train/headless.h"
#include "core/train/thread_setup.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <optional>
#include <stdexcept>

namespace ll::app
{

namespace
{

const char* kTrainUsage =
    "usage: latentlab train (--preset NAME | --config FILE.json | --resume FILE.ckpt) [--steps N] [--seed S]\n"
    "                       [--data DIR] [--out DIR] [--threads T] [--checkpoint-every N] [--template T[:W]]\n"
    "                       [--eval-thread auto|on|off]\n"
    "  Trains without a window and writes DIR/metrics.csv, sample grids (samples_000500.png, recon_... for\n"
    "  VAEs, view2d_... for 2-D data), DIR/summary.json and DIR/final.ckpt. DIR defaults to runs/<preset name>.\n"
    "  --steps N    the step to stop at (default: the config's steps); with --resume, a step-200 checkpoint and\n"
    "               --steps 400 train 200 more\n"
    "  --resume F   continue exactly from checkpoint F (its config, seed and data position)\n"
    "  --checkpoint-every N  also write DIR/step_000500.ckpt every N steps\n"
    "  --seed S     overrides the config's seed\n"
    "  --template T[:W]  replaces the networks with an architecture template (mlp, dcgan, conv-vae) built for the\n"
    "               config's data, W its width / base channels (default: the template's); e.g. --template dcgan:32\n"
    "  --data DIR   Fashion-MNIST / IDX folder (default: $LATENTLAB_DATA, else /usr/share/datasets/fashion-mnist)\n"
    "  --threads T  training threads (default: every core)\n"
    "  --eval-thread  where the evaluation every eval_every steps runs: on a thread of its own while training\n"
    "               goes on (on), between steps on the training thread (off), or on its own thread when the\n"
    "               training threads leave a core free (auto, the default); the metrics are the same\n"
    "  latentlab list-presets shows the presets.\n";

struct TrainArgs
{
    std::string preset, config_file, data_dir, out_dir, resume, network_template;
    std::int64_t checkpoint_every = 0;
    std::optional<std::int64_t> steps;
    std::optional<std::uint64_t> seed;
    int threads = 0;
    int eval_thread = -1; // SessionOptions::background_evaluation
    bool help = false;
};

TrainArgs ParseTrainArgs(const std::vector<std::string>& args)
{
    TrainArgs a;
    ForEachOption(args, a.help, [&a](const std::string& flag, const std::string& value) {
        if (flag == "--preset") a.preset = value;
        else if (flag == "--config") a.config_file = value;
        else if (flag == "--data") a.data_dir = value;
        else if (flag == "--out") a.out_dir = value;
        else if (flag == "--steps") a.steps = ParseNumber<std::int64_t>(flag, value, 0, std::int64_t(1) << 40);
        else if (flag == "--seed") a.seed = ParseNumber<std::uint64_t>(flag, value, 0, std::numeric_limits<std::uint64_t>::max());
        else if (flag == "--threads") a.threads = ParseNumber<int>(flag, value, 1, 256);
        else if (flag == "--resume") a.resume = value;
        else if (flag == "--template") a.network_template = value;
        else if (flag == "--eval-thread")
        {
            if (value != "auto" && value != "on" && value != "off")
            {
                throw UsageError("--eval-thread takes auto, on or off, not '" + value + "'");
            }
            a.eval_thread = value == "auto" ? -1 : value == "on" ? 1 : 0;
        }
        else if (flag == "--checkpoint-every") a.checkpoint_every = ParseNumber<std::int64_t>(flag, value, 1, std::int64_t(1) << 40);
        else throw UsageError("unknown option '" + flag + "'");
    });
    const int sources = !a.preset.empty() + !a.config_file.empty() + !a.resume.empty();
    if (!a.help && sources != 1)
    {
        throw UsageError("give exactly one of --preset NAME, --config FILE.json or --resume FILE.ckpt");
    }
    if (!a.resume.empty() && !a.network_template.empty())
    {
        throw UsageError("--template cannot change a resumed run (the checkpoint holds its networks)");
    }
    if (!a.resume.empty() && a.seed)
    {
        throw UsageError("--seed cannot change a resumed run (the checkpoint holds its random state)");
    }
    return a;
}

// Words of text on lines of at most width characters, each line indented.
void PrintWrapped(std::ostream& out, const std::string& text, std::size_t width, const char* indent)
{
    std::size_t line = 0;
    std::size_t i = 0;
    out << indent;
    while (i < text.size())
    {
        const std::size_t end = std::min(text.find(' ', i), text.size());
        const std::string word = text.substr(i, end - i);
        if (line > 0 && line + 1 + word.size() > width)
        {
            out << "\n" << indent;
            line = 0;
        }
        else if (line > 0)
        {
            out << ' ';
            ++line;
        }
        out << word;
        line += word.size();
        i = end + 1;
    }
    out << "\n";
}

} // namespace

io::CheckpointData LoadModelCheckpoint(const std::string& path)
{
    io::CheckpointData state = io::LoadCheckpointFile(path);
    if (eval::IsJudgeConfigName(state.config.name))
    {
        throw std::runtime_error("'" + path + "' holds the image judge's weights, not a model: it has no generator " +
                                 "to sample from (give a checkpoint written by latentlab train or the window)");
    }
    return state;
}

int RunTrainArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    TrainArgs a;
    if (const auto exit = ParseCommandLine(ParseTrainArgs, args, "latentlab train", kTrainUsage, out, err, a))
    {
        return *exit;
    }
    try
    {
        models::ExperimentConfig config = !a.resume.empty() ? io::LoadCheckpointFile(a.resume).config
                                          : a.preset.empty() ? io::LoadConfigFile(a.config_file)
                                                             : io::LoadPreset(a.preset, io::FindPresetDir());
        if (a.seed)
        {
            config.seed = *a.seed;
            models::Validate(config);
        }
        if (!a.network_template.empty())
        {
            // "dcgan" or "dcgan:32": the template's name, then its knob.
            const std::size_t colon = a.network_template.find(':');
            const int width = colon == std::string::npos
                                  ? 0
                                  : ParseNumber<int>("--template", a.network_template.substr(colon + 1), 1, 1 << 20);
            models::ApplyTemplate(config, models::FindNetworkTemplate(a.network_template.substr(0, colon)), width);
            models::Validate(config);
        }
        train::HeadlessOptions options;
        options.steps = a.steps.value_or(config.steps);
        options.data_dir = a.data_dir;
        options.threads = a.threads;
        options.background_evaluation = a.eval_thread;
        options.out_dir = a.out_dir.empty() ? "runs/" + (config.name.empty() ? std::string("run") : config.name) : a.out_dir;
        options.progress = &out;
        options.resume_from = a.resume;
        options.checkpoint_every = a.checkpoint_every;
        out << "latentlab train: " << (config.name.empty() ? a.config_file : config.name) << " (" << util::NameOf(config.family)
            << "), " << options.steps << " steps, seed " << config.seed << ", writing to " << options.out_dir << "\n";
        const train::HeadlessResult result = train::RunHeadless(config, options);
        out << result.summary_json;
        if (!result.Ok())
        {
            err << "latentlab train: " << train::StatusName(result.status) << ": " << result.message << "\n";
            return kExitFailure;
        }
        return 0;
    }
    catch (const std::exception& e)
    {
        err << "latentlab train: error: " << e.what() << "\n";
        return kExitFailure;
    }
}

int RunListPresetsArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    if (!args.empty())
    {
        err << "latentlab list-presets: takes no arguments (got '" << args.front() << "')\n";
        return kExitUsage;
    }
    try
    {
        const auto dir = io::FindPresetDir();
        for (const io::PresetInfo& p : io::ListPresets(dir))
        {
            out << p.name << "\n";
            PrintWrapped(out, p.error.empty() ? p.description : "(broken: " + p.error + ")", 96, "    ");
            out << "\n";
        }
        return 0;
    }
    catch (const std::exception& e)
    {
        err << "latentlab list-presets: error: " << e.what() << "\n";
        return kExitFailure;
    }
}

const char* kEvalUsage =
    "usage: latentlab eval --checkpoint FILE.ckpt [--iwae-k K] [--data DIR] [--threads T] [--cas N]\n"
    "                      [--cas-epochs E]\n"
    "  Evaluates a checkpoint on the full test set (VAEs: test_elbo, test_iwae; 2-D data: modes, grid KL/JS, MMD;\n"
    "  Fashion-MNIST / MNIST images: the image judge's metrics on 10,000 samples) and prints the result as JSON.\n"
    "  --cas N        conditional image models: train the judge's architecture on N labelled samples and on N real\n"
    "                 images and report both test accuracies (default 10000; 0 skips it)\n"
    "  --cas-epochs E epochs of those trainings (default 5)\n"
    "  --threads T    threads for the evaluation (default: every core)\n";

struct EvalArgs
{
    std::string checkpoint, data_dir;
    std::optional<int> iwae_k;
    std::int64_t cas = 10000;
    int cas_epochs = 5;
    int threads = 0;
    bool help = false;
};

EvalArgs ParseEvalArgs(const std::vector<std::string>& args)
{
    EvalArgs a;
    ForEachOption(args, a.help, [&a](const std::string& flag, const std::string& value) {
        if (flag == "--checkpoint") a.checkpoint = value;
        else if (flag == "--iwae-k") a.iwae_k = ParseNumber<int>(flag, value, 1, 100000);
        else if (flag == "--data") a.data_dir = value;
        else if (flag == "--threads") a.threads = ParseNumber<int>(flag, value, 1, 256);
        else if (flag == "--cas") a.cas = ParseNumber<std::int64_t>(flag, value, 0, 60000);
        else if (flag == "--cas-epochs") a.cas_epochs = ParseNumber<int>(flag, value, 1, 100);
        else throw UsageError("unknown option '" + flag + "'");
    });
    if (!a.help && a.checkpoint.empty())
    {
        throw UsageError("--checkpoint FILE.ckpt is required");
    }
    return a;
}

int RunEvalArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    EvalArgs a;
    if (const auto exit = ParseCommandLine(ParseEvalArgs, args, "latentlab eval", kEvalUsage, out, err, a))
    {
        return *exit;
    }
    const std::string& checkpoint = a.checkpoint;
    try
    {
        train::ConfigureTrainingThread(a.threads);
        io::CheckpointData state = LoadModelCheckpoint(checkpoint);
        if (a.iwae_k)
        {
            state.config.iwae_k = *a.iwae_k;
            models::Validate(state.config);
        }
        auto exp = train::Experiment::FromState(state, train::LoadExperimentData(state.config, a.data_dir), checkpoint);
        auto model = exp->Live().CloneForInference();
        const models::Metrics metrics = exp->Evaluate(*model, true);
        nlohmann::ordered_json j;
        j["checkpoint"] = checkpoint;
        j["name"] = state.config.name;
        j["family"] = util::NameOf(exp->Live().Family());
        j["objective"] = exp->Live().Objective();
        j["step"] = state.step;
        train::AppendEvaluationJson(j, metrics, state.config.iwae_k);
        std::string why;
        if (eval::ImageJudgeEvaluator* judge = exp->ImageJudge(&why))
        {
            j["judge"] = judge->GetJudge().Info().dataset;
            if (model->NumClasses() > 0 && a.cas > 0)
            {
                eval::JudgeTrainOptions options;
                options.epochs = a.cas_epochs;
                options.seed = state.config.seed;
                Rng rng = train::DerivedRng(state.config.seed, train::RngStream::Evaluation, 1ull << 61);
                const eval::CasResult cas = eval::ClassificationAccuracyScore(
                    *model, judge->GetJudge().Info(), *exp->Data().train, *exp->Data().test, a.cas, options, rng);
                j["judge_cas"] = cas.synthetic;
                j["judge_cas_real"] = cas.real;
                j["judge_cas_samples"] = cas.n;
                j["judge_cas_epochs"] = cas.epochs;
            }
        }
        else if (exp->HasImages())
        {
            j["judge"] = nullptr;
            j["judge_missing"] = why;
        }
        out << j.dump(4) << "\n";
        return 0;
    }
    catch (const std::exception& e)
    {
        err << "latentlab eval: error: " << e.what() << "\n";
        return kExitFailure;
    }
}

int RunTrain(int argc, char** argv)
{
    return RunTrainArgs(ToArgs(argc, argv), std::cout, std::cerr);
}

int RunListPresets(int argc, char** argv)
{
    return RunListPresetsArgs(ToArgs(argc, argv), std::cout, std::cerr);
}

int RunEval(int argc, char** argv)
{
    return RunEvalArgs(ToArgs(argc, argv), std::cout, std::cerr);
}

} // namespace ll::app
