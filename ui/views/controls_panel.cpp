// The control panel (see controls_panel.h).
#include "ui/views/controls_panel.h"

#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ll::ui
{

namespace
{

using controls_detail::JoinWidths;

std::string FormatDuration(double seconds)
{
    const long s = static_cast<long>(seconds);
    char text[32];
    std::snprintf(text, sizeof(text), "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return text;
}

} // namespace

ControlsPanel::ControlsPanel()
{
    try
    {
        m_preset_dir = io::FindPresetDir();
        m_presets = io::ListPresets(m_preset_dir);
    }
    catch (const std::exception& e)
    {
        m_preset_error = e.what();
    }
}

std::vector<std::string> ControlsPanel::PresetNames() const
{
    std::vector<std::string> names;
    for (const io::PresetInfo& p : m_presets)
    {
        names.push_back(p.name);
    }
    return names;
}

bool ControlsPanel::LoadPreset(train::Session& session, const std::string& name)
{
    try
    {
        // A path (with a folder or the .json ending) is a preset file; anything else a name in the preset folder.
        const bool file = name.find('/') != std::string::npos || name.ends_with(".json");
        const models::ExperimentConfig config = file ? io::LoadConfigFile(name) : io::LoadPreset(name, m_preset_dir);
        session.Load(config);
        m_preset_name = file ? config.name : name;
        m_preset_error.clear();
        m_dirty = false;
        m_synced_from.reset();
        m_apply_error.clear();
        return true;
    }
    catch (const std::exception& e)
    {
        m_preset_error = e.what();
        return false;
    }
}

void ControlsPanel::SyncPending(const train::Snapshot& snap)
{
    if (!snap.config || snap.config == m_synced_from)
    {
        return;
    }
    if (m_dirty)
    {
        // Settings being edited stay; the live ones follow the experiment in force, so Apply does not undo them.
        for (const models::Hyperparam& h : models::Hyperparams())
        {
            if (h.Live() && models::InFamily(h, snap.config->family))
            {
                models::PutHyper(h, m_pending, models::GetHyper(h, *snap.config));
            }
        }
        m_synced_from = snap.config;
        return;
    }
    m_pending = *snap.config;
    m_synced_from = snap.config;
    const bool gan = m_pending.family == models::Family::Gan;
    m_hidden_text[0] = JoinWidths(gan ? m_pending.gan.generator.hidden : m_pending.vae.encoder.hidden);
    m_hidden_text[1] = JoinWidths(gan ? m_pending.gan.discriminator.hidden : m_pending.vae.decoder.hidden);
}

void ControlsPanel::ToggleRun(LabContext& ctx)
{
    if (ctx.snapshot->status == train::Status::Running)
    {
        ctx.session->Pause();
    }
    else
    {
        ctx.session->Start();
    }
}

void ControlsPanel::ResetRun(LabContext& ctx)
{
    if (m_dirty)
    {
        ApplyPending(ctx);
    }
    else
    {
        ctx.session->Reset();
    }
}

void ControlsPanel::ApplyPending(LabContext& ctx)
{
    try
    {
        models::Validate(m_pending);
        ctx.session->Load(m_pending);
        m_dirty = false;
        m_synced_from.reset();
        m_apply_error.clear();
    }
    catch (const std::exception& e)
    {
        m_apply_error = e.what(); // the running experiment is untouched
    }
}

void ControlsPanel::HandleKeys(LabContext& ctx)
{
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput || io.KeyCtrl || io.KeyAlt || io.KeySuper)
    {
        return;
    }
    // The GLFW backend stores key states by GLFW key code, which is the ASCII code for these keys.
    if (ImGui::IsKeyPressed(' ', false))
    {
        ToggleRun(ctx);
    }
    if (ImGui::IsKeyPressed('S', true))
    {
        ctx.session->Step(1);
    }
    if (ImGui::IsKeyPressed('R', false))
    {
        ResetRun(ctx);
    }
}

void ControlsPanel::DrawPresetPicker(LabContext& ctx)
{
    const train::Snapshot& snap = *ctx.snapshot;
    ImGui::SetNextItemWidth(-1);
    // The experiment in force names itself (a loaded checkpoint carries its preset's name); before the first snapshot
    // of a load, the name asked for.
    const std::string& in_force = snap.config && !snap.config->name.empty() ? snap.config->name : m_preset_name;
    const std::string shown = in_force.empty() ? std::string("(choose a preset)") : in_force;
    if (ImGui::BeginCombo("##preset", shown.c_str()))
    {
        for (const io::PresetInfo& p : m_presets)
        {
            if (ImGui::Selectable(p.name.c_str(), p.name == in_force))
            {
                LoadPreset(*ctx.session, p.name);
            }
            if (ImGui::IsItemHovered())
            {
                ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 30, 0));
                ImGui::BeginTooltip();
                ImGui::TextWrapped("%s", p.error.empty() ? p.description.c_str() : p.error.c_str());
                ImGui::EndTooltip();
            }
        }
        ImGui::EndCombo();
    }
    ItemTooltip("Load a teaching preset: a complete experiment with a paragraph on what to watch.");
    if (!m_preset_error.empty())
    {
        ImGui::TextColored(ImVec4(1, 0.35f, 0.35f, 1), "%s", m_preset_error.c_str());
    }
    if (snap.config && !snap.config->description.empty() && ImGui::TreeNode("About this preset"))
    {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.82f, 0.84f, 0.88f, 1));
        ImGui::TextWrapped("%s", snap.config->description.c_str());
        ImGui::PopStyleColor();
        ImGui::TreePop();
    }
}

