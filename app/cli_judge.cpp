// `latentlab judge train | test` (see cli_judge.h).
#include "app/cli_judge.h"

#include "app/cli_args.h"

#include "core/data/idx.h"
#include "core/eval/judge.h"
#include "core/eval/judge_train.h"
#include "core/train/thread_setup.h"

#include <chrono>
#include <iomanip>
#include <iostream>

namespace ll::app
{

namespace
{

const char* kJudgeUsage =
    "usage: latentlab judge train [--data DIR] [--dataset NAME] [--epochs E] [--seed S] [--threads T] --out FILE\n"
    "       latentlab judge test [--judge FILE] [--data DIR] [--dataset NAME]\n"
    "  train: trains the image judge (a small conv classifier, core/eval/judge.h) on DIR's training split and\n"
    "         writes FILE with its accuracy on DIR's test split. The same seed and thread count give the same file,\n"
    "         bit for bit. DIR holds {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (Fashion-MNIST, MNIST or any\n"
    "         MNIST-format set); default: $LATENTLAB_DATA, else /usr/share/datasets/fashion-mnist.\n"
    "  test:  prints the judge's accuracy on DIR's test split (default judge: the shipped one of NAME).\n"
    "  --dataset NAME  what the judge is for: fashion-mnist (default) or mnist; names the shipped file NAME.judge\n"
    "  --epochs E      default 4;  --seed S  default 1;  --threads T  default 1\n";

struct JudgeArgs
{
    std::string action, data_dir, dataset = "fashion-mnist", out, judge;
    int epochs = 4;
    std::uint64_t seed = 1;
    int threads = 1;
    bool help = false;
};

JudgeArgs ParseJudgeArgs(const std::vector<std::string>& args)
{
    JudgeArgs a;
    std::vector<std::string> rest = args;
    if (!rest.empty() && !rest.front().starts_with("-"))
    {
        a.action = rest.front();
        rest.erase(rest.begin());
    }
    ForEachOption(rest, a.help, [&a](const std::string& flag, const std::string& value) {
        if (flag == "--data") a.data_dir = value;
        else if (flag == "--dataset") a.dataset = value;
        else if (flag == "--out") a.out = value;
        else if (flag == "--judge") a.judge = value;
        else if (flag == "--epochs") a.epochs = ParseNumber<int>(flag, value, 1, 1000);
        else if (flag == "--seed") a.seed = ParseNumber<std::uint64_t>(flag, value, 0);
        else if (flag == "--threads") a.threads = ParseNumber<int>(flag, value, 1, 256);
        else throw UsageError("unknown option '" + flag + "'");
    });
    if (a.help)
    {
        return a;
    }
    if (a.action != "train" && a.action != "test")
    {
        throw UsageError(a.action.empty() ? "say train or test" : "unknown action '" + a.action + "' (train or test)");
    }
    if (a.action == "train" && a.out.empty())
    {
        throw UsageError("judge train needs --out FILE");
    }
    return a;
}

} // namespace

int RunJudgeArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    JudgeArgs a;
    if (const auto exit = ParseCommandLine(ParseJudgeArgs, args, "latentlab judge", kJudgeUsage, out, err, a))
    {
        return *exit;
    }
    try
    {
        const std::string dir = data::ResolveDataDir(a.data_dir);
        const auto load = [&](const char* split) {
            return a.dataset == "fashion-mnist" ? data::LoadFashionMnist(dir, split) : data::LoadIdxFolder(dir, split);
        };
        const data::ImageDataset test = load("t10k");
        train::ConfigureTrainingThread(a.threads);
        if (a.action == "test")
        {
            const auto path = a.judge.empty() ? eval::FindJudgeFile(a.dataset) : std::filesystem::path(a.judge);
            if (path.empty())
            {
                throw std::runtime_error("no judge for '" + a.dataset + "' is installed (latentlab judge train)");
            }
            eval::Judge judge = eval::LoadJudge(path);
            out << std::fixed << std::setprecision(4) << "judge " << path.string() << ": test accuracy "
                << judge.Accuracy(test) << " on " << test.count << " images of " << dir << "\n";
            return 0;
        }
        const data::ImageDataset train = load("train");
        eval::JudgeInfo info;
        info.dataset = a.dataset;
        info.input = nn::Shape{train.channels, train.rows, train.cols};
        info.threads = a.threads;
        eval::JudgeTrainOptions options;
        options.epochs = a.epochs;
        options.seed = a.seed;
        const auto start = std::chrono::steady_clock::now();
        options.progress = [&](int epoch, double loss) {
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            out << "epoch " << epoch << "/" << a.epochs << ": loss " << std::setprecision(4) << loss << " ("
                << std::setprecision(0) << std::fixed << s << " s)\n"
                << std::defaultfloat << std::flush;
        };
        out << "latentlab judge train: " << train.count << " images of " << dir << ", " << a.epochs << " epochs, seed "
            << a.seed << ", " << a.threads << " threads\n";
        eval::Judge judge = eval::TrainJudge(train, info, options);
        judge.MutableInfo().test_accuracy = judge.Accuracy(test);
        eval::SaveJudge(a.out, judge);
        out << std::fixed << std::setprecision(4) << "test accuracy " << judge.Info().test_accuracy << " on "
            << test.count << " images; wrote " << a.out << "\n";
        return 0;
    }
    catch (const std::exception& e)
    {
        err << "latentlab judge: error: " << e.what() << "\n";
        return kExitFailure;
    }
}

int RunJudge(int argc, char** argv) { return RunJudgeArgs(ToArgs(argc, argv), std::cout, std::cerr); }

} // namespace ll::app
