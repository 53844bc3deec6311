// The Samples view (see samples_view.h).
#include "ui/views/samples_view.h"

#include "ui/files/window_export.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>

namespace ll::ui
{

namespace
{

// The largest size that fits avail with the grid's aspect ratio; whole multiples from 2x up, so the
// nearest-neighbour upscale keeps every pixel the same size once pixels are big enough to see.
ImVec2 FitSize(int width, int height, ImVec2 avail)
{
    if (width <= 0 || height <= 0 || avail.x <= 1 || avail.y <= 1)
    {
        return ImVec2(0, 0);
    }
    float scale = std::min(avail.x / static_cast<float>(width), avail.y / static_cast<float>(height));
    if (scale >= 2.0f)
    {
        scale = std::floor(scale);
    }
    return ImVec2(width * scale, height * scale);
}

} // namespace

void SamplesView::Record(const LabContext& ctx)
{
    const train::Snapshot& snap = *ctx.snapshot;
    if (snap.generation != m_generation)
    {
        m_generation = snap.generation;
        m_grids.clear();
        m_selected = -1;
    }
    if (!snap.samples || snap.samples->width == 0)
    {
        return;
    }
    if (!m_grids.empty() && (m_grids.back() == snap.samples || m_grids.back()->step == snap.samples->step))
    {
        if (m_grids.back() != snap.samples)
        {
            m_grids.back() = snap.samples; // same step, re-rendered: keep the newest rendering
        }
        return;
    }
    m_grids.push_back(snap.samples);
    if (m_grids.size() > kMaxKept)
    {
        // Thin the old part: drop every other grid older than the recent ones.
        const std::size_t old = m_grids.size() - kRecent;
        std::vector<std::shared_ptr<const train::ImageGrid>> kept;
        kept.reserve(m_grids.size());
        for (std::size_t i = 0; i < m_grids.size(); ++i)
        {
            if (i >= old || i % 2 == 0)
            {
                kept.push_back(m_grids[i]);
            }
        }
        if (m_selected >= 0)
        {
            // Keep pointing at the same (or the nearest older) grid.
            const std::int64_t step = m_grids[static_cast<std::size_t>(m_selected)]->step;
            m_selected = 0;
            for (std::size_t i = 0; i < kept.size(); ++i)
            {
                if (kept[i]->step <= step)
                {
                    m_selected = static_cast<int>(i);
                }
            }
        }
        m_grids.swap(kept);
    }
}

void SamplesView::DrawGrid(const std::shared_ptr<const train::ImageGrid>& grid_ptr, Texture& texture,
                            std::shared_ptr<const train::ImageGrid>& uploaded, ImVec2 size,
                            const std::vector<std::string>* row_labels, const train::Snapshot& snap, const char* what)
{
    const train::ImageGrid& grid = *grid_ptr;
    if (uploaded != grid_ptr)
    {
        texture.Upload(grid.rgba.data(), grid.width, grid.height);
        uploaded = grid_ptr;
    }
    float label_w = 0;
    if (row_labels)
    {
        for (const std::string& l : *row_labels)
        {
            label_w = std::max(label_w, ImGui::CalcTextSize(l.c_str()).x);
        }
        label_w += 8;
    }
    const ImVec2 fit = FitSize(grid.width, grid.height, ImVec2(size.x - label_w, size.y));
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    if (row_labels && grid.rows > 0)
    {
        ImDrawList* draw = ImGui::GetWindowDrawList();
        const float row_h = fit.y / static_cast<float>(grid.rows);
        for (int r = 0; r < grid.rows && r < static_cast<int>(row_labels->size()); ++r)
        {
            const char* text = (*row_labels)[static_cast<std::size_t>(r)].c_str();
            draw->AddText(ImVec2(origin.x, origin.y + row_h * (r + 0.5f) - ImGui::GetTextLineHeight() * 0.5f),
                          IM_COL32(200, 200, 210, 255), text);
        }
        ImGui::SetCursorScreenPos(ImVec2(origin.x + label_w, origin.y));
    }
    ImGui::Image(texture.ImId(), fit);
    if (ImGui::BeginPopupContextItem(what)) // the image has no id of its own: the popup names one
    {
        if (ImGui::MenuItem("Export as PNG"))
        {
            const std::filesystem::path path = ExportPath(snap, what, "png");
            try
            {
                ExportImageGrid(grid, path); // the grid shown (the step slider's), not only the newest
                m_export_note = "exported " + path.string();
            }
            catch (const std::exception& e)
            {
                m_export_note = "could not export '" + path.string() + "': " + e.what();
            }
        }
        ImGui::EndPopup();
    }
    if (ImGui::IsItemHovered() && !m_export_note.empty())
    {
        ImGui::SetTooltip("%s", m_export_note.c_str());
    }
}

void SamplesView::Draw(LabContext& ctx)
{
    Record(ctx);
    const train::Snapshot& snap = *ctx.snapshot;
    if (m_grids.empty())
    {
        ImGui::TextDisabled(snap.view2d ? "2-D data: the samples are in the 2-D view."
                                        : "No samples yet: they appear once a model is loaded.");
        return;
    }

    // Step slider over the kept grids (TensorBoard's image slider); at the right end it follows the newest.
    const int last = static_cast<int>(m_grids.size()) - 1;
    int index = m_selected < 0 ? last : std::min(m_selected, last);
    ImGui::SetNextItemWidth(std::max(120.0f, ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() * 14));
    char format[64];
    std::snprintf(format, sizeof(format), "step %lld", static_cast<long long>(m_grids[static_cast<std::size_t>(index)]->step));
    if (ImGui::SliderInt("##grid_step", &index, 0, last, format))
    {
        m_selected = index == last ? -1 : index;
    }
    ItemTooltip("Go back through the sample grids kept so far (the newest 64, and every other older one).");
    ImGui::SameLine();
    if (ImGui::Button(m_selected < 0 ? "following" : "latest"))
    {
        m_selected = -1;
    }
    ItemTooltip("Jump to the newest grid and keep following it.");
    ImGui::SameLine();
    ImGui::TextDisabled("%zu kept", m_grids.size());

    const std::shared_ptr<const train::ImageGrid>& grid_ptr =
        m_grids[static_cast<std::size_t>(m_selected < 0 ? last : m_selected)];
    const train::ImageGrid& grid = *grid_ptr;
    const bool has_recon = snap.reconstructions && snap.reconstructions->width > 0;
    std::vector<std::string> class_rows;
    const std::vector<std::string>* labels = nullptr;
    if (snap.config && ((snap.config->family == models::Family::Gan && snap.config->gan.conditional) ||
                        (snap.config->family == models::Family::Vae && snap.config->vae.conditional)))
    {
        if (snap.test_set && !snap.test_set->class_names.empty())
        {
            class_rows = snap.test_set->class_names;
        }
        else
        {
            for (int r = 0; r < grid.rows; ++r)
            {
                class_rows.push_back("class " + std::to_string(r));
            }
        }
        labels = &class_rows;
    }

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float heading = ImGui::GetTextLineHeightWithSpacing();
    const bool side_by_side = has_recon && avail.x > avail.y * 1.3f;
    ImVec2 cell = avail;
    if (has_recon)
    {
        cell = side_by_side ? ImVec2(avail.x * 0.5f - 6, avail.y - heading)
                            : ImVec2(avail.x, avail.y * 0.5f - heading - 6);
    }
    else
    {
        cell.y -= heading;
    }
    ImGui::BeginGroup();
    ImGui::Text("Samples from fixed noise, step %lld", static_cast<long long>(grid.step));
    ItemTooltip("The same noise vectors every time, so you watch the generator (decoder) change, not the noise.");
    DrawGrid(grid_ptr, m_samples_texture, m_samples_uploaded, cell, labels, snap, "samples");
    ImGui::EndGroup();
    if (has_recon)
    {
        if (side_by_side)
        {
            ImGui::SameLine();
        }
        ImGui::BeginGroup();
        ImGui::Text("Reconstructions, step %lld (input row, then its reconstruction)",
                    static_cast<long long>(snap.reconstructions->step));
        ItemTooltip("Fixed test images (odd rows) and what the decoder redraws from their codes (the row below).");
        DrawGrid(snap.reconstructions, m_recon_texture, m_recon_uploaded, cell, nullptr, snap, "reconstructions");
        ImGui::EndGroup();
    }
}

} // namespace ll::ui
