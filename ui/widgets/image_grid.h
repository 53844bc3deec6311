// Tiles many small images into one RGBA8 picture (for a GL texture or a PNG). GL-free; tested in tests/ui.
#pragma once

#include <cstdint>
#include <vector>

namespace ll::ui
{

struct RgbaImage
{
    int width = 0, height = 0;
    std::vector<std::uint8_t> pixels; // width * height * 4, row-major, top row first
};

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

// cols <= 0 picks a near-square grid (ceil(sqrt(count)) columns). Throws std::invalid_argument on bad sizes.
GridLayout MakeGridLayout(int count, int tile_w, int tile_h, int pad, int cols = 0);

// Images are example-major, each row-major with channels last: image i starts at data + i * h * w * channels,
// the layout of ll::data::ImageDataset and of one (features, batch) column. channels is 1 (grey), 3 (RGB) or
// 4 (RGBA). Float pixels map [lo, hi] to [0, 255] (clamped); the background (padding) is `background` (RGBA).
RgbaImage TileImages(const std::uint8_t* data, int count, int h, int w, int channels, const GridLayout& layout,
                     std::uint32_t background = 0xFF202020u);
RgbaImage TileImages(const float* data, int count, int h, int w, int channels, const GridLayout& layout,
                     float lo = 0.0f, float hi = 1.0f, std::uint32_t background = 0xFF202020u);

} // namespace ll::ui
