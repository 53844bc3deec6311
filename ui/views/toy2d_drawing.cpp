// The 2-D view's drawing tool (toy2d_view.h): a brush, an eraser and a spread paint a distribution over the current
// model's samples; Train on this loads it as the data set ("custom" toy) through the session, Save as preset writes
// it as a preset. Main (ImGui) thread only.
#include "ui/views/toy2d_view.h"

#include "ui/views/toy2d_marks.h"

#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "ui/files/file_store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

namespace ll::ui
{

using namespace toy2d; // the marks

void Toy2DView::StartDrawing(const train::Snapshot& snapshot)
{
    if (snapshot.config && snapshot.config->data.kind == models::DataKind::Toy &&
        snapshot.config->data.toy == data::ToyKind::Custom)
    {
        m_drawn.Assign(snapshot.config->data.points); // go on with the drawing being trained on
        m_spread = static_cast<float>(snapshot.config->data.spread);
    }
    m_draw_status.clear();
}

void Toy2DView::DrawDrawingTool(LabContext& ctx, const train::View2D* view)
{
    ImGui::SameLine();
    if (ImGui::RadioButton("Paint", !m_erase))
    {
        m_erase = false;
    }
    ImGui::SameLine();
    if (ImGui::RadioButton("Erase", m_erase))
    {
        m_erase = true;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("brush", &m_brush_radius, 0.02f, 2.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Brush radius in data units: points are sprayed uniformly over the disc");
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("rate", &m_brush_rate, 10.0f, 2000.0f, "%.0f/s", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Points added per second while the left button is held");
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderFloat("spread", &m_spread, 0.001f, 1.0f, "%.3f", ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("Training samples a drawn point plus Gaussian jitter of this sd (data.spread):\n"
                          "small keeps the drawing sharp, large blurs it into a smooth density.");
    }
    if (ImGui::Button("Clear")) // the actions on a second row: the first is full at 1280 pixels
    {
        m_drawn.Clear();
        m_draw_status.clear();
    }
    const bool empty = m_drawn.Points().empty();
    ImGui::SameLine();
    ImGui::BeginDisabled(empty || ctx.session == nullptr);
    if (ImGui::Button("Train on drawing"))
    {
        TrainOnDrawing(ctx);
    }
    ImGui::SameLine();
    if (ImGui::Button("Save as preset"))
    {
        SaveDrawingAsPreset(*ctx.snapshot);
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::TextDisabled("%zu points%s", m_drawn.Points().size(), m_drawn.Full() ? " (full)" : "");
    if (!m_draw_status.empty())
    {
        ImGui::TextWrapped("%s", m_draw_status.c_str());
    }
    else if (ctx.snapshot && !ctx.snapshot->command_error.empty())
    {
        ImGui::TextWrapped("%s", ctx.snapshot->command_error.c_str());
    }
    ImVec2 size = ImGui::GetContentRegionAvail();
    size.y = std::max(size.y, 120.0f);
    DrawDrawingCanvas(view, size);
}

void Toy2DView::DrawDrawingCanvas(const train::View2D* view, ImVec2 size)
{
    const float extent = std::max(view != nullptr ? 1.05f * view->extent : 2.0f, m_drawn.Extent());
    m_draw_canvas.SetPanButton(ImGuiMouseButton_Right);
    m_draw_canvas.SetHome(0, 0, extent);
    m_draw_canvas.Begin("##draw2d", size);
    const Canvas2D& canvas = m_draw_canvas;
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left))
    {
        const ImVec2 at = canvas.ToData(io.MousePos);
        if (m_erase)
        {
            m_drawn.Erase(at.x, at.y, m_brush_radius);
        }
        else
        {
            m_drawn.Paint(at.x, at.y, m_brush_radius, m_brush_rate, io.DeltaTime);
        }
    }
    canvas.DrawGrid();
    if (view != nullptr)
    {
        Points(canvas, view->generated, IM_COL32(215, 130, 255, 90), m_small_dot); // the model, faintly
    }
    ImDrawList* draw = canvas.DrawList();
    for (const data::Mode& p : m_drawn.Points())
    {
        m_dot.Add(draw, canvas.ToScreen(p.x, p.y), kRealColor);
    }
    if (canvas.Hovered())
    {
        const ImVec2 at = canvas.ToData(io.MousePos);
        draw->AddCircle(canvas.ToScreen(at.x, at.y), m_brush_radius * canvas.PixelsPerUnit(),
                        m_erase ? IM_COL32(255, 120, 110, 220) : IM_COL32(255, 255, 255, 200), 48, 1.5f);
    }
    std::vector<std::pair<ImU32, const char*>> legend{{kRealColor, "your drawing"}};
    if (view != nullptr)
    {
        legend.emplace_back(IM_COL32(215, 130, 255, 200), "the model's samples now");
    }
    Legend(canvas, legend);
    CanvasTitle(canvas, m_erase ? "erase: left button" : "paint: left button, pan: right drag");
    m_draw_canvas.End();
}

models::ExperimentConfig Toy2DView::DrawnConfig(const train::Snapshot& snapshot) const
{
    models::ExperimentConfig config;
    if (snapshot.config && models::IsToy(*snapshot.config))
    {
        config = *snapshot.config; // keep the model and its settings; only the data changes
    }
    else if (snapshot.family.value_or(models::Family::Gan) == models::Family::Gan)
    {
        // An image run's networks do not suit 2-D points: start from the 2-D GAN preset.
        config = io::LoadPreset("gan-ring8", io::FindPresetDir());
    }
    else
    {
        // No shipped preset is a 2-D VAE: the image VAE's run settings with a 2-D VAE's model (Gaussian decoder,
        // as Validate requires for 2-D data; a 2-D code; small networks; as tests/app/presets/vae-ring8.json).
        config = snapshot.config ? *snapshot.config : models::ExperimentConfig{};
        config.family = models::Family::Vae;
        config.vae.likelihood = models::Likelihood::Gaussian;
        config.vae.gaussian_sigma = 0.1;
        config.vae.latent_dim = 2;
        config.vae.conditional = false;
        config.vae.encoder.hidden = config.vae.decoder.hidden = {64, 64};
        config.vae.opt.learning_rate = 2e-3;
        config.batch_size = 256;
    }
    if (config.data.toy != data::ToyKind::Custom)
    {
        config.name = util::NameOf(config.family) + "-drawn";
        config.description = "A distribution drawn in the 2-D view.";
    }
    config.data.kind = models::DataKind::Toy;
    config.data.toy = data::ToyKind::Custom;
    config.data.points = m_drawn.Points();
    config.data.spread = m_spread;
    models::Validate(config);
    return config;
}

void Toy2DView::TrainOnDrawing(LabContext& ctx)
{
    try
    {
        const models::ExperimentConfig config = DrawnConfig(*ctx.snapshot);
        // The session builds the new experiment between steps; a refusal leaves the current run as it was and
        // comes back in the snapshot's command_error (shown under the toolbar).
        ctx.session->Load(config);
        ctx.session->Start();
        m_draw_status = "training " + util::NameOf(config.family) + " on " + std::to_string(config.data.points.size()) +
                        " drawn points";
    }
    catch (const std::exception& e)
    {
        m_draw_status = std::string("cannot train on the drawing: ") + e.what();
    }
}

void Toy2DView::SaveDrawingAsPreset(const train::Snapshot& snapshot)
{
    try
    {
        const models::ExperimentConfig config = DrawnConfig(snapshot);
        const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        const std::filesystem::path dir = ConfigDir() / "presets";
        std::filesystem::create_directories(dir);
        const std::filesystem::path path = dir / ("drawn-" + std::string(stamp) + ".json");
        io::WriteFileAtomic(path, io::ConfigToJson(config));
        m_draw_status = "saved " + path.string() + " (latentlab train --config FILE trains it headless; --preset "
                        "FILE opens it)";
    }
    catch (const std::exception& e)
    {
        m_draw_status = std::string("cannot save the drawing: ") + e.what();
    }
}

} // namespace ll::ui
