// The 2-D view: heatmap of D (texture, linear filtering), colour bar, points, manifold, arrows; VAE data and latent
// spaces side by side. Everything comes from the snapshot's View2D; nothing here touches a model.
#include "ui/views/toy2d_view.h"

#include "ui/views/latent_math.h"

#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "ui/files/file_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

namespace ll::ui
{

namespace
{

constexpr ImU32 kRealColor = IM_COL32(110, 230, 130, 255);      // green: "real", like the field's high end
constexpr ImU32 kRealNeutralColor = IM_COL32(96, 96, 108, 255);   // real data while generated points wear code colours
constexpr ImU32 kGeneratedColor = IM_COL32(215, 130, 255, 255); // purple: "generated", the field's low end
constexpr ImU32 kSampleColor = IM_COL32(245, 245, 250, 235);    // VAE samples from the prior
constexpr ImU32 kManifoldColor = IM_COL32(235, 235, 255, 80);
constexpr ImU32 kArrowColor = IM_COL32(255, 225, 110, 230);

// Dots with a dark ring: one textured quad each (a 2-D view shows a thousand or more).
void Points(const Canvas2D& canvas, const nn::MatrixF& points, ImU32 fill, DotSprite& dot, int row_x = 0,
            int row_y = 1)
{
    ImDrawList* draw = canvas.DrawList();
    for (nn::Index i = 0; i < points.cols(); ++i)
    {
        dot.Add(draw, canvas.ToScreen(points(row_x, i), points(row_y, i)), fill);
    }
}

// Each real point coloured by its angle around the cloud's centre, so a point and its code share a colour.
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

// The warped grid: lines of constant z1 (along i) and of constant z0 (along j).
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

// Arrows of -dL_G/dG(z): direction as given, length proportional to the magnitude, the longest 36 px.
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

// Axis-aligned ellipses of a diagonal Gaussian, means and sds (dims, n) with rows 0 and 1 drawn, at `k` standard
// deviations, in the colour of their point and faint. At most ~kMaxEllipses of them (every stride-th point), so the
// cloud stays readable; those wholly outside the canvas are skipped (the canvas's clip rect cuts the rest).
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

// A legend box in the canvas's top-left corner.
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

} // namespace

void Toy2DView::Draw(LabContext& ctx)
{
    const auto& snapshot = ctx.snapshot;
    const std::shared_ptr<const train::View2D> view = snapshot ? snapshot->view2d : nullptr;
    if (m_drawing_pending && snapshot && snapshot->config)
    {
        StartDrawing(*snapshot);
        m_drawing_pending = false;
    }
    if (ImGui::Checkbox("Draw data", &m_drawing) && m_drawing && snapshot)
    {
        StartDrawing(*snapshot);
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Paint your own 2-D distribution (left button: paint or erase; right drag: pan; wheel: "
                          "zoom),\nthen train the GAN or VAE on it.");
    }
    if (m_drawing)
    {
        DrawDrawingTool(ctx, view.get());
        return;
    }
    if (!view)
    {
        ImGui::SameLine();
        ImGui::TextDisabled("2-D view: choose a 2-D toy dataset, or draw one");
        return;
    }
    const bool vae = snapshot->family == models::Family::Vae;
    ImGui::SameLine();

    if (vae)
    {
        ImGui::Checkbox("Real", &m_show_real);
        ImGui::SameLine();
        ImGui::Checkbox("Samples", &m_show_generated);
        ImGui::SameLine();
        ImGui::Checkbox("Reconstructions", &m_show_reconstructions);
        ImGui::SameLine();
        ImGui::Checkbox("Decoder grid", &m_show_manifold);
        ImGui::SameLine();
        ImGui::Checkbox("Posterior means", &m_show_means);
        ImGui::SameLine();
        ImGui::Checkbox("Posterior sd", &m_show_ellipses);
        if (ImGui::IsItemHovered())
        {
            ImGui::SetTooltip("Draw q(z | x) for some points: an ellipse reaching one standard deviation along each\n"
                              "latent axis around the posterior mean.");
        }
    }
    else
    {
        ImGui::Checkbox("D field", &m_show_field);
        ImGui::SameLine();
        ImGui::Checkbox("Real", &m_show_real);
        ImGui::SameLine();
        ImGui::Checkbox("Generated", &m_show_generated);
        ImGui::SameLine();
        ImGui::Checkbox("Manifold", &m_show_manifold);
        ImGui::SameLine();
        ImGui::Checkbox("Arrows", &m_show_arrows);
        if (snapshot->view2d && !snapshot->view2d->generated_codes.empty())
        {
            ImGui::SameLine();
            ImGui::Checkbox("Colour by code", &m_color_by_code);
            if (ImGui::IsItemHovered())
            {
                ImGui::SetTooltip("InfoGAN: each generated point in the colour of its categorical code's value\n"
                                  "(the first code). When the code has taken on meaning, each colour sits on one\n"
                                  "mode.");
            }
        }
    }
    ImGui::SameLine();
    // The navigation hint only where it fits on the checkbox row (a narrow window keeps the step alone).
    char status[96];
    std::snprintf(status, sizeof(status), "step %lld  (drag: pan, wheel: zoom, double-click: reset)",
                  static_cast<long long>(view->step));
    if (ImGui::CalcTextSize(status).x > ImGui::GetContentRegionAvail().x)
    {
        std::snprintf(status, sizeof(status), "step %lld", static_cast<long long>(view->step));
    }
    ImGui::TextDisabled("%s", status);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("The view is redrawn from a frozen copy of the model a few times a second.\n"
                          "Drag to pan, wheel to zoom, double-click to reset.");
    }

