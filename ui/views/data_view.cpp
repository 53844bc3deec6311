// The Data view: dataset picker, image grid texture / toy scatter, and a histogram plot (see data_view.h).
#include "ui/views/data_view.h"

#include "core/data/idx.h"
#include "core/data/image_folder.h"
#include "core/io/config_json.h"
#include "core/models/network_templates.h"
#include "ui/widgets/plot.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <stdexcept>

namespace ll::ui
{

namespace
{

constexpr int kHistogramBins = 32;
constexpr float kSidebarWidth = 270.0f;

// Density histogram of values in [lo, hi] over kHistogramBins bins (integrates to 1).
void Histogram(const std::vector<float>& values, double lo, double hi, std::vector<double>& out)
{
    out.assign(kHistogramBins, 0.0);
    if (values.empty() || !(hi > lo))
    {
        return;
    }
    const double width = (hi - lo) / kHistogramBins;
    for (float v : values)
    {
        const int bin = std::clamp(static_cast<int>((v - lo) / width), 0, kHistogramBins - 1);
        out[bin] += 1.0;
    }
    for (double& c : out)
    {
        c /= static_cast<double>(values.size()) * width;
    }
}

} // namespace

DataView::DataView(std::string cli_data_dir, std::uint64_t seed)
    : m_data_dir(data::ResolveDataDir(cli_data_dir)), m_rng(seed)
{
    m_images[0].split = "train";
    m_images[1].split = "t10k";
}

std::vector<std::string> DataView::SourceNames()
{
    std::vector<std::string> names = {"fashion-train", "fashion-test"};
    for (const std::string& toy : data::ToyNames())
    {
        names.push_back(toy);
    }
    return names;
}

void DataView::Select(const std::string& name)
{
    const std::vector<std::string> names = SourceNames();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
    {
        std::string known;
        for (const std::string& n : names)
        {
            known += (known.empty() ? "" : ", ") + n;
        }
        throw std::invalid_argument("unknown dataset '" + name + "' (known: " + known + ")");
    }
    m_selected = static_cast<int>(it - names.begin());
    m_opened_selected = false;
    if (IsImageSource())
    {
        m_toy.reset();
    }
    else
    {
        m_toy.emplace(data::ParseToy(name));
    }
    Reshuffle();
}

void DataView::EnsureLoaded(ImageSource& source)
{
    if (source.tried)
    {
        return;
    }
    source.tried = true;
    source.error.clear();
    source.dataset.reset();
    if (!source.dir.empty())
    {
        // An opened folder: MNIST-format files first, then images; when it is neither, both reasons.
        source.loading = std::async(std::launch::async, [dir = source.dir, size = source.image_size,
                                                         gray = source.grayscale] {
            std::string idx_error;
            try
            {
                return Loaded{data::LoadIdxFolder(dir, "train"), models::DataKind::Idx};
            }
            catch (const std::exception& e)
            {
                idx_error = e.what();
            }
            try
            {
                return Loaded{data::LoadImageFolder(dir, size, gray), models::DataKind::Folder};
            }
            catch (const std::exception& e)
            {
                throw std::runtime_error("'" + dir + "' is not a data folder the lab can read.\nAs MNIST-format IDX "
                                         "files: " + idx_error + "\nAs an image folder: " + e.what());
            }
        });
        return;
    }
    // Reading and inflating 60,000 images takes about half a second: a worker does it, the window goes on drawing.
    source.loading = std::async(std::launch::async, [dir = m_data_dir, split = source.split] {
        return Loaded{data::LoadFashionMnist(dir, split), models::DataKind::FashionMnist};
    });
}

void DataView::OpenFolder(const std::string& dir)
{
    if (m_opened.loading.valid())
    {
        m_opened.loading.wait(); // the previous folder's read: its result is dropped
    }
    m_opened.loading = {};
    m_opened.dir = dir;
    m_opened.split = "train";
    m_opened.tried = false;
    m_opened_selected = true;
    m_train_status.clear();
    m_toy.reset();
    Reshuffle();
}

bool DataView::Loading() const
{
    for (const ImageSource* source : {&m_images[0], &m_images[1], &m_opened})
    {
        if (source->loading.valid() && source->loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        {
            return true;
        }
    }
    return false;
}

bool DataView::FinishLoad(ImageSource& source)
{
    if (!source.loading.valid() ||
        source.loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    {
        return false;
    }
    try
    {
        Loaded loaded = source.loading.get();
        source.dataset = std::move(loaded.dataset);
        source.kind = loaded.kind;
    }
    catch (const std::exception& e)
    {
        source.error = e.what();
    }
    source.loading = {};
    return true;
}

void DataView::Reshuffle()
{
    if (IsImageSource())
    {
        ImageSource& source = CurrentImages();
        EnsureLoaded(source);
        m_indices.clear();
        if (source.dataset && source.dataset->count > 0)
        {
            const int shown = static_cast<int>(std::min<std::int64_t>(m_grid_side * m_grid_side,
                                                                     source.dataset->count));
            for (int i = 0; i < shown; ++i)
            {
                m_indices.push_back(static_cast<std::int64_t>(m_rng.Below(source.dataset->count)));
            }
        }
        m_grid_dirty = true;
    }
    else if (m_toy)
    {
        m_toy->Sample(m_rng, m_toy_count, m_toy_points);
    }
    RebuildHistograms();
}

void DataView::RebuildGrid()
{
    m_grid_dirty = false;
    const ImageSource& source = CurrentImages();
    if (!source.dataset || m_indices.empty())
    {
        m_texture.Reset();
        return;
    }
    const data::ImageDataset& ds = *source.dataset;
    std::vector<std::uint8_t> gathered;
    gathered.reserve(m_indices.size() * ds.Features());
    for (std::int64_t i : m_indices)
    {
        gathered.insert(gathered.end(), ds.Example(i), ds.Example(i) + ds.Features());
    }
    m_layout = MakeGridLayout(static_cast<int>(m_indices.size()), ds.cols, ds.rows, 2, m_grid_side);
    m_texture.Upload(TileImages(gathered.data(), static_cast<int>(m_indices.size()), ds.rows, ds.cols, ds.channels,
                                m_layout));
}

void DataView::RebuildHistograms()
{
    m_hist_x.clear();
    m_hist_a.clear();
    m_hist_b.clear();
    std::vector<float> a, b;
    double lo = 0, hi = 1;
    if (IsImageSource())
    {
        const ImageSource& source = CurrentImages();
        if (!source.dataset)
        {
            return;
        }
        const data::ImageDataset& ds = *source.dataset;
        // Shown examples vs the first (up to) 5000 of the split: pixel intensities in [0, 1].
        for (std::int64_t i : m_indices)
        {
            for (int k = 0; k < ds.Features(); ++k)
            {
                a.push_back(ds.Example(i)[k] / 255.0f);
            }
        }
        const std::int64_t reference = std::min<std::int64_t>(ds.count, 5000);
        b.reserve(static_cast<std::size_t>(reference * ds.Features()));
        for (std::int64_t i = 0; i < reference; ++i)
        {
            for (int k = 0; k < ds.Features(); ++k)
            {
                b.push_back(ds.Example(i)[k] / 255.0f);
            }
        }
        m_hist_a_label = "shown examples";
        m_hist_b_label = "first " + std::to_string(reference) + " of the split";
        m_hist_x_label = "pixel intensity";
    }
    else if (m_toy && m_toy_points.cols() > 0)
    {
        for (Eigen::Index j = 0; j < m_toy_points.cols(); ++j)
        {
            a.push_back(m_toy_points(0, j));
            b.push_back(m_toy_points(1, j));
        }
        hi = m_toy->Extent();
        lo = -hi;
        m_hist_a_label = "x";
        m_hist_b_label = "y";
        m_hist_x_label = "coordinate";
    }
    double sum = 0;
    for (float v : a)
    {
        sum += v;
    }
    m_mean_marker = a.empty() ? 0.0 : sum / static_cast<double>(a.size());
    Histogram(a, lo, hi, m_hist_a);
    Histogram(b, lo, hi, m_hist_b);
    for (int i = 0; i < kHistogramBins; ++i)
    {
        m_hist_x.push_back(lo + (hi - lo) * (i + 0.5) / kHistogramBins);
    }
}

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
