// The plot widget: per-plot state (limits, modes, hidden series), input (pan / zoom / refit / menu), the axes and menu,
// drawn on the window's draw list; the legend and hover are in plot_overlay.cpp, the series in plot_series.cpp, the
// shared state in plot_state.h. Data -> transform -> draw: plot_math.h decimates and maps, these files only draw.
#include "ui/widgets/plot.h"

#include "ui/widgets/plot_math.h"
#include "ui/widgets/plot_state.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ll::ui
{

using namespace plot_detail;

namespace
{

// The plotting area inside the frame: the margins leave room for the labels and the y ticks' text. Returns how many
// y ticks the area's height asks for.
int LayOutArea()
{
    Frame& f = g_frame;
    const PlotState& s = *f.state;
    const float text_h = ImGui::GetTextLineHeight();
    // Vertical layout first: y ticks depend on the area's height, the left margin on their labels.
    const float top = f.frame_min.y + (f.y_label.empty() ? 6.0f : text_h + 6.0f);
    const float bottom = f.frame_max.y - (text_h + 8.0f) - (f.x_label.empty() ? 0.0f : text_h + 2.0f);
    const int y_target = std::max(2, static_cast<int>((bottom - top) / 45.0f));
    float label_w = 0;
    for (const plot::Tick& t : plot::ComputeTicks(s.y_lo, s.y_hi, s.log_y, y_target))
    {
        label_w = std::max(label_w, ImGui::CalcTextSize(t.label.c_str()).x);
    }
    // Whole pixels (text heights with a scaled font are not): the frame's strips then meet the area without a seam.
    f.area_min = ImVec2(std::round(f.frame_min.x + label_w + 10.0f), std::round(top));
    f.area_max = ImVec2(std::round(f.frame_max.x - 10.0f), std::round(std::max(top + 10.0f, bottom)));
    return y_target;
}

// This frame's input on the plot (the invisible button from BeginPlot is the last item): drag pans, the wheel zooms
// (in follow mode it narrows the window), a double-click refits, a right click opens the menu.
void HandleInput()
{
    Frame& f = g_frame;
    PlotState& s = *f.state;
    const ImGuiIO& io = ImGui::GetIO();
    const float area_w = f.area_max.x - f.area_min.x, area_h = f.area_max.y - f.area_min.y;
    const ImVec2 mouse = io.MousePos;
    const bool over_legend = mouse.x >= s.legend_min.x && mouse.x <= s.legend_max.x && mouse.y >= s.legend_min.y &&
                             mouse.y <= s.legend_max.y;
    const bool over_area = mouse.x >= f.area_min.x && mouse.x <= f.area_max.x && mouse.y >= f.area_min.y &&
                           mouse.y <= f.area_max.y;
    f.hovered = ImGui::IsItemHovered() && over_area;
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left) && !over_legend)
    {
        const ImVec2 delta = io.MouseDelta;
        const double dx = -delta.x / area_w * (s.x_hi - s.x_lo);
        const double dy = delta.y / area_h * (s.y_hi - s.y_lo);
        if (dx != 0.0 || dy != 0.0)
        {
            s.x_lo += dx;
            s.x_hi += dx;
            s.y_lo += dy;
            s.y_hi += dy;
            s.auto_fit = false;
            s.follow = false;
        }
    }
    if (f.hovered && io.MouseWheel != 0.0f && !over_legend)
    {
        const double factor = std::pow(0.85, static_cast<double>(io.MouseWheel));
        if (s.follow)
        {
            s.follow_width *= factor; // keep the newest point at the right edge, y keeps fitting
        }
        else
        {
            const double ax = s.x_lo + (mouse.x - f.area_min.x) / area_w * (s.x_hi - s.x_lo);
            const double ay = s.y_hi - (mouse.y - f.area_min.y) / area_h * (s.y_hi - s.y_lo);
            plot::ZoomRange(s.x_lo, s.x_hi, ax, factor);
            plot::ZoomRange(s.y_lo, s.y_hi, ay, factor);
            s.auto_fit = false;
        }
    }
    if (f.hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && !over_legend)
    {
        s.auto_fit = true;
        s.follow = false;
    }
    f.open_menu = f.menu && f.hovered && ImGui::IsMouseReleased(ImGuiMouseButton_Right);
    f.clicked = ImGui::IsItemHovered() && ImGui::IsMouseClicked(ImGuiMouseButton_Left);
}

