// Pan / zoom canvas for the 2-D view and the encoded scatter (the ImGui demo's canvas recipe: cursor position,
// invisible button, clip rect, draw list).
#include "ui/widgets/canvas_2d.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ll::ui
{

void Canvas2D::SetHome(float cx, float cy, float half, bool force)
{
    const bool changed = cx != m_home_cx || cy != m_home_cy || half != m_home_half;
    m_home_cx = cx;
    m_home_cy = cy;
    m_home_half = half > 0 ? half : 1.0f;
    if (!m_initialised || force || (changed && !m_user_moved))
    {
        m_cx = m_home_cx;
        m_cy = m_home_cy;
        m_half = m_home_half;
        m_initialised = true;
        m_user_moved = m_user_moved && !force;
    }
}

void Canvas2D::Begin(const char* id, ImVec2 size, ImU32 background)
{
    Layout(id, size);
    Draw(ImGui::GetWindowDrawList(), background);
}

void Canvas2D::Layout(const char* id, ImVec2 size)
{
    size.x = std::max(size.x, 32.0f);
    size.y = std::max(size.y, 32.0f);
    m_min = ImGui::GetCursorScreenPos();
    m_max = ImVec2(m_min.x + size.x, m_min.y + size.y);
    const ImGuiButtonFlags buttons = ImGuiButtonFlags_MouseButtonLeft |
                                     (m_pan_button == ImGuiMouseButton_Right ? ImGuiButtonFlags_MouseButtonRight : 0);
    ImGui::InvisibleButton(id, size, buttons);
    m_hovered = ImGui::IsItemHovered();
    m_clicked = false;
    m_scale = 0.5f * std::min(size.x, size.y) / m_half;

    ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemActivated())
    {
        m_dragged = false;
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(m_pan_button, 3.0f))
    {
        m_dragged = true;
        m_user_moved = true;
        m_cx -= io.MouseDelta.x / m_scale;
        m_cy += io.MouseDelta.y / m_scale;
    }
    if (ImGui::IsItemDeactivated() && !m_dragged && m_hovered)
    {
        m_clicked = true;
    }
    if (m_hovered && ImGui::IsMouseDoubleClicked(m_pan_button))
    {
        m_cx = m_home_cx;
        m_cy = m_home_cy;
        m_half = m_home_half;
        m_user_moved = false;
    }
    if (m_hovered && io.MouseWheel != 0.0f)
    {
        m_user_moved = true;
        // Zoom about the cursor: the data point under it stays under it.
        const ImVec2 anchor = ToData(io.MousePos);
        const float factor = std::pow(0.85f, io.MouseWheel);
        m_half = std::clamp(m_half * factor, m_home_half * 1e-3f, m_home_half * 1e3f);
        m_scale = 0.5f * std::min(size.x, size.y) / m_half;
        const ImVec2 moved = ToData(io.MousePos);
        m_cx += anchor.x - moved.x;
        m_cy += anchor.y - moved.y;
    }
}

void Canvas2D::Draw(ImDrawList* list, ImU32 background)
{
    m_draw = list;
    m_draw->PushClipRect(m_min, m_max, true);
    m_draw->AddRectFilled(m_min, m_max, background);
}

std::uint64_t Canvas2D::ViewKey() const
{
    std::uint32_t bits[3];
    std::memcpy(&bits[0], &m_cx, 4);
    std::memcpy(&bits[1], &m_cy, 4);
    std::memcpy(&bits[2], &m_scale, 4);
    const std::uint64_t centre = static_cast<std::uint64_t>(bits[0]) << 32 | bits[1];
    return centre ^ (static_cast<std::uint64_t>(bits[2]) * 0x9e3779b97f4a7c15ull);
}

void Canvas2D::End()
{
    m_draw->AddRect(m_min, m_max, IM_COL32(255, 255, 255, 40));
    m_draw->PopClipRect();
}

ImVec2 Canvas2D::ToScreen(float x, float y) const
{
    const float mx = 0.5f * (m_min.x + m_max.x);
    const float my = 0.5f * (m_min.y + m_max.y);
    return ImVec2(mx + (x - m_cx) * m_scale, my - (y - m_cy) * m_scale);
}

ImVec2 Canvas2D::ToData(ImVec2 screen) const
{
    const float mx = 0.5f * (m_min.x + m_max.x);
    const float my = 0.5f * (m_min.y + m_max.y);
    return ImVec2(m_cx + (screen.x - mx) / m_scale, m_cy - (screen.y - my) / m_scale);
}

void Canvas2D::DrawGrid(ImU32 color) const
{
    // Spacing: a 1-2-5 step giving lines roughly every 60-150 pixels.
    const float raw = 80.0f / m_scale;
    const float decade = std::pow(10.0f, std::floor(std::log10(raw)));
    float step = decade;
    for (float m : {1.0f, 2.0f, 5.0f, 10.0f})
    {
        if (decade * m >= raw)
        {
            step = decade * m;
            break;
        }
    }
    const ImVec2 lo = ToData(ImVec2(m_min.x, m_max.y));
    const ImVec2 hi = ToData(ImVec2(m_max.x, m_min.y));
    for (float x = std::ceil(lo.x / step) * step; x <= hi.x; x += step)
    {
        const float sx = ToScreen(x, 0).x;
        const bool axis = std::abs(x) < 0.5f * step;
        m_draw->AddLine(ImVec2(sx, m_min.y), ImVec2(sx, m_max.y), axis ? (color + (0x18u << 24)) : color);
    }
    for (float y = std::ceil(lo.y / step) * step; y <= hi.y; y += step)
    {
        const float sy = ToScreen(0, y).y;
        const bool axis = std::abs(y) < 0.5f * step;
        m_draw->AddLine(ImVec2(m_min.x, sy), ImVec2(m_max.x, sy), axis ? (color + (0x18u << 24)) : color);
    }
}

} // namespace ll::ui