    // A packed D (PacGAN) judges m samples at once: say what its field and arrows show at a single point.
    const int pack = snapshot->config ? snapshot->config->gan.pack : 1;
    if (!vae && pack > 1)
    {
        ImGui::TextDisabled("D is packed (%d samples per input): field and arrows show D(x, ..., x), the point in "
                            "all %d slots",
                            pack, pack);
        if (ImGui::IsItemHovered())
        {
            ImGui::SetTooltip("In training D sees %d independent samples at once, all real or all generated, so a\n"
                              "generator that repeats itself is easy to catch. A single point has no partners, so\n"
                              "the view fills every slot with it: read the field as 'how real would %d copies of\n"
                              "this point look', and the arrows as the pull G's samples feel.",
                              pack, pack);
        }
    }

    ImVec2 size = ImGui::GetContentRegionAvail();
    size.y = std::max(size.y, 120.0f);
    if (vae)
    {
        DrawVaeView(*view, size);
    }
    else
    {
        UpdateFieldTexture(view);
        DrawGanView(*view, size);
    }
}

void Toy2DView::UpdateFieldTexture(const std::shared_ptr<const train::View2D>& view)
{
    if (view == m_uploaded)
    {
        return;
    }
    m_uploaded = view;
    ++m_view_serial;
    if (view->field_res <= 0 || view->field.empty())
    {
        m_field_texture.Reset();
        return;
    }
    const float lo = view->field_is_probability ? 0.0f : view->field_min;
    const float hi = view->field_is_probability ? 1.0f : view->field_max;
    // A smooth field reads better than 64x64 blocks: linear filtering on this texture.
    m_field_texture.Upload(FieldImage(view->field, view->field_res, lo, hi, view->field_is_probability),
                           Texture::Filter::Linear);
}

void Toy2DView::DrawGanView(const train::View2D& view, ImVec2 size)
{
    const bool has_field = m_field_texture.Valid();
    // The colour bar's column: the bar, its tick labels and the "0 = fake" note, in the current font.
    const float labels_w = std::max(ImGui::CalcTextSize("0 = fake").x, 8.0f + ImGui::CalcTextSize("0.00").x);
    const float bar = has_field ? 16.0f + labels_w + 24.0f : 0.0f;
    ImVec2 canvas_size(size.x - bar, size.y);
    m_data_canvas.SetHome(0, 0, 1.05f * view.extent);
    m_data_canvas.Layout("##toy2d", canvas_size);
    const Canvas2D& canvas = m_data_canvas;
    // The canvas is drawn again only when the view, the toggles, the pan and zoom or the size change: from the
    // picture of it in between (at 60 frames a second and a new view 4 times, most frames).
    std::uint64_t key = MixKey(m_view_serial, canvas.ViewKey());
    for (const bool bit : {has_field, m_show_field, m_show_manifold, m_show_real, m_show_generated, m_show_arrows})
    {
        key = MixKey(key, bit ? 1 : 0);
    }
    if (ImDrawList* list = m_data_picture.Begin(canvas.Min(), canvas.Max(), key))
    {
        m_data_canvas.Draw(list);
        DrawGanCanvas(view, has_field);
        m_data_canvas.End();
    }
    m_data_picture.End();
    if (canvas.Hovered())
    {
        const ImVec2 at = canvas.ToData(ImGui::GetIO().MousePos);
        const int res = view.field_res;
        const float fx = (at.x + view.extent) / (2 * view.extent) * res;
        const float fy = (at.y + view.extent) / (2 * view.extent) * res;
        if (res > 0 && fx >= 0 && fy >= 0 && fx < res && fy < res)
        {
            const float value = view.field[static_cast<std::size_t>(static_cast<int>(fx) + res * static_cast<int>(fy))];
            ImGui::SetTooltip("(%.2f, %.2f)\n%s = %.3f", at.x, at.y, view.field_is_probability ? "D(x)" : "critic",
                              value);
        }
        else
        {
            ImGui::SetTooltip("(%.2f, %.2f)", at.x, at.y);
        }
    }
    if (has_field)
    {
        DrawColorBar(view, canvas_size);
    }
}

