// The lab's look: fonts, ImGui style and one colour per metric series / player, used by every panel so that
// "D" is the same blue in the loss plot, the 2-D view and the legend. Main (ImGui) thread only.
#pragma once

#include <imgui.h>

#include <string_view>

namespace ll::ui
{

// Colours of the two players and of the two kinds of points (the 2-D view uses the same ones).
inline constexpr ImU32 kColorD = IM_COL32(66, 146, 235, 255);     // discriminator / critic, encoder
inline constexpr ImU32 kColorG = IM_COL32(255, 140, 40, 255);     // generator, decoder
inline constexpr ImU32 kColorReal = IM_COL32(80, 200, 120, 255);  // real data
inline constexpr ImU32 kColorFake = IM_COL32(240, 90, 170, 255);  // generated data
inline constexpr ImU32 kColorLoss = IM_COL32(230, 230, 235, 255); // a model's total loss
inline constexpr ImU32 kColorRecon = IM_COL32(80, 200, 120, 255);
inline constexpr ImU32 kColorKl = IM_COL32(180, 120, 240, 255);
inline constexpr ImU32 kColorEval = IM_COL32(240, 80, 80, 255);   // test-set / evaluation metrics
inline constexpr ImU32 kColorMarker = IM_COL32(255, 200, 80, 170); // hyperparameter events

// The colour of a metric series by name ("d_loss" -> D's colour, "recon" -> green, ...); a stable palette colour
// for names it does not know.
ImU32 SeriesColor(std::string_view name);
ImVec4 SeriesColorVec(std::string_view name);
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
