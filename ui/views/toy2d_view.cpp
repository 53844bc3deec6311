// The 2-D view: heatmap of D (texture, linear filtering), colour bar, points, manifold, arrows; VAE data and latent
// spaces side by side. Everything comes from the snapshot's View2D; nothing here touches a model.
#include "ui/views/toy2d_view.h"

#include "ui/views/latent_math.h"
#include "ui/views/toy2d_marks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace ll::ui
{

using namespace toy2d; // the marks

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
    // A new view changes the pictures' keys and, for a GAN, the field in the texture.
    const bool new_view = view != m_shown;
    if (new_view)
    {
        m_shown = view;
        ++m_view_serial;
    }
    if (vae)
    {
        DrawVaeView(*view, size);
    }
    else
    {
        if (new_view)
        {
            UploadField(*view);
        }
        DrawGanView(*view, size);
    }
}

void Toy2DView::UploadField(const train::View2D& view)
{
    if (view.field_res <= 0 || view.field.empty())
    {
        m_field_texture.Reset();
        return;
    }
    const float lo = view.field_is_probability ? 0.0f : view.field_min;
    const float hi = view.field_is_probability ? 1.0f : view.field_max;
    // A smooth field reads better than 64x64 blocks: linear filtering on this texture.
    m_field_texture.Upload(FieldImage(view.field, view.field_res, lo, hi, view.field_is_probability),
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
    ShowCanvasPicture(m_data_canvas, m_data_picture,
                      {has_field, m_show_field, m_show_manifold, m_show_real, m_show_generated, m_show_arrows,
                       m_color_by_code},
                      [&] { DrawGanCanvas(view, has_field); });
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

// Shows a laid-out canvas from its picture, drawing it again (draw() between the canvas's Draw and End) only when the
// view shown, the canvas's pan and zoom or one of the toggles changed.
template <typename DrawFn>
void Toy2DView::ShowCanvasPicture(Canvas2D& canvas, CachedRegion& picture, std::initializer_list<bool> toggles,
                                  DrawFn&& draw)
{
    std::uint64_t key = MixKey(m_view_serial, canvas.ViewKey());
    for (const bool bit : toggles)
    {
        key = MixKey(key, bit ? 1 : 0);
    }
    if (ImDrawList* list = picture.Begin(canvas.Min(), canvas.Max(), key))
    {
        canvas.Draw(list);
        draw();
        canvas.End();
    }
    picture.End();
}

// The mouse's position in the canvas's coordinates, named `name` ("x", "z"), as a tooltip while it hovers.
void Toy2DView::PositionTooltip(const Canvas2D& canvas, const char* name)
{
    if (canvas.Hovered())
    {
        const ImVec2 at = canvas.ToData(ImGui::GetIO().MousePos);
        ImGui::SetTooltip("%s = (%.2f, %.2f)", name, at.x, at.y);
    }
}

void Toy2DView::DrawVaeView(const train::View2D& view, ImVec2 size)
{
    const float gap = 8.0f;
    const ImVec2 half_size((size.x - gap) * 0.5f, size.y);
    // Both canvases are pictures (CachedRegion), as the GAN's is: drawn again only when the view, the toggles, the
    // pan and zoom or the size change. Drawing every point, ring and ellipse each frame cost the window its frame rate
    // while training (vae-ring8 at 1280x800: p95 frame interval 1.76x idle).
    std::vector<ImU32> colors; // the points' colours, made only when a picture is drawn
    const auto point_colors = [&]() -> const std::vector<ImU32>& {
        if (colors.empty())
        {
            colors = AngleColors(view.real);
        }
        return colors;
    };

    m_data_canvas.SetHome(0, 0, 1.05f * view.extent);
    m_data_canvas.Layout("##vae_data", half_size);
    ShowCanvasPicture(m_data_canvas, m_data_picture,
                      {m_show_manifold, m_show_real, m_show_reconstructions, m_show_generated},
                      [&] { DrawVaeDataCanvas(view, point_colors()); });
    PositionTooltip(m_data_canvas, "x");

    ImGui::SameLine(0, gap);
    m_latent_canvas.SetHome(0, 0, view.latent_extent > 0 ? view.latent_extent : 3.0f);
    m_latent_canvas.Layout("##vae_latent", half_size);
    ShowCanvasPicture(m_latent_canvas, m_latent_picture, {m_show_ellipses, m_show_means},
                      [&] { DrawVaeLatentCanvas(view, point_colors()); });
    PositionTooltip(m_latent_canvas, "z");
}

void Toy2DView::DrawVaeDataCanvas(const train::View2D& view, const std::vector<ImU32>& colors)
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
}

void Toy2DView::DrawVaeLatentCanvas(const train::View2D& view, const std::vector<ImU32>& colors)
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
}

} // namespace ll::ui
