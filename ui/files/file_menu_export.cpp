// The File menu's Export submenu (file_menu.h): the metrics CSV, the sample grid, reconstructions, an interpolation
// strip and the frozen model as safetensors or ONNX (window_export.h), and "Export samples" drawn on a thread of its
// own so the window never waits. Main (ImGui) thread only, but for that thread's own clone of the frozen model.
#include "ui/files/file_menu.h"

#include "core/eval/judge_eval.h"
#include "core/io/sample_export.h"
#include "ui/files/window_export.h"

#include <imgui.h>

#include <stdexcept>

namespace ll::ui
{

namespace fs = std::filesystem;

template <typename Fn>
void FileMenu::RunExport(const fs::path& path, Fn&& write)
{
    try
    {
        write(path);
        SetNote("exported " + path.string());
    }
    catch (const std::exception& e)
    {
        ShowError("Could not export '" + path.string() + "': " + e.what());
    }
}

void FileMenu::DrawExport(LabContext& ctx)
{
    const train::Snapshot& snap = *ctx.snapshot;
    const bool images = snap.config && !models::IsToy(*snap.config);
    if (ImGui::MenuItem("Metrics as CSV", nullptr, false, ctx.history != nullptr && ctx.history->Size() > 0))
    {
        RunExport(ExportPath(snap, "metrics", "csv"),
                  [&](const fs::path& p) { ExportMetricsCsv(*ctx.history, p); });
    }
    if (ImGui::MenuItem("Sample grid as PNG", nullptr, false, snap.samples != nullptr && snap.samples->width > 0))
    {
        RunExport(ExportPath(snap, "samples", "png"), [&](const fs::path& p) { ExportImageGrid(*snap.samples, p); });
    }
    if (ImGui::MenuItem("Reconstructions as PNG", nullptr, false,
                        snap.reconstructions != nullptr && snap.reconstructions->width > 0))
    {
        RunExport(ExportPath(snap, "reconstructions", "png"),
                  [&](const fs::path& p) { ExportImageGrid(*snap.reconstructions, p); });
    }
    if (ImGui::MenuItem("Interpolation strip as PNG", nullptr, false, images && snap.model != nullptr))
    {
        RunExport(ExportPath(snap, "interpolation", "png"), [&](const fs::path& p) {
            models::Model* model = ctx.InferenceModel();
            if (model == nullptr)
            {
                throw std::invalid_argument("there is no model to decode with yet");
            }
            ExportInterpolationStrip(*model, *snap.config, 10, static_cast<std::uint64_t>(snap.step) + 1, p);
        });
    }
    const char* part = snap.family == models::Family::Gan ? "Generator as safetensors" : "Decoder as safetensors";
    if (ImGui::MenuItem(part, nullptr, false, snap.model != nullptr))
    {
        RunExport(ExportPath(snap, snap.family == models::Family::Gan ? "generator" : "decoder", "safetensors"),
                  [&](const fs::path& p) { ExportFrozenModel(snap, p); });
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("The frozen model's network as PyTorch's nn.Sequential would hold it (README: Exporting "
                          "models)");
    }
    if (ImGui::MenuItem(snap.family == models::Family::Gan ? "Generator as ONNX" : "Decoder as ONNX", nullptr, false,
                        snap.model != nullptr))
    {
        RunExport(ExportPath(snap, snap.family == models::Family::Gan ? "generator" : "decoder", "onnx"),
                  [&](const fs::path& p) { ExportFrozenModel(snap, p); });
    }
    ImGui::Separator();
    ImGui::TextDisabled("to %s", ExportDir().string().c_str());
}

void FileMenu::ExportSamples(const train::Snapshot& snap)
{
    std::string name = SuggestedName(snap);
    name = name.substr(0, name.size() - 5) + "-samples"; // drop ".ckpt"
    const fs::path dir = StartFolder() / name;
    std::shared_ptr<const models::Model> frozen = snap.model;
    std::shared_ptr<const data::ImageDataset> like = snap.test_set;
    const std::uint64_t seed = snap.config ? snap.config->seed : 1;
    m_export = std::async(std::launch::async, [frozen, like, dir, seed]() {
        auto model = frozen->CloneForInference();
        Rng rng(seed);
        const eval::GeneratedImages images = eval::DrawImages(*model, kExportSamples, rng);
        io::WriteSampleSet(dir, images.x, images.labels, like->rows, like->cols, like->channels);
        return dir.string();
    });
}

void FileMenu::PollExport()
{
    if (!m_export.valid() || m_export.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    {
        return;
    }
    try
    {
        SetNote("exported samples to " + m_export.get());
    }
    catch (const std::exception& e)
    {
        ShowError(std::string("Samples not exported: ") + e.what());
    }
}

} // namespace ll::ui
