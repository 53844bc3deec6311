// Round dots as textured quads (see dot_sprite.h).
#include "ui/gl/dot_sprite.h"

#include "ui/gl/dot_image.h"

namespace ll::ui
{

void DotSprite::Add(ImDrawList* draw, ImVec2 centre, ImU32 color)
{
    if (!m_texture.Valid())
    {
        const RgbaImage image = DotImage(m_radius, m_outline);
        m_texture.Upload(image, Texture::Filter::Linear);
        m_half = 0.5f * static_cast<float>(image.width);
    }
    draw->AddImage(m_texture.ImId(), ImVec2(centre.x - m_half, centre.y - m_half),
                   ImVec2(centre.x + m_half, centre.y + m_half), ImVec2(0, 0), ImVec2(1, 1), color);
}

} // namespace ll::ui
