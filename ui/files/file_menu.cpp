// The File menu (see file_menu.h).
#include "ui/files/file_menu.h"

#include "core/eval/judge_eval.h"
#include "core/io/sample_export.h"
#include "ui/files/window_export.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace ll::ui
{

namespace fs = std::filesystem;

namespace
{

constexpr const char* kErrorPopupId = "File error##file_menu";
constexpr std::chrono::seconds kNoteShown{5};
constexpr ll::nn::Index kExportSamples = 10000;

std::string FormatMinutes(double seconds)
{
    const long s = static_cast<long>(seconds);
    char text[32];
    std::snprintf(text, sizeof(text), "%ld:%02ld", s / 60, s % 60);
    return text;
}

} // namespace

FileMenu::FileMenu()
{
    std::string error;
    FileSettings settings;
    try
    {
        settings = LoadFileSettings(SettingsFile(), error);
    }
    catch (const std::exception& e) // no $HOME: nothing persists, the menu still works
    {
        error = std::string("Settings are not kept: ") + e.what();
    }
    m_recent.Assign(settings.recent);
    m_autosave.SetInterval(settings.autosave_minutes, Clock::now());
    if (settings.autosave_minutes > 0)
    {
        m_autosave_edit = settings.autosave_minutes;
    }
    if (!error.empty())
    {
        ShowError(error);
        PersistSettings(); // the defaults replace the bad file (kept aside as .bad)
    }
}

bool FileMenu::Modal() const { return m_dialog.IsOpen() || m_error_open || !m_error.empty() || m_open_shown; }

void FileMenu::ShowError(std::string message) { m_error = std::move(message); }

void FileMenu::SetNote(std::string note)
{
    m_note = std::move(note);
    m_note_until = Clock::now() + kNoteShown;
}

void FileMenu::PersistSettings()
{
    FileSettings settings;
    settings.autosave_minutes = m_autosave.Interval();
    settings.recent = m_recent.Items();
    try
    {
        SaveFileSettings(SettingsFile(), settings);
    }
    catch (const std::exception& e)
    {
        ShowError(std::string("Settings not saved: ") + e.what());
    }
}

fs::path FileMenu::StartFolder() const
{
    if (!m_current.empty())
    {
        return fs::path(m_current).parent_path();
    }
    if (!m_recent.Items().empty())
    {
        return fs::path(m_recent.Items().front()).parent_path();
    }
    std::error_code ec;
    return fs::current_path(ec);
}

std::string FileMenu::SuggestedName(const train::Snapshot& snap) const
{
    if (!m_current.empty())
    {
        return fs::path(m_current).filename().string();
    }
    const std::string name = snap.config ? snap.config->name : std::string("run");
    // AutosaveFileName makes the name safe for a file; keep that part only.
    std::string safe = AutosaveFileName(name);
    safe = safe.substr(9, safe.size() - 9 - 5); // drop "autosave-" and ".ckpt"
    return safe + "-step" + std::to_string(snap.step) + ".ckpt";
}

void FileMenu::Save(LabContext& ctx)
{
    if (!ctx.snapshot->config)
    {
        ShowError("Nothing to save: choose a preset first.");
        return;
    }
    if (m_current.empty() || ctx.snapshot->generation != m_current_generation)
    {
        SaveAs(ctx);
        return;
    }
    m_ops.Request(CheckpointOps::Kind::Save, m_current);
}

void FileMenu::SaveAs(LabContext& ctx)
{
    if (!ctx.snapshot->config)
    {
        ShowError("Nothing to save: choose a preset first.");
        return;
    }
    m_dialog.Open(DialogMode::Save, StartFolder(), SuggestedName(*ctx.snapshot));
}

void FileMenu::Load(LabContext&) { m_dialog.Open(DialogMode::Load, StartFolder(), ""); }

void FileMenu::OpenDialog(DialogMode mode, const fs::path& folder)
{
    train::Snapshot none;
    m_dialog.Open(mode, folder.empty() ? StartFolder() : folder, mode == DialogMode::Save ? SuggestedName(none) : "");
}

void FileMenu::HandleShortcuts(LabContext& ctx)
{
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.KeyCtrl || io.KeyAlt || Modal())
    {
        return;
    }
    // The GLFW backend stores key states by GLFW key code, which is the ASCII code for letters.
    if (ImGui::IsKeyPressed('S', false))
    {
        io.KeyShift ? SaveAs(ctx) : Save(ctx);
    }
    else if (ImGui::IsKeyPressed('O', false))
    {
        Load(ctx);
    }
}

