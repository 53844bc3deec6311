// The 2-D view for toy data (GAN Lab's views, natively): the discriminator's field as a heatmap with a colour bar,
// real and generated points, the generator's manifold as a warped grid, gradient arrows; for VAEs the data space
// beside the latent space of posterior means. Reads only the snapshot's View2D. Its drawing tool paints a 2-D
// distribution (brush, eraser, spread) that becomes the data set ("custom" toy), loaded through the session like any
// config; a failed load leaves the running experiment as it was. Main (ImGui/GL) thread only.
#pragma once

#include "core/train/experiment.h"
#include "ui/views/lab_view.h"
#include "ui/gl/cached_region.h"
#include "ui/gl/dot_sprite.h"
#include "ui/widgets/canvas_2d.h"
#include "ui/widgets/drawn_points.h"
#include "ui/gl/texture.h"

#include <initializer_list>
#include <memory>

namespace ll::ui
{

class Toy2DView final : public LabView
{
public:
    void Draw(LabContext& ctx) override;
    // Turns the drawing tool on (taking the loaded drawing once a snapshot has the config).
    void RequestDrawing()
    {
        m_drawing = true;
        m_drawing_pending = true;
    }

private:
    void DrawGanView(const train::View2D& view, ImVec2 size);
    void DrawGanCanvas(const train::View2D& view, bool has_field); // field, grid, manifold, points, arrows, legend
    void DrawColorBar(const train::View2D& view, ImVec2 canvas_size);
    template <typename DrawFn>
    void ShowCanvasPicture(Canvas2D& canvas, CachedRegion& picture, std::initializer_list<bool> toggles, DrawFn&& draw);
    static void PositionTooltip(const Canvas2D& canvas, const char* name);
    void DrawVaeView(const train::View2D& view, ImVec2 size);
    void DrawVaeDataCanvas(const train::View2D& view, const std::vector<ImU32>& colors);   // x space: points, legend
    void DrawVaeLatentCanvas(const train::View2D& view, const std::vector<ImU32>& colors); // z space: posteriors
    void UploadField(const train::View2D& view); // a GAN view's field (D or the critic) into m_field_texture
    // The drawing tool: its toolbar and canvas (the current model's samples shown faintly under the drawing).
    void StartDrawing(const train::Snapshot& snapshot);
    void DrawDrawingTool(LabContext& ctx, const train::View2D* view);
    void DrawDrawingCanvas(const train::View2D* view, ImVec2 size);
    // The loaded toy config (or the family's ring8 preset for image runs) with the drawing as its data.
    models::ExperimentConfig DrawnConfig(const train::Snapshot& snapshot) const;
    void TrainOnDrawing(LabContext& ctx);
    void SaveDrawingAsPreset(const train::Snapshot& snapshot);

    Canvas2D m_data_canvas;
    Canvas2D m_latent_canvas;
    Texture m_field_texture;
    DotSprite m_dot{2.5f, 1.0f};       // real and generated points, posterior means
    DotSprite m_small_dot{2.2f, 1.0f}; // the VAE's samples
    std::shared_ptr<const train::View2D> m_shown;    // the last view shown (a GAN's: its field is in the texture)
    std::uint64_t m_view_serial = 0;                 // counts the views shown (part of the pictures' keys)
    CachedRegion m_data_picture;                     // the data canvas (GAN or VAE), drawn again only when it changes
    CachedRegion m_latent_picture;                   // the VAE's latent canvas, likewise

    bool m_show_field = true;
    bool m_show_real = true;
    bool m_show_generated = true;
    bool m_color_by_code = true; // InfoGAN: generated points in the colour of their first categorical code
    bool m_show_manifold = true;
    bool m_show_arrows = true;
    bool m_show_means = true;
    bool m_show_ellipses = true; // 1-sd ellipses of q(z | x) around the posterior means
    bool m_show_reconstructions = false;

    bool m_drawing = false;       // the drawing tool replaces the view's canvas
    bool m_drawing_pending = false; // RequestDrawing: StartDrawing once the snapshot has a config
    bool m_erase = false;
    float m_brush_radius = 0.15f; // data units
    float m_brush_rate = 150.0f;  // points per second while the button is held
    float m_spread = 0.03f;       // the sd of each drawn point's jitter when sampled (data.spread)
    DrawnPoints m_drawn;
    Canvas2D m_draw_canvas;
    std::string m_draw_status;    // the last action's result or error, under the toolbar
};

} // namespace ll::ui
