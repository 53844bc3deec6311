// A round dot as an RGBA8 image (see dot_image.h).
#include "ui/gl/dot_image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ll::ui
{

RgbaImage DotImage(float radius, float outline, float shade, float outline_alpha)
{
    if (!(radius > 0.0f && radius <= 64.0f) || !(outline >= 0.0f && outline <= 16.0f))
    {
        throw std::invalid_argument("DotImage: radius must be in (0, 64] and outline in [0, 16], got " +
                                    std::to_string(radius) + " and " + std::to_string(outline));
    }
    const float outer = radius + outline;
    const int side = 2 * static_cast<int>(std::ceil(outer)) + 2;
    const float centre = 0.5f * static_cast<float>(side);
    constexpr int kSub = 8;
    RgbaImage image;
    image.width = image.height = side;
    image.pixels.assign(static_cast<std::size_t>(side) * side * 4, 0);
    for (int y = 0; y < side; ++y)
    {
        for (int x = 0; x < side; ++x)
        {
            float alpha = 0.0f, grey = 0.0f; // sums of alpha and of colour x alpha over the samples
            for (int sy = 0; sy < kSub; ++sy)
            {
                for (int sx = 0; sx < kSub; ++sx)
                {
                    const float dx = static_cast<float>(x) + (static_cast<float>(sx) + 0.5f) / kSub - centre;
                    const float dy = static_cast<float>(y) + (static_cast<float>(sy) + 0.5f) / kSub - centre;
                    const float r = std::sqrt(dx * dx + dy * dy);
                    if (r <= radius)
                    {
                        alpha += 1.0f;
                        grey += 1.0f;
                    }
                    else if (r <= outer)
                    {
                        alpha += outline_alpha;
                        grey += outline_alpha * shade;
                    }
                }
            }
            std::uint8_t* px = &image.pixels[(static_cast<std::size_t>(y) * side + x) * 4];
            const float a = alpha / (kSub * kSub);
            const float c = alpha > 0.0f ? grey / alpha : 1.0f;
            const auto byte = [](float v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
            px[0] = px[1] = px[2] = byte(c);
            px[3] = byte(a);
        }
    }
    return image;
}

} // namespace ll::ui
