// The run recorder (see run_recorder.h).
#include "core/train/run_recorder.h"

#include "core/io/config_json.h"
#include "core/io/run_folder.h"
#include "core/train/headless.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <stdexcept>

namespace ll::train
{

namespace fs = std::filesystem;

namespace
{

std::string StepFileName(const char* stem, std::int64_t step, const char* ext)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s_%06lld.%s", stem, static_cast<long long>(step), ext);
    return buffer;
}

void Dot(io::RgbaImage& img, int x, int y, const std::uint8_t (&rgb)[3], int radius)
{
    for (int dy = -radius; dy <= radius; ++dy)
    {
        for (int dx = -radius; dx <= radius; ++dx)
        {
            const int px = x + dx, py = y + dy;
            if (px >= 0 && py >= 0 && px < img.width && py < img.height)
            {
                std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(py) * img.width + px) * 4];
                p[0] = rgb[0];
                p[1] = rgb[1];
                p[2] = rgb[2];
                p[3] = 255;
            }
        }
    }
}

void WriteGrid(const fs::path& path, const ImageGrid& grid)
{
    io::RgbaImage img;
    img.width = grid.width;
    img.height = grid.height;
    img.pixels = grid.rgba;
    io::WritePng(path, img);
}

} // namespace

io::RgbaImage RenderView2D(const View2D& v, int size)
{
    io::RgbaImage img;
    img.width = img.height = size;
    img.pixels.assign(static_cast<std::size_t>(size) * size * 4, 255);
    const float range = std::max(v.field_max - v.field_min, 1e-6f);
    for (int y = 0; y < size; ++y)
    {
        for (int x = 0; x < size; ++x)
        {
            std::uint8_t g = 24;
            if (v.field_res > 0)
            {
                const int ix = std::min(v.field_res - 1, x * v.field_res / size);
                const int iy = std::min(v.field_res - 1, (size - 1 - y) * v.field_res / size); // y up
                const float f = v.field[static_cast<std::size_t>(ix + v.field_res * iy)];
                const float t = v.field_is_probability ? f : (f - v.field_min) / range;
                g = static_cast<std::uint8_t>(24 + std::lround(std::clamp(t, 0.0f, 1.0f) * 80.0f));
            }
            std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(y) * size + x) * 4];
            p[0] = p[1] = p[2] = g;
        }
    }
    const auto to_px = [&](float c) { return static_cast<int>(std::lround((c + v.extent) / (2 * v.extent) * (size - 1))); };
    const std::uint8_t green[3] = {80, 200, 120}, orange[3] = {255, 150, 40};
    for (nn::Index i = 0; i < v.real.cols(); ++i)
    {
        Dot(img, to_px(v.real(0, i)), size - 1 - to_px(v.real(1, i)), green, 1);
    }
    for (nn::Index i = 0; i < v.generated.cols(); ++i)
    {
        if (std::isfinite(v.generated(0, i)) && std::isfinite(v.generated(1, i)))
        {
            Dot(img, to_px(v.generated(0, i)), size - 1 - to_px(v.generated(1, i)), orange, 1);
        }
    }
    return img;
}

std::string SummaryJson(const RunSummary& summary)
{
    nlohmann::ordered_json j;
    j["name"] = summary.name;
    j["family"] = summary.family;
    j["objective"] = summary.objective;
    j["status"] = summary.status;
    if (!summary.message.empty())
    {
        j["message"] = summary.message;
    }
    j["steps"] = summary.steps;
    j["seed"] = summary.seed;
    j["wall_seconds"] = summary.wall_seconds;
    j["steps_per_s"] = summary.wall_seconds > 0 ? static_cast<double>(summary.steps) / summary.wall_seconds : 0.0;
    AppendEvaluationJson(j, summary.metrics, summary.iwae_k);
    return j.dump(4) + "\n";
}

