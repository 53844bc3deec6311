// Run folders read back (see run_folder.h).
#include "core/io/run_folder.h"

#include "core/io/bounded_read.h"
#include "core/io/config_json.h"
#include "core/io/image_io.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <stdexcept>
#include <thread>

namespace ll::io
{

namespace fs = std::filesystem;

namespace
{

// summary.json's fields that are not metrics.
bool IsSummaryBookkeeping(const std::string& key)
{
    static const char* const kKeys[] = {"name", "family", "objective", "status", "message", "steps", "seed",
                                        "wall_seconds", "steps_per_s", "iwae_k"};
    return std::find_if(std::begin(kKeys), std::end(kKeys), [&](const char* k) { return key == k; }) !=
           std::end(kKeys);
}

// Flattens a JSON object into dotted paths and their values as JSON text (arrays are leaves).
void Flatten(const nlohmann::ordered_json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out)
{
    for (const auto& [key, value] : j.items())
    {
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        if (value.is_object())
        {
            Flatten(value, path, out);
        }
        else
        {
            out.emplace_back(path, value.dump());
        }
    }
}

// The run's curves.lod when it summarises a metrics.csv of csv_bytes (else false).
bool LoadCurvesCache(const fs::path& dir, std::uint64_t csv_bytes, CurvesCache& cache)
{
    std::error_code ec;
    const fs::path path = dir / kRunCurvesFile;
    if (!fs::is_regular_file(path, ec))
    {
        return false;
    }
    try
    {
        const std::string bytes = ReadFileBounded(path, kMaxCurvesFileBytes, "curves file");
        return DecodeCurves(bytes, cache) && cache.csv_bytes == csv_bytes &&
               cache.curves.names.size() == cache.curves.series.size();
    }
    catch (const std::exception&)
    {
        return false;
    }
}

fs::file_time_type RunTime(const fs::path& dir)
{
    std::error_code ec;
    const fs::file_time_type t = fs::last_write_time(dir / kRunConfigFile, ec);
    return ec ? fs::last_write_time(dir, ec) : t;
}

} // namespace

bool IsRunFolder(const fs::path& dir)
{
    std::error_code ec;
    return fs::is_regular_file(dir / kRunConfigFile, ec) || fs::is_regular_file(dir / kRunMetricsFile, ec);
}

RunInfo ReadRun(const fs::path& dir, RunCurves* curves)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
    {
        throw std::runtime_error("run '" + dir.string() + "': not a folder");
    }
    RunInfo run;
    run.dir = dir;
    run.name = dir.filename().string();
    std::vector<std::string> errors;
    bool anything = false;
    if (fs::exists(dir / kRunConfigFile, ec))
    {
        try
        {
            run.config = LoadConfigFile(dir / kRunConfigFile);
            run.preset = run.config->name;
            anything = true;
        }
        catch (const std::exception& e)
        {
            errors.push_back(e.what());
        }
    }
    else
    {
        errors.push_back("no " + std::string(kRunConfigFile));
    }
    if (fs::exists(dir / kRunMetricsFile, ec))
    {
        try
        {
            const fs::path path = dir / kRunMetricsFile;
            const std::uint64_t csv_bytes = fs::file_size(path, ec);
            CurvesCache cache;
            // With curves asked for, a curves.lod of this CSV's length stands for it; else the CSV is streamed: the
            // last row's step and time, each series' last value, and the curves (then kept in curves.lod).
            const bool cached = curves != nullptr && !ec && LoadCurvesCache(dir, csv_bytes, cache);
            if (!cached)
            {
                const std::string text = ReadFileBounded(path, kMaxMetricsCsvBytes, "metrics CSV");
                ForEachMetricsRow(
                    text, path.string(),
                    [&](const std::vector<std::string>& series) {
                        cache.curves.names = series;
                        cache.last_values.assign(series.size(), std::numeric_limits<double>::quiet_NaN());
                        if (curves != nullptr)
                        {
                            cache.curves.series.assign(series.size(), CurveLod());
                        }
                    },
                    [&](std::int64_t step, double wall, const std::vector<double>& row) {
                        cache.last_step = step;
                        cache.last_wall = wall;
                        for (std::size_t i = 0; i < row.size(); ++i)
                        {
                            if (!std::isnan(row[i]))
                            {
                                cache.last_values[i] = row[i];
                                if (curves != nullptr)
                                {
                                    cache.curves.series[i].Append(step, wall, row[i]);
                                }
                            }
                        }
                    });
                if (curves != nullptr && text.size() == csv_bytes)
                {
                    cache.csv_bytes = csv_bytes;
                    try
                    {
                        WriteFileAtomic(dir / kRunCurvesFile, EncodeCurves(cache));
                    }
                    catch (const std::exception&)
                    {
                        // A read-only runs folder: the curves are read from the CSV each time.
                    }
                }
            }
            run.steps = cache.last_step;
            run.wall_seconds = cache.last_wall;
            run.final_metrics.clear();
            for (std::size_t i = 0; i < cache.curves.names.size() && i < cache.last_values.size(); ++i)
            {
                if (!std::isnan(cache.last_values[i]))
                {
                    run.final_metrics.emplace_back(cache.curves.names[i], cache.last_values[i]);
                }
            }
            if (curves != nullptr)
            {
                *curves = std::move(cache.curves);
            }
            anything = true;
        }
        catch (const std::exception& e)
        {
            errors.push_back(e.what());
        }
    }
    run.status = "incomplete";
    if (fs::exists(dir / kRunSummaryFile, ec))
    {
        try
        {
            const nlohmann::json summary = ReadJsonFile(dir / kRunSummaryFile, kSettingsJsonLimits);
            if (!summary.is_object())
            {
                throw std::invalid_argument(dir.string() + "/" + kRunSummaryFile + ": not a JSON object");
            }
            run.status = summary.value("status", std::string("incomplete"));
            if (summary.contains("steps") && summary["steps"].is_number_integer())
            {
                run.steps = summary["steps"].get<std::int64_t>();
            }
            if (summary.contains("wall_seconds") && summary["wall_seconds"].is_number())
            {
                run.wall_seconds = summary["wall_seconds"].get<double>();
            }
            std::vector<std::pair<std::string, double>> metrics;
            for (const auto& [key, value] : summary.items())
            {
                if (!IsSummaryBookkeeping(key) && value.is_number())
                {
                    metrics.emplace_back(key, value.get<double>());
                }
            }
            if (!metrics.empty())
            {
                run.final_metrics = std::move(metrics);
            }
            if (run.preset.empty() && summary.contains("name") && summary["name"].is_string())
            {
                run.preset = summary["name"].get<std::string>();
            }
            anything = true;
        }
        catch (const std::exception& e)
        {
            errors.push_back(e.what());
        }
    }
    for (const std::string& e : errors)
    {
        run.error += (run.error.empty() ? "" : "; ") + e;
    }
    if (!anything)
    {
        run.status = "unreadable";
    }
    return run;
}

