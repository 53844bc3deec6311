// Image tiling: layout sizes, pixel placement for grey and RGB, float scaling and padding colour.
#include "ui/widgets/image_grid.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

using namespace ll::ui;

TEST_CASE("GridLayout: near-square by default, sizes include padding around every tile")
{
    const GridLayout layout = MakeGridLayout(10, 28, 28, 2);
    CHECK(layout.cols == 4);
    CHECK(layout.rows == 3);
    CHECK(layout.Width() == 4 * 28 + 5 * 2);
    CHECK(layout.Height() == 3 * 28 + 4 * 2);
    CHECK(layout.TileX(5) == 2 + 1 * 30);
    CHECK(layout.TileY(5) == 2 + 1 * 30);
    const GridLayout wide = MakeGridLayout(10, 5, 3, 0, 10);
    CHECK(wide.cols == 10);
    CHECK(wide.rows == 1);
    CHECK_THROWS_AS(MakeGridLayout(3, 0, 5, 1), std::invalid_argument);
}

TEST_CASE("TileImages: grey bytes land in their tile, padding keeps the background")
{
    // Two 2x3 images (h = 2, w = 3): image i has pixel value 10 * i + (y * 3 + x).
    std::vector<std::uint8_t> data;
    for (int i = 0; i < 2; ++i)
    {
        for (int k = 0; k < 6; ++k)
        {
            data.push_back(static_cast<std::uint8_t>(10 * i + k));
        }
    }
    const GridLayout layout = MakeGridLayout(2, 3, 2, 1, 2);
    const RgbaImage image = TileImages(data.data(), 2, 2, 3, 1, layout, 0xFF0000FFu);
    REQUIRE(image.width == 2 * 3 + 3);
    REQUIRE(image.height == 2 + 2);
    REQUIRE(image.pixels.size() == static_cast<std::size_t>(image.width * image.height * 4));
    auto at = [&](int x, int y, int c) { return image.pixels[(static_cast<std::size_t>(y) * image.width + x) * 4 + c]; };
    // Background (padding) at the corner: red, opaque.
    CHECK(at(0, 0, 0) == 255);
    CHECK(at(0, 0, 1) == 0);
    CHECK(at(0, 0, 3) == 255);
    // Image 1, pixel (x = 2, y = 1) sits at (1 + 3 + 1 + 2, 1 + 1) and is grey 15.
    CHECK(at(7, 2, 0) == 15);
    CHECK(at(7, 2, 1) == 15);
    CHECK(at(7, 2, 2) == 15);
    CHECK(at(7, 2, 3) == 255);
    // Image 0, pixel (0, 0).
    CHECK(at(1, 1, 0) == 0);
}

TEST_CASE("TileImages: floats map [lo, hi] to bytes with clamping, RGB keeps its channels")
{
    const std::vector<float> rgb = {0.0f, 0.5f, 1.0f, -1.0f, 2.0f, NAN}; // one 1x2 RGB image
    const GridLayout layout = MakeGridLayout(1, 2, 1, 0);
    const RgbaImage image = TileImages(rgb.data(), 1, 1, 2, 3, layout);
    REQUIRE(image.pixels.size() == 8);
    CHECK(image.pixels[0] == 0);
    CHECK(image.pixels[1] == 128);
    CHECK(image.pixels[2] == 255);
    CHECK(image.pixels[3] == 255);
    CHECK(image.pixels[4] == 0);   // -1 clamps to 0
    CHECK(image.pixels[5] == 255); // 2 clamps to 255
    CHECK(image.pixels[6] == 0);   // NaN shows as black
}

TEST_CASE("TileImages: mismatched sizes and channel counts are rejected")
{
    const std::vector<std::uint8_t> data(16, 0);
    const GridLayout layout = MakeGridLayout(1, 4, 4, 0);
    CHECK_THROWS_AS(TileImages(data.data(), 1, 4, 4, 2, layout), std::invalid_argument);
    CHECK_THROWS_AS(TileImages(data.data(), 1, 2, 8, 1, layout), std::invalid_argument);
    CHECK_THROWS_AS(TileImages(data.data(), 2, 4, 4, 1, layout), std::invalid_argument);
}
