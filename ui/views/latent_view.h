// The latent explorer: sliders over the latent code (VAE latent or GAN noise) decoded live, interpolation between two
// test images (VAE) or two random codes, a 2-D sweep of two dimensions, the encoded test set as a scatter (chosen
// dims or PCA) coloured by class, and per-dimension traversal strips. Decodes and encodes through the UI thread's
// inference copy (ctx.InferenceModel()), never the live model; every result is cached until its inputs or the model
// change, and the scatter is encoded in chunks over a few frames. Main (ImGui/GL) thread only.
#pragma once

#include "core/data/dataset.h"
#include "core/models/model.h"
#include "core/util/rng.h"
#include "ui/gl/dot_sprite.h"
#include "ui/views/lab_view.h"
#include "ui/widgets/canvas_2d.h"
#include "ui/views/latent_math.h"
#include "ui/gl/texture.h"

#include <cstdint>
#include <vector>

namespace ll::ui
{

class LatentView final : public LabView
{
public:
    enum class Tab
    {
        Scatter,       // encoded test set (VAEs only)
        Sweep,         // 2-D sweep of two dimensions
        Interpolation,
        Traversals,
        Codes,         // InfoGAN's codes: a row per categorical value, a strip per continuous code
    };

    void Draw(LabContext& ctx) override;
    // Brings a tab to the front on the next frame (e.g. for a screenshot of one view).
    void SelectTab(Tab tab) { m_select_tab = static_cast<int>(tab); }

private:
    static constexpr float kCodeRange = 3.0f; // sliders and traversals: +-3 prior standard deviations

    // A decoded picture kept as a texture, rebuilt when its key (model version + inputs) changes.
    struct CachedImage
    {
        Texture texture;
        std::uint64_t version = 0; // m_model_version it was built from (0 = never)
        bool dirty = true;         // an input changed
        int tile_cols = 0, tile_rows = 0;
        bool NeedsBuild(std::uint64_t model_version) const { return dirty || version != model_version; }
    };

    void SyncModel(LabContext& ctx, models::Model& model);
    const nn::MatrixF* Labels(int n); // one-hot of m_class for conditional models, else nullptr
    // Decodes z (latent, n) and uploads the tiles, `cols` per row (extra: images appended after the decoded ones).
    void DecodeInto(models::Model& model, const nn::MatrixF& z, int cols, CachedImage& image,
                    const nn::MatrixF* before = nullptr, const nn::MatrixF* after = nullptr);
    void ShowImage(const CachedImage& image, float max_width, float max_height);

    void DrawCodeColumn(models::Model& model);
    void DrawInterpolation(models::Model& model);
    void DrawManifold(models::Model& model);
    void DrawTraversals(models::Model& model);
    void DrawCodes(models::Model& model);
    void DrawCodeSliders(); // the InfoGAN codes' selectors and sliders in the code column
    // latent_scatter.cpp
    void DrawScatter(models::Model& model);
    void EncodeChunk(models::Model& model);
    void Reproject();

    int m_select_tab = -1;
    const data::ImageDataset* m_images = nullptr; // the snapshot's test set (kept alive by the snapshot)
    int m_rows = 0, m_cols = 0, m_channels = 1;

    // Model tracking: any change of the frozen copy bumps m_model_version and invalidates every cache.
    const void* m_model_seen = nullptr;
    std::int64_t m_model_step_seen = -2;
    std::uint64_t m_generation_seen = 0;
    std::uint64_t m_model_version = 0;
    int m_latent = 0, m_classes = 0;
    bool m_can_encode = false;

    Rng m_rng{0x1a7e47u};
    nn::VectorF m_code;   // (latent) the sliders
    int m_class = 0;
    nn::MatrixF m_labels; // scratch one-hot
    nn::MatrixF m_decoded; // scratch decoder output (features, n)
    nn::VectorF m_shown_code; // the code m_code_image shows
    int m_shown_class = -1;
    CachedImage m_code_image;

    // Interpolation
    int m_index_a = 0, m_index_b = 1;
    int m_steps = 10;
    bool m_spherical = true;
    bool m_random_codes = false; // GANs always
    nn::VectorF m_random_a, m_random_b;
    CachedImage m_interp_image;

    // 2-D sweep
    int m_sweep_x = 0, m_sweep_y = 1;
    int m_sweep_side = 15;
    float m_sweep_extent = 3.0f;
    nn::VectorF m_sweep_base; // the slider code the sweep was decoded around
    CachedImage m_sweep_image;

    // Traversals
    int m_trav_steps = 11;
    nn::VectorF m_trav_base;
    CachedImage m_trav_image;

    // InfoGAN codes (model.Codes()): the latent's last m_info.Dim() rows
    models::InfoCodes m_info;
    int m_code_pick = 0;       // the categorical code the Codes tab shows
    int m_code_cols = 8;       // z draws, one per column
    nn::MatrixF m_code_bases;  // (latent, m_code_cols) the z held fixed down each column
    nn::VectorF m_codes_base;  // the slider code the grids were decoded from
    CachedImage m_codes_image;
    CachedImage m_cont_image;

    // Encoded scatter of the first test examples
    static constexpr int kScatterCount = 2000;
    static constexpr int kEncodeChunk = 250;
    nn::MatrixF m_codes;          // (latent, n) complete set shown
    std::vector<int> m_code_labels;
    nn::MatrixF m_pending;        // (latent, n) being encoded for the current model version
    int m_pending_done = 0;
    std::uint64_t m_pending_version = 0;
    std::uint64_t m_codes_version = 0;
    bool m_use_pca = true;
    int m_scatter_x = 0, m_scatter_y = 1;
    Pca m_pca;
    nn::MatrixF m_projected;      // (2, n)
    nn::MatrixF m_batch;          // scratch (features, chunk)
    nn::MatrixF m_mu, m_logvar;
    std::vector<bool> m_class_visible;
    Canvas2D m_scatter_canvas;
    DotSprite m_scatter_dot{2.4f, 0.0f}; // one textured quad per encoded image
    int m_home_key = -1;          // projection the canvas's home view was set for
};

} // namespace ll::ui