// Data -> pixel transforms from the limits after input, and the hovered x in data units.
void SetTransforms()
{
    Frame& f = g_frame;
    const PlotState& s = *f.state;
    f.tx = {s.x_lo, s.x_hi, f.area_min.x, f.area_max.x, false};
    f.ty = {s.y_lo, s.y_hi, f.area_max.y, f.area_min.y, s.log_y};
    if (f.hovered)
    {
        f.hover_x = f.tx.ToData(ImGui::GetIO().MousePos.x);
    }
}

// The frame, grid, ticks and axis labels, with the limits after input so the grid matches the lines.
void DrawAxes(int y_target)
{
    const Frame& f = g_frame;
    const PlotState& s = *f.state;
    ImDrawList* draw = DrawList();
    const float area_w = f.area_max.x - f.area_min.x;
    const std::vector<plot::Tick> y_ticks = plot::ComputeTicks(s.y_lo, s.y_hi, s.log_y, y_target);
    const std::vector<plot::Tick> x_ticks =
        plot::ComputeTicks(s.x_lo, s.x_hi, false, std::max(2, static_cast<int>(area_w / 90.0f)));
    const ImU32 text_col = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 grid_col = ImGui::GetColorU32(ImGuiCol_Text, 0.10f);
    // The frame in FrameBg as four strips around the plotting area, which shows the window's background (WindowBg,
    // under it already): no pixel is filled twice, and software OpenGL pays for every one.
    const ImU32 frame_col = ImGui::GetColorU32(ImGuiCol_FrameBg);
    draw->AddRectFilled(f.frame_min, ImVec2(f.frame_max.x, f.area_min.y), frame_col, 3.0f, ImDrawFlags_RoundCornersTop);
    draw->AddRectFilled(ImVec2(f.frame_min.x, f.area_max.y), f.frame_max, frame_col, 3.0f,
                        ImDrawFlags_RoundCornersBottom);
    draw->AddRectFilled(ImVec2(f.frame_min.x, f.area_min.y), ImVec2(f.area_min.x, f.area_max.y), frame_col);
    draw->AddRectFilled(ImVec2(f.area_max.x, f.area_min.y), ImVec2(f.frame_max.x, f.area_max.y), frame_col);
    for (const plot::Tick& t : y_ticks)
    {
        const float y = static_cast<float>(f.ty.AxisToPixel(t.axis));
        draw->AddLine(ImVec2(f.area_min.x, y), ImVec2(f.area_max.x, y), grid_col);
        const ImVec2 size = ImGui::CalcTextSize(t.label.c_str());
        draw->AddText(ImVec2(f.area_min.x - size.x - 5.0f, y - size.y * 0.5f), text_col, t.label.c_str());
    }
    for (const plot::Tick& t : x_ticks)
    {
        const float x = static_cast<float>(f.tx.AxisToPixel(t.axis));
        draw->AddLine(ImVec2(x, f.area_min.y), ImVec2(x, f.area_max.y), grid_col);
        const ImVec2 size = ImGui::CalcTextSize(t.label.c_str());
        draw->AddText(ImVec2(x - size.x * 0.5f, f.area_max.y + 3.0f), text_col, t.label.c_str());
    }
    if (!f.x_label.empty())
    {
        const ImVec2 size = ImGui::CalcTextSize(f.x_label.c_str());
        draw->AddText(ImVec2((f.area_min.x + f.area_max.x - size.x) * 0.5f, f.frame_max.y - size.y - 2.0f), text_col,
                      f.x_label.c_str());
    }
    if (!f.y_label.empty())
    {
        const std::string text = f.y_label + (s.log_y ? " (log)" : "");
        draw->AddText(ImVec2(f.frame_min.x + 4.0f, f.frame_min.y + 3.0f), text_col, text.c_str());
    }
}

