// Round dots for scatters, one textured quad each (the image from dot_image.h, uploaded on first use). Main (GL)
// thread only.
#pragma once

#include "ui/gl/texture.h"

#include <imgui.h>

namespace ll::ui
{

class DotSprite
{
public:
    // Dots of `radius` pixels with a dark ring `outline` pixels wide around them (0: none).
    DotSprite(float radius, float outline) : m_radius(radius), m_outline(outline) {}

    // A dot centred at `centre` (screen pixels) in `color`; its ring is that colour darkened almost to black.
    // Consecutive dots share one draw command.
    void Add(ImDrawList* draw, ImVec2 centre, ImU32 color);

private:
    float m_radius, m_outline;
    float m_half = 0; // half the image's side, in pixels
    Texture m_texture;
};

} // namespace ll::ui
