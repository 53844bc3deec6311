// The plot widget's legend and hover (plot.h): the legend box and its clicks, the cursor's line, the dots and the
// tooltip naming the series under the cursor; for a plot shown from a picture, the legend is in the picture and the
// hover marks wait for DrawLastPlotHover, drawn over it.
#include "ui/widgets/plot.h"

#include "ui/widgets/plot_state.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace ll::ui
{

using namespace plot_detail;

namespace
{

constexpr std::size_t kMaxHoverRows = 8; // lines named in the hover tooltip (the nearest to the cursor)

} // namespace

// The legend box's place from this frame's entries (kept for the next frame's input), the row under the mouse, and a
// click there toggling its series; also for a plot shown from a picture, whose legend is in the picture. Draws the
// box when the plot draws.
void plot_detail::DrawLegend()
{
    Frame& f = g_frame;
    PlotState& s = *f.state;
    s.legend_min = s.legend_max = ImVec2(0, 0);
    f.legend_hovered = -1;
    if (!f.legend || f.legend_entries.empty())
    {
        return;
    }
    const float line_h = ImGui::GetTextLineHeight();
    const float swatch = line_h * 0.8f;
    float width = 0;
    for (const LegendEntry& e : f.legend_entries)
    {
        width = std::max(width, ImGui::CalcTextSize(e.label.c_str()).x);
    }
    const ImVec2 box_min(f.area_min.x + 6.0f, f.area_min.y + 6.0f);
    const ImVec2 box_max(box_min.x + swatch + width + 14.0f,
                         box_min.y + f.legend_entries.size() * (line_h + 2.0f) + 6.0f);
    s.legend_min = box_min;
    s.legend_max = box_max;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const auto row_min = [&](std::size_t i) {
        return ImVec2(box_min.x + 4.0f, box_min.y + 3.0f + static_cast<float>(i) * (line_h + 2.0f));
    };
    for (std::size_t i = 0; i < f.legend_entries.size(); ++i)
    {
        const ImVec2 lo = row_min(i), hi(box_max.x - 4.0f, lo.y + line_h);
        if (mouse.x >= lo.x && mouse.x <= hi.x && mouse.y >= lo.y && mouse.y <= hi.y)
        {
            f.legend_hovered = static_cast<int>(i);
            if (f.clicked)
            {
                s.series[f.legend_entries[i].id].hidden = !f.legend_entries[i].hidden;
            }
        }
    }
    if (f.skip)
    {
        return;
    }
    ImDrawList* draw = DrawList();
    draw->AddRectFilled(box_min, box_max, ImGui::GetColorU32(ImGuiCol_PopupBg, 0.85f), 3.0f);
    for (std::size_t i = 0; i < f.legend_entries.size(); ++i)
    {
        const LegendEntry& e = f.legend_entries[i];
        const ImVec2 lo = row_min(i);
        const ImU32 text_col = ImGui::GetColorU32(e.hidden ? ImGuiCol_TextDisabled : ImGuiCol_Text);
        const ImVec2 sw_min(lo.x, lo.y + (line_h - swatch) * 0.5f);
        draw->AddRectFilled(sw_min, ImVec2(sw_min.x + swatch, sw_min.y + swatch), e.hidden ? Faint(e.color, 0.3f)
                                                                                            : e.color);
        draw->AddText(ImVec2(lo.x + swatch + 6.0f, lo.y),
                      f.legend_hovered == static_cast<int>(i) ? e.color | IM_COL32_A_MASK : text_col, e.label.c_str());
    }
}

// The cursor's line and a dot on each series the tooltip names, at the hovered x (on the window, or kept for
// DrawLastPlotHover when the plot is a picture), and the tooltip naming each series and its value.
void plot_detail::DrawHover()
{
    Frame& f = g_frame;
    g_last_hover.active = false;
    g_last_hover.dots.clear();
    if (!f.hovered)
    {
        return;
    }
    // Many lines (50 runs overlaid): the tooltip names the kMaxHoverRows nearest the cursor, nearest first, and only
    // they get a dot, instead of a column of every line that covers the plot (which costs a software rasteriser a
    // window of text every frame).
    std::vector<HoverValue>& values = f.hover_values;
    std::size_t shown = values.size();
    if (values.size() > kMaxHoverRows)
    {
        const float my = ImGui::GetIO().MousePos.y;
        const auto distance = [my](const HoverValue& v) { return v.has_dot ? std::abs(v.dot.y - my) : INFINITY; };
        std::partial_sort(values.begin(), values.begin() + kMaxHoverRows, values.end(),
                          [&](const HoverValue& a, const HoverValue& b) { return distance(a) < distance(b); });
        shown = kMaxHoverRows;
    }
    g_last_hover.active = true;
    g_last_hover.x = ImGui::GetIO().MousePos.x;
    g_last_hover.area_min = f.area_min;
    g_last_hover.area_max = f.area_max;
    for (const HoverValue& v : std::span(values).first(shown))
    {
        if (v.has_dot)
        {
            g_last_hover.dots.emplace_back(v.dot, v.color);
        }
    }
    if (!f.picture)
    {
        DrawLastPlotHover();
    }
    if (values.empty() && f.hover_markers.empty())
    {
        return;
    }
    ImGui::BeginTooltip();
    if (!values.empty())
    {
        ImGui::Text("x = %.6g", values.front().x);
    }
    for (const HoverValue& v : std::span(values).first(shown))
    {
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(v.color), "%s:", v.label.c_str()); // series colour
        ImGui::SameLine();
        if (v.has_smoothed)
        {
            ImGui::Text("%.6g (smoothed %.6g)", v.y, v.smoothed);
        }
        else
        {
            ImGui::Text("%.6g", v.y);
        }
    }
    if (shown < values.size())
    {
        ImGui::TextDisabled("and %zu more lines (the nearest are listed)", values.size() - shown);
    }
    for (const std::string& m : f.hover_markers)
    {
        ImGui::Text("| %s", m.c_str());
    }
    ImGui::EndTooltip();
}

void DrawLastPlotHover()
{
    const HoverMarks& h = g_last_hover;
    if (!h.active)
    {
        return;
    }
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->PushClipRect(h.area_min, h.area_max, true);
    draw->AddLine(ImVec2(h.x, h.area_min.y), ImVec2(h.x, h.area_max.y), ImGui::GetColorU32(ImGuiCol_Text, 0.35f));
    for (const auto& [dot, color] : h.dots)
    {
        draw->AddCircleFilled(dot, 3.5f, color);
    }
    draw->PopClipRect();
}

} // namespace ll::ui
