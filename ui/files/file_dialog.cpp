// The file dialog (see file_dialog.h).
#include "ui/files/file_dialog.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace ll::ui
{

namespace
{

constexpr const char* kPopupId = "Checkpoint file##file_dialog";

std::string FormatSize(std::uintmax_t bytes)
{
    char text[32];
    if (bytes >= (1u << 20))
    {
        std::snprintf(text, sizeof(text), "%.1f MB", static_cast<double>(bytes) / (1 << 20));
    }
    else
    {
        std::snprintf(text, sizeof(text), "%.1f kB", static_cast<double>(bytes) / 1024);
    }
    return text;
}

bool KeyPressed(ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), true); }

} // namespace

void FileDialog::Open(DialogMode mode, const std::filesystem::path& folder, const std::string& name)
{
    m_state.Open(mode, folder, name);
    SetBuffer(name);
    m_open_request = true;
    m_focus_text = true;
    m_done = false;
}

void FileDialog::SetBuffer(const std::string& text)
{
    const std::size_t n = std::min(text.size(), sizeof(m_buffer) - 1);
    std::memcpy(m_buffer, text.data(), n);
    m_buffer[n] = '\0';
}

// Up / Down while typing in the path field move the selection, and the field shows the selected file's name.
int FileDialog::TextCallback(ImGuiInputTextCallbackData* data)
{
    auto* self = static_cast<FileDialog*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackHistory)
    {
        self->m_state.Move(data->EventKey == ImGuiKey_UpArrow ? -1 : 1);
        self->m_scroll_to_selection = true;
        data->DeleteChars(0, data->BufTextLen);
        data->InsertChars(0, self->m_state.Text().c_str());
    }
    return 0;
}

void FileDialog::Handle(BrowseState::Outcome outcome)
{
    switch (outcome)
    {
    case BrowseState::Outcome::Navigated:
        SetBuffer(m_state.Text());
        m_focus_text = true;
        break;
    case BrowseState::Outcome::Chosen: m_done = true; break;
    default: break;
    }
}

void FileDialog::DrawList()
{
    // Below the list: the path field, one line of message (two when it wraps), the buttons.
    const float footer = ImGui::GetFrameHeightWithSpacing() * 2 + ImGui::GetTextLineHeightWithSpacing() * 2;
    ImGui::BeginChild("entries", ImVec2(0, -footer), true);
    const float size_x = ImGui::GetContentRegionAvail().x - 80;
    for (std::size_t row = 0; row < m_state.Rows(); ++row)
    {
        const DirEntry e = m_state.Row(row);
        const bool selected = static_cast<int>(row) == m_state.Selected();
        ImGui::PushID(static_cast<int>(row));
        if (e.is_dir)
        {
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.55f, 0.75f, 1.0f, 1.0f));
        }
        const std::string label = e.is_dir ? e.name + "/" : e.name;
        if (ImGui::Selectable(label.c_str(), selected, ImGuiSelectableFlags_AllowDoubleClick))
        {
            m_state.Select(static_cast<int>(row));
            SetBuffer(m_state.Text());
            if (ImGui::IsMouseDoubleClicked(0))
            {
                Handle(m_state.Activate(static_cast<int>(row)));
            }
        }
        if (e.is_dir)
        {
            ImGui::PopStyleColor();
        }
        else
        {
            ImGui::SameLine(std::max(size_x, 200.0f));
            ImGui::TextDisabled("%s", FormatSize(e.size).c_str());
        }
        if (selected && m_scroll_to_selection)
        {
            ImGui::SetScrollHereY();
            m_scroll_to_selection = false;
        }
        ImGui::PopID();
    }
    if (m_state.Rows() <= (m_state.HasParentRow() ? 1u : 0u))
    {
        ImGui::TextDisabled("(no folders or .ckpt files here)");
    }
    ImGui::EndChild();
}