void ControlsPanel::DrawStatus(const train::Snapshot& snap)
{
    ImGui::TextColored(StatusColor(static_cast<int>(snap.status)), "%s", train::StatusName(snap.status));
    ItemTooltip("Running, paused, diverged (a value became NaN / Inf) or error (see the message).");
    ImGui::SameLine();
    ImGui::Text("step %lld   epoch %lld", static_cast<long long>(snap.step), static_cast<long long>(snap.epoch));
    ImGui::Text("%.1f steps/s   elapsed %s", snap.steps_per_second, FormatDuration(snap.wall_seconds).c_str());
    if (!snap.message.empty() && snap.status != train::Status::Running)
    {
        ImGui::PushStyleColor(ImGuiCol_Text, StatusColor(static_cast<int>(snap.status)));
        ImGui::TextWrapped("%s", snap.message.c_str());
        ImGui::PopStyleColor();
    }
    if (!snap.command_error.empty())
    {
        ImGui::TextColored(ImVec4(1, 0.5f, 0.3f, 1), "refused: %s", snap.command_error.c_str());
    }
}

void ControlsPanel::DrawRunControls(LabContext& ctx)
{
    const train::Snapshot& snap = *ctx.snapshot;
    const float w = (ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.0f;
    const bool running = snap.status == train::Status::Running;
    ImGui::PushStyleColor(ImGuiCol_Button, running ? ImVec4(0.55f, 0.42f, 0.12f, 1) : ImVec4(0.16f, 0.45f, 0.25f, 1));
    if (ImGui::Button(running ? "Pause" : "Start", ImVec2(w, 0)))
    {
        ToggleRun(ctx);
    }
    ImGui::PopStyleColor();
    ItemTooltip("Start or resume training, or pause it (key: Space).");
    ImGui::SameLine();
    if (ImGui::Button("Step", ImVec2(w, 0)))
    {
        ctx.session->Step(1);
    }
    ItemTooltip("Pause and train exactly one step (key: S, hold to repeat).");
    ImGui::SameLine();
    if (ImGui::Button(m_dirty ? "Apply" : "Reset", ImVec2(w, 0)))
    {
        ResetRun(ctx);
    }
    ItemTooltip(m_dirty ? "Rebuild the experiment with the changed settings (key: R)."
                        : "Start this experiment again from step 0 with the same seed (key: R).");
}

void ControlsPanel::DrawGanTeaching(LabContext& ctx)
{
    if (!ImGui::CollapsingHeader("GAN teaching"))
    {
        return;
    }
    const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2.0f;
    if (ImGui::Button("Step D only", ImVec2(w, 0)))
    {
        ctx.session->StepD(1);
    }
    ItemTooltip("One discriminator update with the generator frozen: watch the heatmap sharpen.");
    ImGui::SameLine();
    if (ImGui::Button("Step G only", ImVec2(w, 0)))
    {
        ctx.session->StepG(1);
    }
    ItemTooltip("One generator update against the frozen discriminator: watch the points follow the arrows.");
    ImGui::SliderFloat("slow motion", &m_slow_motion, 0.0f, 50.0f, m_slow_motion <= 0 ? "full speed" : "%.1f steps/s",
                       ImGuiSliderFlags_Logarithmic);
    if (ImGui::IsItemDeactivatedAfterEdit())
    {
        ctx.session->SetSlowMotion(m_slow_motion);
    }
    ItemTooltip("Limit training to this many steps per second so each update can be seen (0 = full speed).");
}

void ControlsPanel::LiveSlider(LabContext& ctx, const models::Hyperparam& h)
{
    const train::Snapshot& snap = *ctx.snapshot;
    LiveEdit& edit = m_live[h.name];
    if (edit.awaiting != 0 && snap.commands_applied >= edit.awaiting)
    {
        edit.awaiting = 0;
    }
    if (!edit.active && edit.awaiting == 0)
    {
        edit.value = static_cast<float>(models::GetHyper(h, *snap.config));
    }
    const bool log = h.scale == models::HyperScale::Log;
    const ImGuiSliderFlags flags = log ? ImGuiSliderFlags_Logarithmic : ImGuiSliderFlags_None;
    if (h.Integer())
    {
        int v = static_cast<int>(std::lround(edit.value));
        ImGui::SliderInt(h.label, &v, static_cast<int>(h.slider_lo), static_cast<int>(h.slider_hi), "%d", flags);
        edit.value = static_cast<float>(v);
    }
    else
    {
        ImGui::SliderFloat(h.label, &edit.value, static_cast<float>(h.slider_lo), static_cast<float>(h.slider_hi),
                           log && h.slider_hi <= 1.0 ? "%.2e" : "%.3g", flags);
    }
    edit.active = ImGui::IsItemActive();
    if (ImGui::IsItemDeactivatedAfterEdit())
    {
        edit.awaiting = ctx.session->SetHyper(h.name, edit.value);
        models::PutHyper(h, m_pending, edit.value); // the snapshot's config confirms it (SyncPending)
    }
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("%s (changes live; Ctrl+click to type a value in %s)", h.tooltip, h.RangeText().c_str());
    }
}

void ControlsPanel::DrawLiveHypers(LabContext& ctx)
{
    if (!ImGui::CollapsingHeader("Live settings", ImGuiTreeNodeFlags_DefaultOpen))
    {
        return;
    }
    const train::Snapshot& snap = *ctx.snapshot;
    if (!snap.config)
    {
        return;
    }
    // The family's live settings that act under the objective in force, in the table's order.
    for (const models::Hyperparam& h : models::Hyperparams())
    {
        if (h.Live() && *h.label != '\0' && models::ActsOn(h, *snap.config))
        {
            LiveSlider(ctx, h);
        }
    }
}

void ControlsPanel::Draw(LabContext& ctx)
{
    const train::Snapshot& snap = *ctx.snapshot;
    SyncPending(snap);
    ImGui::PushItemWidth(-ImGui::GetFontSize() * 9);
    DrawPresetPicker(ctx);
    ImGui::Separator();
    DrawRunControls(ctx);
    DrawStatus(snap);
    ImGui::Separator();
    if (snap.family == models::Family::Gan)
    {
        DrawGanTeaching(ctx);
    }
    DrawLiveHypers(ctx);
    DrawResetSettings(ctx);
    ImGui::PopItemWidth();
}

} // namespace ll::ui