std::vector<fs::path> ListRunDirs(const fs::path& root)
{
    std::error_code ec;
    if (!fs::is_directory(root, ec))
    {
        throw std::runtime_error("runs directory '" + root.string() + "': not a folder");
    }
    std::vector<std::pair<fs::file_time_type, fs::path>> dirs;
    std::size_t looked = 0;
    for (fs::directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end && looked < kMaxRunsListed; it.increment(ec), ++looked)
    {
        std::error_code entry_ec;
        if (it->is_directory(entry_ec) && IsRunFolder(it->path()))
        {
            dirs.emplace_back(RunTime(it->path()), it->path());
        }
    }
    if (ec)
    {
        throw std::runtime_error("runs directory '" + root.string() + "': " + ec.message());
    }
    std::sort(dirs.begin(), dirs.end());
    std::vector<fs::path> out;
    out.reserve(dirs.size());
    for (const auto& entry : dirs)
    {
        out.push_back(entry.second);
    }
    return out;
}

std::vector<RunInfo> ListRuns(const fs::path& root)
{
    std::vector<RunInfo> runs;
    for (const fs::path& dir : ListRunDirs(root))
    {
        runs.push_back(ReadRun(dir));
    }
    return runs;
}

fs::path LastCheckpoint(const fs::path& dir)
{
    std::error_code ec;
    for (const char* name : {kRunFinalCheckpoint, kRunLatestCheckpoint})
    {
        if (fs::is_regular_file(dir / name, ec))
        {
            return dir / name;
        }
    }
    fs::path best;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    {
        const std::string name = it->path().filename().string();
        if (name.size() == 16 && name.rfind("step_", 0) == 0 && name.substr(11) == ".ckpt" &&
            (best.empty() || name > best.filename().string()))
        {
            best = it->path();
        }
    }
    return best;
}

