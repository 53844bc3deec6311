// The latent explorer's encoded scatter: the first test examples encoded to posterior means, a few chunks per frame
// after each model refresh (the previous scatter stays on screen meanwhile), shown on two chosen dimensions or the
// first two principal components, coloured by class. Clicking a point loads its code into the sliders.
#include "ui/views/latent_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

namespace ll::ui
{

void LatentView::EncodeChunk(models::Model& model)
{
    const int n = static_cast<int>(std::min<std::int64_t>(kScatterCount, m_images->count));
    if (n < 2 || m_codes_version == m_model_version)
    {
        return;
    }
    if (m_pending_version != m_model_version)
    {
        m_pending.resize(m_latent, n);
        m_pending_done = 0;
        m_pending_version = m_model_version;
    }
    // The first time everything at once (nothing to show otherwise); afterwards one chunk per frame.
    const int budget = m_codes.cols() == 0 ? n : kEncodeChunk;
    const bool conditional = m_classes > 0 && m_images->num_classes == m_classes;
    std::vector<std::int64_t> indices;
    nn::MatrixF onehot;
    for (int done = 0; done < budget && m_pending_done < n;)
    {
        const int count = std::min({kEncodeChunk, n - m_pending_done, budget - done});
        indices.resize(static_cast<std::size_t>(count));
        std::iota(indices.begin(), indices.end(), static_cast<std::int64_t>(m_pending_done));
        data::GatherBatch(*m_images, indices.data(), count, m_batch); // (features, count)
        if (conditional)
        {
            data::GatherOneHot(*m_images, indices.data(), count, onehot);
        }
        model.Encode(m_batch, conditional ? &onehot : nullptr, m_mu, m_logvar); // mu (latent, count)
        m_pending.middleCols(m_pending_done, count) = m_mu;
        m_pending_done += count;
        done += count;
    }
    if (m_pending_done == n)
    {
        m_codes = m_pending;
        m_codes_version = m_model_version;
        m_code_labels.resize(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i)
        {
            m_code_labels[static_cast<std::size_t>(i)] = m_images->labels.empty() ? 0 : m_images->labels[i];
        }
        Reproject();
    }
}

void LatentView::Reproject()
{
    if (m_codes.cols() < 2)
    {
        return;
    }
    if (m_use_pca && m_latent >= 2)
    {
        m_pca = FitPca(m_codes, 2);
        m_projected = Project(m_pca, m_codes);
    }
    else
    {
        m_projected.resize(2, m_codes.cols());
        m_projected.row(0) = m_codes.row(std::clamp(m_scatter_x, 0, m_latent - 1));
        m_projected.row(1) = m_codes.row(std::clamp(m_scatter_y, 0, m_latent - 1));
    }
}

void LatentView::DrawScatter(models::Model& model)
{
    if (m_latent < 2)
    {
        ImGui::TextDisabled("The scatter needs at least two latent dimensions.");
        return;
    }
    EncodeChunk(model);

    bool reproject = false;
    ImGui::SetNextItemWidth(190);
    if (ImGui::BeginCombo("##projection", m_use_pca ? "principal components 1, 2" : "two latent dimensions"))
    {
        if (ImGui::Selectable("principal components 1, 2", m_use_pca))
        {
            m_use_pca = true;
            reproject = true;
        }
        if (ImGui::Selectable("two latent dimensions", !m_use_pca))
        {
            m_use_pca = false;
            reproject = true;
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("PCA: the plane through the codes with the most spread (eigenvectors of their covariance).");
    }
    if (!m_use_pca)
    {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(80);
        reproject |= ImGui::SliderInt("x##sx", &m_scatter_x, 0, m_latent - 1);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(80);
        reproject |= ImGui::SliderInt("y##sy", &m_scatter_y, 0, m_latent - 1);
    }
    ImGui::SameLine();
    const int n = static_cast<int>(m_codes.cols());
    if (m_pending_version == m_model_version && m_codes_version != m_model_version)
    {
        ImGui::TextDisabled("encoding %d / %d...", m_pending_done, static_cast<int>(m_pending.cols()));
    }
    else if (m_use_pca && m_pca.variances.size() == 2)
    {
        ImGui::TextDisabled("%d test images; PC variances %.2f, %.2f", n, m_pca.variances(0), m_pca.variances(1));
    }
    else
    {
        ImGui::TextDisabled("%d test images, posterior means", n);
    }
    if (reproject)
    {
        Reproject();
    }

    // Class toggles, wrapped to the width.
    const auto& names = m_images->class_names;
    const int classes = static_cast<int>(m_class_visible.size());
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    for (int c = 0; c < classes; ++c)
    {
        const std::string name = c < static_cast<int>(names.size()) ? names[c] : "class " + std::to_string(c);
        const float w = ImGui::GetFrameHeight() + ImGui::CalcTextSize(name.c_str()).x + 24.0f;
        if (c > 0)
        {
            ImGui::SameLine();
            if (ImGui::GetCursorScreenPos().x + w > right)
            {
                ImGui::NewLine();
            }
        }
        ImGui::PushID(c);
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float s = ImGui::GetFrameHeight();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x + 2, at.y + 4), ImVec2(at.x + s - 4, at.y + s - 4),
                                                  ClassColor(c), 2.0f);
        ImGui::Dummy(ImVec2(s - 2, s));
        ImGui::SameLine(0, 2);
        bool visible = m_class_visible[static_cast<std::size_t>(c)];
        if (ImGui::Checkbox(name.c_str(), &visible))
        {
            m_class_visible[static_cast<std::size_t>(c)] = visible;
        }
        ImGui::PopID();
    }
    if (n == 0 || m_projected.cols() != n)
    {
        return;
    }

