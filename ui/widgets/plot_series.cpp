// The plot widget's series (plot.h): lines decimated to about one min/max pair per pixel column, EMA-smoothed lines
// over their faint raw values, min-max bands as one triangle strip, and dashed x markers; each fits the view.
#include "ui/widgets/plot.h"

#include "ui/widgets/plot_state.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ll::ui
{

using namespace plot_detail;

namespace
{

// Decimates and draws one polyline; collects the y extent of the visible part for auto-fit.
template <class TX, class TY>
void DrawSeries(const TX* xs, const TY* ys, int n, ImU32 color, float thickness, bool fit)
{
    Frame& f = g_frame;
    const int columns = std::max(1, static_cast<int>(f.area_max.x - f.area_min.x));
    plot::DecimateMinMax(xs, ys, static_cast<std::size_t>(n), f.tx.lo, f.tx.hi, columns, f.scratch);
    ImDrawList* draw = DrawList();
    f.points.clear();
    auto flush = [&]() {
        if (f.points.size() >= 2)
        {
            draw->AddPolyline(f.points.data(), static_cast<int>(f.points.size()), color, ImDrawFlags_None, thickness);
        }
        else if (f.points.size() == 1)
        {
            draw->AddCircleFilled(f.points[0], thickness + 1.0f, color);
        }
        f.points.clear();
    };
    for (std::size_t i = 0; i < f.scratch.xs.size(); ++i)
    {
        const double x = f.scratch.xs[i];
        const double y_axis = f.ty.ToAxis(f.scratch.ys[i]);
        if (!std::isfinite(y_axis))
        {
            flush(); // y <= 0 on a log axis breaks the line
            continue;
        }
        if (fit && x >= f.tx.lo && x <= f.tx.hi)
        {
            f.fit_y_lo = std::min(f.fit_y_lo, y_axis);
            f.fit_y_hi = std::max(f.fit_y_hi, y_axis);
        }
        // Clamp far-off points so float pixel coordinates stay sane when zoomed in a long way.
        const double px = std::clamp(f.tx.AxisToPixel(x), -1e6, 1e6);
        const double py = std::clamp(f.ty.AxisToPixel(y_axis), -1e6, 1e6);
        f.points.emplace_back(static_cast<float>(px), static_cast<float>(py));
    }
    flush();
}

template <class T>
void PlotLineImpl(const char* label, const T* xs, const T* ys, int n, const PlotLineStyle& style)
{
    IM_ASSERT(g_frame.active && "PlotLine outside BeginPlot/EndPlot");
    SetupLock();
    Frame& f = g_frame;
    PlotState& s = *f.state;
    const ImGuiID id = ImGui::GetID(label);
    SeriesState& series = s.series[id];
    const ImU32 color = style.color != 0 ? style.color : kPalette[f.series_index % IM_ARRAYSIZE(kPalette)];
    ++f.series_index;
    f.legend_entries.push_back({VisibleLabel(label), color, id, series.hidden});
    if (series.hidden || n <= 0 || xs == nullptr || ys == nullptr)
    {
        return;
    }
    const bool smooth = style.smoothing > 0.0;
    if (f.fit_only && s.has_limits && s.auto_fit && !s.follow)
    {
        // The extent a drawn frame would fit over the whole series (its min / max decimation keeps every extreme;
        // a smoothed line lies within its raw values).
        for (int i = 0; i < n; ++i)
        {
            FitPoint(static_cast<double>(xs[i]), f.ty.ToAxis(static_cast<double>(ys[i])));
        }
    }
    if (!f.skip && s.has_limits)
    {
        f.fit_x_lo = std::min(f.fit_x_lo, static_cast<double>(xs[0]));
        f.fit_x_hi = std::max(f.fit_x_hi, static_cast<double>(xs[n - 1]));
        if (smooth)
        {
            plot::EmaSmooth(ys, static_cast<std::size_t>(n), style.smoothing, series.ema, series.smoothed);
            // One pixel wide: ImGui draws integer-width lines from the font atlas, 2 triangles a segment instead of 6.
            DrawSeries(xs, ys, n, Faint(color, 0.25f), 1.0f, true);
            DrawSeries(xs, series.smoothed.data(), n, color, style.thickness, false);
        }
        else
        {
            DrawSeries(xs, ys, n, color, style.thickness, true);
        }
    }
    else if (!f.skip)
    {
        // First sight: fit from the whole series once; drawing starts next frame with real limits.
        for (int i = 0; i < n; ++i)
        {
            FitPoint(xs[i], f.ty.ToAxis(ys[i]));
        }
        return;
    }
    // The hovered point, also for a plot shown from a picture (skip): its value and dot are drawn live on top.
    if (f.hovered && s.has_limits)
    {
        const std::size_t i = plot::NearestIndex(xs, static_cast<std::size_t>(n), f.hover_x);
        const bool has_smoothed = smooth && series.smoothed.size() == static_cast<std::size_t>(n);
        const double shown = has_smoothed ? series.smoothed[i] : static_cast<double>(ys[i]);
        const double y_axis = f.ty.ToAxis(shown);
        const ImVec2 dot(static_cast<float>(f.tx.AxisToPixel(static_cast<double>(xs[i]))),
                         static_cast<float>(f.ty.AxisToPixel(std::isfinite(y_axis) ? y_axis : 0.0)));
        f.hover_values.push_back({VisibleLabel(label), color, static_cast<double>(xs[i]), static_cast<double>(ys[i]),
                                  has_smoothed, has_smoothed ? shown : 0.0, std::isfinite(y_axis), dot});
    }
}

} // namespace

void PlotLine(const char* label, const float* xs, const float* ys, int n, const PlotLineStyle& style)
{
    PlotLineImpl(label, xs, ys, n, style);
}

void PlotLine(const char* label, const double* xs, const double* ys, int n, const PlotLineStyle& style)
{
    PlotLineImpl(label, xs, ys, n, style);
}

void PlotBand(const double* xs, const double* lo, const double* hi, int n, ImU32 color)
{
    IM_ASSERT(g_frame.active && "PlotBand outside BeginPlot/EndPlot");
    SetupLock();
    Frame& f = g_frame;
    if (f.skip || n <= 0 || xs == nullptr || lo == nullptr || hi == nullptr)
    {
        return;
    }
    if (!f.state->has_limits)
    {
        for (int i = 0; i < n; ++i)
        {
            FitPoint(xs[i], f.ty.ToAxis(lo[i]));
            FitPoint(xs[i], f.ty.ToAxis(hi[i]));
        }
        return;
    }
    // One triangle strip (no anti-aliased fringe: the band is a faint fill), at most one point per 3 pixel columns.
    ImDrawList* draw = DrawList();
    const ImU32 fill = Faint(color, 0.22f);
    std::vector<ImVec2>& strip = f.points; // pairs (hi, lo), reused
    strip.clear();
    double last_px = -1e9;
    const auto flush = [&]() {
        const int n_pairs = static_cast<int>(strip.size() / 2);
        if (n_pairs >= 2)
        {
            const ImVec2 uv = ImGui::GetFontTexUvWhitePixel();
            draw->PrimReserve((n_pairs - 1) * 6, n_pairs * 2);
            const auto base = static_cast<ImDrawIdx>(draw->_VtxCurrentIdx);
            for (const ImVec2& p : strip)
            {
                draw->PrimWriteVtx(p, uv, fill);
            }
            for (int i = 0; i + 1 < n_pairs; ++i)
            {
                const auto v = static_cast<ImDrawIdx>(base + 2 * i);
                draw->PrimWriteIdx(v);
                draw->PrimWriteIdx(static_cast<ImDrawIdx>(v + 1));
                draw->PrimWriteIdx(static_cast<ImDrawIdx>(v + 2));
                draw->PrimWriteIdx(static_cast<ImDrawIdx>(v + 1));
                draw->PrimWriteIdx(static_cast<ImDrawIdx>(v + 3));
                draw->PrimWriteIdx(static_cast<ImDrawIdx>(v + 2));
            }
        }
        strip.clear();
    };
    for (int i = 0; i < n; ++i)
    {
        const double a_lo = f.ty.ToAxis(lo[i]), a_hi = f.ty.ToAxis(hi[i]);
        if (!std::isfinite(a_lo) || !std::isfinite(a_hi))
        {
            flush();
            continue;
        }
        if (xs[i] >= f.tx.lo && xs[i] <= f.tx.hi)
        {
            f.fit_y_lo = std::min(f.fit_y_lo, a_lo);
            f.fit_y_hi = std::max(f.fit_y_hi, a_hi);
        }
        const double px = f.tx.AxisToPixel(xs[i]);
        if (px - last_px < 3.0 && i + 1 < n)
        {
            continue;
        }
        last_px = px;
        const auto x = static_cast<float>(std::clamp(px, -1e6, 1e6));
        strip.emplace_back(x, static_cast<float>(std::clamp(f.ty.AxisToPixel(a_hi), -1e6, 1e6)));
        strip.emplace_back(x, static_cast<float>(std::clamp(f.ty.AxisToPixel(a_lo), -1e6, 1e6)));
    }
    flush();
}

void PlotMarkerX(double x, const char* label)
{
    IM_ASSERT(g_frame.active && "PlotMarkerX outside BeginPlot/EndPlot");
    SetupLock();
    Frame& f = g_frame;
    const float px = static_cast<float>(f.tx.ToPixel(x));
    if (px < f.area_min.x - 1.0f || px > f.area_max.x + 1.0f)
    {
        return;
    }
    if (f.hovered && std::abs(ImGui::GetIO().MousePos.x - px) <= 5.0f && label != nullptr)
    {
        f.hover_markers.emplace_back(label);
    }
    if (f.skip)
    {
        return;
    }
    ImDrawList* draw = DrawList();
    const ImU32 color = kColorMarker;
    for (float y = f.area_min.y; y < f.area_max.y; y += 8.0f) // dashed
    {
        draw->AddLine(ImVec2(px, y), ImVec2(px, std::min(y + 4.0f, f.area_max.y)), color, 1.0f);
    }
    draw->AddTriangleFilled(ImVec2(px - 4.0f, f.area_min.y), ImVec2(px + 4.0f, f.area_min.y),
                            ImVec2(px, f.area_min.y + 6.0f), color);
}

} // namespace ll::ui
