// An RGBA8 OpenGL texture, filtered nearest (image grids: pixels stay crisp) or linearly (sprites). Main (GL) thread only; needs a current context.
#pragma once

#include "ui/widgets/image_grid.h"

#include <imgui.h>

#include <cstdint>

namespace ll::ui
{

class Texture
{
public:
    Texture() = default;
    ~Texture();
    Texture(const Texture&) = delete;
    Texture& operator=(const Texture&) = delete;
    Texture(Texture&& other) noexcept;
    Texture& operator=(Texture&& other) noexcept;

    enum class Filter
    {
        Nearest,
        Linear,
    };

    // Uploads width x height RGBA8 pixels (top row first). Same size as before: updated in place
    // (glTexSubImage2D); otherwise the storage is reallocated. The filter is set when the texture is made.
    void Upload(const std::uint8_t* rgba, int width, int height, Filter filter = Filter::Nearest);
    void Upload(const RgbaImage& image, Filter filter = Filter::Nearest)
    {
        Upload(image.pixels.data(), image.width, image.height, filter);
    }
    void Reset(); // frees the GL texture

    bool Valid() const { return m_id != 0; }
    int Width() const { return m_width; }
    int Height() const { return m_height; }
    unsigned GlId() const { return m_id; }
    ImTextureID ImId() const { return reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(m_id)); }

private:
    unsigned m_id = 0;
    int m_width = 0, m_height = 0;
};

// True when `id` is a Texture whose last upload had every alpha at 255: drawn with an opaque colour, it may be drawn
// without blending (GlRenderer does, which spares a software rasteriser a read of every covered pixel).
bool TextureIsOpaque(ImTextureID id);
// Records that a texture not uploaded through Texture (a render target's) is, or is no longer, fully opaque.
void SetTextureOpaque(unsigned gl_id, bool opaque);

} // namespace ll::ui