    // Home view: the cloud's bounding square, re-centred when the projection changes.
    const int home_key = m_use_pca ? 0 : 1 + m_scatter_x * 1024 + m_scatter_y;
    const Eigen::Vector2f lo = m_projected.rowwise().minCoeff();
    const Eigen::Vector2f hi = m_projected.rowwise().maxCoeff();
    const float half = 0.55f * std::max({hi.x() - lo.x(), hi.y() - lo.y(), 1e-3f});
    m_scatter_canvas.SetHome(0.5f * (lo.x() + hi.x()), 0.5f * (lo.y() + hi.y()), half, home_key != m_home_key);
    m_home_key = home_key;

    m_scatter_canvas.Begin("##scatter", ImGui::GetContentRegionAvail());
    const Canvas2D& canvas = m_scatter_canvas;
    canvas.DrawGrid();
    ImDrawList* draw = canvas.DrawList();
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    int nearest = -1;
    float nearest_d2 = 7.0f * 7.0f;
    for (int i = 0; i < n; ++i)
    {
        const int label = m_code_labels[static_cast<std::size_t>(i)];
        if (label < classes && !m_class_visible[static_cast<std::size_t>(label)])
        {
            continue;
        }
        const ImVec2 p = canvas.ToScreen(m_projected(0, i), m_projected(1, i));
        m_scatter_dot.Add(draw, p, ClassColor(label, 200));
        const float dx = p.x - mouse.x, dy = p.y - mouse.y;
        if (canvas.Hovered() && dx * dx + dy * dy < nearest_d2)
        {
            nearest_d2 = dx * dx + dy * dy;
            nearest = i;
        }
    }
    // Where the sliders' code sits in this projection.
    Eigen::Vector2f here;
    if (m_use_pca && m_pca.axes.cols() == 2)
    {
        here = m_pca.axes.transpose() * (m_code - m_pca.mean);
    }
    else
    {
        here = Eigen::Vector2f(m_code(m_scatter_x), m_code(m_scatter_y));
    }
    const ImVec2 mark = canvas.ToScreen(here.x(), here.y());
    draw->AddCircle(mark, 7.0f, IM_COL32(255, 255, 255, 230), 20, 2.0f);
    draw->AddLine(ImVec2(mark.x - 11, mark.y), ImVec2(mark.x - 4, mark.y), IM_COL32(255, 255, 255, 230), 1.5f);
    draw->AddLine(ImVec2(mark.x + 4, mark.y), ImVec2(mark.x + 11, mark.y), IM_COL32(255, 255, 255, 230), 1.5f);
    if (nearest >= 0)
    {
        const int label = m_code_labels[static_cast<std::size_t>(nearest)];
        const ImVec2 p = canvas.ToScreen(m_projected(0, nearest), m_projected(1, nearest));
        draw->AddCircle(p, 5.0f, IM_COL32(255, 255, 255, 255), 12, 1.5f);
        const std::string name = label < static_cast<int>(names.size()) ? names[label] : std::to_string(label);
        ImGui::SetTooltip("test image %d: %s\nclick to load its code into the sliders", nearest, name.c_str());
        if (canvas.Clicked())
        {
            m_code = m_codes.col(nearest);
            if (m_classes > 0)
            {
                m_class = label;
            }
        }
    }
    char axes_text[96];
    if (m_use_pca)
    {
        std::snprintf(axes_text, sizeof(axes_text), "PC1 ->, PC2 ^   (white ring: the sliders' code)");
    }
    else
    {
        std::snprintf(axes_text, sizeof(axes_text), "z%d ->, z%d ^   (white ring: the sliders' code)", m_scatter_x,
                      m_scatter_y);
    }
    draw->AddText(ImVec2(canvas.Min().x + 8, canvas.Max().y - ImGui::GetTextLineHeight() - 6),
                  IM_COL32(190, 190, 200, 255), axes_text);
    m_scatter_canvas.End();
}

} // namespace ll::ui
