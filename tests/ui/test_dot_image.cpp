// The dot image behind the scatters' sprites (ui/dot_image.h): size, centre, ring, symmetry, covered area.
#include "ui/gl/dot_image.h"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

using namespace ll::ui;

namespace
{

const std::uint8_t* Pixel(const RgbaImage& image, int x, int y)
{
    return &image.pixels[(static_cast<std::size_t>(y) * image.width + x) * 4];
}

} // namespace

TEST_CASE("dot image: a white centre, a dark ring at its opacity, transparent corners, 1 pixel of margin")
{
    const float radius = 4.0f, outline = 2.0f;
    const RgbaImage dot = DotImage(radius, outline, 0.05f, 0.8f);
    CHECK(dot.width == 2 * 6 + 2);
    CHECK(dot.height == dot.width);
    REQUIRE(dot.pixels.size() == static_cast<std::size_t>(dot.width * dot.height * 4));
    const int c = dot.width / 2; // the centre is the corner shared by pixels c-1 and c
    for (const auto* px : {Pixel(dot, c, c), Pixel(dot, c - 1, c - 1)})
    {
        CHECK(px[0] == 255);
        CHECK(px[3] == 255);
    }
    // The ring: pixel centre 5 px from the dot's centre (between 4 and 6).
    const std::uint8_t* ring = Pixel(dot, c + 4, c);
    CHECK(std::abs(ring[3] - 204) <= 1); // 0.8 x 255
    CHECK(std::abs(ring[0] - 13) <= 1);  // 0.05 x 255
    // The margin row and the corners are empty.
    for (int x = 0; x < dot.width; ++x)
    {
        CHECK(Pixel(dot, x, 0)[3] == 0);
    }
    CHECK(Pixel(dot, 1, 1)[3] == 0);
}

TEST_CASE("dot image: symmetric about its centre, and its alpha adds up to the disc's and the ring's areas")
{
    const float radius = 2.5f, outline = 1.0f;
    const RgbaImage dot = DotImage(radius, outline, 0.05f, 0.8f);
    double alpha = 0;
    for (int y = 0; y < dot.height; ++y)
    {
        for (int x = 0; x < dot.width; ++x)
        {
            const std::uint8_t* a = Pixel(dot, x, y);
            const std::uint8_t* mirrored = Pixel(dot, dot.width - 1 - x, y);
            const std::uint8_t* flipped = Pixel(dot, x, dot.height - 1 - y);
            CHECK(a[3] == mirrored[3]);
            CHECK(a[3] == flipped[3]);
            alpha += a[3] / 255.0;
        }
    }
    const double pi = std::numbers::pi;
    const double expected = pi * radius * radius + 0.8 * pi * ((radius + outline) * (radius + outline) - radius * radius);
    CHECK(alpha == doctest::Approx(expected).epsilon(0.02));
}

TEST_CASE("dot image: without an outline there is no ring; nonsense sizes are refused")
{
    const RgbaImage dot = DotImage(2.4f, 0.0f);
    CHECK(dot.width == 2 * 3 + 2);
    const int c = dot.width / 2;
    CHECK(Pixel(dot, c + 3, c)[3] == 0); // covers 3 to 4 px from the centre: outside
    const std::uint8_t* edge = Pixel(dot, c + 2, c); // covers 2 to 3 px: partly inside, and white (no ring)
    CHECK(edge[3] > 0);
    CHECK(edge[3] < 255);
    CHECK(edge[0] == 255);
    CHECK_THROWS_AS(DotImage(0.0f, 1.0f), std::invalid_argument);
    CHECK_THROWS_AS(DotImage(-1.0f, 1.0f), std::invalid_argument);
    CHECK_THROWS_AS(DotImage(3.0f, -1.0f), std::invalid_argument);
    CHECK_THROWS_AS(DotImage(std::nanf(""), 1.0f), std::invalid_argument);
    CHECK_THROWS_AS(DotImage(100.0f, 1.0f), std::invalid_argument);
}
