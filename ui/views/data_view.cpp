// The Data view: dataset picker, image grid texture / toy scatter, and a histogram plot (see data_view.h); its
// sources, loads and histograms are in data_sources.cpp.
#include "ui/views/data_view.h"

#include "core/io/config_json.h"
#include "core/models/network_templates.h"
#include "ui/widgets/plot.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <stdexcept>

namespace ll::ui
{

namespace
{

constexpr float kSidebarWidth = 270.0f;

} // namespace

void DataView::Draw(LabContext& ctx)
{
    if (!IsImageSource() && !m_toy)
    {
        Select(SourceNames()[static_cast<std::size_t>(m_selected)]);
    }
    if (IsImageSource() && (!CurrentImages().tried || FinishLoad(CurrentImages())))
    {
        Reshuffle(); // the first examples, once the split has loaded
    }
    ImGui::BeginChild("##sidebar", ImVec2(kSidebarWidth, 0), true);
    DrawSidebar(ctx);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##view", ImVec2(0, 0), false);
    const float avail = ImGui::GetContentRegionAvail().y;
    const float plot_height = std::max(160.0f, avail * 0.32f);
    if (IsImageSource())
    {
        DrawImageView(avail - plot_height - ImGui::GetStyle().ItemSpacing.y);
    }
    else
    {
        DrawToyView(avail - plot_height - ImGui::GetStyle().ItemSpacing.y);
    }
    DrawHistogramPlot(plot_height);
    ImGui::EndChild();
}

void DataView::DrawSidebar(LabContext& ctx)
{
    ImGui::TextUnformatted("Latent Lab");
    ImGui::TextDisabled("data browser");
    ImGui::Separator();
    ImGui::TextUnformatted("Dataset");
    const std::vector<std::string> names = SourceNames();
    static const char* kImageTitles[] = {"Fashion-MNIST train", "Fashion-MNIST test"};
    for (int i = 0; i < static_cast<int>(names.size()); ++i)
    {
        if (i == 2)
        {
            ImGui::Spacing();
            ImGui::TextUnformatted("2-D toys");
        }
        const std::string title = i < 2 ? kImageTitles[i] : names[i];
        if (ImGui::RadioButton(title.c_str(), !m_opened_selected && m_selected == i) &&
            (m_selected != i || m_opened_selected))
        {
            Select(names[i]);
        }
    }
    if (!m_opened.dir.empty())
    {
        ImGui::Spacing();
        ImGui::TextUnformatted("Opened folder");
        const std::string title = std::filesystem::path(m_opened.dir).filename().string() + "##opened";
        if (ImGui::RadioButton(title.c_str(), m_opened_selected) && !m_opened_selected)
        {
            m_opened_selected = true;
            m_toy.reset();
            Reshuffle();
        }
        if (ImGui::IsItemHovered())
        {
            ImGui::SetTooltip("%s", m_opened.dir.c_str());
        }
    }
    ImGui::Separator();
    if (ImGui::Button(IsImageSource() ? "Show other examples" : "Resample"))
    {
        Reshuffle();
    }
    if (IsImageSource())
    {
        if (ImGui::SliderInt("per side", &m_grid_side, 2, 16))
        {
            Reshuffle();
        }
        ImGui::Checkbox("Show labels", &m_show_labels);
        ImGui::Separator();
        const ImageSource& source = CurrentImages();
        if (source.dataset)
        {
            const data::ImageDataset& ds = *source.dataset;
            ImGui::Text("%s", ds.name.c_str());
            ImGui::Text("%lld images, %d x %d x %d", static_cast<long long>(ds.count), ds.rows, ds.cols,
                        ds.channels);
            ImGui::Text("%d classes", ds.num_classes);
        }
        if (m_opened_selected)
        {
            DrawOpenedControls(ctx);
        }
        else
        {
            ImGui::TextWrapped("Data folder: %s", m_data_dir.c_str());
            ImGui::TextDisabled("(--data DIR or LATENTLAB_DATA)");
        }
    }
    else if (m_toy)
    {
        if (ImGui::SliderInt("points", &m_toy_count, 100, 20000, "%d", ImGuiSliderFlags_Logarithmic))
        {
            Reshuffle();
        }
        ImGui::Separator();
        ImGui::Text("%s", data::ToyName(m_toy->Kind()).c_str());
        if (m_toy->HasModes())
        {
            ImGui::Text("%d modes, sd %.3g", static_cast<int>(m_toy->Modes().size()), m_toy->ModeSd());
        }
        ImGui::Text("view [-%.3g, %.3g]^2", m_toy->Extent(), m_toy->Extent());
    }
    ImGui::Separator();
    ImGui::TextDisabled("%.1f ms/frame", 1000.0f / std::max(ImGui::GetIO().Framerate, 1e-3f));
}

void DataView::DrawImageView(float height)
{
    const ImageSource& source = CurrentImages();
    if (source.loading.valid())
    {
        ImGui::BeginChild("##images", ImVec2(0, height), true);
        if (m_opened_selected)
        {
            ImGui::Text("Reading %s ...", source.dir.c_str());
        }
        else
        {
            ImGui::Text("Loading Fashion-MNIST %s from %s ...", source.split == "train" ? "train" : "test",
                        m_data_dir.c_str());
        }
        ImGui::EndChild();
        return;
    }
    if (!source.dataset && m_opened_selected)
    {
        ImGui::BeginChild("##images", ImVec2(0, height), true);
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.4f, 1.0f), "This folder cannot be used as data.");
        ImGui::TextWrapped("%s", source.error.c_str());
        ImGui::Spacing();
        ImGui::TextWrapped("The lab reads MNIST-format folders ({train,t10k}-{images-idx3,labels-idx1}-ubyte, .gz "
                           "too) and folders of PNG, JPEG or BMP images (loose, or one subfolder per class). The "
                           "running experiment is not affected.");
        ImGui::EndChild();
        return;
    }
    if (!source.dataset)
    {
        ImGui::BeginChild("##images", ImVec2(0, height), true);
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.4f, 1.0f), "Fashion-MNIST is not available.");
        ImGui::TextWrapped("%s", source.error.c_str());
        ImGui::Spacing();
        ImGui::TextWrapped("Install the Debian package dataset-fashion-mnist, or point --data / LATENTLAB_DATA at a "
                           "folder holding train-images-idx3-ubyte.gz and friends. The 2-D toys on the left work "
                           "without it.");
        ImGui::EndChild();
        return;
    }
    if (m_grid_dirty)
    {
        RebuildGrid();
    }
    ImGui::BeginChild("##images", ImVec2(0, height), false);
    if (m_texture.Valid())
    {
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        float scale = std::min(avail.x / m_texture.Width(), avail.y / m_texture.Height());
        if (scale >= 2.0f)
        {
            scale = std::floor(scale); // whole pixels stay crisp once there is room for them
        }
        const ImVec2 size(m_texture.Width() * scale, m_texture.Height() * scale);
        const ImVec2 pos = ImGui::GetCursorScreenPos();
        ImGui::Image(m_texture.ImId(), size);
        const data::ImageDataset& ds = *source.dataset;
        if (m_show_labels && !ds.labels.empty())
        {
            ImDrawList* draw = ImGui::GetWindowDrawList();
            for (std::size_t i = 0; i < m_indices.size(); ++i)
            {
                const int label = ds.labels[static_cast<std::size_t>(m_indices[i])];
                const std::string text = label < static_cast<int>(ds.class_names.size())
                                             ? ds.class_names[label]
                                             : std::to_string(label);
                const int t = static_cast<int>(i);
                const ImVec2 tile_min(pos.x + m_layout.TileX(t) * scale, pos.y + m_layout.TileY(t) * scale);
                const float tile_w = m_layout.tile_w * scale, tile_h = m_layout.tile_h * scale;
                const ImVec2 text_size = ImGui::CalcTextSize(text.c_str());
                const ImVec2 text_pos(tile_min.x + std::max(0.0f, (tile_w - text_size.x) * 0.5f),
                                      tile_min.y + tile_h - text_size.y);
                draw->PushClipRect(tile_min, ImVec2(tile_min.x + tile_w, tile_min.y + tile_h), true);
                draw->AddRectFilled(ImVec2(tile_min.x, text_pos.y), ImVec2(tile_min.x + tile_w, tile_min.y + tile_h),
                                    IM_COL32(0, 0, 0, 150));
                draw->AddText(text_pos, IM_COL32(255, 230, 120, 255), text.c_str());
                draw->PopClipRect();
            }
        }
    }
    ImGui::EndChild();
}