std::string RunFolderName(const std::string& preset, std::chrono::system_clock::time_point t)
{
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
    std::string name = preset.empty() ? std::string("run") : preset.substr(0, 100);
    for (char& c : name)
    {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                           c == '_' || c == '.';
        c = plain ? c : '_';
    }
    return name + "-" + stamp;
}

fs::path NewRunDir(const fs::path& root, const std::string& preset, std::chrono::system_clock::time_point t)
{
    const std::string base = RunFolderName(preset, t);
    fs::path dir = root / base;
    std::error_code ec;
    for (int n = 2; fs::exists(dir, ec) && n < 10000; ++n)
    {
        dir = root / (base + "-" + std::to_string(n));
    }
    return dir;
}

void CheckRunName(const std::string& name)
{
    if (name.empty() || name == "." || name == "..")
    {
        throw std::invalid_argument("run name '" + name + "': give the run a name");
    }
    if (name.find_first_of("/\\") != std::string::npos || name.find('\0') != std::string::npos)
    {
        throw std::invalid_argument("run name '" + name + "': a name cannot hold '/' or '\\'");
    }
    if (name.size() > 200)
    {
        throw std::invalid_argument("run name: at most 200 characters");
    }
}

void RunRecorder::Begin(const fs::path& dir, const models::ExperimentConfig& config)
{
    Close();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
    {
        throw std::runtime_error("cannot create output folder '" + dir.string() + "': " + ec.message());
    }
    io::WriteFileAtomic(dir / io::kRunConfigFile, io::ConfigToJson(config));
    fs::remove(dir / io::kRunSummaryFile, ec); // until this run's is written, the folder reads as incomplete
    m_csv.Open(dir / io::kRunMetricsFile);
    m_dir = dir;
    m_curves = io::CurvesCache();
}

void RunRecorder::Continue(const fs::path& dir, std::int64_t step)
{
    Close();
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
    {
        throw std::runtime_error("run folder '" + dir.string() + "': not a folder");
    }
    fs::remove(dir / io::kRunSummaryFile, ec);
    m_csv.Continue(dir / io::kRunMetricsFile, step);
    m_dir = dir;
    // The curves so far, from the CSV as it is now.
    m_curves = io::CurvesCache();
    const io::RunInfo info = io::ReadRun(dir, &m_curves.curves);
    m_curves.last_step = info.steps;
    m_curves.last_wall = info.wall_seconds;
    for (const std::string& name : m_curves.curves.names)
    {
        const auto it = std::find_if(info.final_metrics.begin(), info.final_metrics.end(),
                                     [&](const auto& m) { return m.first == name; });
        m_curves.last_values.push_back(it == info.final_metrics.end() ? std::numeric_limits<double>::quiet_NaN()
                                                                      : it->second);
    }
}

void RunRecorder::Track(const MetricBlock& block)
{
    io::RunCurves& curves = m_curves.curves;
    m_series_of_column.resize(block.names.size());
    for (std::size_t i = 0; i < block.names.size(); ++i)
    {
        const auto it = std::find(curves.names.begin(), curves.names.end(), block.names[i]);
        m_series_of_column[i] = static_cast<std::size_t>(it - curves.names.begin());
        if (it == curves.names.end())
        {
            curves.names.push_back(block.names[i]);
            curves.series.emplace_back();
            m_curves.last_values.push_back(std::numeric_limits<double>::quiet_NaN());
        }
    }
    for (std::size_t i = 0; i < block.columns.size(); ++i)
    {
        const std::size_t s = m_series_of_column[i];
        for (std::size_t r = 0; r < block.Rows(); ++r)
        {
            const double v = block.columns[i][r];
            if (!std::isnan(v))
            {
                curves.series[s].Append(block.steps[r], block.wall[r], v);
                m_curves.last_values[s] = v;
            }
        }
    }
    if (block.Rows() > 0)
    {
        m_curves.last_step = block.steps.back();
        m_curves.last_wall = block.wall.back();
    }
}

