// A small file dialog of our own (ImGui has none): a modal with the folder, its entries (folders first, then .ckpt
// files), a path field, Up / Down to choose, Enter to open or confirm, and a question before overwriting a file. The
// logic is BrowseState (file_browse.h); this only draws it. Main (ImGui) thread only.
#pragma once

#include "ui/files/file_browse.h"

#include <filesystem>
#include <optional>
#include <string>

struct ImGuiInputTextCallbackData;

namespace ll::ui
{

class FileDialog
{
public:
    // Opens on the next Draw, in folder, with name in the path field.
    void Open(DialogMode mode, const std::filesystem::path& folder, const std::string& name);
    bool IsOpen() const { return m_open || m_open_request; }
    DialogMode Mode() const { return m_state.Mode(); }

    // Call once per frame outside any window. Returns the confirmed file (the dialog then closes).
    std::optional<std::filesystem::path> Draw();

private:
    static int TextCallback(ImGuiInputTextCallbackData* data);
    void DrawList();
    void Handle(BrowseState::Outcome outcome);
    void SetBuffer(const std::string& text);

    BrowseState m_state;
    bool m_open = false;
    bool m_open_request = false;
    bool m_focus_text = false;    // give the path field the keyboard on the next frame
    bool m_text_active = false;   // the path field had the keyboard last frame
    bool m_scroll_to_selection = false;
    bool m_done = false;
    char m_buffer[1024] = {};
};

} // namespace ll::ui