void Toy2DView::DrawGanCanvas(const train::View2D& view, bool has_field)
{
    const Canvas2D& canvas = m_data_canvas;
    if (has_field && m_show_field)
    {
        // Cell centres span the view: the texture's edges sit half a cell outside them, i.e. at +-extent.
        canvas.DrawList()->AddImage(m_field_texture.ImId(), canvas.ToScreen(-view.extent, view.extent),
                                    canvas.ToScreen(view.extent, -view.extent));
    }
    canvas.DrawGrid();
    if (m_show_manifold)
    {
        Manifold(canvas, view);
    }
    // Coloured by code, the real points turn neutral grey: green would read as one of the codes' ten colours.
    const bool by_code = m_color_by_code && !view.generated_codes.empty();
    const ImU32 real_color = by_code ? kRealNeutralColor : kRealColor;
    if (m_show_real)
    {
        Points(canvas, view.real, real_color, m_dot);
    }
    if (m_show_generated && by_code)
    {
        std::vector<ImU32> colors(view.generated_codes.size());
        for (std::size_t i = 0; i < colors.size(); ++i)
        {
            colors[i] = ClassColor(view.generated_codes[i], 235);
        }
        ColoredPoints(canvas, view.generated, colors, m_dot);
    }
    else if (m_show_generated)
    {
        Points(canvas, view.generated, kGeneratedColor, m_dot);
    }
    if (m_show_arrows)
    {
        Arrows(canvas, view);
    }
    std::vector<std::pair<ImU32, const char*>> legend;
    if (m_show_real)
    {
        legend.emplace_back(real_color, "real data");
    }
    if (m_show_generated && by_code)
    {
        legend.emplace_back(ClassColor(0, 235), "generated G(z, c), colour = value of c");
    }
    else if (m_show_generated)
    {
        legend.emplace_back(kGeneratedColor, "generated G(z)");
    }
    if (m_show_manifold && view.manifold_res > 1)
    {
        legend.emplace_back(IM_COL32(235, 235, 255, 200), "G(noise grid)");
    }
    if (m_show_arrows && view.arrow_points.cols() > 0)
    {
        legend.emplace_back(kArrowColor, "G's update direction");
    }
    Legend(canvas, legend);
}

