// `latentlab runs` and `latentlab sweep`: option parsing and printing around core/io/run_folder and
// core/train/sweep; a local sweep runs `latentlab train` child processes, --jobs at a time.
#include "app/cli_runs.h"

#include "app/cli_args.h"

#include "core/io/bounded_read.h"
#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "core/io/run_folder.h"
#include "core/train/sweep.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

extern char** environ;

namespace ll::app
{

namespace fs = std::filesystem;

namespace
{

const char* kRunsUsage =
    "usage: latentlab runs list [--runs DIR]\n"
    "       latentlab runs diff A B [--runs DIR]\n"
    "  list  the run folders under DIR: status (completed, incomplete = killed or still running, diverged, error,\n"
    "        unreadable), preset, steps, wall time and the final metrics\n"
    "  diff  the config keys that differ between runs A and B (folder paths, or names under DIR) and both runs'\n"
    "        final metrics side by side\n"
    "  --runs DIR  the runs directory (default: $XDG_DATA_HOME/latentlab/runs, else ~/.local/share/latentlab/runs)\n"
    "       latentlab runs synth [--runs DIR] [--count N] [--points P]\n"
    "       latentlab runs time-open [--runs DIR] [--threads T]\n"
    "  synth      writes N synthetic runs (default 50: 5 configs x 10 seeds) of P steps (default 100000) and one\n"
    "             damaged run, as the window's recorder writes runs (to measure the Runs view at scale)\n"
    "  time-open  reads every run as the window's Runs view does (T threads, default 2) and says how long it took\n"
    "  Every folder `latentlab train --out` or `latentlab sweep` writes is a run.\n";

const char* kSweepUsage =
    "usage: latentlab sweep (--preset NAME | --config FILE.json) --set KEY=V1,V2 [--set KEY=LO..HI ...]\n"
    "                       [--runs DIR] [--steps N] [--jobs J] [--threads T] [--data DIR] [--emit slurm]\n"
    "  Trains every point of the grid of the --set values (the last --set varies fastest) into its own run folder\n"
    "  DIR/<sweep>/<name>-<key>=<value>..., J runs at a time (default 1), each `latentlab train` with T threads\n"
    "  (default 1); the output of each goes to its folder's train.log.\n"
    "  --set KEY=...  a config key as in a preset (\"seed\", \"gan.gp_lambda\", \"gan.objective\"); values are\n"
    "                 numbers, true/false or words; LO..HI is every integer from LO to HI\n"
    "  --emit slurm   writes the run folders' configs and DIR/<sweep>/sweep.sbatch (a Slurm job array, one task\n"
    "                 per run) instead of training; submit it with sbatch\n"
    "  --runs DIR     the runs directory (default as for latentlab runs)\n";

std::string FormatSeconds(double s)
{
    char buf[32];
    if (s < 120)
    {
        std::snprintf(buf, sizeof buf, "%.1fs", s);
    }
    else if (s < 7200)
    {
        std::snprintf(buf, sizeof buf, "%.1fm", s / 60);
    }
    else
    {
        std::snprintf(buf, sizeof buf, "%.1fh", s / 3600);
    }
    return buf;
}

std::string FormatValue(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

// The metrics a list row shows: the evaluation's when the run has them, else the last training values.
std::string KeyMetrics(const io::RunInfo& run, std::size_t most)
{
    std::string text;
    std::size_t shown = 0;
    for (const auto& [name, value] : run.final_metrics)
    {
        if (shown == most)
        {
            break;
        }
        text += (text.empty() ? "" : "  ") + name + " " + FormatValue(value);
        ++shown;
    }
    return text;
}

// A run named on the command line: a folder path, else a name under the runs directory.
io::RunInfo FindRun(const std::string& name, const fs::path& runs_dir)
{
    std::error_code ec;
    if (fs::is_directory(name, ec) && io::IsRunFolder(name))
    {
        return io::ReadRun(name);
    }
    const fs::path under = runs_dir / name;
    if (fs::is_directory(under, ec) && io::IsRunFolder(under))
    {
        return io::ReadRun(under);
    }
    throw std::runtime_error("no run '" + name + "' (neither a run folder nor a run under " + runs_dir.string() + ")");
}

int ListRunsCommand(const fs::path& runs_dir, std::ostream& out)
{
    std::error_code ec;
    if (!fs::exists(runs_dir, ec))
    {
        out << "0 runs: " << runs_dir.string() << " does not exist yet\n";
        return 0;
    }
    const std::vector<io::RunInfo> runs = io::ListRuns(runs_dir);
    out << runs.size() << " run" << (runs.size() == 1 ? "" : "s") << " in " << runs_dir.string() << "\n";
    std::size_t name_w = 4;
    std::size_t preset_w = 6;
    for (const io::RunInfo& run : runs)
    {
        name_w = std::max(name_w, run.name.size());
        preset_w = std::max(preset_w, run.preset.size());
    }
    name_w = std::min<std::size_t>(name_w, 48);
    preset_w = std::min<std::size_t>(preset_w, 32);
    char line[512];
    std::snprintf(line, sizeof line, "%-*s  %-10s  %-*s  %9s  %8s  %s\n", static_cast<int>(name_w), "name", "status",
                  static_cast<int>(preset_w), "preset", "steps", "wall", "final metrics");
    out << line;
    for (const io::RunInfo& run : runs)
    {
        std::snprintf(line, sizeof line, "%-*s  %-10s  %-*s  %9lld  %8s  ", static_cast<int>(name_w),
                      run.name.substr(0, name_w).c_str(), run.status.c_str(), static_cast<int>(preset_w),
                      run.preset.substr(0, preset_w).c_str(), static_cast<long long>(run.steps),
                      FormatSeconds(run.wall_seconds).c_str());
        out << line << KeyMetrics(run, 4) << "\n";
        if (!run.error.empty())
        {
            out << "    ! " << run.error.substr(0, 300) << "\n";
        }
    }
    return 0;
}

int DiffRunsCommand(const io::RunInfo& a, const io::RunInfo& b, std::ostream& out)
{
    out << "A: " << a.dir.string() << " (" << a.status << ", " << a.steps << " steps)\n";
    out << "B: " << b.dir.string() << " (" << b.status << ", " << b.steps << " steps)\n";
    if (!a.config || !b.config)
    {
        out << "config: " << (!a.config ? "A" : "B") << " has no readable config.json, nothing to compare\n";
    }
    else
    {
        const std::vector<io::ConfigDifference> diff = io::DiffConfigs(*a.config, *b.config);
        out << "config: " << diff.size() << (diff.size() == 1 ? " key differs\n" : " keys differ\n");
        for (const io::ConfigDifference& d : diff)
        {
            out << "  " << d.key << ": " << d.a << " -> " << d.b << "\n";
        }
    }
    std::vector<std::string> names;
    for (const auto* run : {&a, &b})
    {
        for (const auto& [name, value] : run->final_metrics)
        {
            if (std::find(names.begin(), names.end(), name) == names.end())
            {
                names.push_back(name);
            }
        }
    }
    const auto value_of = [](const io::RunInfo& run, const std::string& name) -> std::string {
        for (const auto& [n, v] : run.final_metrics)
        {
            if (n == name)
            {
                return FormatValue(v);
            }
        }
        return "-";
    };
    out << "final metrics (A | B):\n";
    for (const std::string& name : names)
    {
        char line[256];
        std::snprintf(line, sizeof line, "  %-20s %12s | %s\n", name.c_str(), value_of(a, name).c_str(),
                      value_of(b, name).c_str());
        out << line;
    }
    return 0;
}

struct SweepArgs
{
    std::string preset, config_file, runs_dir, data_dir, emit;
    std::vector<train::SweepAxis> axes;
    long long steps = -1;
    int jobs = 1;
    int threads = 1;
    bool help = false;
};

SweepArgs ParseSweepArgs(const std::vector<std::string>& args)
{
    SweepArgs a;
    ForEachOption(args, a.help, [&a](const std::string& flag, const std::string& value) {
        if (flag == "--preset") a.preset = value;
        else if (flag == "--config") a.config_file = value;
        else if (flag == "--runs") a.runs_dir = value;
        else if (flag == "--data") a.data_dir = value;
        else if (flag == "--steps") a.steps = ParseNumber<long long>(flag, value, 0, 1LL << 40);
        else if (flag == "--jobs") a.jobs = ParseNumber<int>(flag, value, 1, 64);
        else if (flag == "--threads") a.threads = ParseNumber<int>(flag, value, 1, 256);
        else if (flag == "--emit")
        {
            if (value != "slurm")
            {
                throw UsageError("--emit: expected 'slurm', got '" + value + "'");
            }
            a.emit = value;
        }
        else if (flag == "--set")
        {
            try
            {
                a.axes.push_back(train::ParseSweepAxis(value));
            }
            catch (const std::invalid_argument& e)
            {
                throw UsageError(e.what());
            }
        }
        else throw UsageError("unknown option '" + flag + "'");
    });
    if (!a.help && (a.preset.empty() == a.config_file.empty()))
    {
        throw UsageError("give exactly one of --preset NAME or --config FILE.json");
    }
    if (!a.help && a.axes.empty())
    {
        throw UsageError("give at least one --set KEY=VALUES");
    }
    return a;
}

// "20261201-134502": the sweep folder's time stamp (UTC).
std::string TimeStamp()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    return buf;
}

// Starts `exe train --config DIR/config.json --out DIR ...` with its output in DIR/train.log; returns its pid.
pid_t StartTrain(const std::string& exe, const fs::path& dir, const SweepArgs& a)
{
    std::vector<std::string> words{exe, "train", "--config", (dir / io::kRunConfigFile).string(), "--out",
                                   dir.string(), "--threads", std::to_string(a.threads)};
    if (a.steps >= 0)
    {
        words.insert(words.end(), {"--steps", std::to_string(a.steps)});
    }
    if (!a.data_dir.empty())
    {
        words.insert(words.end(), {"--data", a.data_dir});
    }
    std::vector<char*> argv;
    for (std::string& w : words)
    {
        argv.push_back(w.data());
    }
    argv.push_back(nullptr);
    const std::string log = (dir / "train.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
    {
        throw std::runtime_error("cannot start '" + exe + "': " + std::string(std::strerror(rc)));
    }
    return pid;
}

} // namespace

int RunRunsArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    std::vector<std::string> positional;
    std::string runs_dir;
    int count = 50, threads = 2;
    std::int64_t points = 100000;
    for (std::size_t i = 0; i < args.size(); ++i)
    {
        if (args[i] == "--help" || args[i] == "-h")
        {
            out << kRunsUsage;
            return 0;
        }
        if (args[i] == "--count" || args[i] == "--points" || args[i] == "--threads")
        {
            if (i + 1 >= args.size())
            {
                err << "latentlab runs: " << args[i] << ": missing value\n" << kRunsUsage;
                return kExitUsage;
            }
            try
            {
                const std::string& flag = args[i];
                const std::string& value = args[++i];
                if (flag == "--count")
                {
                    count = ParseNumber<int>(flag, value, 1, 10000);
                }
                else if (flag == "--points")
                {
                    points = ParseNumber<std::int64_t>(flag, value, 1, 10000000);
                }
                else
                {
                    threads = ParseNumber<int>(flag, value, 1, 64);
                }
            }
            catch (const std::exception& e)
            {
                err << "latentlab runs: " << e.what() << "\n";
                return kExitUsage;
            }
            continue;
        }
        if (args[i] == "--runs")
        {
            if (i + 1 >= args.size())
            {
                err << "latentlab runs: --runs: missing value\n" << kRunsUsage;
                return kExitUsage;
            }
            runs_dir = args[++i];
        }
        else if (args[i].rfind("--", 0) == 0)
        {
            err << "latentlab runs: unknown option '" << args[i] << "'\n" << kRunsUsage;
            return kExitUsage;
        }
        else
        {
            positional.push_back(args[i]);
        }
    }
    const bool list = positional.size() == 1 && positional[0] == "list";
    const bool diff = positional.size() == 3 && positional[0] == "diff";
    const bool synth = positional.size() == 1 && positional[0] == "synth";
    const bool time_open = positional.size() == 1 && positional[0] == "time-open";
    if (!list && !diff && !synth && !time_open)
    {
        err << "latentlab runs: expected 'list', 'diff A B', 'synth' or 'time-open'\n" << kRunsUsage;
        return kExitUsage;
    }
    const fs::path dir = runs_dir.empty() ? io::DefaultRunsDir() : fs::path(runs_dir);
    try
    {
        if (synth)
        {
            return RunsSynthCommand(dir, count, points, out);
        }
        if (time_open)
        {
            return RunsTimeOpenCommand(dir, threads, out);
        }
        return list ? ListRunsCommand(dir, out)
                    : DiffRunsCommand(FindRun(positional[1], dir), FindRun(positional[2], dir), out);
    }
    catch (const std::exception& e)
    {
        err << "latentlab runs: " << e.what() << "\n";
        return kExitFailure;
    }
}

int RunSweepArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    SweepArgs a;
    if (const auto exit = ParseCommandLine(ParseSweepArgs, args, "latentlab sweep", kSweepUsage, out, err, a))
    {
        return *exit;
    }
    try
    {
        const std::string base = a.config_file.empty()
                                     ? io::ConfigToJson(io::LoadPreset(a.preset, io::FindPresetDir()))
                                     : io::ReadFileBounded(a.config_file, io::kConfigJsonLimits.max_bytes,
                                                           "config file");
        const std::string source = a.config_file.empty() ? a.preset : fs::path(a.config_file).filename().string();
        const std::vector<train::SweepPoint> points = train::ExpandSweep(base, a.axes, source);
        const fs::path root = a.runs_dir.empty() ? io::DefaultRunsDir() : fs::path(a.runs_dir);
        std::string sweep_name = io::ParseConfig(base, source).name + "-sweep-" + TimeStamp();
        for (int n = 2; fs::exists(root / sweep_name); ++n) // two sweeps in one second: never one folder
        {
            sweep_name = sweep_name.substr(0, sweep_name.find("-sweep-") + 22) + "-" + std::to_string(n);
        }
        const fs::path sweep_dir = root / sweep_name;
        fs::create_directories(sweep_dir);
        std::vector<fs::path> dirs;
        for (const train::SweepPoint& p : points)
        {
            const fs::path dir = sweep_dir / p.name;
            fs::create_directories(dir);
            io::WriteFileAtomic(dir / io::kRunConfigFile, p.config_json);
            dirs.push_back(dir);
        }
        out << points.size() << " run" << (points.size() == 1 ? "" : "s") << " in " << sweep_dir.string() << "\n";
        std::error_code ec;
        const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
        if (a.emit == "slurm")
        {
            const fs::path script = sweep_dir / "sweep.sbatch";
            io::WriteFileAtomic(script, train::SlurmArrayScript(ec ? "latentlab" : exe.string(), dirs, a.threads,
                                                                a.steps, sweep_name));
            fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                            fs::perm_options::add, ec);
            out << "wrote " << script.string() << " (" << dirs.size() << " array tasks): sbatch " << script.string()
                << "\n";
            return 0;
        }
        if (ec)
        {
            throw std::runtime_error("cannot find this program's path (/proc/self/exe): " + ec.message());
        }
        // J children at a time; each finished one reported with its exit status.
        std::map<pid_t, std::size_t> running;
        std::size_t next = 0;
        int failures = 0;
        while (next < dirs.size() || !running.empty())
        {
            while (next < dirs.size() && running.size() < static_cast<std::size_t>(a.jobs))
            {
                running[StartTrain(exe.string(), dirs[next], a)] = next;
                ++next;
            }
            int status = 0;
            const pid_t pid = ::waitpid(-1, &status, 0);
            if (pid < 0)
            {
                if (errno == EINTR)
                {
                    continue;
                }
                throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
            }
            const auto it = running.find(pid);
            if (it == running.end())
            {
                continue;
            }
            const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            failures += ok ? 0 : 1;
            out << (ok ? "done   " : "FAILED ") << points[it->second].name
                << (ok ? "" : " (see " + (dirs[it->second] / "train.log").string() + ")") << "\n"
                << std::flush;
            running.erase(it);
        }
        out << (points.size() - static_cast<std::size_t>(failures)) << " of " << points.size()
            << " completed; latentlab runs list --runs " << sweep_dir.string() << "\n";
        return failures == 0 ? 0 : kExitFailure;
    }
    catch (const std::exception& e)
    {
        err << "latentlab sweep: " << e.what() << "\n";
        return kExitFailure;
    }
}

int RunRuns(int argc, char** argv) { return RunRunsArgs(ToArgs(argc, argv), std::cout, std::cerr); }
int RunSweep(int argc, char** argv) { return RunSweepArgs(ToArgs(argc, argv), std::cout, std::cerr); }

} // namespace ll::app
