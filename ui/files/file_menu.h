// The File menu: Save / Save as / Load / Recent files / Autosave, Open (a data folder, a preset file or a
// checkpoint, by path: the lab window routes it), Export (metrics CSV, sample grid, reconstructions and an
// interpolation strip as PNG, the model as safetensors; see window_export.h), the shortcuts Ctrl+S, Ctrl+Shift+S and
// Ctrl+O, the file dialog, and the messages for what went wrong. Checkpoints are written and read by the session on its training
// thread (CheckpointOps); this UI-thread object never blocks on a checkpoint. Its settings (recent files, autosave
// interval) persist in ConfigDir()/settings.json; autosaves go to AutosaveDir(). Main (ImGui) thread only.
#pragma once

#include "ui/files/file_dialog.h"
#include "ui/files/file_ops.h"
#include "ui/files/file_store.h"
#include "ui/lab_context.h"

#include <chrono>
#include <filesystem>
#include <future>
#include <string>

namespace ll::ui
{

class FileMenu
{
public:
    FileMenu(); // reads the settings; a bad file is reported on the first frame and replaced by the defaults

    // Inside BeginMainMenuBar: the "File" menu.
    void DrawMenu(LabContext& ctx);
    // Inside BeginMainMenuBar, after the other menus: a short note ("saved x.ckpt", "autosave failed").
    void DrawNote();
    // Ctrl+S, Ctrl+Shift+S, Ctrl+O (not while the dialog is open).
    void HandleShortcuts(LabContext& ctx);
    // Once per frame, outside any window: results of checkpoint commands, autosave, the dialog, error messages.
    void Frame(LabContext& ctx);
    // True while the dialog or a message box has the keyboard (the lab's single-key shortcuts then stay off).
    bool Modal() const;

    void Save(LabContext& ctx);   // to the current file, or Save as when there is none
    void SaveAs(LabContext& ctx); // opens the dialog
    void Load(LabContext& ctx);   // opens the dialog
    // Queue a save / load of a given file, as the dialog or the recent list does (results come back in Frame).
    void SaveTo(const std::string& path) { m_ops.Request(CheckpointOps::Kind::Save, path); }
    void LoadFrom(const std::string& path) { m_ops.Request(CheckpointOps::Kind::Load, path); }
    bool Busy() const { return m_ops.Busy(); }
    const std::string& CurrentFile() const { return m_current; }
    const std::string& Error() const { return m_error; } // the message shown (or about to be), "" when none
    const RecentFiles& Recent() const { return m_recent; }
    // Opens the dialog in folder ("" = where Save as / Load would start) without a snapshot (the screenshot test).
    void OpenDialog(DialogMode mode, const std::filesystem::path& folder = {});
    // The path typed into "Open..." since the last call ("" when none): the lab window opens it.
    std::string TakeOpenRequest();
    // Shows a message box (an error of something the window did for the user).
    void Report(std::string message) { ShowError(std::move(message)); }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr nn::Index kExportSamples = 10000; // "Export samples" draws this many

    void DrawRecent(LabContext& ctx);
    // "Export samples": kExportSamples samples of the snapshot's frozen model (a clone, on a thread of its own, so the
    // window never waits) as IDX files and a PNG grid in a new folder beside the start folder (io::WriteSampleSet).
    void ExportSamples(const train::Snapshot& snap);
    void PollExport();
    void DrawExport(LabContext& ctx);
    void DrawOpenPrompt();
    // Runs one export, then says where it went (or why not).
    template <typename Fn>
    void RunExport(const std::filesystem::path& path, Fn&& write);
    void DrawAutosave(const train::Snapshot& snap);
    void SetAutosave(int minutes);
    void Autosave(const train::Snapshot& snap);
    void OnResult(const CheckpointOps::Result& r);
    void PersistSettings();
    void ShowError(std::string message);
    void SetNote(std::string note);
    std::filesystem::path StartFolder() const;
    std::string SuggestedName(const train::Snapshot& snap) const;

    CheckpointOps m_ops;
    FileDialog m_dialog;
    RecentFiles m_recent;
    AutosaveTimer m_autosave;
    int m_autosave_edit = 10;         // the minutes field
    std::string m_autosave_edit_error;
    bool m_autosave_failing = false;  // report an autosave failure once, until one succeeds
    std::string m_last_autosave;      // "path at step N"

    std::string m_current;            // the file Save writes to ("" = ask)
    std::uint64_t m_current_generation = 0;
    std::string m_error;              // shown in a message box (deferred while the dialog is open)
    bool m_error_open = false;
    bool m_open_prompt = false;       // "Open..." asks for a path
    bool m_open_shown = false;        // its prompt was drawn this frame (it has the keyboard)
    char m_open_buffer[1024] = {};
    std::string m_open_request;
    std::string m_note;
    Clock::time_point m_note_until{};
    std::future<std::string> m_export; // the folder written; throws what went wrong
};

} // namespace ll::ui
