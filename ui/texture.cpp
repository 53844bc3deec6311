// RGBA8 texture upload, nearest filtering by default (pixels stay crisp when a 28x28 image is scaled up).
#include "ui/texture.h"

#include "ui/gl.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace ll::ui
{

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
}

void Texture::Reset()
{
    if (m_id != 0)
    {
        const GLuint id = m_id;
        glDeleteTextures(1, &id);
    }
    m_id = 0;
    m_width = m_height = 0;
}

} // namespace ll::ui