std::vector<std::int64_t> SampleSteps(const fs::path& dir, const std::string& stem)
{
    std::vector<std::int64_t> steps;
    std::error_code ec;
    const std::string prefix = stem + "_";
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end && steps.size() < 100000; it.increment(ec))
    {
        const std::string name = it->path().filename().string();
        if (name.size() > prefix.size() + 4 && name.rfind(prefix, 0) == 0 && name.substr(name.size() - 4) == ".png")
        {
            std::int64_t step = 0;
            const char* first = name.data() + prefix.size();
            const char* last = name.data() + name.size() - 4;
            const auto [end_ptr, error] = std::from_chars(first, last, step);
            if (error == std::errc() && end_ptr == last)
            {
                steps.push_back(step);
            }
        }
    }
    std::sort(steps.begin(), steps.end());
    return steps;
}

fs::path SampleFile(const fs::path& dir, const std::string& stem, std::int64_t step)
{
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "_%06lld.png", static_cast<long long>(step));
    return dir / (stem + buffer);
}

RunEntry ReadRunEntry(const fs::path& dir)
{
    RunEntry entry;
    auto curves = std::make_shared<RunCurves>();
    entry.info = ReadRun(dir, curves.get());
    entry.curves = std::move(curves);
    for (const char* stem : {"samples", "view2d"})
    {
        entry.sample_steps = SampleSteps(dir, stem);
        if (!entry.sample_steps.empty())
        {
            entry.sample_stem = stem;
            break;
        }
    }
    entry.checkpoint = LastCheckpoint(dir);
    return entry;
}

std::vector<RunEntry> ReadRunEntries(const std::vector<fs::path>& dirs, int threads)
{
    std::vector<RunEntry> entries(dirs.size());
    const std::size_t n = static_cast<std::size_t>(std::max(1, threads));
    // The parse is CPU-bound: folder k goes to thread k % n (ReadRunEntry never throws for what is in the files).
    const auto share = [&](std::size_t first) {
        for (std::size_t k = first; k < dirs.size(); k += n)
        {
            try
            {
                entries[k] = ReadRunEntry(dirs[k]);
            }
            catch (const std::exception& e)
            {
                entries[k].info.dir = dirs[k];
                entries[k].info.name = dirs[k].filename().string();
                entries[k].info.status = "unreadable";
                entries[k].info.error = e.what();
                entries[k].curves = std::make_shared<RunCurves>();
            }
        }
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < n && t < dirs.size(); ++t)
    {
        helpers.emplace_back(share, t);
    }
    share(0);
    for (std::thread& t : helpers)
    {
        t.join();
    }
    return entries;
}

fs::path DefaultRunsDir()
{
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/')
    {
        return fs::path(xdg) / "latentlab" / "runs";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
    {
        return fs::path(home) / ".local" / "share" / "latentlab" / "runs";
    }
    return "runs";
}

std::vector<ConfigDifference> DiffConfigs(const models::ExperimentConfig& a, const models::ExperimentConfig& b)
{
    std::vector<std::pair<std::string, std::string>> fa;
    std::vector<std::pair<std::string, std::string>> fb;
    Flatten(nlohmann::ordered_json::parse(ConfigToJson(a)), "", fa);
    Flatten(nlohmann::ordered_json::parse(ConfigToJson(b)), "", fb);
    std::vector<ConfigDifference> out;
    // (Pairs, not structured bindings: clang 14, which builds the fuzzers, cannot capture those in a lambda.)
    for (const auto& entry : fa)
    {
        const auto it = std::find_if(fb.begin(), fb.end(), [&](const auto& kv) { return kv.first == entry.first; });
        const std::string other = it == fb.end() ? "(absent)" : it->second;
        if (other != entry.second)
        {
            out.push_back({entry.first, entry.second, other});
        }
    }
    for (const auto& entry : fb)
    {
        if (std::none_of(fa.begin(), fa.end(), [&](const auto& kv) { return kv.first == entry.first; }))
        {
            out.push_back({entry.first, "(absent)", entry.second});
        }
    }
    return out;
}

} // namespace ll::io