void DataView::DrawToyView(float height)
{
    ImGui::BeginChild("##toy", ImVec2(0, height), false);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float side = std::max(50.0f, std::min(avail.x, avail.y));
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("##scatter", ImVec2(side, side));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 corner(origin.x + side, origin.y + side);
    draw->AddRectFilled(origin, corner, IM_COL32(18, 20, 26, 255));
    draw->AddRect(origin, corner, ImGui::GetColorU32(ImGuiCol_Border));
    const float extent = m_toy ? m_toy->Extent() : 1.0f;
    auto to_screen = [&](float x, float y) {
        return ImVec2(origin.x + (x + extent) / (2 * extent) * side, origin.y + (extent - y) / (2 * extent) * side);
    };
    draw->PushClipRect(origin, corner, true);
    const ImVec2 c = to_screen(0, 0);
    draw->AddLine(ImVec2(origin.x, c.y), ImVec2(corner.x, c.y), IM_COL32(255, 255, 255, 30));
    draw->AddLine(ImVec2(c.x, origin.y), ImVec2(c.x, corner.y), IM_COL32(255, 255, 255, 30));
    for (Eigen::Index j = 0; j < m_toy_points.cols(); ++j)
    {
        const ImVec2 p = to_screen(m_toy_points(0, j), m_toy_points(1, j));
        draw->AddRectFilled(ImVec2(p.x - 1.5f, p.y - 1.5f), ImVec2(p.x + 1.5f, p.y + 1.5f), IM_COL32(90, 170, 255, 200));
    }
    if (m_toy && m_toy->HasModes())
    {
        for (const data::Mode& m : m_toy->Modes())
        {
            const ImVec2 p = to_screen(m.x, m.y);
            draw->AddLine(ImVec2(p.x - 5, p.y), ImVec2(p.x + 5, p.y), IM_COL32(255, 120, 80, 255), 1.5f);
            draw->AddLine(ImVec2(p.x, p.y - 5), ImVec2(p.x, p.y + 5), IM_COL32(255, 120, 80, 255), 1.5f);
        }
    }
    draw->PopClipRect();
    ImGui::EndChild();
}

