// The File menu's autosave (file_menu.h): the interval setting in the menu with the time to the next one, and the
// save itself when it is due (through the session, like any save; failures back off and are said once).
// Main (ImGui) thread only.
#include "ui/files/file_menu.h"

#include <imgui.h>

#include <cstdio>

namespace ll::ui
{

namespace fs = std::filesystem;

namespace
{

std::string FormatMinutes(double seconds)
{
    const long s = static_cast<long>(seconds);
    char text[32];
    std::snprintf(text, sizeof(text), "%ld:%02ld", s / 60, s % 60);
    return text;
}

} // namespace

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

} // namespace ll::ui