std::optional<std::filesystem::path> FileDialog::Draw()
{
    if (m_open_request)
    {
        ImGui::OpenPopup(kPopupId);
        m_open_request = false;
        m_open = true;
    }
    if (!m_open)
    {
        return std::nullopt;
    }
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowSize(ImVec2(std::min(680.0f, display.x - 40), std::min(460.0f, display.y - 40)),
                             ImGuiCond_Appearing);
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    // The theme's popups are translucent; a dialog over live plots must be readable.
    ImVec4 background = ImGui::GetStyleColorVec4(ImGuiCol_PopupBg);
    background.w = 1.0f;
    ImGui::PushStyleColor(ImGuiCol_PopupBg, background);
    const bool open = ImGui::BeginPopupModal(kPopupId, nullptr, ImGuiWindowFlags_NoSavedSettings);
    ImGui::PopStyleColor();
    if (!open)
    {
        m_open = false;
        return std::nullopt;
    }
    const bool save = m_state.Mode() == DialogMode::Save;
    ImGui::TextUnformatted(save ? "Save checkpoint" : "Load checkpoint");
    ImGui::SameLine();
    ImGui::TextDisabled("in %s", m_state.Folder().string().c_str());
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - 40));
    if (ImGui::Button("Up"))
    {
        Handle(m_state.GoUp() ? BrowseState::Outcome::Navigated : BrowseState::Outcome::Error);
    }

    const bool asking = !m_state.OverwritePath().empty();
    // The list takes Up / Down / Enter while the path field does not have the keyboard (the field handles them itself).
    if (!asking && !m_text_active && !m_focus_text)
    {
        if (KeyPressed(ImGuiKey_UpArrow) || KeyPressed(ImGuiKey_DownArrow))
        {
            m_state.Move(KeyPressed(ImGuiKey_UpArrow) ? -1 : 1);
            SetBuffer(m_state.Text());
            m_scroll_to_selection = true;
        }
        else if (KeyPressed(ImGuiKey_Enter) || KeyPressed(ImGuiKey_KeyPadEnter))
        {
            Handle(m_state.Selected() >= 0 ? m_state.Activate(m_state.Selected()) : m_state.Confirm());
        }
    }
    DrawList();

    ImGui::TextUnformatted(save ? "File:" : "Open:");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    if (m_focus_text && !asking)
    {
        ImGui::SetKeyboardFocusHere();
        m_focus_text = false;
    }
    if (!m_text_active && !m_focus_text)
    {
        SetBuffer(m_state.Text()); // a click in the list may have changed it
    }
    const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackHistory |
                                      (asking ? ImGuiInputTextFlags_ReadOnly : 0);
    const bool entered = ImGui::InputText("##path", m_buffer, sizeof(m_buffer), flags, &FileDialog::TextCallback, this);
    m_text_active = ImGui::IsItemActive();
    m_state.Text() = m_buffer;
    if (entered && !asking)
    {
        Handle(m_state.Confirm());
    }

    if (asking)
    {
        ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.35f, 1.0f), "'%s' exists. Overwrite it?",
                           m_state.OverwritePath().filename().string().c_str());
        if (ImGui::Button("Overwrite (Y)") || ImGui::IsKeyPressed('Y', false))
        {
            Handle(m_state.ConfirmOverwrite());
        }
        ImGui::SameLine();
        if (ImGui::Button("Keep it (N)") || ImGui::IsKeyPressed('N', false) || KeyPressed(ImGuiKey_Escape))
        {
            m_state.CancelOverwrite();
            m_focus_text = true;
        }
    }
    else if (!m_state.Error().empty())
    {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", m_state.Error().c_str());
        ImGui::PopTextWrapPos();
    }
    else
    {
        ImGui::TextDisabled(save ? "Up/Down: choose   Enter: open folder / save   Esc: cancel"
                                 : "Up/Down: choose   Enter: open folder / load   Esc: cancel");
    }

    if (!asking)
    {
        if (ImGui::Button(save ? "Save" : "Load", ImVec2(100, 0)))
        {
            Handle(m_state.Confirm());
        }
        ImGui::SameLine();
        if (ImGui::Button("Cancel", ImVec2(100, 0)) || (KeyPressed(ImGuiKey_Escape) && !m_done))
        {
            m_open = false;
        }
    }

    std::optional<std::filesystem::path> chosen;
    if (m_done)
    {
        chosen = m_state.Chosen();
        m_open = false;
        m_done = false;
    }
    if (!m_open)
    {
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
    return chosen;
}

} // namespace ll::ui
