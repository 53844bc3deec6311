// The plot widget's state, shared by its two files (plot.cpp: the frame, input, axes, legend, menu; plot_series.cpp:
// lines, bands and markers): what survives between frames per plot id, and the plot being built this frame. Internal
// to the widget; main (ImGui) thread only, like every ImGui call.
#pragma once

#include "ui/widgets/plot_math.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace ll::ui::plot_detail
{

struct SeriesState
{
    bool hidden = false;
    plot::EmaState ema;
    std::vector<double> smoothed;
};

// What survives between frames, per plot id.
struct PlotState
{
    bool has_limits = false; // false until the first fit
    double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1; // axis space (y is log10 on a log axis)
    bool auto_fit = true;
    bool follow = false;
    bool log_y = false;
    double follow_width = 0;
    ImVec2 legend_min, legend_max; // last frame's legend box (clicks there do not pan)
    std::unordered_map<ImGuiID, SeriesState> series;
};

struct LegendEntry
{
    std::string label;
    ImU32 color;
    ImGuiID id;
    bool hidden;
};

struct HoverValue
{
    std::string label;
    ImU32 color;
    double x, y;
    bool has_smoothed;
    double smoothed;
    bool has_dot; // the hovered point is on the axis (not off a log axis)
    ImVec2 dot;   // its pixel
};

// A plot's hover marks (the cursor's line and each series' dot) kept for DrawLastPlotHover: a plot shown from a
// picture draws them after the picture, on top of it.
struct HoverMarks
{
    bool active = false;
    float x = 0;
    ImVec2 area_min, area_max;
    std::vector<std::pair<ImVec2, ImU32>> dots;
};

// The plot being built this frame (BeginPlot .. EndPlot).
struct Frame
{
    bool active = false;
    bool locked = false; // layout and transforms fixed (SetupLock ran)
    PlotState* state = nullptr;
    ImVec2 frame_min, frame_max, area_min, area_max;
    std::string x_label, y_label;
    bool hovered = false, open_menu = false, legend = true, menu = true;
    bool clicked = false; // left click on the plot this frame (captured before tooltips change the last item)
    plot::AxisTransform tx, ty;
    double hover_x = 0;
    double fit_x_lo = INFINITY, fit_x_hi = -INFINITY, fit_y_lo = INFINITY, fit_y_hi = -INFINITY;
    int series_index = 0;
    std::vector<LegendEntry> legend_entries;
    std::vector<HoverValue> hover_values;
    std::vector<std::string> hover_markers;
    plot::Decimated scratch;
    std::vector<ImVec2> points;
    ImDrawList* draw = nullptr; // the window's, or SetNextPlotDrawList's
    bool skip = false;          // SetNextPlotSkipDraw: layout, input and hover only
    bool fit_only = false;      // SetNextPlotFitOnly: skip, but an auto-fitting plot fits its limits to the series
    bool picture = false;       // drawn into or shown from a picture: the hover marks wait for DrawLastPlotHover
    int legend_hovered = -1;    // the legend row under the mouse (its text is highlighted), -1: none
};

inline std::unordered_map<ImGuiID, PlotState> g_plots;
inline Frame g_frame;
inline ImDrawList* g_next_draw = nullptr;
inline bool g_next_skip = false;
inline bool g_next_fit_only = false;
inline std::uint64_t g_last_view_key = 0;
inline HoverMarks g_last_hover;

inline ImDrawList* DrawList() { return g_frame.draw; }

inline constexpr ImU32 kPalette[] = {
    IM_COL32(31, 119, 180, 255), IM_COL32(255, 127, 14, 255), IM_COL32(44, 160, 44, 255),
    IM_COL32(214, 39, 40, 255),  IM_COL32(148, 103, 189, 255), IM_COL32(140, 86, 75, 255),
    IM_COL32(227, 119, 194, 255), IM_COL32(127, 127, 127, 255), IM_COL32(188, 189, 34, 255),
    IM_COL32(23, 190, 207, 255),
};

inline ImU32 Faint(ImU32 color, float alpha)
{
    const ImU32 a = static_cast<ImU32>(((color >> IM_COL32_A_SHIFT) & 0xFF) * alpha);
    return (color & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

// Label up to "##", as ImGui shows it.
inline std::string VisibleLabel(const char* label)
{
    const char* end = std::strstr(label, "##");
    return end ? std::string(label, end) : std::string(label);
}

// Widens this frame's fit box by a point (y in axis space; a point off a log axis widens x only).
inline void FitPoint(double x, double y_axis)
{
    g_frame.fit_x_lo = std::min(g_frame.fit_x_lo, x);
    g_frame.fit_x_hi = std::max(g_frame.fit_x_hi, x);
    if (std::isfinite(y_axis))
    {
        g_frame.fit_y_lo = std::min(g_frame.fit_y_lo, y_axis);
        g_frame.fit_y_hi = std::max(g_frame.fit_y_hi, y_axis);
    }
}

// Before the first series or marker: fixes the layout, applies this frame's input, draws the axes and clips to the
// plotting area. Runs once per plot (plot.cpp).
void SetupLock();
// At EndPlot (plot_overlay.cpp): the legend (its place and clicks always, its box when the plot draws), then the hover.
void DrawLegend();
void DrawHover();

} // namespace ll::ui::plot_detail