void RunRecorder::AppendRows(const MetricBlock& block)
{
    if (!Active())
    {
        return;
    }
    // A block in strictly increasing step order, with nothing held and no evaluation running: written as it is.
    const bool in_order =
        std::adjacent_find(block.steps.begin(), block.steps.end(), std::greater_equal<>()) == block.steps.end();
    if (m_held.Rows() == 0 && block.hold_from < 0 && in_order)
    {
        WriteRows(block);
        return;
    }
    m_held.MergeInOrder(block);
    MetricBlock ready;
    m_held.TakeRowsBefore(block.hold_from, ready);
    if (ready.Rows() > 0)
    {
        WriteRows(ready);
    }
}

void RunRecorder::WriteHeld()
{
    if (m_held.Rows() > 0 && Active())
    {
        MetricBlock all;
        m_held.TakeRowsBefore(-1, all);
        WriteRows(all);
    }
    m_held.Clear();
}

void RunRecorder::WriteRows(const MetricBlock& block)
{
    for (std::size_t r = 0; r < block.Rows(); ++r)
    {
        m_values.clear();
        for (std::size_t i = 0; i < block.columns.size(); ++i)
        {
            // NaN marks "no value at this step" in a block; a diverged metric's NaN is in last_metrics.
            if (!std::isnan(block.columns[i][r]))
            {
                m_values.emplace_back(block.names[i], block.columns[i][r]);
            }
        }
        m_csv.Append(block.steps[r], block.wall[r], m_values, false);
    }
    m_csv.Flush();
    Track(block);
}

void RunRecorder::WriteSamples(std::int64_t step, const ImageGrid* samples, const ImageGrid* reconstructions,
                               const View2D* view2d)
{
    if (m_dir.empty())
    {
        return;
    }
    if (samples != nullptr && samples->width > 0)
    {
        WriteGrid(m_dir / StepFileName("samples", step, "png"), *samples);
    }
    if (reconstructions != nullptr && reconstructions->width > 0)
    {
        WriteGrid(m_dir / StepFileName("recon", step, "png"), *reconstructions);
    }
    if (view2d != nullptr)
    {
        io::WritePng(m_dir / StepFileName("view2d", step, "png"), RenderView2D(*view2d, 320));
    }
}

fs::path RunRecorder::CheckpointPath(std::int64_t step) const
{
    return m_dir / StepFileName("step", step, "ckpt");
}

fs::path RunRecorder::FinalCheckpointPath() const
{
    return m_dir / io::kRunFinalCheckpoint;
}

void RunRecorder::Finish(const RunSummary& summary)
{
    if (m_dir.empty())
    {
        return;
    }
    WriteHeld();
    m_csv.Close();
    std::error_code ec;
    m_curves.csv_bytes = fs::file_size(m_dir / io::kRunMetricsFile, ec);
    if (!ec)
    {
        io::WriteFileAtomic(m_dir / io::kRunCurvesFile, io::EncodeCurves(m_curves));
    }
    io::WriteFileAtomic(m_dir / io::kRunSummaryFile, SummaryJson(summary));
    m_dir.clear();
}

void RunRecorder::Close()
{
    WriteHeld();
    m_csv.Close();
    m_dir.clear();
}

void RunRecorder::Rename(const std::string& new_name)
{
    CheckRunName(new_name);
    if (m_dir.empty())
    {
        throw std::runtime_error("no run is being recorded");
    }
    const fs::path target = m_dir.parent_path() / new_name;
    std::error_code ec;
    if (target == m_dir)
    {
        return;
    }
    if (fs::exists(target, ec))
    {
        throw std::invalid_argument("run name '" + new_name + "': a run of that name exists");
    }
    m_csv.Flush();
    m_csv.Close();
    fs::rename(m_dir, target, ec);
    const fs::path at = ec ? m_dir : target;
    m_dir = at;
    m_csv.Continue(at / io::kRunMetricsFile, std::numeric_limits<std::int64_t>::max());
    if (ec)
    {
        throw std::runtime_error("cannot rename run '" + m_dir.string() + "': " + ec.message());
    }
}

} // namespace ll::train
