// The 2-D view's marks (toy2d_marks.h).
#include "ui/views/toy2d_marks.h"

#include "ui/views/latent_math.h"

#include <algorithm>
#include <cmath>

namespace ll::ui::toy2d
{

void Points(const Canvas2D& canvas, const nn::MatrixF& points, ImU32 fill, DotSprite& dot, int row_x, int row_y)
{
    ImDrawList* draw = canvas.DrawList();
    for (nn::Index i = 0; i < points.cols(); ++i)
    {
        dot.Add(draw, canvas.ToScreen(points(row_x, i), points(row_y, i)), fill);
    }
}

std::vector<ImU32> AngleColors(const nn::MatrixF& real)
{
    std::vector<ImU32> colors(static_cast<std::size_t>(real.cols()));
    if (real.cols() == 0)
    {
        return colors;
    }
    const nn::VectorF centre = real.rowwise().mean();
    for (nn::Index i = 0; i < real.cols(); ++i)
    {
        const float angle = std::atan2(real(1, i) - centre(1), real(0, i) - centre(0));
        colors[static_cast<std::size_t>(i)] = AngleColor(angle, 235);
    }
    return colors;
}

void ColoredPoints(const Canvas2D& canvas, const nn::MatrixF& points, const std::vector<ImU32>& colors, DotSprite& dot)
{
    ImDrawList* draw = canvas.DrawList();
    const nn::Index n = std::min<nn::Index>(points.cols(), static_cast<nn::Index>(colors.size()));
    for (nn::Index i = 0; i < n; ++i)
    {
        dot.Add(draw, canvas.ToScreen(points(0, i), points(1, i)), colors[static_cast<std::size_t>(i)]);
    }
}

void Manifold(const Canvas2D& canvas, const train::View2D& view)
{
    const int res = view.manifold_res;
    if (res < 2 || view.manifold.cols() != static_cast<nn::Index>(res) * res)
    {
        return;
    }
    std::vector<ImVec2> line(static_cast<std::size_t>(res));
    for (int pass = 0; pass < 2; ++pass)
    {
        for (int a = 0; a < res; ++a)
        {
            for (int b = 0; b < res; ++b)
            {
                const int index = pass == 0 ? b + res * a : a + res * b;
                line[static_cast<std::size_t>(b)] = canvas.ToScreen(view.manifold(0, index), view.manifold(1, index));
            }
            const bool middle = a == res / 2; // the z = 0 lines, a touch brighter to show the grid's centre
            canvas.DrawList()->AddPolyline(line.data(), res, middle ? IM_COL32(255, 255, 255, 140) : kManifoldColor,
                                           0, middle ? 1.5f : 1.0f);
        }
    }
}

void Arrows(const Canvas2D& canvas, const train::View2D& view)
{
    const nn::Index n = std::min(view.arrow_points.cols(), view.arrow_descent.cols());
    if (n == 0)
    {
        return;
    }
    float longest = 0;
    for (nn::Index i = 0; i < n; ++i)
    {
        longest = std::max(longest, view.arrow_descent.col(i).norm());
    }
    if (!(longest > 0) || !std::isfinite(longest))
    {
        return;
    }
    ImDrawList* draw = canvas.DrawList();
    for (nn::Index i = 0; i < n; ++i)
    {
        const float gx = view.arrow_descent(0, i), gy = view.arrow_descent(1, i);
        const float magnitude = std::sqrt(gx * gx + gy * gy);
        const float length = 36.0f * magnitude / longest;
        if (length < 2.0f)
        {
            continue;
        }
        const float ux = gx / magnitude, uy = -gy / magnitude; // screen y points down
        const ImVec2 from = canvas.ToScreen(view.arrow_points(0, i), view.arrow_points(1, i));
        const ImVec2 to(from.x + ux * length, from.y + uy * length);
        const float head = std::min(6.0f, 0.45f * length);
        draw->AddLine(from, to, kArrowColor, 1.5f);
        draw->AddTriangleFilled(to, ImVec2(to.x - ux * head - uy * head * 0.55f, to.y - uy * head + ux * head * 0.55f),
                                ImVec2(to.x - ux * head + uy * head * 0.55f, to.y - uy * head - ux * head * 0.55f),
                                kArrowColor);
    }
}

void PosteriorEllipses(const Canvas2D& canvas, const nn::MatrixF& means, const nn::MatrixF& sds,
                       const std::vector<ImU32>& colors, float k)
{
    constexpr nn::Index kMaxEllipses = 128;
    constexpr int kSegments = 40;
    const nn::Index n = std::min({means.cols(), sds.cols(), static_cast<nn::Index>(colors.size())});
    if (n == 0 || means.rows() < 2 || sds.rows() < 2)
    {
        return;
    }
    const nn::Index stride = (n + kMaxEllipses - 1) / kMaxEllipses;
    ImDrawList* draw = canvas.DrawList();
    const ImVec2 lo = canvas.Min(), hi = canvas.Max();
    ImVec2 path[kSegments];
    for (nn::Index i = 0; i < n; i += stride)
    {
        const float cx = means(0, i), cy = means(1, i);
        const float rx = k * sds(0, i), ry = k * sds(1, i);
        if (!std::isfinite(rx) || !std::isfinite(ry))
        {
            continue;
        }
        const ImVec2 a = canvas.ToScreen(cx - rx, cy + ry), b = canvas.ToScreen(cx + rx, cy - ry);
        if (b.x < lo.x || a.x > hi.x || b.y < lo.y || a.y > hi.y)
        {
            continue;
        }
        for (int s = 0; s < kSegments; ++s)
        {
            const float t = 6.2831853f * static_cast<float>(s) / kSegments;
            path[s] = canvas.ToScreen(cx + rx * std::cos(t), cy + ry * std::sin(t));
        }
        const ImU32 color = (colors[static_cast<std::size_t>(i)] & 0x00FFFFFFu) | (static_cast<ImU32>(110) << 24);
        draw->AddPolyline(path, kSegments, color, ImDrawFlags_Closed, 1.0f);
    }
}

void Legend(const Canvas2D& canvas, const std::vector<std::pair<ImU32, const char*>>& items)
{
    if (items.empty())
    {
        return;
    }
    ImDrawList* draw = canvas.DrawList();
    const float line = ImGui::GetTextLineHeight() + 2.0f;
    float width = 0;
    for (const auto& item : items)
    {
        width = std::max(width, ImGui::CalcTextSize(item.second).x);
    }
    const ImVec2 origin(canvas.Min().x + 8, canvas.Min().y + 8);
    draw->AddRectFilled(origin, ImVec2(origin.x + width + 30, origin.y + line * items.size() + 8),
                        IM_COL32(16, 16, 20, 200), 4.0f);
    for (std::size_t i = 0; i < items.size(); ++i)
    {
        const float y = origin.y + 4 + line * i;
        draw->AddCircleFilled(ImVec2(origin.x + 12, y + line * 0.5f), 4.5f, items[i].first, 12);
        draw->AddText(ImVec2(origin.x + 22, y + 1), IM_COL32(230, 230, 235, 255), items[i].second);
    }
}

void CanvasTitle(const Canvas2D& canvas, const char* text)
{
    const ImVec2 size = ImGui::CalcTextSize(text);
    const ImVec2 at(canvas.Max().x - size.x - 10, canvas.Min().y + 8);
    canvas.DrawList()->AddRectFilled(ImVec2(at.x - 5, at.y - 3), ImVec2(at.x + size.x + 5, at.y + size.y + 3),
                                     IM_COL32(16, 16, 20, 200), 4.0f);
    canvas.DrawList()->AddText(at, IM_COL32(230, 230, 235, 255), text);
}

} // namespace ll::ui::toy2d
