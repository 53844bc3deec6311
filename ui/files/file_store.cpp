// The File menu's GL-free state (see file_store.h).
#include "ui/files/file_store.h"

#include "core/io/bounded_read.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace ll::ui
{

namespace fs = std::filesystem;

namespace
{

// $xdg_var, else $HOME/home_suffix; then /latentlab.
fs::path XdgDir(const char* xdg_var, const char* home_suffix)
{
    if (const char* xdg = std::getenv(xdg_var); xdg != nullptr && xdg[0] != '\0')
    {
        return fs::path(xdg) / "latentlab";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
    {
        return fs::path(home) / home_suffix / "latentlab";
    }
    throw std::runtime_error(std::string("neither $") + xdg_var + " nor $HOME is set: no folder for the lab's files");
}

std::string Normalise(const fs::path& path)
{
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec);
    if (ec)
    {
        abs = path;
    }
    return abs.lexically_normal().string();
}

// Bounded like every JSON the lab reads (io::kSettingsJsonLimits): a huge or odd file is refused, not read.
std::string ReadWhole(const fs::path& file)
{
    return io::ReadFileBounded(file, io::kSettingsJsonLimits.max_bytes, "settings");
}

} // namespace

fs::path ConfigDir() { return XdgDir("XDG_CONFIG_HOME", ".config"); }
fs::path DataDir() { return XdgDir("XDG_DATA_HOME", ".local/share"); }
fs::path AutosaveDir() { return DataDir() / "autosave"; }
fs::path SettingsFile() { return ConfigDir() / "settings.json"; }

std::string AutosaveFileName(const std::string& experiment_name)
{
    std::string name;
    for (const char c : experiment_name)
    {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_' || c == '.';
        name += keep ? c : '_';
    }
    // A name of dots alone would make "autosave-..ckpt"-like oddities; keep it readable.
    if (name.find_first_not_of('.') == std::string::npos)
    {
        name = "run";
    }
    return "autosave-" + name + ".ckpt";
}

void ValidateAutosaveMinutes(int minutes)
{
    if (minutes != 0 && (minutes < kAutosaveMinMinutes || minutes > kAutosaveMaxMinutes))
    {
        throw std::invalid_argument("autosave interval: expected " + std::to_string(kAutosaveMinMinutes) + ".." +
                                    std::to_string(kAutosaveMaxMinutes) + " minutes (or off), got " +
                                    std::to_string(minutes));
    }
}

void RecentFiles::Add(const fs::path& path)
{
    const std::string item = Normalise(path);
    m_items.erase(std::remove(m_items.begin(), m_items.end(), item), m_items.end());
    m_items.insert(m_items.begin(), item);
    if (m_items.size() > kRecentMax)
    {
        m_items.resize(kRecentMax);
    }
}

void RecentFiles::Remove(const fs::path& path)
{
    const std::string item = Normalise(path);
    m_items.erase(std::remove(m_items.begin(), m_items.end(), item), m_items.end());
}

std::size_t RecentFiles::PruneMissing()
{
    const std::size_t before = m_items.size();
    m_items.erase(std::remove_if(m_items.begin(), m_items.end(),
                                 [](const std::string& p)
                                 {
                                     std::error_code ec;
                                     return !fs::is_regular_file(p, ec);
                                 }),
                  m_items.end());
    return before - m_items.size();
}

void RecentFiles::Assign(const std::vector<std::string>& items)
{
    m_items.clear();
    for (const std::string& item : items)
    {
        if (item.empty())
        {
            continue;
        }
        const std::string normal = Normalise(item);
        if (std::find(m_items.begin(), m_items.end(), normal) == m_items.end() && m_items.size() < kRecentMax)
        {
            m_items.push_back(normal);
        }
    }
}

FileSettings ParseFileSettings(const std::string& text, const std::string& source)
{
    const std::string where = "settings '" + source + "': ";
    nlohmann::json j;
    try
    {
        j = io::ParseJsonBounded(text, "settings '" + source + "'", io::kSettingsJsonLimits); // depth, size, strings
    }
    catch (const std::invalid_argument& e)
    {
        throw std::runtime_error(e.what()); // "settings '<file>': invalid JSON: parse error at line 3, column 5: ..."
    }
    if (!j.is_object())
    {
        throw std::runtime_error(where + "expected a JSON object at the top level");
    }
    FileSettings settings;
    if (const auto it = j.find("autosave_minutes"); it != j.end())
    {
        if (!it->is_number_integer())
        {
            throw std::runtime_error(where + "\"autosave_minutes\" must be an integer, got " + it->dump());
        }
        const auto minutes = it->get<std::int64_t>();
        if (minutes != 0 && (minutes < kAutosaveMinMinutes || minutes > kAutosaveMaxMinutes))
        {
            throw std::runtime_error(where + "\"autosave_minutes\": expected 0 (off) or " +
                                     std::to_string(kAutosaveMinMinutes) + ".." + std::to_string(kAutosaveMaxMinutes) +
                                     ", got " + std::to_string(minutes));
        }
        settings.autosave_minutes = static_cast<int>(minutes);
    }
    if (const auto it = j.find("recent_files"); it != j.end())
    {
        if (!it->is_array())
        {
            throw std::runtime_error(where + "\"recent_files\" must be an array of paths");
        }
        for (std::size_t i = 0; i < it->size(); ++i)
        {
            const nlohmann::json& item = (*it)[i];
            if (!item.is_string())
            {
                throw std::runtime_error(where + "\"recent_files\"[" + std::to_string(i) + "] must be a string, got " +
                                         item.dump());
            }
            settings.recent.push_back(item.get<std::string>());
        }
        RecentFiles normalised;
        normalised.Assign(settings.recent);
        settings.recent = normalised.Items();
    }
    return settings;
}

FileSettings LoadFileSettings(const fs::path& file, std::string& error)
{
    error.clear();
    std::error_code ec;
    if (!fs::exists(file, ec))
    {
        return {};
    }
    try
    {
        std::string text;
        text = ReadWhole(file); // its messages name the file
        return ParseFileSettings(text, file.string());
    }
    catch (const std::exception& e)
    {
        error = e.what();
    }
    // Keep the bad file beside it, so writing the defaults back loses nothing the user may want to repair.
    fs::path bad = file;
    bad += ".bad";
    fs::rename(file, bad, ec);
    error += ec ? "; using the defaults (the file could not be set aside: " + ec.message() + ")"
                : "; using the defaults (the bad file was kept as '" + bad.filename().string() + "')";
    return {};
}

void SaveFileSettings(const fs::path& file, const FileSettings& settings)
{
    const std::string where = "settings '" + file.string() + "': ";
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec)
    {
        throw std::runtime_error(where + "cannot create the folder (" + ec.message() + ")");
    }
    nlohmann::json j = nlohmann::json::object();
    try
    {
        // Other parts of the lab may keep their own keys in this file: keep them.
        const nlohmann::json old = io::ParseJsonBounded(ReadWhole(file), file.string(), io::kSettingsJsonLimits);
        if (old.is_object())
        {
            j = old;
        }
    }
    catch (const std::exception&)
    {
        // Missing or unreadable: start afresh (LoadFileSettings already reported and set aside a bad file).
    }
    j["autosave_minutes"] = settings.autosave_minutes;
    j["recent_files"] = settings.recent;
    fs::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << j.dump(2) << '\n';
        out.flush();
        if (!out)
        {
            fs::remove(tmp, ec);
            throw std::runtime_error(where + "cannot write '" + tmp.string() + "'");
        }
    }
    fs::rename(tmp, file, ec);
    if (ec)
    {
        fs::remove(tmp, ec);
        throw std::runtime_error(where + "cannot replace the file (" + ec.message() + ")");
    }
}

void AutosaveTimer::SetInterval(int minutes, Clock::time_point now)
{
    ValidateAutosaveMinutes(minutes);
    m_minutes = minutes;
    m_since = now;
}

bool AutosaveTimer::Due(Clock::time_point now, std::uint64_t generation, std::int64_t step) const
{
    if (m_minutes == 0 || step <= 0 || (generation == m_saved_generation && step == m_saved_step))
    {
        return false;
    }
    return now - m_since >= std::chrono::minutes(m_minutes);
}

double AutosaveTimer::SecondsLeft(Clock::time_point now) const
{
    if (m_minutes == 0)
    {
        return -1;
    }
    const double left = std::chrono::duration<double>(m_since + std::chrono::minutes(m_minutes) - now).count();
    return std::max(0.0, left);
}

void AutosaveTimer::MarkSaved(Clock::time_point now, std::uint64_t generation, std::int64_t step)
{
    m_since = now;
    m_saved_generation = generation;
    m_saved_step = step;
}

void AutosaveTimer::MarkFailed(Clock::time_point now) { m_since = now; }

} // namespace ll::ui
