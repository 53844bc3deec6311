// The latent explorer's layout, its code column (sliders, decoded image) and decoding. The walks through the space
// (interpolation, 2-D sweep, traversal strips) are in latent_walks.cpp, the encoded scatter in latent_scatter.cpp.
// Decoding goes through the UI's inference copy of the frozen model.
#include "ui/views/latent_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace ll::ui
{

namespace
{

constexpr float kCodeColumnEms = 18.0f; // the code column's width in font heights (270 px at 15 px)

} // namespace

void LatentView::Draw(LabContext& ctx)
{
    const auto& snapshot = ctx.snapshot;
    if (!snapshot || !snapshot->model)
    {
        ImGui::TextDisabled("Latent explorer: waiting for the first model copy (load a preset and start).");
        return;
    }
    if (!snapshot->test_set)
    {
        ImGui::TextDisabled("Latent explorer: works on image data; for 2-D toys see the 2-D view.");
        return;
    }
    models::Model* model = ctx.InferenceModel();
    if (model == nullptr)
    {
        return;
    }
    m_images = snapshot->test_set.get();
    m_rows = m_images->rows;
    m_cols = m_images->cols;
    m_channels = m_images->channels;
    if (model->DataDim() != m_images->Features())
    {
        ImGui::TextDisabled("Latent explorer: the model's output (%d values) does not match the images (%d).",
                            static_cast<int>(model->DataDim()), m_images->Features());
        return;
    }
    SyncModel(ctx, *model);

    ImGui::BeginChild("##latent_code", ImVec2(kCodeColumnEms * ImGui::GetFontSize(), 0), false);
    DrawCodeColumn(*model);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##latent_views", ImVec2(0, 0), false);
    if (ImGui::BeginTabBar("##latent_tabs"))
    {
        const auto flags = [this](Tab tab) {
            return m_select_tab == static_cast<int>(tab) ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
        };
        if (m_can_encode && ImGui::BeginTabItem("Encoded test set", nullptr, flags(Tab::Scatter)))
        {
            DrawScatter(*model);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("2-D sweep", nullptr, flags(Tab::Sweep)))
        {
            DrawManifold(*model);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Interpolation", nullptr, flags(Tab::Interpolation)))
        {
            DrawInterpolation(*model);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("Traversals", nullptr, flags(Tab::Traversals)))
        {
            DrawTraversals(*model);
            ImGui::EndTabItem();
        }
        if (m_info.Active() && ImGui::BeginTabItem("Codes", nullptr, flags(Tab::Codes)))
        {
            DrawCodes(*model);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
        m_select_tab = -1;
    }
    ImGui::EndChild();
    m_images = nullptr;
}

void LatentView::SyncModel(LabContext& ctx, models::Model& model)
{
    const auto& snapshot = *ctx.snapshot;
    if (snapshot.model.get() == m_model_seen && snapshot.model_step == m_model_step_seen &&
        snapshot.generation == m_generation_seen)
    {
        return;
    }
    const bool new_run = snapshot.generation != m_generation_seen || model.LatentDim() != m_latent ||
                         model.NumClasses() != m_classes || model.Codes().Dim() != m_info.Dim();
    m_model_seen = snapshot.model.get();
    m_model_step_seen = snapshot.model_step;
    m_generation_seen = snapshot.generation;
    ++m_model_version;
    if (!new_run)
    {
        return;
    }
    m_latent = static_cast<int>(model.LatentDim());
    m_classes = model.NumClasses();
    m_info = model.Codes();
    if (m_info.Active())
    {
        m_select_tab = static_cast<int>(Tab::Codes); // an InfoGAN's codes are what its explorer is for
    }
    m_code_pick = 0;
    m_code_bases.resize(0, 0);
    m_can_encode = model.CanEncode();
    // Start from a draw of the prior, not from z = 0: early in training a ReLU decoder with small biases maps the
    // prior's centre to an almost flat grey image (there its output comes from the biases alone), which looks broken.
    nn::MatrixF first;
    model.SampleLatent(m_rng, 1, first);
    m_code = first.col(0);
    m_shown_code.resize(0);
    m_class = 0;
    m_random_codes = !m_can_encode;
    m_random_a.resize(0);
    m_sweep_x = 0;
    m_sweep_y = std::min(1, m_latent - 1);
    m_scatter_x = 0;
    m_scatter_y = std::min(1, m_latent - 1);
    m_use_pca = m_latent > 2; // a 2-D latent is shown as it is
    m_codes.resize(0, 0);
    m_code_labels.clear();
    m_pending_done = 0;
    m_pending_version = 0;
    m_home_key = -1;
    const int shown_classes = std::max(m_images->num_classes, 1);
    m_class_visible.assign(static_cast<std::size_t>(shown_classes), true);
    m_index_b = std::min<int>(1, static_cast<int>(m_images->count) - 1);
}

const nn::MatrixF* LatentView::Labels(int n)
{
    if (m_classes <= 0)
    {
        return nullptr;
    }
    m_labels = nn::MatrixF::Zero(m_classes, n);
    m_labels.row(std::clamp(m_class, 0, m_classes - 1)).setOnes();
    return &m_labels;
}

void LatentView::DecodeInto(models::Model& model, const nn::MatrixF& z, int cols, CachedImage& image,
                             const nn::MatrixF* before, const nn::MatrixF* after)
{
    model.Decode(z, Labels(static_cast<int>(z.cols())), m_decoded); // (features, n), values in [0, 1]
    const nn::Index extra = (before ? before->cols() : 0) + (after ? after->cols() : 0);
    const float* pixels = m_decoded.data();
    nn::MatrixF joined;
    if (extra > 0)
    {
        // Input images around the decoded ones (interpolation: A, path, B).
        joined.resize(m_decoded.rows(), m_decoded.cols() + extra);
        nn::Index at = 0;
        if (before)
        {
            joined.middleCols(at, before->cols()) = *before;
            at += before->cols();
        }
        joined.middleCols(at, m_decoded.cols()) = m_decoded;
        at += m_decoded.cols();
        if (after)
        {
            joined.middleCols(at, after->cols()) = *after;
        }
        pixels = joined.data();
    }
    const int count = static_cast<int>(m_decoded.cols() + extra);
    const GridLayout layout = MakeGridLayout(count, m_cols, m_rows, 1, cols);
    image.texture.Upload(TileImages(pixels, count, m_rows, m_cols, m_channels, layout, 0.0f, 1.0f, 0xFF303030u));
    image.tile_cols = layout.cols;
    image.tile_rows = layout.rows;
    image.version = m_model_version;
    image.dirty = false;
}

void LatentView::ShowImage(const CachedImage& image, float max_width, float max_height)
{
    if (!image.texture.Valid())
    {
        return;
    }
    const float w = static_cast<float>(image.texture.Width());
    const float h = static_cast<float>(image.texture.Height());
    float scale = std::min(max_width / w, max_height / h);
    if (scale >= 2.0f)
    {
        scale = std::floor(scale); // whole-pixel scaling keeps nearest-neighbour pixels even
    }
    ImGui::Image(image.texture.ImId(), ImVec2(w * std::max(scale, 0.1f), h * std::max(scale, 0.1f)));
}

void LatentView::DrawCodeColumn(models::Model& model)
{
    const bool code_changed = m_shown_code.size() != m_code.size() || m_shown_code != m_code || m_shown_class != m_class;
    if (code_changed || m_code_image.NeedsBuild(m_model_version))
    {
        DecodeInto(model, m_code, 1, m_code_image);
        m_shown_code = m_code;
        m_shown_class = m_class;
    }
    const float width = ImGui::GetContentRegionAvail().x;
    ImGui::TextUnformatted(m_can_encode ? "Decoder(z)" : "Generator(z)");
    ShowImage(m_code_image, width, 13.0f * ImGui::GetFontSize()); // 195 px at 15 px, 260 at 20
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("The frozen model's decoding of the sliders' code. Early in training codes near 0 decode\n"
                          "to a flat grey: the decoder has not yet learned what the prior's centre should look like.");
    }
    ImGui::TextDisabled("model at step %lld", static_cast<long long>(m_model_step_seen));

    if (ImGui::Button("Randomise"))
    {
        nn::MatrixF z;
        model.SampleLatent(m_rng, 1, z);
        m_code = z.col(0);
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Draw a code from the prior / noise distribution.");
    }
    ImGui::SameLine();
    const int noise_dims = m_latent - static_cast<int>(m_info.Dim()); // z's rows; the codes follow
    if (ImGui::Button("Zero"))
    {
        m_code.head(noise_dims).setZero();
        for (int j = 0; j < m_info.continuous; ++j)
        {
            m_code(noise_dims + m_info.ContinuousRow(j)) = 0.0f;
        }
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip(m_info.Active() ? "Set z and the continuous codes to 0, the centre of the prior (the\n"
                                            "categorical codes keep their values)."
                                          : "Set every dimension to 0, the centre of the prior.");
    }
    if (m_classes > 0)
    {
        const auto& names = m_images->class_names;
        const std::string current = m_class < static_cast<int>(names.size()) ? names[m_class] : std::to_string(m_class);
        ImGui::SetNextItemWidth(-1);
        if (ImGui::BeginCombo("##class", current.c_str()))
        {
            for (int c = 0; c < m_classes; ++c)
            {
                const std::string name = c < static_cast<int>(names.size()) ? names[c] : std::to_string(c);
                if (ImGui::Selectable(name.c_str(), c == m_class))
                {
                    m_class = c;
                }
            }
            ImGui::EndCombo();
        }
        if (ImGui::IsItemHovered())
        {
            ImGui::SetTooltip("The class the conditional model is asked for.");
        }
    }
    if (m_info.Active())
    {
        DrawCodeSliders();
        ImGui::TextDisabled("%d noise dimensions, range +-3", noise_dims);
    }
    else
    {
        ImGui::TextDisabled("%d latent dimensions, range +-3", m_latent);
    }
    ImGui::BeginChild("##sliders", ImVec2(0, 0), true);
    char label[32];
    const float label_w = ImGui::CalcTextSize(noise_dims > 10 ? "z00" : "z0").x; // the widest slider label
    for (int i = 0; i < noise_dims; ++i)
    {
        std::snprintf(label, sizeof(label), "z%d", i);
        ImGui::PushID(i);
        ImGui::SetNextItemWidth(-(label_w + ImGui::GetStyle().ItemSpacing.x));
        ImGui::SliderFloat("##z", &m_code(i), -kCodeRange, kCodeRange, "%.2f");
        if (ImGui::IsItemClicked(ImGuiMouseButton_Right))
        {
            m_code(i) = 0; // right-click: back to 0
        }
        ImGui::SameLine();
        ImGui::TextUnformatted(label);
        ImGui::PopID();
    }
    ImGui::EndChild();
}

void LatentView::DrawCodeSliders()
{
    const nn::Index top = m_latent - m_info.Dim();
    char label[32];
    for (int i = 0; i < m_info.categorical; ++i)
    {
        const nn::Index block = top + static_cast<nn::Index>(i) * m_info.k;
        nn::Index value = 0;
        m_code.segment(block, m_info.k).maxCoeff(&value);
        int v = static_cast<int>(value);
        std::snprintf(label, sizeof(label), "c%d (of %d)", i, m_info.k);
        ImGui::PushID(1000 + i);
        ImGui::SetNextItemWidth(-ImGui::CalcTextSize("c0 (of 10)").x - ImGui::GetStyle().ItemSpacing.x);
        if (ImGui::SliderInt("##cat", &v, 0, m_info.k - 1))
        {
            SetOneHot(m_code, block, m_info.k, std::clamp(v, 0, m_info.k - 1));
        }
        if (ImGui::IsItemHovered())
        {
            ImGui::SetTooltip("InfoGAN categorical code %d: G was given one of %d values; Q learnt to read it\n"
                              "back, so each value tends to mean one kind of sample. The Codes tab shows them all.",
                              i, m_info.k);
        }
        ImGui::SameLine();
        ImGui::TextUnformatted(label);
        ImGui::PopID();
    }
    for (int j = 0; j < m_info.continuous; ++j)
    {
        float& c = m_code(top + m_info.ContinuousRow(j));
        std::snprintf(label, sizeof(label), "u%d", j);
        ImGui::PushID(2000 + j);
        ImGui::SetNextItemWidth(-ImGui::CalcTextSize("c0 (of 10)").x - ImGui::GetStyle().ItemSpacing.x);
        ImGui::SliderFloat("##cont", &c, -2.0f, 2.0f, "%.2f");
        if (ImGui::IsItemHovered())
        {
            ImGui::SetTooltip("InfoGAN continuous code %d: drawn from U(-1, 1) in training; beyond +-1 the\n"
                              "generator extrapolates (the InfoGAN paper shows rotation and width this way).",
                              j);
        }
        ImGui::SameLine();
        ImGui::TextUnformatted(label);
        ImGui::PopID();
    }
}

void LatentView::DrawCodes(models::Model& model)
{
    const nn::Index top = m_latent - m_info.Dim();
    const bool base_changed = m_codes_base.size() != m_code.size() || m_codes_base != m_code;
    if (m_info.categorical > 0)
    {
        CachedImage& image = m_codes_image;
        if (m_info.categorical > 1)
        {
            ImGui::SetNextItemWidth(120);
            image.dirty |= ImGui::SliderInt("categorical code", &m_code_pick, 0, m_info.categorical - 1);
            ImGui::SameLine();
        }
        ImGui::SetNextItemWidth(120);
        image.dirty |= ImGui::SliderInt("columns", &m_code_cols, 2, 12);
        ImGui::SameLine();
        if (ImGui::Button("New z") || m_code_bases.cols() != m_code_cols || m_code_bases.rows() != m_latent)
        {
            model.SampleLatent(m_rng, m_code_cols, m_code_bases);
            image.dirty = true;
        }
        m_code_pick = std::clamp(m_code_pick, 0, m_info.categorical - 1);
        if (image.NeedsBuild(m_model_version) || base_changed)
        {
            // z from the columns' draws; every code from the sliders; then the picked code set row by row.
            nn::MatrixF bases = m_code_bases;
            for (nn::Index j = 0; j < bases.cols(); ++j)
            {
                bases.col(j).tail(m_info.Dim()) = m_code.tail(m_info.Dim());
            }
            DecodeInto(model, CodeValueGrid(bases, top + static_cast<nn::Index>(m_code_pick) * m_info.k, m_info.k),
                       m_code_cols, image);
        }
        ImGui::TextDisabled("row v: code c%d = v (0 at the top); each column one z, held fixed down the column",
                            m_code_pick);
        const float height = ImGui::GetContentRegionAvail().y * (m_info.continuous > 0 ? 0.6f : 1.0f);
        ShowImage(image, ImGui::GetContentRegionAvail().x, height);
    }
    if (m_info.continuous > 0)
    {
        CachedImage& image = m_cont_image;
        if (image.NeedsBuild(m_model_version) || base_changed)
        {
            std::vector<int> dims;
            for (int j = 0; j < m_info.continuous; ++j)
            {
                dims.push_back(static_cast<int>(top + m_info.ContinuousRow(j)));
            }
            DecodeInto(model, TraversalOf(m_code, dims, m_trav_steps, 2.0f), m_trav_steps, image);
        }
        ImGui::TextDisabled("row j: continuous code u_j from -2 to 2 (training drew it from -1 to 1), the rest "
                            "from the sliders");
        ShowImage(image, ImGui::GetContentRegionAvail().x, ImGui::GetContentRegionAvail().y);
    }
    m_codes_base = m_code;
}

} // namespace ll::ui
