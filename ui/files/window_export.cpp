// Exports of what the window shows (see window_export.h).
#include "ui/files/window_export.h"

#include "core/io/image_io.h"
#include "core/io/model_export.h"
#include "core/io/onnx_export.h"
#include "ui/files/file_store.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ll::ui
{

namespace fs = std::filesystem;

fs::path ExportDir()
{
    return DataDir() / "exports";
}

fs::path ExportPath(const train::Snapshot& snap, const std::string& what, const std::string& ext)
{
    std::string name = snap.config ? snap.config->name : std::string("run");
    for (char& c : name)
    {
        if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 32)
        {
            c = '_';
        }
    }
    return ExportDir() / (name + "-step" + std::to_string(snap.step) + "-" + what + "." + ext);
}

namespace
{

void EnsureFolder(const fs::path& path)
{
    std::error_code ec;
    if (path.has_parent_path())
    {
        fs::create_directories(path.parent_path(), ec);
        if (ec)
        {
            throw std::runtime_error("cannot create folder '" + path.parent_path().string() + "': " + ec.message());
        }
    }
}

std::string Number(double v)
{
    if (!std::isfinite(v))
    {
        return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    return buffer;
}

} // namespace

void ExportMetricsCsv(const train::MetricHistory& history, const fs::path& path)
{
    std::string csv = "series,step_first,step_last,mean,min,max,count\n";
    std::vector<train::HistorySample> samples;
    for (std::size_t i = 0; i < history.Size(); ++i)
    {
        history.Series(i).Collect(samples);
        for (const train::HistorySample& s : samples)
        {
            csv += history.Name(i) + "," + std::to_string(s.step_first) + "," + std::to_string(s.step_last) + "," +
                   Number(s.mean) + "," + Number(s.min) + "," + Number(s.max) + "," + std::to_string(s.count) + "\n";
        }
    }
    EnsureFolder(path);
    io::WriteFileAtomic(path, csv);
}

void ExportImageGrid(const train::ImageGrid& grid, const fs::path& path)
{
    if (grid.width <= 0 || grid.height <= 0 || grid.rgba.size() != static_cast<std::size_t>(grid.width) * grid.height * 4)
    {
        throw std::invalid_argument("there is no picture to export yet");
    }
    EnsureFolder(path);
    io::WritePng(path, grid.width, grid.height, 4, grid.rgba.data());
}

void ExportInterpolationStrip(models::Model& model, const models::ExperimentConfig& config, int count,
                              std::uint64_t seed, const fs::path& path)
{
    if (models::IsToy(config))
    {
        throw std::invalid_argument("an interpolation strip needs image data (this run is on 2-D points)");
    }
    const int channels = config.data.kind == models::DataKind::Folder && !config.data.grayscale ? 3 : 1;
    const auto side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(model.DataDim() / channels))));
    if (side * side * channels != model.DataDim())
    {
        throw std::invalid_argument("the model's output (" + std::to_string(model.DataDim()) +
                                    " values) is not a square image");
    }
    Rng rng(seed);
    nn::MatrixF ends, z(model.LatentDim(), count), images;
    model.SampleLatent(rng, 2, ends);
    for (int i = 0; i < count; ++i)
    {
        const float t = count > 1 ? static_cast<float>(i) / static_cast<float>(count - 1) : 0.0f;
        z.col(i) = (1.0f - t) * ends.col(0) + t * ends.col(1); // z (latent, count)
    }
    nn::MatrixF labels;
    if (model.NumClasses() > 0)
    {
        labels = nn::MatrixF::Zero(model.NumClasses(), count);
        labels.row(0).setOnes();
    }
    model.Decode(z, model.NumClasses() > 0 ? &labels : nullptr, images); // (features, count)
    io::TileLayout layout;
    layout.cols = count;
    const io::RgbaImage strip = io::TileImages(images, side, side, channels, layout);
    EnsureFolder(path);
    io::WritePng(path, strip);
}

void ExportFrozenModel(const train::Snapshot& snap, const fs::path& path)
{
    if (!snap.model || !snap.config)
    {
        throw std::invalid_argument("there is no model to export yet");
    }
    io::CheckpointModel frozen;
    frozen.config = *snap.config;
    frozen.step = snap.model_step;
    frozen.model = snap.model->CloneForInference();
    frozen.data_dim = frozen.model->DataDim();
    const bool conditional = frozen.config.family == models::Family::Gan ? frozen.config.gan.conditional
                                                                         : frozen.config.vae.conditional;
    frozen.num_classes = conditional ? frozen.model->NumClasses() : 0;
    const io::ExportedNetwork network = io::ExportNetwork(frozen, io::DefaultExportPart(frozen.config.family));
    EnsureFolder(path);
    if (path.extension() == ".onnx")
    {
        io::SaveOnnxFile(path, network);
    }
    else
    {
        io::SaveSafetensorsFile(path, io::ToSafetensors(network));
    }
}

} // namespace ll::ui