void FileMenu::DrawMenu(LabContext& ctx)
{
    if (!ImGui::BeginMenu("File"))
    {
        return;
    }
    const train::Snapshot& snap = *ctx.snapshot;
    const bool have_run = snap.config != nullptr;
    if (ImGui::MenuItem("Save", "Ctrl+S", false, have_run))
    {
        Save(ctx);
    }
    if (ImGui::IsItemHovered() && !m_current.empty())
    {
        ImGui::SetTooltip("%s", m_current.c_str());
    }
    if (ImGui::MenuItem("Save as...", "Ctrl+Shift+S", false, have_run))
    {
        SaveAs(ctx);
    }
    if (ImGui::MenuItem("Load...", "Ctrl+O"))
    {
        Load(ctx);
    }
    DrawRecent(ctx);
    if (ImGui::MenuItem("Open data folder or preset..."))
    {
        m_open_prompt = true;
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("An MNIST-format IDX folder or an image folder (previewed in the Data view), a preset file\n"
                          "(.json) or a checkpoint (.ckpt). Dropping one on the window does the same.");
    }
    if (ImGui::BeginMenu("Export", have_run))
    {
        DrawExport(ctx);
        ImGui::EndMenu();
    }
    ImGui::Separator();
    const bool can_export = snap.model != nullptr && snap.test_set != nullptr && !m_export.valid();
    if (ImGui::MenuItem("Export samples (IDX + PNG)", nullptr, false, can_export))
    {
        ExportSamples(snap);
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("%lld samples of the model as train-images-idx3-ubyte (and train-labels-idx1-ubyte for a\n"
                          "conditional model, labels in turn) and samples.png, in a new folder beside your files:\n"
                          "a data set any MNIST loader reads. Same as latentlab sample.",
                          static_cast<long long>(kExportSamples));
    }
    ImGui::Separator();
    DrawAutosave(snap);
    ImGui::EndMenu();
}

std::string FileMenu::TakeOpenRequest()
{
    return std::exchange(m_open_request, std::string());
}

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

