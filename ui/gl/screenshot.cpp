// glReadPixels + stb_image_write. stb_image_write is compiled here with STB_IMAGE_WRITE_STATIC, so its functions
// are private to this file and cannot clash with another copy (core/io may compile its own for PNG export).
#include "ui/gl/screenshot.h"

#include "ui/gl/gl.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <algorithm>
#include <stdexcept>

namespace ll::ui
{

RgbaImage ReadFramebuffer(int width, int height)
{
    if (width <= 0 || height <= 0)
    {
        throw std::invalid_argument("ReadFramebuffer: empty size");
    }
    RgbaImage image;
    image.width = width;
    image.height = height;
    image.pixels.resize(static_cast<std::size_t>(width) * height * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, image.pixels.data());
    if (const GLenum error = glGetError(); error != GL_NO_ERROR)
    {
        throw std::runtime_error("glReadPixels failed with GL error " + std::to_string(error));
    }
    // OpenGL's first row is the bottom one.
    const std::size_t stride = static_cast<std::size_t>(width) * 4;
    for (int y = 0; y < height / 2; ++y)
    {
        std::swap_ranges(image.pixels.begin() + y * stride, image.pixels.begin() + (y + 1) * stride,
                         image.pixels.begin() + (height - 1 - y) * stride);
    }
    // The back buffer's alpha is whatever blending left there; a screenshot should be opaque.
    for (std::size_t p = 3; p < image.pixels.size(); p += 4)
    {
        image.pixels[p] = 255;
    }
    return image;
}

void WritePng(const std::string& path, const RgbaImage& image)
{
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 4)
    {
        throw std::invalid_argument("WritePng '" + path + "': image buffer does not match its size");
    }
    if (stbi_write_png(path.c_str(), image.width, image.height, 4, image.pixels.data(), image.width * 4) == 0)
    {
        throw std::runtime_error("WritePng: cannot write '" + path + "'");
    }
}

} // namespace ll::ui
