// Draws ImGui's draw data with OpenGL 3.3 core, in place of ImGui's OpenGL3 backend, for one reason: under Xvfb the
// frame is rasterised by Mesa's llvmpipe on the CPU that training also uses, and most of its pixels are solid fills.
// Those go through a second program without texture or blending (see draw_runs.h), images of opaque textures
// (ui/texture.h) without blending, everything else through the usual "vertex colour x texture, alpha blended"
// program, in ImGui's order, so the picture is the same.
// Main (GL) thread only; needs a current GL 3.3 core context for its whole life.
#pragma once

#include <imgui.h>

#include <vector>

#include "ui/gl/draw_runs.h"

namespace ll::ui
{

class GlRenderer
{
public:
    // Compiles the two programs, makes the buffers and the font atlas texture (io.Fonts: load fonts first), and
    // registers as ImGui's renderer backend. Throws std::runtime_error with the driver's log when a shader fails.
    GlRenderer();
    ~GlRenderer();
    GlRenderer(const GlRenderer&) = delete;
    GlRenderer& operator=(const GlRenderer&) = delete;

    // Draws ImGui::GetDrawData() (or any draw data) into the current framebuffer.
    void Render(const ImDrawData* data);
    // The renderer that is ImGui's backend now, or nullptr (ImGui's own OpenGL3 backend, or none): what draws a
    // CachedRegion's picture (cached_region.h).
    static GlRenderer* Active();

    struct Stats
    {
        int draw_calls = 0;
        int solid_draw_calls = 0;        // solid fills: no texture, no blending
        int opaque_image_draw_calls = 0; // opaque textures in opaque colours: no blending
    };
    // What the last Render issued.
    const Stats& LastStats() const { return m_stats; }

private:
    void SetupState(const ImDrawData* data, int fb_width, int fb_height);

    unsigned m_textured = 0; // programs
    unsigned m_solid = 0;
    int m_textured_proj = -1; // uniform locations
    int m_textured_tex = -1;
    int m_solid_proj = -1;
    unsigned m_vao = 0;
    unsigned m_vbo = 0;
    unsigned m_ebo = 0;
    unsigned m_font = 0;
    std::vector<DrawRun> m_runs;
    Stats m_stats;
};

} // namespace ll::ui
