// The cached region's render target and picture (see cached_region.h).
#include "ui/gl/cached_region.h"

#include "ui/gl/gl.h"
#include "ui/gl/gl_renderer.h"
#include "ui/gl/texture.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ll::ui
{

// An RGBA8 texture with a framebuffer object drawing into it (nearest filtering: shown 1:1).
struct CachedRegion::Target
{
    GLuint framebuffer = 0, texture = 0;
    int width = 0, height = 0;

    ~Target()
    {
        if (texture != 0)
        {
            SetTextureOpaque(texture, false);
            glDeleteTextures(1, &texture);
            glDeleteFramebuffers(1, &framebuffer);
        }
    }

    // Binds the framebuffer of a w x h texture (made or resized as needed); false when the driver refuses it.
    bool Bind(int w, int h)
    {
        if (texture == 0)
        {
            glGenTextures(1, &texture);
            glGenFramebuffers(1, &framebuffer);
        }
        if (w != width || h != height)
        {
            GLint previous = 0;
            glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
            glBindTexture(GL_TEXTURE_2D, texture);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, w, h, 0, GL_RGB, GL_UNSIGNED_BYTE, nullptr);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
            glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
            width = w;
            height = h;
        }
        glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture, 0);
        return glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;
    }
};

CachedRegion::CachedRegion() : m_target(std::make_unique<Target>()), m_list(nullptr) {}

namespace
{
bool g_enabled = true;
std::vector<CachedRegion*> g_pending; // regions whose new picture waits for DrawPending (main thread only)
bool CanDraw(bool unsupported) { return g_enabled && GlRenderer::Active() != nullptr && !unsupported; }
} // namespace

void CachedRegion::SetEnabled(bool enabled) { g_enabled = enabled; }

CachedRegion::~CachedRegion()
{
    g_pending.erase(std::remove(g_pending.begin(), g_pending.end(), this), g_pending.end());
}

void CachedRegion::DrawPending()
{
    for (CachedRegion* region : g_pending)
    {
        if (region->m_pending)
        {
            region->DrawPicture();
        }
    }
    g_pending.clear();
}

ImDrawList* CachedRegion::Begin(ImVec2 min, ImVec2 max, std::uint64_t key)
{
    ImDrawList* window = ImGui::GetWindowDrawList();
    if (!CanDraw(m_unsupported))
    {
        m_drawing = false;
        return window; // nothing to draw a picture with: the window draws the contents itself
    }
    if (m_pending)
    {
        DrawPicture(); // DrawPending was not called since the last frame: catch up, so no picture stays stale
    }
    const ImGuiIO& io = ImGui::GetIO();
    const int display_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
    const int display_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
    const bool same_place = m_valid && min.x == m_min.x && min.y == m_min.y && max.x == m_max.x && max.y == m_max.y &&
                            display_w == m_display_w && display_h == m_display_h;
    if (same_place && key == m_key)
    {
        m_drawing = false;
        return nullptr;
    }
    // In the same place, this frame shows the picture there is and the new one is drawn between frames; a region
    // that moved or has no picture yet is drawn at once.
    m_defer = same_place;
    m_key = key;
    m_min = min;
    m_max = max;
    // The picture covers the region's whole pixels, so its texels fall on the screen's pixels one to one.
    m_display_w = display_w;
    m_display_h = display_h;
    m_origin = ImVec2(std::max(0.0f, std::floor(min.x)), std::max(0.0f, std::floor(min.y)));
    m_width = static_cast<int>(std::min(std::ceil(max.x), io.DisplaySize.x) - m_origin.x);
    m_height = static_cast<int>(std::min(std::ceil(max.y), io.DisplaySize.y) - m_origin.y);
    m_list._Data = ImGui::GetDrawListSharedData();
    m_list._ResetForNewFrame(); // the window's flags (anti-aliasing) and no commands; the buffers keep their memory
    m_list.PushTextureID(ImGui::GetIO().Fonts->TexID);
    m_list.PushClipRect(window->GetClipRectMin(), window->GetClipRectMax());
    m_drawing = true;
    return &m_list;
}

void CachedRegion::End()
{
    if (!CanDraw(m_unsupported) && !m_drawing)
    {
        return;
    }
    if (m_drawing)
    {
        m_drawing = false;
        m_list.PopClipRect();
        m_list.PopTextureID();
        if (m_defer)
        {
            m_pending = true;
            g_pending.push_back(this);
        }
        else
        {
            DrawPicture();
        }
    }
    if (m_valid)
    {
        // The region's texels, one per pixel; the texture's first row is the bottom of the display (GL's convention).
        const ImTextureID id = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(m_target->texture));
        const float w = static_cast<float>(m_display_w), h = static_cast<float>(m_display_h);
        const ImVec2 corner(m_origin.x + static_cast<float>(m_width), m_origin.y + static_cast<float>(m_height));
        ImGui::GetWindowDrawList()->AddImage(id, m_origin, corner, ImVec2(m_origin.x / w, 1.0f - m_origin.y / h),
                                             ImVec2(corner.x / w, 1.0f - corner.y / h));
    }
}

void CachedRegion::DrawPicture()
{
    m_pending = false;
    ImDrawList* lists[] = {&m_list};
    ImDrawData data;
    data.Valid = true;
    data.CmdLists = lists;
    data.CmdListsCount = 1;
    data.TotalVtxCount = m_list.VtxBuffer.Size;
    data.TotalIdxCount = m_list.IdxBuffer.Size;
    const ImGuiIO& io = ImGui::GetIO();
    data.DisplayPos = ImVec2(0, 0);
    data.DisplaySize = io.DisplaySize;
    data.FramebufferScale = io.DisplayFramebufferScale;

    GLint previous_framebuffer = 0, viewport[4] = {};
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous_framebuffer);
    glGetIntegerv(GL_VIEWPORT, viewport);
    const bool empty = m_width <= 0 || m_height <= 0;
    m_valid = !empty && m_target->Bind(m_display_w, m_display_h);
    m_unsupported = !empty && !m_valid; // from the next frame the window draws the contents itself
    if (m_valid)
    {
        // Under the contents, the window's background: what the screen shows where they leave pixels out. Only the
        // region's pixels are cleared (the renderer clips every command to the region's clip rects).
        const ImVec4 clear = ClearColor();
        glViewport(0, 0, m_display_w, m_display_h);
        glEnable(GL_SCISSOR_TEST);
        glScissor(static_cast<GLint>(m_origin.x), m_display_h - static_cast<GLint>(m_origin.y) - m_height, m_width,
                  m_height);
        glClearColor(clear.x, clear.y, clear.z, clear.w);
        glClear(GL_COLOR_BUFFER_BIT);
        GlRenderer::Active()->Render(&data);
        SetTextureOpaque(m_target->texture, true);
        ++m_redraws;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous_framebuffer));
    glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
}

} // namespace ll::ui