void DrawMenu()
{
    Frame& f = g_frame;
    PlotState& s = *f.state;
    if (f.open_menu)
    {
        ImGui::OpenPopup("##plot_menu");
    }
    if (ImGui::BeginPopup("##plot_menu"))
    {
        if (ImGui::MenuItem("Fit view", "double-click"))
        {
            s.auto_fit = true;
            s.follow = false;
        }
        ImGui::MenuItem("Auto-fit", nullptr, &s.auto_fit);
        if (ImGui::MenuItem("Follow newest", nullptr, &s.follow) && s.follow)
        {
            s.follow_width = s.x_hi - s.x_lo;
        }
        if (ImGui::MenuItem("Log y", nullptr, &s.log_y))
        {
            s.has_limits = false; // limits live in axis space: refit in the new one
            s.auto_fit = true;
        }
        ImGui::EndPopup();
    }
}

} // namespace

// The layout, this frame's input and the axes, once per plot (plot_state.h).
void plot_detail::SetupLock()
{
    Frame& f = g_frame;
    if (f.locked)
    {
        return;
    }
    f.locked = true;
    const int y_target = LayOutArea();
    HandleInput();
    SetTransforms();
    if (!f.skip)
    {
        DrawAxes(y_target);
        DrawList()->PushClipRect(f.area_min, f.area_max, true);
    }
}

bool BeginPlot(const char* id, ImVec2 size)
{
    IM_ASSERT(!g_frame.active && "BeginPlot inside another plot");
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float w = size.x > 0 ? size.x : avail.x + size.x;
    const float h = size.y > 0 ? size.y : (size.y < 0 ? avail.y + size.y : 250.0f);
    const ImVec2 frame_size(std::max(w, 80.0f), std::max(h, 60.0f));
    ImGui::PushID(id);
    const ImGuiID plot_id = ImGui::GetID("##plot");
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##plot", frame_size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
    ImDrawList* next_draw = std::exchange(g_next_draw, nullptr);
    const bool next_skip = std::exchange(g_next_skip, false);
    const bool next_fit_only = std::exchange(g_next_fit_only, false);
    if (!ImGui::IsItemVisible())
    {
        ImGui::PopID();
        return false;
    }
    g_frame.active = true;
    g_frame.draw = next_draw != nullptr ? next_draw : ImGui::GetWindowDrawList();
    g_frame.skip = next_skip;
    g_frame.fit_only = next_fit_only;
    g_frame.picture = next_skip || next_draw != nullptr;
    g_frame.locked = false;
    g_frame.state = &g_plots[plot_id];
    g_frame.frame_min = pos;
    g_frame.frame_max = ImVec2(pos.x + frame_size.x, pos.y + frame_size.y);
    g_frame.x_label.clear();
    g_frame.y_label.clear();
    g_frame.hovered = g_frame.open_menu = g_frame.clicked = false;
    g_frame.legend = g_frame.menu = true;
    g_frame.fit_x_lo = g_frame.fit_y_lo = INFINITY;
    g_frame.fit_x_hi = g_frame.fit_y_hi = -INFINITY;
    g_frame.series_index = 0;
    g_frame.legend_entries.clear();
    g_frame.hover_values.clear();
    g_frame.hover_markers.clear();
    return true;
}

void SetupAxes(const char* x_label, const char* y_label, PlotFlags flags)
{
    IM_ASSERT(g_frame.active && !g_frame.locked && "SetupAxes must come right after BeginPlot");
    Frame& f = g_frame;
    f.x_label = x_label ? x_label : "";
    f.y_label = y_label ? y_label : "";
    f.legend = (flags & PlotFlags_NoLegend) == 0;
    f.menu = (flags & PlotFlags_NoMenu) == 0;
    PlotState& s = *f.state;
    if (!s.has_limits && s.series.empty())
    {
        s.log_y = (flags & PlotFlags_LogY) != 0;
        s.follow = (flags & PlotFlags_Follow) != 0;
    }
}

