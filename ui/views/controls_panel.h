// The control panel: preset picker with its description, run buttons (Start / Pause / Step / Reset and the keys
// Space, S, R), the run's clock and status, the live hyperparameters (sent with Session::SetHyper) and the
// settings that apply on reset (edited in a pending ExperimentConfig, applied with Session::Load after Validate).
// Every numeric setting is a row of the hyperparameter table (core/models/hyperparams.h): label, tooltip, slider
// range and where it acts come from there, values from the snapshot's config.
// Main (ImGui) thread only; issues commands, never waits on the session.
#pragma once

#include "core/io/config_json.h"
#include "core/models/config.h"
#include "core/models/hyperparams.h"
#include "ui/lab_context.h"
#include "ui/views/network_table.h"

#include <imgui.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ll::ui
{

class ControlsPanel
{
public:
    ControlsPanel();

    // Loads a preset into the session (the picker, the app's --preset, File > Open): a name in the preset folder, or
    // the path of a preset file (one holding a '/' or ending in .json). False with PresetError() on failure, the
    // running experiment untouched.
    bool LoadPreset(train::Session& session, const std::string& name);
    const std::string& PresetError() const { return m_preset_error; }
    std::vector<std::string> PresetNames() const;

    // Draws the contents of the current window.
    void Draw(LabContext& ctx);
    // Space: start / pause, S: one step, R: reset (or apply pending settings) - unless a text field has the keyboard.
    void HandleKeys(LabContext& ctx);

    // What the Experiment section showed in the last frame (for tests): the pending config's network tables, where
    // their editable size cells were drawn, and why the last Apply was refused ("" when it was not).
    const std::vector<NetworkTable>& NetworkTables() const { return m_tables; }
    const std::vector<SizeCell>& SizeCells() const { return m_size_cells; }
    const std::string& ApplyError() const { return m_apply_error; }
    bool HasPendingChanges() const { return m_dirty; }

private:
    struct LiveEdit
    {
        float value = 0;
        bool active = false;
        std::uint64_t awaiting = 0; // SetHyper command id not yet reflected in the snapshot
    };
    void SyncPending(const train::Snapshot& snap);
    void DrawPresetPicker(LabContext& ctx);
    void DrawRunControls(LabContext& ctx);
    void DrawStatus(const train::Snapshot& snap);
    void DrawGanTeaching(LabContext& ctx);
    void DrawLiveHypers(LabContext& ctx);
    void LiveSlider(LabContext& ctx, const models::Hyperparam& h);
    void DrawResetSettings(LabContext& ctx);
    bool NetworkEditor(const char* id, std::size_t index, models::NetConfig& net, std::string& hidden_text,
                       const char* tooltip);
    bool TemplatePicker(models::ExperimentConfig& c); // the architecture templates; true when one was used
    bool OptimizerCombo(const char* label, nn::OptimizerConfig& opt);
    bool OnResetInputs(models::ExperimentConfig& c); // the table's on-reset rows that act on c
    void ApplyPending(LabContext& ctx);
    void ToggleRun(LabContext& ctx);
    void ResetRun(LabContext& ctx);

    std::filesystem::path m_preset_dir;
    std::vector<io::PresetInfo> m_presets;
    std::string m_preset_name;
    std::string m_preset_error;

    models::ExperimentConfig m_pending;
    std::shared_ptr<const models::ExperimentConfig> m_synced_from;
    bool m_dirty = false;
    std::string m_apply_error;
    std::string m_hidden_text[2]; // "512,256" for the two networks of the pending family
    // The pending config's network tables, recomputed when it changes (m_tables_for: the config they show).
    std::vector<NetworkTable> m_tables;
    models::ExperimentConfig m_tables_for;
    bool m_tables_valid = false;
    std::uint64_t m_tables_generation = 0; // counts recomputations of m_tables
    std::vector<SizeCell> m_size_cells;
    std::size_t m_template = 0;   // index into models::NetworkTemplates()
    std::uint64_t m_template_for = 0; // m_tables_generation the template choice was matched against
    int m_template_width = 0;     // its knob (0 = the template's default)
    std::string m_template_error; // why the last "Use" was refused
    std::map<std::string, LiveEdit> m_live;
    float m_slow_motion = 0;
};

namespace controls_detail
{
std::string JoinWidths(const std::vector<int>& widths); // {512, 256} -> "512,256"
// "512, 256" -> {512, 256}; false on anything but a comma-separated list of positive integers.
bool ParseWidths(const std::string& text, std::vector<int>& out);
bool Combo(const char* label, std::string& value, const std::vector<std::string>& items);

// A combo over an enum's name table (NamesOf), showing the values `shown` accepts (all when null).
template <typename E>
bool EnumCombo(const char* label, E& value, bool (*shown)(E) = nullptr)
{
    bool changed = false;
    if (ImGui::BeginCombo(label, util::NameOf(value).c_str()))
    {
        for (const E item : NamesOf(value).Values())
        {
            if (shown != nullptr && !shown(item))
            {
                continue;
            }
            if (ImGui::Selectable(util::NameOf(item).c_str(), item == value))
            {
                changed = item != value;
                value = item;
            }
        }
        ImGui::EndCombo();
    }
    return changed;
}
} // namespace controls_detail

} // namespace ll::ui
