// Our small line-plot widget on ImGui's draw list, shaped like ImPlot's API (ImPlot is not packaged in Debian):
//     if (ll::ui::BeginPlot("loss", ImVec2(-1, 250)))
//     {
//         ll::ui::SetupAxes("step", "loss", ll::ui::PlotFlags_LogY);
//         ll::ui::PlotLine("D", steps, d_loss, n, {.smoothing = 0.9});
//         ll::ui::PlotMarkerX(1200, "lr 2e-4 -> 1e-4");
//         ll::ui::EndPlot();
//     }
// Several series per plot; the legend toggles them; auto-fit, follow (newest x at the right edge), linear / log y;
// drag pans, the wheel zooms, a double-click refits, right-click opens a menu; hovering shows each series at the
// hovered x. Each series is decimated to a min/max pair per pixel column (plot_math.h), so long histories stay
// cheap. xs must be ascending. Main (ImGui) thread only; the data is read during the call and not kept.
#pragma once

#include <imgui.h>

#include <cstdint>

namespace ll::ui
{

enum PlotFlags_
{
    PlotFlags_None = 0,
    PlotFlags_LogY = 1 << 0,     // y axis starts logarithmic (the context menu can change it)
    PlotFlags_Follow = 1 << 1,   // starts in follow mode: x window of fixed width ending at the newest point
    PlotFlags_NoLegend = 1 << 2, // no legend box
    PlotFlags_NoMenu = 1 << 3,   // no right-click menu
};
using PlotFlags = int;

struct PlotLineStyle
{
    ImU32 color = 0;          // 0: the plot's palette, by series order
    float thickness = 1.5f;   // pixels
    double smoothing = 0.0;   // EMA weight in [0, 1): > 0 draws the smoothed line over the raw one (drawn faint)
};

// Starts a plot; size.x <= 0 fills the width (minus -size.x), size.y <= 0 uses 250 px (or fills when < 0).
// Returns false when the plot is not visible; call EndPlot only when it returns true.
bool BeginPlot(const char* id, ImVec2 size = ImVec2(0, 0));
// Optional; call right after BeginPlot. Labels may be null. Flags set the initial state of a plot (the first
// frame it is seen); afterwards the user's choices in the menu stick.
void SetupAxes(const char* x_label, const char* y_label, PlotFlags flags = PlotFlags_None);
// Optional fixed view (y limits in data units); auto-fit is turned off. `always`: re-applied every frame.
void SetupAxesLimits(double x_min, double x_max, double y_min, double y_max, bool always = false);
// Width of the x window in follow mode (default: the visible width when follow is switched on).
void SetupFollowWidth(double width);

// One series: n points (xs ascending). The label names it in the legend and hover text ("##id" suffix hides
// the part after ##, as in ImGui).
void PlotLine(const char* label, const float* xs, const float* ys, int n, const PlotLineStyle& style = {});
void PlotLine(const char* label, const double* xs, const double* ys, int n, const PlotLineStyle& style = {});
// A filled band between lo and hi over xs (ascending), drawn faint in color (e.g. the min-max band of a group of
// runs under its mean line). Not in the legend or the hover text; counts for auto-fit.
void PlotBand(const double* xs, const double* lo, const double* hi, int n, ImU32 color);
// A vertical marker, e.g. where a hyperparameter changed; its label shows on hover.
void PlotMarkerX(double x, const char* label);

void EndPlot();

// Showing a plot from a picture (ui/gl/cached_region.h, used by the views): the next BeginPlot draws into `list`
// instead of the window's draw list, or, with SetNextPlotSkipDraw, draws nothing (the picture shows it: layout and
// input, legend clicks and the hover tooltip only, the limits stay). LastPlotViewKey is what the last ended plot's
// picture depends on besides its data: its limits, log axis, fit and follow modes, hidden series and the hovered legend
// row. The hover is not in the picture: such a plot's hover marks (the cursor's line, a dot on each series) wait for
// DrawLastPlotHover, to be called once the picture is shown, so a plot looked at with the mouse on it stays a picture.
void SetNextPlotDrawList(ImDrawList* list);
void SetNextPlotSkipDraw();
// As SetNextPlotSkipDraw, but an auto-fitting plot fits its limits to the series given (all their points, as a drawn
// frame does), so that the next frame draws its picture once, with limits that already hold the new points.
void SetNextPlotFitOnly();
std::uint64_t LastPlotViewKey();
void DrawLastPlotHover();

} // namespace ll::ui
