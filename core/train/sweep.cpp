// Sweep grids and the Slurm script (see sweep.h).
#include "core/train/sweep.h"

#include "core/io/bounded_read.h"
#include "core/io/config_json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace ll::train
{

namespace
{

std::string Trim(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t");
    const auto end = s.find_last_not_of(" \t");
    return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

// A value as JSON text: JSON when it parses as a scalar, else a string.
std::string ValueJson(const std::string& word)
{
    const nlohmann::json parsed = nlohmann::json::parse(word, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_primitive())
    {
        return parsed.dump();
    }
    return nlohmann::json(word).dump();
}

bool ParseInt(const std::string& text, long long& value)
{
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Writes value (JSON text) at the dotted key of j, which must already exist there (a typo is refused, not added).
void SetKey(nlohmann::ordered_json& j, const std::string& key, const std::string& value)
{
    nlohmann::ordered_json* node = &j;
    std::size_t from = 0;
    while (true)
    {
        const std::size_t dot = key.find('.', from);
        const std::string part = key.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
        if (!node->is_object() || !node->contains(part))
        {
            throw std::invalid_argument("the config has no key '" + key + "'");
        }
        node = &(*node)[part];
        if (dot == std::string::npos)
        {
            break;
        }
        from = dot + 1;
    }
    *node = nlohmann::ordered_json::parse(value);
}

// "gan.gp_lambda" -> "gp_lambda": the last part names the setting in a run's name.
std::string ShortKey(const std::string& key)
{
    const std::size_t dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
}

// A value in a run name: strings without quotes, nothing a folder name cannot hold.
std::string NameValue(const std::string& json)
{
    std::string text = json.size() >= 2 && json.front() == '"' ? json.substr(1, json.size() - 2) : json;
    for (char& c : text)
    {
        if (c == '/' || c == '\\' || c == ' ' || static_cast<unsigned char>(c) < 32)
        {
            c = '_';
        }
    }
    return text;
}

} // namespace

SweepAxis ParseSweepAxis(const std::string& text)
{
    const auto fail = [&](const std::string& reason) {
        return std::invalid_argument("--set '" + text.substr(0, 200) + "': " + reason);
    };
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos)
    {
        throw fail("expected KEY=V1,V2,... or KEY=LO..HI");
    }
    SweepAxis axis;
    axis.key = Trim(text.substr(0, eq));
    const std::string values = text.substr(eq + 1);
    if (axis.key.empty())
    {
        throw fail("the key is empty");
    }
    if (const std::size_t range = values.find(".."); range != std::string::npos)
    {
        long long lo = 0;
        long long hi = 0;
        if (!ParseInt(Trim(values.substr(0, range)), lo) || !ParseInt(Trim(values.substr(range + 2)), hi) || lo > hi)
        {
            throw fail("a range is two integers LO..HI with LO <= HI");
        }
        if (static_cast<unsigned long long>(hi - lo) >= kMaxSweepPoints)
        {
            throw fail("more than " + std::to_string(kMaxSweepPoints) + " values");
        }
        for (long long v = lo; v <= hi; ++v)
        {
            axis.values.push_back(std::to_string(v));
        }
        return axis;
    }
    std::size_t from = 0;
    while (true)
    {
        const std::size_t comma = values.find(',', from);
        const std::string word =
            Trim(values.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
        if (word.empty())
        {
            throw fail("an empty value");
        }
        if (axis.values.size() >= kMaxSweepPoints)
        {
            throw fail("more than " + std::to_string(kMaxSweepPoints) + " values");
        }
        axis.values.push_back(ValueJson(word));
        if (comma == std::string::npos)
        {
            break;
        }
        from = comma + 1;
    }
    return axis;
}

std::vector<SweepPoint> ExpandSweep(const std::string& base_json, const std::vector<SweepAxis>& axes,
                                    const std::string& source_name)
{
    // The base through the lab's own reader first: comments, bounds, validation, and the full key set to set into.
    const nlohmann::ordered_json base = nlohmann::ordered_json::parse(io::ConfigToJson(io::ParseConfig(base_json,
                                                                                                       source_name)));
    std::size_t total = 1;
    for (std::size_t a = 0; a < axes.size(); ++a)
    {
        if (axes[a].values.empty())
        {
            throw std::invalid_argument("--set " + axes[a].key + ": no values");
        }
        for (std::size_t b = 0; b < a; ++b)
        {
            if (axes[b].key == axes[a].key)
            {
                throw std::invalid_argument("--set " + axes[a].key + " is given twice");
            }
        }
        total *= axes[a].values.size();
        if (total > kMaxSweepPoints)
        {
            throw std::invalid_argument("the sweep has more than " + std::to_string(kMaxSweepPoints) + " points");
        }
    }
    const std::string base_name = base.value("name", std::string("run"));
    std::vector<SweepPoint> points;
    points.reserve(total);
    std::vector<std::size_t> index(axes.size(), 0);
    for (std::size_t p = 0; p < total; ++p)
    {
        SweepPoint point;
        point.name = base_name;
        nlohmann::ordered_json j = base;
        for (std::size_t a = 0; a < axes.size(); ++a)
        {
            const std::string& value = axes[a].values[index[a]];
            point.settings.emplace_back(axes[a].key, value);
            point.name += "-" + ShortKey(axes[a].key) + "=" + NameValue(value);
        }
        try
        {
            for (const auto& [key, value] : point.settings)
            {
                SetKey(j, key, value);
            }
            point.config_json = io::ConfigToJson(io::ParseConfig(j.dump(4), point.name));
        }
        catch (const std::exception& e)
        {
            throw std::invalid_argument("sweep point '" + point.name + "': " + e.what());
        }
        points.push_back(std::move(point));
        for (std::size_t a = axes.size(); a-- > 0;) // odometer: the last axis fastest
        {
            if (++index[a] < axes[a].values.size())
            {
                break;
            }
            index[a] = 0;
        }
    }
    return points;
}

std::string SlurmArrayScript(const std::string& latentlab, const std::vector<std::filesystem::path>& run_dirs,
                             int threads, long long steps, const std::string& job_name)
{
    if (run_dirs.empty())
    {
        throw std::invalid_argument("a Slurm array needs at least one run");
    }
    const auto quote = [](const std::string& s) {
        std::string q = "'";
        for (char c : s)
        {
            q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        }
        return q + "'";
    };
    std::string s;
    s += "#!/bin/bash\n";
    s += "# Written by latentlab sweep --emit slurm: one array task per run folder below; each task trains one\n";
    s += "# config into its own folder, which latentlab runs list and the window's Runs view read.\n";
    s += "#SBATCH --job-name=" + job_name + "\n";
    s += "#SBATCH --array=0-" + std::to_string(run_dirs.size() - 1) + "\n";
    s += "#SBATCH --cpus-per-task=" + std::to_string(threads) + "\n";
    s += "#SBATCH --ntasks=1\n";
    s += "#SBATCH --output=" + run_dirs.front().parent_path().string() + "/slurm-%A_%a.out\n";
    s += "set -euo pipefail\n";
    s += "runs=(\n";
    for (const auto& dir : run_dirs)
    {
        s += "    " + quote(dir.string()) + "\n";
    }
    s += ")\n";
    s += "run=\"${runs[$SLURM_ARRAY_TASK_ID]}\"\n";
    s += "exec " + quote(latentlab) + " train --config \"$run/config.json\" --out \"$run\" --threads " +
         std::to_string(threads) + (steps >= 0 ? " --steps " + std::to_string(steps) : std::string()) + "\n";
    return s;
}

} // namespace ll::train
