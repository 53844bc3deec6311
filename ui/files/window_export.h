// Exports of what the window shows: the metric history as CSV, the sample grid and the reconstructions as PNG, a
// latent interpolation strip as PNG, and the frozen model's generator / decoder as safetensors. Files go to
// ExportDir() under names made of the run and its step, written atomically. GL-free; UI thread only (the strip
// decodes with the UI's own inference copy of the model).
#pragma once

#include "core/models/model.h"
#include "core/train/metric_history.h"
#include "core/train/session.h"

#include <filesystem>
#include <string>

namespace ll::ui
{

// DataDir() / "exports" (created by the exports when missing).
std::filesystem::path ExportDir();
// "<run name>-step<N>-<what>.<ext>" in ExportDir(), e.g. "gan-ring8-step1200-samples.png".
std::filesystem::path ExportPath(const train::Snapshot& snap, const std::string& what, const std::string& ext);

// Every series of the UI's history in long form: series,step_first,step_last,mean,min,max,count (one row per point;
// old points are min/mean/max buckets, as the plots show them). Throws std::runtime_error naming the file.
void ExportMetricsCsv(const train::MetricHistory& history, const std::filesystem::path& path);
// An RGBA grid of the snapshot (samples, reconstructions) as PNG; throws std::invalid_argument for an empty grid.
void ExportImageGrid(const train::ImageGrid& grid, const std::filesystem::path& path);
// `count` images decoded along the straight line between two latent codes drawn from the prior with `seed` (class 0
// for conditional models), tiled in one row. Image data only (throws std::invalid_argument for 2-D data).
void ExportInterpolationStrip(models::Model& model, const models::ExperimentConfig& config, int count,
                              std::uint64_t seed, const std::filesystem::path& path);
// The generator (GAN) or decoder (VAE) of the snapshot's frozen model, as `latentlab export` writes it: ONNX when
// path ends in ".onnx", else safetensors.
void ExportFrozenModel(const train::Snapshot& snap, const std::filesystem::path& path);

} // namespace ll::ui
