// The lab's look: fonts, ImGui style, and the metric catalog's colours as ImGui colours, used by every panel so that
// "D" is the same blue in every plot and legend. Main (ImGui) thread only.
#pragma once

#include <imgui.h>

#include <string_view>

namespace ll::ui
{

// Hyperparameter change markers on the plots.
inline constexpr ImU32 kColorMarker = IM_COL32(255, 200, 80, 170);

// The colour of a metric series, from its row in the metric catalog (core/eval/metric_catalog.h: "d_loss" is D's
// blue, "recon" green, ...); a stable palette colour for a name the catalog does not know.
ImU32 SeriesColor(std::string_view name);
// A colour for a status (running green, paused amber, diverged orange, error red, idle grey).
ImVec4 StatusColor(int status);

// Shows text as a tooltip when the last item is hovered (ImGui 1.86 has no SetItemTooltip).
void ItemTooltip(const char* text);

// Loads DejaVu Sans (the Debian package fonts-dejavu-core) at a size that suits the display height, with a
// large variant for the objective's formula; falls back to ImGui's built-in font, scaled. Call once before the
// first frame. Sets the style (dark, rounded a little, roomier spacing).
void ApplyLabTheme(float display_height);
// The colour to clear the screen with before drawing the lab: WindowBg's. The lab's windows leave their background
// fill out where nothing is drawn under them (see window_cover.h), so the clear is their background.
ImVec4 ClearColor();
// The large font for formulas (the default font when no TTF was found).
ImFont* LargeFont();

} // namespace ll::ui