void FileMenu::DrawOpenPrompt()
{
    if (m_open_prompt)
    {
        ImGui::OpenPopup("Open##path");
        m_open_prompt = false;
    }
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    m_open_shown = ImGui::BeginPopupModal("Open##path", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
    if (!m_open_shown)
    {
        return;
    }
    ImGui::TextUnformatted("A data folder (MNIST-format IDX files, or images), a preset (.json) or a checkpoint:");
    if (ImGui::IsWindowAppearing())
    {
        ImGui::SetKeyboardFocusHere();
    }
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 36);
    const bool entered = ImGui::InputText("##open_path", m_open_buffer, sizeof m_open_buffer,
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    if ((ImGui::Button("Open", ImVec2(100, 0)) || entered) && m_open_buffer[0] != '\0')
    {
        m_open_request = m_open_buffer;
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel", ImVec2(100, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
    {
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void FileMenu::DrawRecent(LabContext& ctx)
{
    if (!ImGui::BeginMenu("Recent files", !m_recent.Items().empty()))
    {
        return;
    }
    std::string chosen;
    for (const std::string& item : m_recent.Items())
    {
        const fs::path p(item);
        std::error_code ec;
        const bool present = fs::is_regular_file(p, ec);
        const std::string label = present ? p.filename().string() : p.filename().string() + " (missing)";
        if (ImGui::MenuItem(label.c_str(), p.parent_path().string().c_str(), false, present))
        {
            chosen = item;
        }
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Remove missing files"))
    {
        if (m_recent.PruneMissing() > 0)
        {
            PersistSettings();
        }
    }
    if (ImGui::MenuItem("Clear list"))
    {
        m_recent.Assign({});
        PersistSettings();
    }
    ImGui::EndMenu();
    if (!chosen.empty())
    {
        m_ops.Request(CheckpointOps::Kind::Load, chosen);
    }
    (void)ctx;
}

void FileMenu::SetAutosave(int minutes)
{
    try
    {
        m_autosave.SetInterval(minutes, Clock::now());
        m_autosave_edit_error.clear();
        PersistSettings();
    }
    catch (const std::exception& e)
    {
        m_autosave_edit_error = e.what();
    }
}

void FileMenu::DrawAutosave(const train::Snapshot& snap)
{
    bool on = m_autosave.Interval() > 0;
    if (ImGui::Checkbox("Autosave every", &on))
    {
        SetAutosave(on ? m_autosave_edit : 0);
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3.5f);
    ImGui::InputInt("##autosave_minutes", &m_autosave_edit, 0, 0);
    if (ImGui::IsItemDeactivatedAfterEdit())
    {
        try
        {
            ValidateAutosaveMinutes(m_autosave_edit);
            if (m_autosave_edit == 0)
            {
                throw std::invalid_argument("autosave interval: expected 1..120 minutes, got 0 (untick the box "
                                            "to turn autosave off)");
            }
            m_autosave_edit_error.clear();
            if (on)
            {
                SetAutosave(m_autosave_edit);
            }
        }
        catch (const std::exception& e)
        {
            m_autosave_edit_error = e.what();
            m_autosave_edit = std::max(1, m_autosave.Interval()); // refused, not clamped: the old value stays
            if (m_autosave.Interval() == 0)
            {
                m_autosave_edit = 10;
            }
        }
    }
    ImGui::SameLine();
    ImGui::TextUnformatted("minutes");
    if (!m_autosave_edit_error.empty())
    {
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", m_autosave_edit_error.c_str());
    }
    if (on)
    {
        try
        {
            const std::string folder = AutosaveDir().string();
            const double left = m_autosave.SecondsLeft(Clock::now());
            if (snap.config)
            {
                ImGui::TextDisabled("next in %s to %s/%s", FormatMinutes(left).c_str(), folder.c_str(),
                                    AutosaveFileName(snap.config->name).c_str());
            }
            else
            {
                ImGui::TextDisabled("to %s", folder.c_str());
            }
        }
        catch (const std::exception& e)
        {
            ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", e.what());
        }
    }
    if (!m_last_autosave.empty())
    {
        ImGui::TextDisabled("last: %s", m_last_autosave.c_str());
    }
    if (ImGui::MenuItem("Load an autosave..."))
    {
        try
        {
            m_dialog.Open(DialogMode::Load, AutosaveDir(), "");
        }
        catch (const std::exception& e)
        {
            ShowError(e.what());
        }
    }
}

void FileMenu::Autosave(const train::Snapshot& snap)
{
    const auto now = Clock::now();
    if (!snap.config || m_ops.Busy() || !m_autosave.Due(now, snap.generation, snap.step))
    {
        return;
    }
    try
    {
        const fs::path folder = AutosaveDir();
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec)
        {
            throw std::runtime_error("cannot create the autosave folder '" + folder.string() + "': " + ec.message());
        }
        m_ops.Request(CheckpointOps::Kind::Autosave, (folder / AutosaveFileName(snap.config->name)).string());
    }
    catch (const std::exception& e)
    {
        m_autosave.MarkFailed(now);
        if (!m_autosave_failing)
        {
            ShowError(std::string("Autosave failed: ") + e.what() + "\nThe run continues; autosave tries again in " +
                      std::to_string(m_autosave.Interval()) + " minutes.");
        }
        m_autosave_failing = true;
    }
}

void FileMenu::OnResult(const CheckpointOps::Result& r)
{
    const std::string name = fs::path(r.path).filename().string();
    if (r.kind == CheckpointOps::Kind::Autosave)
    {
        if (r.ok)
        {
            m_autosave.MarkSaved(Clock::now(), r.generation, r.step);
            m_autosave_failing = false;
            m_last_autosave = name + " at step " + std::to_string(r.step);
            SetNote("autosaved " + name);
        }
        else
        {
            m_autosave.MarkFailed(Clock::now());
            if (!m_autosave_failing)
            {
                ShowError("Autosave failed: " + r.error + "\nThe run continues; autosave tries again in " +
                          std::to_string(m_autosave.Interval()) + " minutes.");
            }
            m_autosave_failing = true;
            SetNote("autosave failed");
        }
        return;
    }
    const bool save = r.kind == CheckpointOps::Kind::Save;
    if (!r.ok)
    {
        // The session's reason names the file already.
        ShowError(std::string(save ? "Could not save the checkpoint.\n" : "Could not load the checkpoint.\n") + r.error +
                  (save ? "\nThe run continues unchanged; nothing was written over."
                        : "\nThe running experiment continues unchanged."));
        return;
    }
    m_current = r.path;
    m_current_generation = r.generation;
    m_recent.Add(r.path);
    PersistSettings();
    SetNote(std::string(save ? "saved " : "loaded ") + name + " at step " + std::to_string(r.step));
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

void FileMenu::Frame(LabContext& ctx)
{
    PollExport();
    const train::Snapshot& snap = *ctx.snapshot;
    if (const auto result = m_ops.Poll(*ctx.session, snap))
    {
        OnResult(*result);
    }
    // A new run (a preset, a reset, a load of ours whose result is not in yet) is no longer the current file.
    if (!m_current.empty() && snap.generation != m_current_generation && !m_ops.InFlightIs(CheckpointOps::Kind::Load))
    {
        m_current.clear();
    }
    Autosave(snap);

    DrawOpenPrompt();
    if (const auto chosen = m_dialog.Draw())
    {
        const bool save = m_dialog.Mode() == DialogMode::Save;
        m_ops.Request(save ? CheckpointOps::Kind::Save : CheckpointOps::Kind::Load, chosen->string());
    }
    // One modal at a time: a message waits for the dialog to close (opening it would close the dialog).
    if (!m_error.empty() && !m_error_open && !m_dialog.IsOpen())
    {
        ImGui::OpenPopup(kErrorPopupId);
        m_error_open = true;
    }
    if (m_error_open)
    {
        const ImVec2 display = ImGui::GetIO().DisplaySize;
        ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
        if (ImGui::BeginPopupModal(kErrorPopupId, nullptr, ImGuiWindowFlags_AlwaysAutoResize))
        {
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40);
            ImGui::TextUnformatted(m_error.c_str());
            ImGui::PopTextWrapPos();
            ImGui::Spacing();
            if (ImGui::Button("OK", ImVec2(100, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter)) ||
                ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
            {
                ImGui::CloseCurrentPopup();
                m_error.clear();
                m_error_open = false;
            }
            ImGui::EndPopup();
        }
        else
        {
            m_error.clear();
            m_error_open = false;
        }
    }
}

void FileMenu::DrawNote()
{
    if (!m_ops.InFlightPath().empty())
    {
        ImGui::TextDisabled("%s %s...", m_ops.InFlightIs(CheckpointOps::Kind::Load) ? "loading" : "saving",
                            fs::path(m_ops.InFlightPath()).filename().string().c_str());
    }
    else if (!m_note.empty() && Clock::now() < m_note_until)
    {
        ImGui::TextDisabled("%s", m_note.c_str());
    }
    else if (!m_current.empty())
    {
        ImGui::TextDisabled("%s", fs::path(m_current).filename().string().c_str());
    }
}

} // namespace ll::ui
