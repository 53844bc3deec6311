// What a window draws over (see window_cover.h).
#include "ui/gl/window_cover.h"

#include <imgui.h>
#include <imgui_internal.h> // the windows' display order and rectangles

#include <algorithm>

namespace ll::ui
{

bool HiddenBehindOthers(const char* title)
{
    const ImGuiContext& g = *GImGui;
    const ImGuiWindow* window = ImGui::FindWindowByName(title);
    if (window == nullptr || !window->WasActive || window->Collapsed)
    {
        return false;
    }
    const ImRect rect = window->Rect();
    bool behind = false;
    for (const ImGuiWindow* other : g.Windows) // back to front
    {
        if (other == window)
        {
            behind = true;
            continue;
        }
        if (behind && other->WasActive && !other->Hidden && !other->Collapsed &&
            (other->Flags & (ImGuiWindowFlags_ChildWindow | ImGuiWindowFlags_Popup | ImGuiWindowFlags_Tooltip)) == 0 &&
            other->Rect().Contains(rect))
        {
            return true;
        }
    }
    return false;
}

bool DrawnUnder(const char* title, std::span<const ImGuiWindow* const> blank)
{
    const ImGuiContext& g = *GImGui;
    const ImGuiWindow* window = ImGui::FindWindowByName(title);
    if (window == nullptr || !window->WasActive)
    {
        return true; // no rectangle to go by yet
    }
    // The menu bar ends at y = 23.09 above a window placed at y = 23: that sliver covers no pixel centre.
    ImRect rect = window->Rect();
    rect.Expand(-0.5f);
    for (const ImGuiWindow* other : g.Windows) // back to front
    {
        if (other == window)
        {
            return false;
        }
        if (!other->WasActive || other->Hidden || (other->Flags & ImGuiWindowFlags_ChildWindow) != 0 ||
            std::find(blank.begin(), blank.end(), other) != blank.end())
        {
            continue;
        }
        if (other->Rect().Overlaps(rect))
        {
            return true;
        }
    }
    return true; // not in the display order: be safe
}

} // namespace ll::ui
