// The one writer of run folders (core/io/run_folder.h): config.json first (atomically), metrics.csv appended and
// flushed a batch at a time, sample grids as PNG at sample steps, checkpoints, summary.json (atomically) at the end.
// A killed lab leaves a run readable up to its last flush. Used by RunHeadless on its thread and by the window's
// Session on its training thread (batches at the publish cadence). Threading: one thread at a time per recorder.
#pragma once

#include "core/models/config.h"
#include "core/models/model.h"
#include "core/io/image_io.h"
#include "core/io/run_curves.h"
#include "core/train/experiment.h"
#include "core/train/session.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace ll::train
{

// What summary.json says about a run (the run's end state and its final metrics).
struct RunSummary
{
    std::string name;      // the config's name (the preset)
    std::string family;    // "gan", "vae", or "" when nothing was built
    std::string objective;
    std::string status;    // "completed", "stopped" (the window moved on), "diverged", "error", ...
    std::string message;   // why, for anything but completed / stopped
    std::int64_t steps = 0;
    std::uint64_t seed = 0;
    double wall_seconds = 0;
    models::Metrics metrics; // the final evaluation (or the last logged values)
    int iwae_k = 0;
};
std::string SummaryJson(const RunSummary& summary);

// "<preset>-20261201-152641" for a run begun at time t (UTC); characters a folder name should not hold become '_'.
std::string RunFolderName(const std::string& preset, std::chrono::system_clock::time_point t);
// root / RunFolderName(...), with "-2", "-3", ... appended when that folder exists already.
std::filesystem::path NewRunDir(const std::filesystem::path& root, const std::string& preset,
                                std::chrono::system_clock::time_point t);
// A run folder's new name checked: not empty, no '/' or '\\', not "." or "..", at most 200 characters. Throws
// std::invalid_argument saying which.
void CheckRunName(const std::string& name);

class RunRecorder
{
public:
    RunRecorder() = default;
    RunRecorder(const RunRecorder&) = delete;
    RunRecorder& operator=(const RunRecorder&) = delete;

    // Starts a run in dir (created): config.json written atomically, an earlier summary.json removed, metrics.csv
    // created. Throws std::runtime_error naming the path.
    void Begin(const std::filesystem::path& dir, const models::ExperimentConfig& config);
    // Continues the run in dir at step (a resumed checkpoint): metrics rows after step dropped, summary.json removed.
    void Continue(const std::filesystem::path& dir, std::int64_t step);
    bool Active() const { return m_csv.IsOpen(); }
    const std::filesystem::path& Dir() const { return m_dir; }

    // Appends the block's rows (NaN = no value at that step) and flushes once: one write per batch. While the
    // block says an evaluation is running (hold_from), rows from that step on wait here; its late row is merged
    // into its step's, so the CSV has one row per step in step order, as if the evaluation had run in line.
    // Finish and Close write what still waits.
    void AppendRows(const MetricBlock& block);
    // samples_000500.png, recon_000500.png (VAEs on images), view2d_000500.png (2-D data): what is not null.
    void WriteSamples(std::int64_t step, const ImageGrid* samples, const ImageGrid* reconstructions,
                      const View2D* view2d);
    // dir/step_000500.ckpt, dir/final.ckpt (the session writes them: they hold the live model).
    std::filesystem::path CheckpointPath(std::int64_t step) const;
    std::filesystem::path FinalCheckpointPath() const;
    // Writes curves.lod (the metrics' curves, so the Runs view need not read the CSV) and summary.json, atomically, and
    // closes the run.
    void Finish(const RunSummary& summary);
    // Closes the run without a summary (it reads as incomplete).
    void Close();
    // Renames the run's folder to new_name beside it (CheckRunName) and goes on writing there. Throws
    // std::invalid_argument for a bad or taken name, std::runtime_error when the rename fails.
    void Rename(const std::string& new_name);

private:
    void Track(const MetricBlock& block); // the curves of the rows written (curves.lod at Finish)
    void WriteRows(const MetricBlock& block);
    void WriteHeld(); // every row still held

    MetricBlock m_held; // rows waiting for a running evaluation's row (AppendRows)
    std::filesystem::path m_dir;
    io::MetricsCsv m_csv;
    io::MetricsCsv::Values m_values; // reused per row
    io::CurvesCache m_curves;
    std::vector<std::size_t> m_series_of_column; // m_curves' series of each block column (this call's)
};

// The 2-D view as a picture: D's field in grey (light = "real"), real points green, generated points orange.
io::RgbaImage RenderView2D(const View2D& v, int size);

} // namespace ll::train