// D's colour bar right of the canvas: the field's colours from high (top) to low, with ticks.
void Toy2DView::DrawColorBar(const train::View2D& view, ImVec2 canvas_size)
{
    const Canvas2D& canvas = m_data_canvas;
    const ImVec2 top_left(canvas.Max().x + 12, canvas.Min().y + 8);
    const float height = std::max(60.0f, canvas_size.y - 16);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const bool probability = view.field_is_probability;
    const float lo = probability ? 0.0f : view.field_min;
    const float hi = probability ? 1.0f : view.field_max;
    const float label_h = ImGui::GetTextLineHeight();
    const float bar_top = top_left.y + label_h + 6;
    const float bar_bottom = top_left.y + height - 2 * label_h - 8;
    draw->AddText(top_left, IM_COL32(230, 230, 235, 255), probability ? "D(x)" : "critic");
    const int segments = 48;
    for (int s = 0; s < segments; ++s)
    {
        // Top of the bar is the high end.
        const float t0 = 1.0f - static_cast<float>(s) / segments;
        const float t1 = 1.0f - static_cast<float>(s + 1) / segments;
        const ImU32 c0 = probability ? DivergingColor(t0) : SequentialColor(t0);
        const ImU32 c1 = probability ? DivergingColor(t1) : SequentialColor(t1);
        const float y0 = bar_top + (bar_bottom - bar_top) * s / segments;
        const float y1 = bar_top + (bar_bottom - bar_top) * (s + 1) / segments;
        draw->AddRectFilledMultiColor(ImVec2(top_left.x, y0), ImVec2(top_left.x + 16, y1), c0, c0, c1, c1);
    }
    draw->AddRect(ImVec2(top_left.x, bar_top), ImVec2(top_left.x + 16, bar_bottom), IM_COL32(255, 255, 255, 60));
    char text[32];
    for (int k = 0; k <= 4; ++k)
    {
        const float t = static_cast<float>(k) / 4.0f;
        const float y = bar_bottom - (bar_bottom - bar_top) * t;
        std::snprintf(text, sizeof(text), probability ? "%.2f" : "%.3g", lo + (hi - lo) * t);
        draw->AddLine(ImVec2(top_left.x + 16, y), ImVec2(top_left.x + 20, y), IM_COL32(255, 255, 255, 120));
        draw->AddText(ImVec2(top_left.x + 23, y - label_h * 0.5f), IM_COL32(210, 210, 215, 255), text);
    }
    draw->AddText(ImVec2(top_left.x, bar_bottom + 4), IM_COL32(160, 160, 170, 255),
                  probability ? "1 = real\n0 = fake" : "raw score");
}

void Toy2DView::DrawVaeView(const train::View2D& view, ImVec2 size)
{
    const float gap = 8.0f;
    const ImVec2 half_size((size.x - gap) * 0.5f, size.y);
    const std::vector<ImU32> colors = AngleColors(view.real);

    m_data_canvas.SetHome(0, 0, 1.05f * view.extent);
    m_data_canvas.Begin("##vae_data", half_size);
    {
        const Canvas2D& canvas = m_data_canvas;
        canvas.DrawGrid();
        if (m_show_manifold)
        {
            Manifold(canvas, view);
        }
        if (m_show_real)
        {
            ColoredPoints(canvas, view.real, colors, m_dot);
        }
        if (m_show_reconstructions && view.reconstructions.cols() > 0)
        {
            // Rings in the colour of the point they reconstruct.
            const nn::Index n = std::min<nn::Index>(view.reconstructions.cols(), static_cast<nn::Index>(colors.size()));
            for (nn::Index i = 0; i < n; ++i)
            {
                const ImVec2 p = canvas.ToScreen(view.reconstructions(0, i), view.reconstructions(1, i));
                canvas.DrawList()->AddCircle(p, 3.5f, colors[static_cast<std::size_t>(i)], 10, 1.5f);
            }
        }
        if (m_show_generated)
        {
            Points(canvas, view.generated, kSampleColor, m_small_dot);
        }
        std::vector<std::pair<ImU32, const char*>> legend;
        if (m_show_real)
        {
            legend.emplace_back(AngleColor(0.6f), "real x (colour = position)");
        }
        if (m_show_reconstructions)
        {
            legend.emplace_back(AngleColor(2.5f), "reconstruction of x (ring)");
        }
        if (m_show_generated)
        {
            legend.emplace_back(kSampleColor, "samples: decoder(z), z ~ N(0, I)");
        }
        if (m_show_manifold && view.manifold_res > 1)
        {
            legend.emplace_back(IM_COL32(235, 235, 255, 200), "decoder(latent grid)");
        }
        Legend(canvas, legend);
        CanvasTitle(canvas, "data space");
        if (canvas.Hovered())
        {
            const ImVec2 at = canvas.ToData(ImGui::GetIO().MousePos);
            ImGui::SetTooltip("x = (%.2f, %.2f)", at.x, at.y);
        }
    }
    m_data_canvas.End();

    ImGui::SameLine(0, gap);
    const float latent_half = view.latent_extent > 0 ? view.latent_extent : 3.0f;
    m_latent_canvas.SetHome(0, 0, latent_half);
    m_latent_canvas.Begin("##vae_latent", half_size);
    {
        const Canvas2D& canvas = m_latent_canvas;
        canvas.DrawGrid();
        // The prior N(0, I): circles at 1 and 2 standard deviations.
        const ImVec2 origin = canvas.ToScreen(0, 0);
        for (float r : {1.0f, 2.0f})
        {
            canvas.DrawList()->AddCircle(origin, r * canvas.PixelsPerUnit(), IM_COL32(255, 255, 255, 70), 96, 1.2f);
        }
        if (m_show_ellipses)
        {
            PosteriorEllipses(canvas, view.latent_means, view.latent_sds, colors, 1.0f);
        }
        if (m_show_means && view.latent_means.rows() >= 2)
        {
            ColoredPoints(canvas, view.latent_means, colors, m_dot);
        }
        std::vector<std::pair<ImU32, const char*>> legend;
        legend.emplace_back(AngleColor(0.6f), view.latent_means.rows() > 2 ? "posterior mean (dims 0, 1)"
                                                                           : "posterior mean of x");
        if (m_show_ellipses && view.latent_sds.cols() > 0)
        {
            legend.emplace_back(AngleColor(2.5f, 150), "q(z | x): 1 sd (some points)");
        }
        legend.emplace_back(IM_COL32(255, 255, 255, 120), "prior: 1 and 2 sd");
        Legend(canvas, legend);
        CanvasTitle(canvas, "latent space");
        if (canvas.Hovered())
        {
            const ImVec2 at = canvas.ToData(ImGui::GetIO().MousePos);
            ImGui::SetTooltip("z = (%.2f, %.2f)", at.x, at.y);
        }
    }
    m_latent_canvas.End();
}

