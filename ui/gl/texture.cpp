// RGBA8 texture upload, nearest filtering by default (pixels stay crisp when a 28x28 image is scaled up).
#include "ui/gl/texture.h"

#include "ui/gl/gl.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>

namespace ll::ui
{

namespace
{

std::unordered_set<unsigned> g_opaque; // GL ids of textures uploaded fully opaque (main thread only)

} // namespace

bool TextureIsOpaque(ImTextureID id)
{
    return g_opaque.count(static_cast<unsigned>(reinterpret_cast<std::intptr_t>(id))) != 0;
}

void SetTextureOpaque(unsigned gl_id, bool opaque)
{
    if (opaque)
    {
        g_opaque.insert(gl_id);
    }
    else
    {
        g_opaque.erase(gl_id);
    }
}

Texture::~Texture() { Reset(); }

Texture::Texture(Texture&& other) noexcept
    : m_id(std::exchange(other.m_id, 0)), m_width(std::exchange(other.m_width, 0)),
      m_height(std::exchange(other.m_height, 0))
{
}

Texture& Texture::operator=(Texture&& other) noexcept
{
    if (this != &other)
    {
        Reset();
        m_id = std::exchange(other.m_id, 0);
        m_width = std::exchange(other.m_width, 0);
        m_height = std::exchange(other.m_height, 0);
    }
    return *this;
}

void Texture::Upload(const std::uint8_t* rgba, int width, int height, Filter filter)
{
    if (width <= 0 || height <= 0 || rgba == nullptr)
    {
        throw std::invalid_argument("Texture::Upload: empty image " + std::to_string(width) + "x" +
                                    std::to_string(height));
    }
    GLint previous = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    const bool fresh = m_id == 0;
    if (fresh)
    {
        GLuint id = 0;
        glGenTextures(1, &id);
        m_id = id;
    }
    glBindTexture(GL_TEXTURE_2D, m_id);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (fresh)
    {
        const GLint gl_filter = filter == Filter::Linear ? GL_LINEAR : GL_NEAREST;
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, gl_filter);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, gl_filter);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    if (!fresh && width == m_width && height == m_height)
    {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    }
    else
    {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
        m_width = width;
        m_height = height;
    }
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
    const std::size_t bytes = static_cast<std::size_t>(width) * height * 4;
    bool opaque = true;
    for (std::size_t i = 3; i < bytes && opaque; i += 4)
    {
        opaque = rgba[i] == 255;
    }
    SetTextureOpaque(m_id, opaque);
}

void Texture::Reset()
{
    if (m_id != 0)
    {
        g_opaque.erase(m_id);
        const GLuint id = m_id;
        glDeleteTextures(1, &id);
    }
    m_id = 0;
    m_width = m_height = 0;
}

} // namespace ll::ui
