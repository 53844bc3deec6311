// Image and metrics export: PNG writing (stb_image_write, atomically), sample grids tiled into one RGBA8 image,
// atomic file replacement, and the metrics CSV of headless runs.
// Threading: free functions are reentrant; a MetricsCsv is used by one thread at a time.
#pragma once

#include "core/nn/tensor.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll::io
{

// Replaces path with data atomically: writes a temporary file in the same folder, then renames it over path, so
// a reader never sees a half-written file. Throws std::runtime_error naming the path and the OS error.
void WriteFileAtomic(const std::filesystem::path& path, std::string_view data);

// Encodes width x height pixels of `channels` (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) bytes each, rows top to bottom,
// as PNG and writes it atomically. bytes holds width * height * channels values. Throws std::invalid_argument on
// bad sizes, std::runtime_error on encoding or file errors.
void WritePng(const std::filesystem::path& path, int width, int height, int channels, const std::uint8_t* bytes);

// An RGBA8 image, rows top to bottom: pixels.size() == width * height * 4.
struct RgbaImage
{
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
};

void WritePng(const std::filesystem::path& path, const RgbaImage& image);

struct TileLayout
{
    int cols = 0;                        // tiles per row; 0 = ceil(sqrt(N)) (a square-ish grid)
    int padding = 1;                     // pixels between tiles and around the border
    std::uint8_t background[4]{32, 32, 32, 255};
};

// Lays out N images, given as images (h * w * channels, N) with values in [0, 1] (one column per image, each
// row-major with channels last, as data::ImageDataset stores them; values clamped, NaN shown as 0), into one
// RGBA8 grid of rows = ceil(N / cols) rows: width = cols * w + (cols + 1) * padding, likewise for height.
// channels 1 is shown as gray, 3 as RGB, 4 as RGBA. Image i sits at row i / cols, column i % cols.
// Throws std::invalid_argument when the feature count is not h * w * channels.
RgbaImage TileImages(const nn::MatrixF& images, int height, int width, int channels, const TileLayout& layout = {});

// Metrics as CSV: "step,wall_s,<series...>" then one row per Append. A series appearing for the first time adds a
// column: the file is rewritten once with the wider header and the earlier rows padded with empty fields (so a
// series that starts at step 500 still gets its column). Missing values are empty fields; NaN is written "nan".
// Rows are flushed as they are appended, so the file can be read (or plotted) while a run goes on.
class MetricsCsv
{
public:
    using Values = std::vector<std::pair<std::string, double>>; // same shape as models::Metrics

    MetricsCsv() = default;
    ~MetricsCsv() = default;
    MetricsCsv(const MetricsCsv&) = delete;
    MetricsCsv& operator=(const MetricsCsv&) = delete;

    // Creates (truncates) path and writes the header with the given series. Throws std::runtime_error.
    void Open(const std::filesystem::path& path, const std::vector<std::string>& columns = {});
    void Append(std::int64_t step, double wall_seconds, const Values& values);
    void Close();

    bool IsOpen() const { return m_file.is_open(); }
    const std::vector<std::string>& Columns() const { return m_columns; } // the series, without step and wall_s
    const std::filesystem::path& Path() const { return m_path; }

private:
    void AddColumns(const std::vector<std::string>& names);

    std::filesystem::path m_path;
    std::ofstream m_file;
    std::vector<std::string> m_columns;
};

} // namespace ll::io
