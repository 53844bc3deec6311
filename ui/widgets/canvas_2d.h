// A pannable, zoomable square-aspect canvas on ImGui's draw list for the 2-D view and the encoded scatter:
// drag pans, the wheel zooms about the cursor, a double-click resets to the home view. Main (ImGui) thread only.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace ll::ui
{

class Canvas2D
{
public:
    // The view shown on the first frame and after a double-click: centre and half-width of the visible square.
    // The view follows a changing home until the user pans or zooms; `force` moves it there regardless.
    void SetHome(float cx, float cy, float half, bool force = false);
    // The mouse button that pans (and double-clicks to reset): left by default; the 2-D view's drawing tool paints
    // with the left button and pans with the right.
    void SetPanButton(ImGuiMouseButton button) { m_pan_button = button; }
    // Lays out an invisible button of `size` at the cursor, handles pan / zoom / reset, pushes a clip rect and fills
    // the background. Always pair with End().
    void Begin(const char* id, ImVec2 size, ImU32 background = IM_COL32(24, 24, 28, 255));
    void End();
    // Begin in two halves, for contents drawn somewhere else than the window (a CachedRegion): Layout lays out and
    // handles input (Min, Max, Hovered and the transform are then known), Draw starts drawing into `list`. Pair Draw
    // with End; Layout alone draws nothing.
    void Layout(const char* id, ImVec2 size);
    void Draw(ImDrawList* list, ImU32 background = IM_COL32(24, 24, 28, 255));
    // The view (centre and scale) as bits, for a CachedRegion's key.
    std::uint64_t ViewKey() const;

    ImVec2 ToScreen(float x, float y) const; // data (y up) -> screen pixels (y down)
    ImVec2 ToData(ImVec2 screen) const;
    float PixelsPerUnit() const { return m_scale; }
    bool Hovered() const { return m_hovered; }
    bool Clicked() const { return m_clicked; } // released without dragging this frame
    ImVec2 Min() const { return m_min; }
    ImVec2 Max() const { return m_max; }
    ImDrawList* DrawList() const { return m_draw; }

    // Light grid lines at nice data-unit spacing, with the axes (x = 0, y = 0) a little brighter.
    void DrawGrid(ImU32 color = IM_COL32(255, 255, 255, 18)) const;

private:
    float m_home_cx = 0, m_home_cy = 0, m_home_half = 1;
    float m_cx = 0, m_cy = 0, m_half = 1;
    bool m_initialised = false;
    bool m_user_moved = false; // panned or zoomed since the last reset
    ImVec2 m_min, m_max;
    float m_scale = 1;
    bool m_hovered = false, m_clicked = false, m_dragged = false;
    ImGuiMouseButton m_pan_button = ImGuiMouseButton_Left;
    ImDrawList* m_draw = nullptr;
};

} // namespace ll::ui