void DataView::DrawHistogramPlot(float height)
{
    if (m_hist_x.empty())
    {
        return;
    }
    // Separate plots (and so separate view state) for pixels, whose histogram spans decades, and toy coordinates.
    const bool images = IsImageSource();
    if (BeginPlot(images ? "##pixel_histogram" : "##toy_histogram", ImVec2(-1, height)))
    {
        SetupAxes(m_hist_x_label.c_str(), "density", images ? PlotFlags_LogY : PlotFlags_None);
        PlotLine(m_hist_a_label.c_str(), m_hist_x.data(), m_hist_a.data(), static_cast<int>(m_hist_x.size()));
        PlotLine(m_hist_b_label.c_str(), m_hist_x.data(), m_hist_b.data(), static_cast<int>(m_hist_x.size()));
        PlotMarkerX(m_mean_marker, images ? "mean of the shown pixels" : "mean x");
        EndPlot();
    }
}

void DataView::DrawOpenedControls(LabContext& ctx)
{
    ImGui::TextWrapped("Folder: %s", m_opened.dir.c_str());
    if (m_opened.dataset)
    {
        ImGui::TextDisabled("%s", m_opened.kind == models::DataKind::Idx ? "MNIST-format IDX files (train split)"
                                                                         : "an image folder");
    }
    if (m_opened.kind == models::DataKind::Folder || !m_opened.dataset)
    {
        // How an image folder is read: a change reads it again.
        bool reread = false;
        ImGui::SetNextItemWidth(120);
        ImGui::SliderInt("image size", &m_opened.image_size, 8, 128);
        reread |= ImGui::IsItemDeactivatedAfterEdit();
        bool colour = !m_opened.grayscale;
        if (ImGui::Checkbox("colour", &colour))
        {
            m_opened.grayscale = !colour;
            reread = true;
        }
        if (reread && !m_opened.loading.valid())
        {
            OpenFolder(m_opened.dir);
        }
    }
    ImGui::BeginDisabled(!m_opened.dataset || ctx.session == nullptr);
    if (ImGui::Button("Train on this data"))
    {
        try
        {
            const models::ExperimentConfig config = OpenedConfig(*ctx.snapshot);
            ctx.session->Load(config); // a refusal comes back in command_error; the current run stays
            ctx.session->Start();
            m_train_status = "loading " + config.name + " on " + m_opened.dir;
        }
        catch (const std::exception& e)
        {
            m_train_status = std::string("cannot train on this folder: ") + e.what();
        }
    }
    ImGui::EndDisabled();
    if (!m_train_status.empty())
    {
        ImGui::TextWrapped("%s", m_train_status.c_str());
    }
    if (ctx.snapshot && !ctx.snapshot->command_error.empty())
    {
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.4f, 1.0f), "%s", ctx.snapshot->command_error.c_str());
    }
}

models::ExperimentConfig DataView::OpenedConfig(const train::Snapshot& snap) const
{
    models::ExperimentConfig config;
    if (snap.config && !models::IsToy(*snap.config))
    {
        config = *snap.config;
    }
    else
    {
        const models::Family family = snap.family.value_or(models::Family::Vae);
        config = io::LoadPreset(family == models::Family::Gan ? "gan-fashion" : "vae-fashion", io::FindPresetDir());
    }
    const data::ImageDataset& ds = *m_opened.dataset;
    const models::ExperimentConfig before = config;
    config.data.kind = m_opened.kind;
    config.data.dir = m_opened.dir;
    config.data.image_size = m_opened.image_size;
    config.data.grayscale = m_opened.grayscale;
    if (ds.num_classes == 0)
    {
        config.gan.conditional = false; // unlabelled images: nothing to condition on
        config.vae.conditional = false;
    }
    models::RefitTemplate(before, config); // a template's networks (DCGAN, ...) rebuilt for the new image shape
    models::Validate(config);
    return config;
}

} // namespace ll::ui
