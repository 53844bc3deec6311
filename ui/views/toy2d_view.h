// The 2-D view for toy data (GAN Lab's views, natively): the discriminator's field as a heatmap with a colour bar,
// real and generated points, the generator's manifold as a warped grid, gradient arrows; for VAEs the data space
// beside the latent space of posterior means. Reads only the snapshot's View2D. Main (ImGui/GL) thread only.
#pragma once

#include "core/train/experiment.h"
#include "ui/views/lab_view.h"
#include "ui/gl/cached_region.h"
#include "ui/gl/dot_sprite.h"
#include "ui/widgets/canvas_2d.h"
#include "ui/gl/texture.h"

#include <memory>

namespace ll::ui
{

class Toy2DView final : public LabView
{
public:
    void Draw(LabContext& ctx) override;

private:
    void DrawGanView(const train::View2D& view, ImVec2 size);
    void DrawGanCanvas(const train::View2D& view, bool has_field); // field, grid, manifold, points, arrows, legend
    void DrawColorBar(const train::View2D& view, ImVec2 canvas_size);
    void DrawVaeView(const train::View2D& view, ImVec2 size);
    void UpdateFieldTexture(const std::shared_ptr<const train::View2D>& view);

    Canvas2D m_data_canvas;
    Canvas2D m_latent_canvas;
    Texture m_field_texture;
    DotSprite m_dot{2.5f, 1.0f};       // real and generated points, posterior means
    DotSprite m_small_dot{2.2f, 1.0f}; // the VAE's samples
    std::shared_ptr<const train::View2D> m_uploaded; // the view whose field is in the texture
    std::uint64_t m_view_serial = 0;                 // counts the views uploaded (part of the picture's key)
    CachedRegion m_data_picture;                     // the GAN canvas, drawn again only when it changes

    bool m_show_field = true;
    bool m_show_real = true;
    bool m_show_generated = true;
    bool m_show_manifold = true;
    bool m_show_arrows = true;
    bool m_show_means = true;
    bool m_show_ellipses = true; // 1-sd ellipses of q(z | x) around the posterior means
    bool m_show_reconstructions = false;
};

} // namespace ll::ui
