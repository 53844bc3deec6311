// The latent explorer's walks through the code space: interpolation (lerp / slerp) between two encoded test images
// or two random codes, the 2-D manifold sweep, and traversal strips along each dimension of the current code.
// Decoding goes through LatentView::DecodeInto (latent_view.cpp).
#include "ui/views/latent_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace ll::ui
{

void LatentView::DrawInterpolation(models::Model& model)
{
    CachedImage& image = m_interp_image;
    const int count = static_cast<int>(m_images->count);
    if (m_can_encode)
    {
        if (ImGui::RadioButton("Two test images", !m_random_codes))
        {
            m_random_codes = false;
            image.dirty = true;
        }
        ImGui::SameLine();
    }
    if (ImGui::RadioButton("Two random codes", m_random_codes))
    {
        m_random_codes = true;
        image.dirty = true;
    }
    if (!m_random_codes)
    {
        ImGui::SetNextItemWidth(110);
        image.dirty |= ImGui::InputInt("image A", &m_index_a);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(110);
        image.dirty |= ImGui::InputInt("image B", &m_index_b);
        m_index_a = std::clamp(m_index_a, 0, count - 1);
        m_index_b = std::clamp(m_index_b, 0, count - 1);
        ImGui::SameLine();
    }
    if (ImGui::Button(m_random_codes ? "New codes" : "Random pair") || (m_random_codes && m_random_a.size() != m_latent))
    {
        if (m_random_codes)
        {
            nn::MatrixF z;
            model.SampleLatent(m_rng, 2, z);
            m_random_a = z.col(0);
            m_random_b = z.col(1);
        }
        else
        {
            m_index_a = static_cast<int>(m_rng.Below(static_cast<std::uint64_t>(count)));
            m_index_b = static_cast<int>(m_rng.Below(static_cast<std::uint64_t>(count)));
        }
        image.dirty = true;
    }
    ImGui::SetNextItemWidth(160);
    image.dirty |= ImGui::SliderInt("steps", &m_steps, 3, 16);
    ImGui::SameLine();
    image.dirty |= ImGui::Checkbox("spherical (slerp)", &m_spherical);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Slerp follows the great circle between the codes, keeping them at a typical distance from\n"
                          "the origin; linear interpolation passes closer to the centre, where few codes live.");
    }

    if (image.NeedsBuild(m_model_version))
    {
        if (m_random_codes)
        {
            DecodeInto(model, InterpolationPath(m_random_a, m_random_b, m_steps, m_spherical), m_steps, image);
        }
        else
        {
            const std::int64_t indices[2] = {m_index_a, m_index_b};
            nn::MatrixF inputs, onehot, mu, logvar;
            data::GatherBatch(*m_images, indices, 2, inputs);
            const nn::MatrixF* labels = nullptr;
            if (m_classes > 0 && m_images->num_classes == m_classes)
            {
                data::GatherOneHot(*m_images, indices, 2, onehot);
                labels = &onehot;
            }
            model.Encode(inputs, labels, mu, logvar);
            const nn::MatrixF a = inputs.col(0), b = inputs.col(1);
            DecodeInto(model, InterpolationPath(mu.col(0), mu.col(1), m_steps, m_spherical), m_steps + 2, image, &a,
                       &b);
        }
    }
    if (!m_random_codes)
    {
        ImGui::TextDisabled("left and right: the test images; between: decoder(posterior means), interpolated");
    }
    ShowImage(image, ImGui::GetContentRegionAvail().x, ImGui::GetContentRegionAvail().y);
}

void LatentView::DrawManifold(models::Model& model)
{
    CachedImage& image = m_sweep_image;
    if (m_latent < 2)
    {
        ImGui::TextDisabled("The sweep needs at least two latent dimensions.");
        return;
    }
    ImGui::SetNextItemWidth(90);
    image.dirty |= ImGui::SliderInt("x dim", &m_sweep_x, 0, m_latent - 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    image.dirty |= ImGui::SliderInt("y dim", &m_sweep_y, 0, m_latent - 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    image.dirty |= ImGui::SliderInt("grid", &m_sweep_side, 5, 25);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    image.dirty |= ImGui::SliderFloat("range", &m_sweep_extent, 0.5f, 4.0f, "+-%.1f");
    if (m_sweep_x == m_sweep_y)
    {
        ImGui::TextDisabled("Pick two different dimensions.");
        return;
    }
    if (image.NeedsBuild(m_model_version) || m_sweep_base.size() != m_code.size() || m_sweep_base != m_code)
    {
        // Other dimensions come from the sliders, so the sweep is a slice through the current code.
        DecodeInto(model, SweepGrid(m_code, m_sweep_x, m_sweep_y, m_sweep_side, m_sweep_extent), m_sweep_side, image);
        m_sweep_base = m_code;
    }
    ImGui::TextDisabled("z%d left to right, z%d bottom to top, from -%.1f to %.1f; the other dims from the sliders",
                        m_sweep_x, m_sweep_y, m_sweep_extent, m_sweep_extent);
    ShowImage(image, ImGui::GetContentRegionAvail().x, ImGui::GetContentRegionAvail().y);
}

void LatentView::DrawTraversals(models::Model& model)
{
    CachedImage& image = m_trav_image;
    const int rows = std::min(m_latent, 20);
    ImGui::SetNextItemWidth(120);
    image.dirty |= ImGui::SliderInt("steps", &m_trav_steps, 5, 15);
    ImGui::SameLine();
    ImGui::TextDisabled("row d: z_d from -3 to 3, the others from the sliders (beta-VAE: one factor per row)");
    if (image.NeedsBuild(m_model_version) || m_trav_base.size() != m_code.size() || m_trav_base != m_code)
    {
        DecodeInto(model, TraversalCodes(m_code, rows, m_trav_steps, kCodeRange), m_trav_steps, image);
        m_trav_base = m_code;
    }
    if (!image.texture.Valid())
    {
        return;
    }
    ImGui::BeginChild("##traversals", ImVec2(0, 0), false);
    const float label_w = 36.0f;
    const float w = static_cast<float>(image.texture.Width());
    const float h = static_cast<float>(image.texture.Height());
    float scale = std::clamp((ImGui::GetContentRegionAvail().x - label_w) / w, 0.5f, 4.0f);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(ImVec2(origin.x + label_w, origin.y));
    ImGui::Image(image.texture.ImId(), ImVec2(w * scale, h * scale));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float row_h = h * scale / static_cast<float>(rows);
    char label[16];
    for (int d = 0; d < rows; ++d)
    {
        std::snprintf(label, sizeof(label), "z%d", d);
        draw->AddText(ImVec2(origin.x + 4, origin.y + row_h * (d + 0.5f) - ImGui::GetTextLineHeight() * 0.5f),
                      IM_COL32(210, 210, 215, 255), label);
    }
    ImGui::EndChild();
}

} // namespace ll::ui
