// The Samples view: the sample grid from the fixed noise batch (nearest-neighbour upscaled), a step slider over the
// grids the UI has kept (the last kRecent distinct grids, plus every other older one), and the reconstructions as
// input / output row pairs for VAEs. Conditional models come one row per class, as the session renders them.
// Main (GL/ImGui) thread only.
#pragma once

#include "ui/gl/texture.h"
#include "ui/views/lab_view.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace ll::ui
{

class SamplesView final : public LabView
{
public:
    static constexpr std::size_t kRecent = 64; // distinct grids kept at full rate
    static constexpr std::size_t kMaxKept = 96; // above this, every other grid older than the recent ones goes

    void Draw(LabContext& ctx) override;
    std::size_t Kept() const { return m_grids.size(); }

private:
    void Record(const LabContext& ctx);
    // The grid's image; a right-click on it offers "Export as PNG" (ExportPath(snap, what, "png")).
    void DrawGrid(const std::shared_ptr<const train::ImageGrid>& grid, Texture& texture,
                  std::shared_ptr<const train::ImageGrid>& uploaded, ImVec2 size,
                  const std::vector<std::string>* row_labels, const train::Snapshot& snap, const char* what);

    std::uint64_t m_generation = ~std::uint64_t{0};
    std::vector<std::shared_ptr<const train::ImageGrid>> m_grids; // oldest first
    int m_selected = -1; // index into m_grids, -1 = follow the newest
    Texture m_samples_texture, m_recon_texture;
    std::shared_ptr<const train::ImageGrid> m_samples_uploaded, m_recon_uploaded; // what the textures hold
    std::string m_export_note; // where the last context-menu export went, or why it failed
};

} // namespace ll::ui