void SetupAxesLimits(double x_min, double x_max, double y_min, double y_max, bool always)
{
    IM_ASSERT(g_frame.active && !g_frame.locked && "SetupAxesLimits must come before the first PlotLine");
    PlotState& s = *g_frame.state;
    if (always || !s.has_limits)
    {
        s.x_lo = x_min;
        s.x_hi = x_max;
        s.y_lo = s.log_y ? std::log10(std::max(y_min, 1e-300)) : y_min;
        s.y_hi = s.log_y ? std::log10(std::max(y_max, 1e-300)) : y_max;
        s.has_limits = true;
        s.auto_fit = false;
        s.follow = false;
    }
}

void SetupFollowWidth(double width)
{
    IM_ASSERT(g_frame.active);
    if (width > 0 && g_frame.state->follow_width <= 0)
    {
        g_frame.state->follow_width = width;
    }
}

void EndPlot()
{
    IM_ASSERT(g_frame.active && "EndPlot without BeginPlot");
    SetupLock();
    Frame& f = g_frame;
    PlotState& s = *f.state;
    if (!f.skip)
    {
        DrawList()->PopClipRect();
    }
    DrawLegend();
    if (!f.skip)
    {
        DrawList()->AddRect(f.area_min, f.area_max, ImGui::GetColorU32(ImGuiCol_Border));
    }
    DrawHover();
    DrawMenu();

    // Limits for the next frame from what was drawn in this one (one frame of lag is invisible at 60 fps).
    const bool have_x = f.fit_x_lo <= f.fit_x_hi;
    const bool have_y = f.fit_y_lo <= f.fit_y_hi;
    if ((s.auto_fit || s.follow || !s.has_limits) && have_x)
    {
        double x_lo = f.fit_x_lo, x_hi = f.fit_x_hi;
        if (s.follow)
        {
            if (s.follow_width <= 0)
            {
                s.follow_width = std::max(x_hi - x_lo, 1e-12);
            }
            x_lo = x_hi - s.follow_width;
        }
        if (x_hi <= x_lo)
        {
            plot::PadRange(x_lo, x_hi, 0.0);
        }
        s.x_lo = x_lo;
        s.x_hi = x_hi;
        if (have_y)
        {
            double y_lo = f.fit_y_lo, y_hi = f.fit_y_hi;
            plot::PadRange(y_lo, y_hi, 0.05);
            s.y_lo = y_lo;
            s.y_hi = y_hi;
        }
        s.has_limits = true;
    }
    // What a picture of this plot depends on besides its data: the view after this frame.
    std::uint64_t key = 0x9e3779b97f4a7c15ull;
    const auto mix = [&key](std::uint64_t v) { key = (key ^ v) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull; };
    for (const double v : {s.x_lo, s.x_hi, s.y_lo, s.y_hi})
    {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        mix(bits);
    }
    mix((s.has_limits ? 1u : 0u) | (s.auto_fit ? 2u : 0u) | (s.follow ? 4u : 0u) | (s.log_y ? 8u : 0u));
    std::uint64_t hidden = 0;
    for (const auto& [id, series] : s.series)
    {
        hidden ^= series.hidden ? (static_cast<std::uint64_t>(id) * 0x9e3779b97f4a7c15ull) : 0;
    }
    mix(hidden);
    mix(static_cast<std::uint64_t>(f.legend_hovered + 1)); // the hovered legend row is highlighted in the picture
    g_last_view_key = key;
    f.active = false;
    ImGui::PopID();
}

void SetNextPlotDrawList(ImDrawList* list)
{
    g_next_draw = list;
}

void SetNextPlotSkipDraw()
{
    g_next_skip = true;
}

void SetNextPlotFitOnly()
{
    g_next_skip = true;
    g_next_fit_only = true;
}

std::uint64_t LastPlotViewKey()
{
    return g_last_view_key;
}

} // namespace ll::ui
