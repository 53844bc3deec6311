// Run folders: what `latentlab train --out DIR` and `latentlab sweep` leave (config.json at the start, metrics.csv
// as the run goes, summary.json at the end, PNG grids and checkpoints), read back for `latentlab runs list / diff`.
// A run without summary.json was killed or is still running: it reads as "incomplete" up to its last CSV row.
// Every file is read bounded (core/io/bounded_read.h). Pure functions, no shared state: safe on any thread.
#pragma once

#include "core/io/metrics_csv.h"
#include "core/io/run_curves.h"
#include "core/models/config.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll::io
{

// The caps of the readers below (the CSV parser's own are in metrics_csv.h).
inline constexpr std::uint64_t kMaxMetricsCsvBytes = std::uint64_t{256} << 20; // 256 MiB: ~2M rows of 15 series
inline constexpr std::size_t kMaxRunsListed = 10000; // folders looked at under a runs directory

// The files of a run folder, named once.
inline constexpr const char* kRunConfigFile = "config.json";
inline constexpr const char* kRunMetricsFile = "metrics.csv";
inline constexpr const char* kRunSummaryFile = "summary.json";
inline constexpr const char* kRunFinalCheckpoint = "final.ckpt";   // written when a run ends
inline constexpr const char* kRunLatestCheckpoint = "latest.ckpt"; // the window's periodic one, while it runs
inline constexpr const char* kRunCurvesFile = "curves.lod"; // the metrics' curves, a cache (run_curves.h)
inline constexpr std::uint64_t kMaxCurvesFileBytes = std::uint64_t{512} << 20; // 4,096 series of 1,024 buckets

struct RunInfo
{
    std::filesystem::path dir;
    std::string name;   // the folder's name
    std::string preset; // the config's name
    // summary.json's status ("completed", "diverged", "error"), "incomplete" without summary.json, "unreadable"
    // when the folder's files could not be read (error says why).
    std::string status;
    std::int64_t steps = 0;  // summary.json's steps, else the last CSV row's step
    double wall_seconds = 0; // summary.json's, else the last CSV row's
    std::vector<std::pair<std::string, double>> final_metrics; // summary.json's numbers, else the CSV's last values
    std::optional<models::ExperimentConfig> config;
    std::string error; // empty when everything read
};

// Reads one run folder. Never throws for what is in the files: a missing config, a corrupt CSV or summary is said in
// `error` (status "unreadable" when nothing could be read). Throws std::runtime_error only when dir is not a folder.
// With curves, the metrics' curves are read in the same pass (run_curves.h: bounded, whatever the CSV's length), or
// from curves.lod when it summarises the CSV as it is now (its length); after a CSV pass, curves.lod is written.
RunInfo ReadRun(const std::filesystem::path& dir, RunCurves* curves = nullptr);

// True when dir holds a config.json or a metrics.csv (what makes a folder a run).
bool IsRunFolder(const std::filesystem::path& dir);

// The run folders directly under root (at most kMaxRunsListed folders looked at), oldest first by config.json's
// (else the folder's) modification time, then by name. Throws std::runtime_error when root is not a folder.
std::vector<RunInfo> ListRuns(const std::filesystem::path& root);
// The same folders, not read.
std::vector<std::filesystem::path> ListRunDirs(const std::filesystem::path& root);

// The checkpoint a run resumes from: final.ckpt, else latest.ckpt (the window's periodic one), else the highest
// step_NNNNNN.ckpt; empty when the run has none.
std::filesystem::path LastCheckpoint(const std::filesystem::path& dir);

// The steps of a run's sample pictures stem_NNNNNN.png ("samples", "recon", "view2d"), ascending (at most 100,000).
std::vector<std::int64_t> SampleSteps(const std::filesystem::path& dir, const std::string& stem);
// dir / "stem_000500.png".
std::filesystem::path SampleFile(const std::filesystem::path& dir, const std::string& stem, std::int64_t step);

// What the window's Runs view holds of a run: its info, the curves of every metric (bounded: run_curves.h), the
// steps of its sample pictures and the checkpoint it resumes from.
struct RunEntry
{
    RunInfo info;
    std::shared_ptr<const RunCurves> curves; // never null (empty for an unreadable CSV)
    std::string sample_stem;                 // "samples" or "view2d" ("" when the run has no pictures)
    std::vector<std::int64_t> sample_steps;  // ascending
    std::filesystem::path checkpoint;        // LastCheckpoint ("" = none: it cannot be opened or resumed)
    bool Damaged() const { return info.status == "unreadable" || !info.error.empty(); }
};
RunEntry ReadRunEntry(const std::filesystem::path& dir);
// ReadRunEntry of each folder, on `threads` threads (at least 1), in the folders' order. What the window's listing
// and `latentlab runs time-open` do.
std::vector<RunEntry> ReadRunEntries(const std::vector<std::filesystem::path>& dirs, int threads);

// $XDG_DATA_HOME/latentlab/runs, else $HOME/.local/share/latentlab/runs, else ./runs.
std::filesystem::path DefaultRunsDir();

// The config keys whose values differ, as dotted JSON paths ("gan.gp_lambda") with both values as JSON text
// ("10", "\"wgan-gp\""); a key only one side has shows "(absent)" on the other. In the config's key order.
struct ConfigDifference
{
    std::string key, a, b;
};
std::vector<ConfigDifference> DiffConfigs(const models::ExperimentConfig& a, const models::ExperimentConfig& b);

} // namespace ll::io
