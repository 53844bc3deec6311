// Sweeps: a base config and `--set key=v1,v2` / `--set seed=1..5` axes expanded into the grid of their values, one
// validated config per point, and the Slurm job-array script that runs the points elsewhere. GL-free, no threads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ll::train
{

inline constexpr std::size_t kMaxSweepPoints = 10000;

// One `--set`: a dotted config key ("gan.gp_lambda", "seed") and its values as JSON text ("10", "true",
// "\"hinge\""); a bare word that is not JSON is taken as a string ("hinge" -> "\"hinge\"").
struct SweepAxis
{
    std::string key;
    std::vector<std::string> values;
};

// Parses "key=a,b,c" or "key=LO..HI" (integers, LO <= HI, at most kMaxSweepPoints values). Throws
// std::invalid_argument "--set 'TEXT': ..." for a missing '=', an empty key or value, or a bad range.
SweepAxis ParseSweepAxis(const std::string& text);

struct SweepPoint
{
    // The run folder's name: base name + "-key=value" per axis ("-gp_lambda=10"); the config keeps its own name.
    std::string name;
    std::vector<std::pair<std::string, std::string>> settings; // (key, value) of this point, in axis order
    std::string config_json;                                   // the point's full config (ConfigToJson of it)
};

// The grid (the last axis varies fastest). Each point's config is base_json with its settings written in (its name
// stays the base's, so runs of one preset read as such), then parsed and validated as any preset is: a key the
// config does not have, a value of the wrong type or out of range is refused (std::invalid_argument naming the point
// and the key). Refuses more than kMaxSweepPoints points and an axis named twice.
std::vector<SweepPoint> ExpandSweep(const std::string& base_json, const std::vector<SweepAxis>& axes,
                                    const std::string& source_name);

// A Slurm job-array script (sbatch) in which array task i runs
// `LATENTLAB train --config RUN_i/config.json --out RUN_i --threads THREADS [--steps STEPS]` for run_dirs[i].
// steps < 0: the configs' own.
std::string SlurmArrayScript(const std::string& latentlab, const std::vector<std::filesystem::path>& run_dirs,
                             int threads, long long steps, const std::string& job_name);

} // namespace ll::train
