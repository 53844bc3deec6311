// Tiling of example-major image arrays into one padded RGBA8 picture.
#include "ui/widgets/image_grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ll::ui
{

GridLayout MakeGridLayout(int count, int tile_w, int tile_h, int pad, int cols)
{
    if (count < 0 || tile_w <= 0 || tile_h <= 0 || pad < 0)
    {
        throw std::invalid_argument("MakeGridLayout: bad sizes (count " + std::to_string(count) + ", tile " +
                                    std::to_string(tile_w) + "x" + std::to_string(tile_h) + ", pad " +
                                    std::to_string(pad) + ")");
    }
    GridLayout layout;
    layout.tile_w = tile_w;
    layout.tile_h = tile_h;
    layout.pad = pad;
    if (count == 0)
    {
        return layout;
    }
    layout.cols = cols > 0 ? std::min(cols, count) : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
    layout.rows = (count + layout.cols - 1) / layout.cols;
    return layout;
}

namespace
{

// Shared loop: `to_byte` converts one stored value to 0..255.
template <class T, class ToByte>
RgbaImage Tile(const T* data, int count, int h, int w, int channels, const GridLayout& layout,
               std::uint32_t background, ToByte to_byte)
{
    if (channels != 1 && channels != 3 && channels != 4)
    {
        throw std::invalid_argument("TileImages: channels must be 1, 3 or 4, got " + std::to_string(channels));
    }
    if (h != layout.tile_h || w != layout.tile_w)
    {
        throw std::invalid_argument("TileImages: images are " + std::to_string(w) + "x" + std::to_string(h) +
                                    " but the layout's tiles are " + std::to_string(layout.tile_w) + "x" +
                                    std::to_string(layout.tile_h));
    }
    if (count > layout.cols * layout.rows)
    {
        throw std::invalid_argument("TileImages: " + std::to_string(count) + " images do not fit a " +
                                    std::to_string(layout.cols) + "x" + std::to_string(layout.rows) + " grid");
    }
    RgbaImage image;
    image.width = layout.Width();
    image.height = layout.Height();
    image.pixels.resize(static_cast<std::size_t>(image.width) * image.height * 4);
    const std::uint8_t bg[4] = {static_cast<std::uint8_t>(background), static_cast<std::uint8_t>(background >> 8),
                                static_cast<std::uint8_t>(background >> 16), static_cast<std::uint8_t>(background >> 24)};
    for (std::size_t p = 0; p < image.pixels.size(); p += 4)
    {
        std::copy(bg, bg + 4, image.pixels.data() + p);
    }
    const std::size_t features = static_cast<std::size_t>(h) * w * channels;
    for (int i = 0; i < count; ++i)
    {
        const T* src = data + static_cast<std::size_t>(i) * features;
        const int x0 = layout.TileX(i), y0 = layout.TileY(i);
        for (int y = 0; y < h; ++y)
        {
            std::uint8_t* dst = image.pixels.data() + (static_cast<std::size_t>(y0 + y) * image.width + x0) * 4;
            for (int x = 0; x < w; ++x, dst += 4)
            {
                const T* px = src + (static_cast<std::size_t>(y) * w + x) * channels;
                if (channels == 1)
                {
                    dst[0] = dst[1] = dst[2] = to_byte(px[0]);
                    dst[3] = 255;
                }
                else
                {
                    dst[0] = to_byte(px[0]);
                    dst[1] = to_byte(px[1]);
                    dst[2] = to_byte(px[2]);
                    dst[3] = channels == 4 ? to_byte(px[3]) : 255;
                }
            }
        }
    }
    return image;
}

} // namespace

RgbaImage TileImages(const std::uint8_t* data, int count, int h, int w, int channels, const GridLayout& layout,
                     std::uint32_t background)
{
    return Tile(data, count, h, w, channels, layout, background, [](std::uint8_t v) { return v; });
}

RgbaImage TileImages(const float* data, int count, int h, int w, int channels, const GridLayout& layout, float lo,
                     float hi, std::uint32_t background)
{
    const float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
    return Tile(data, count, h, w, channels, layout, background, [lo, scale](float v) {
        const float t = (v - lo) * scale + 0.5f;
        if (!(t > 0.0f))
        {
            return std::uint8_t{0}; // also NaN
        }
        return static_cast<std::uint8_t>(t >= 255.0f ? 255.0f : t);
    });
}

} // namespace ll::ui
