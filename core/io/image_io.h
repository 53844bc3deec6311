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

// Where tiles go: `cols` x `rows` tiles of tile_w x tile_h with `pad` pixels between and around them.
struct GridLayout
{
    int cols = 0, rows = 0;
    int tile_w = 0, tile_h = 0, pad = 0;
    int Width() const { return cols * tile_w + (cols + 1) * pad; }
    int Height() const { return rows * tile_h + (rows + 1) * pad; }
    int TileX(int i) const { return pad + (i % cols) * (tile_w + pad); } // left pixel of tile i
    int TileY(int i) const { return pad + (i / cols) * (tile_h + pad); } // top pixel of tile i
};

// cols <= 0 picks a near-square grid (ceil(sqrt(count)) columns); more columns than images shrink to count.
// Throws std::invalid_argument on bad sizes.
GridLayout MakeGridLayout(int count, int tile_w, int tile_h, int pad, int cols = 0);

// The one tiler (the UI's textures and the PNG grids). Images are example-major, each row-major with channels last:
// image i starts at data + i * h * w * channels, the layout of data::ImageDataset and of one (features, batch)
// column. channels is 1 (grey), 3 (RGB) or 4 (RGBA). Float pixels map [lo, hi] to [0, 255] (clamped, rounded to
// nearest; NaN is 0); the padding is `background` (RGBA, 0xAABBGGRR). Throws std::invalid_argument when the images
// do not match the layout's tiles or do not fit it.
RgbaImage TileImages(const std::uint8_t* data, int count, int h, int w, int channels, const GridLayout& layout,
                     std::uint32_t background = 0xFF202020u);
RgbaImage TileImages(const float* data, int count, int h, int w, int channels, const GridLayout& layout,
                     float lo = 0.0f, float hi = 1.0f, std::uint32_t background = 0xFF202020u);

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
// Rows are flushed as they are appended (or, with flush = false, at the next Flush: a batch of rows in one write), so
// the file can be read (or plotted) while a run goes on, and a killed run leaves every row up to its last flush.
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
    // Continues the metrics CSV at path (a run resumed from a checkpoint at last_step): its header's columns are
    // kept, rows after last_step and a last line cut short by a kill are dropped (the file replaced atomically),
    // then rows append. A missing file is created as Open does. Throws std::runtime_error / std::invalid_argument.
    void Continue(const std::filesystem::path& path, std::int64_t last_step);
    void Append(std::int64_t step, double wall_seconds, const Values& values, bool flush = true);
    void Flush();
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