// ---------------------------------------------------------------------------------------------------------
// The drawing tool

void Toy2DView::StartDrawing(const train::Snapshot& snapshot)
{
    if (snapshot.config && snapshot.config->data.kind == models::DataKind::Toy &&
        snapshot.config->data.toy == data::ToyKind::Custom)
    {
        m_drawn.Assign(snapshot.config->data.points); // go on with the drawing being trained on
        m_spread = static_cast<float>(snapshot.config->data.spread);
    }
    m_draw_status.clear();
}

void Toy2DView::DrawDrawingTool(LabContext& ctx, const train::View2D* view)
{
    ImGui::SameLine();
    if (ImGui::RadioButton("Paint", !m_erase))
    {
        m_erase = false;
    }
    ImGui::SameLine();
    if (ImGui::RadioButton("Erase", m_erase))
    {
        m_erase = true;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("brush", &m_brush_radius, 0.02f, 2.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Brush radius in data units: points are sprayed uniformly over the disc");
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("rate", &m_brush_rate, 10.0f, 2000.0f, "%.0f/s", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Points added per second while the left button is held");
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("spread", &m_spread, 0.001f, 1.0f, "%.3f", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Training samples a drawn point plus Gaussian jitter of this sd (data.spread):\n"
                          "small keeps the drawing sharp, large blurs it into a smooth density.");
    }
    if (ImGui::Button("Clear")) // the actions on a second row: the first is full at 1280 pixels
    {
        m_drawn.Clear();
        m_draw_status.clear();
    }
    const bool empty = m_drawn.Points().empty();
    ImGui::SameLine();
    ImGui::BeginDisabled(empty || ctx.session == nullptr);
    if (ImGui::Button("Train on drawing"))
    {
        TrainOnDrawing(ctx);
    }
    ImGui::SameLine();
    if (ImGui::Button("Save as preset"))
    {
        SaveDrawingAsPreset(*ctx.snapshot);
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::TextDisabled("%zu points%s", m_drawn.Points().size(), m_drawn.Full() ? " (full)" : "");
    if (!m_draw_status.empty())
    {
        ImGui::TextWrapped("%s", m_draw_status.c_str());
    }
    else if (ctx.snapshot && !ctx.snapshot->command_error.empty())
    {
        ImGui::TextWrapped("%s", ctx.snapshot->command_error.c_str());
    }
    ImVec2 size = ImGui::GetContentRegionAvail();
    size.y = std::max(size.y, 120.0f);
    DrawDrawingCanvas(view, size);
}

void Toy2DView::DrawDrawingCanvas(const train::View2D* view, ImVec2 size)
{
    const float extent = std::max(view != nullptr ? 1.05f * view->extent : 2.0f, m_drawn.Extent());
    m_draw_canvas.SetPanButton(ImGuiMouseButton_Right);
    m_draw_canvas.SetHome(0, 0, extent);
    m_draw_canvas.Begin("##draw2d", size);
    const Canvas2D& canvas = m_draw_canvas;
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left))
    {
        const ImVec2 at = canvas.ToData(io.MousePos);
        if (m_erase)
        {
            m_drawn.Erase(at.x, at.y, m_brush_radius);
        }
        else
        {
            m_drawn.Paint(at.x, at.y, m_brush_radius, m_brush_rate, io.DeltaTime);
        }
    }
    canvas.DrawGrid();
    if (view != nullptr)
    {
        Points(canvas, view->generated, IM_COL32(215, 130, 255, 90), m_small_dot); // the model, faintly
    }
    ImDrawList* draw = canvas.DrawList();
    for (const data::Mode& p : m_drawn.Points())
    {
        m_dot.Add(draw, canvas.ToScreen(p.x, p.y), kRealColor);
    }
    if (canvas.Hovered())
    {
        const ImVec2 at = canvas.ToData(io.MousePos);
        draw->AddCircle(canvas.ToScreen(at.x, at.y), m_brush_radius * canvas.PixelsPerUnit(),
                        m_erase ? IM_COL32(255, 120, 110, 220) : IM_COL32(255, 255, 255, 200), 48, 1.5f);
    }
    std::vector<std::pair<ImU32, const char*>> legend{{kRealColor, "your drawing"}};
    if (view != nullptr)
    {
        legend.emplace_back(IM_COL32(215, 130, 255, 200), "the model's samples now");
    }
    Legend(canvas, legend);
    CanvasTitle(canvas, m_erase ? "erase: left button" : "paint: left button, pan: right drag");
    m_draw_canvas.End();
}

models::ExperimentConfig Toy2DView::DrawnConfig(const train::Snapshot& snapshot) const
{
    models::ExperimentConfig config;
    if (snapshot.config && models::IsToy(*snapshot.config))
    {
        config = *snapshot.config; // keep the model and its settings; only the data changes
    }
    else if (snapshot.family.value_or(models::Family::Gan) == models::Family::Gan)
    {
        // An image run's networks do not suit 2-D points: start from the 2-D GAN preset.
        config = io::LoadPreset("gan-ring8", io::FindPresetDir());
    }
    else
    {
        // No shipped preset is a 2-D VAE: the image VAE's run settings with a 2-D VAE's model (Gaussian decoder,
        // as Validate requires for 2-D data; a 2-D code; small networks; as tests/app/presets/vae-ring8.json).
        config = snapshot.config ? *snapshot.config : models::ExperimentConfig{};
        config.family = models::Family::Vae;
        config.vae.likelihood = models::Likelihood::Gaussian;
        config.vae.gaussian_sigma = 0.1;
        config.vae.latent_dim = 2;
        config.vae.conditional = false;
        config.vae.encoder.hidden = config.vae.decoder.hidden = {64, 64};
        config.vae.opt.learning_rate = 2e-3;
        config.batch_size = 256;
    }
    if (config.data.toy != data::ToyKind::Custom)
    {
        config.name = util::NameOf(config.family) + "-drawn";
        config.description = "A distribution drawn in the 2-D view.";
    }
    config.data.kind = models::DataKind::Toy;
    config.data.toy = data::ToyKind::Custom;
    config.data.points = m_drawn.Points();
    config.data.spread = m_spread;
    models::Validate(config);
    return config;
}

void Toy2DView::TrainOnDrawing(LabContext& ctx)
{
    try
    {
        const models::ExperimentConfig config = DrawnConfig(*ctx.snapshot);
        // The session builds the new experiment between steps; a refusal leaves the current run as it was and
        // comes back in the snapshot's command_error (shown under the toolbar).
        ctx.session->Load(config);
        ctx.session->Start();
        m_draw_status = "training " + util::NameOf(config.family) + " on " + std::to_string(config.data.points.size()) +
                        " drawn points";
    }
    catch (const std::exception& e)
    {
        m_draw_status = std::string("cannot train on the drawing: ") + e.what();
    }
}

void Toy2DView::SaveDrawingAsPreset(const train::Snapshot& snapshot)
{
    try
    {
        const models::ExperimentConfig config = DrawnConfig(snapshot);
        const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        const std::filesystem::path dir = ConfigDir() / "presets";
        std::filesystem::create_directories(dir);
        const std::filesystem::path path = dir / ("drawn-" + std::string(stamp) + ".json");
        io::WriteFileAtomic(path, io::ConfigToJson(config));
        m_draw_status = "saved " + path.string() + " (latentlab train --config FILE trains it headless; --preset "
                        "FILE opens it)";
    }
    catch (const std::exception& e)
    {
        m_draw_status = std::string("cannot save the drawing: ") + e.what();
    }
}

} // namespace ll::ui
