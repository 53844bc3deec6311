// Where the lab keeps its own files (config dir, data dir, autosaves) and the GL-free state behind the File menu:
// the recent-files list, the settings file (JSON), the autosave interval and its timer. Plain values owned by the
// UI thread; no ImGui, so tests/ui checks them without a display.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ll::ui
{

// $XDG_CONFIG_HOME/latentlab, else $HOME/.config/latentlab (not created). Throws std::runtime_error when neither
// variable is set.
std::filesystem::path ConfigDir();
// $XDG_DATA_HOME/latentlab, else $HOME/.local/share/latentlab (not created). Throws like ConfigDir.
std::filesystem::path DataDir();
// DataDir() / "autosave".
std::filesystem::path AutosaveDir();
// ConfigDir() / "settings.json".
std::filesystem::path SettingsFile();

// "autosave-<name>.ckpt", the experiment name reduced to letters, digits, '-', '_' and '.' ("run" when empty).
std::string AutosaveFileName(const std::string& experiment_name);

inline constexpr std::size_t kRecentMax = 8;
inline constexpr int kAutosaveMinMinutes = 1;
inline constexpr int kAutosaveMaxMinutes = 120;

// 0 (off) or kAutosaveMinMinutes..kAutosaveMaxMinutes; anything else throws std::invalid_argument with the range.
void ValidateAutosaveMinutes(int minutes);

// The last kRecentMax checkpoint files, most recent first, as absolute normalised paths without duplicates.
class RecentFiles
{
public:
    void Add(const std::filesystem::path& path);    // moves it to the front (added or already listed)
    void Remove(const std::filesystem::path& path); // no-op when absent
    std::size_t PruneMissing();                     // drops entries that are no longer regular files; returns how many
    void Assign(const std::vector<std::string>& items); // normalises, removes duplicates, keeps the first kRecentMax
    const std::vector<std::string>& Items() const { return m_items; }

private:
    std::vector<std::string> m_items;
};

struct FileSettings
{
    int autosave_minutes = 0;        // 0 = off
    std::vector<std::string> recent; // most recent first
};

// Parses the settings JSON ({"autosave_minutes": N, "recent_files": [...]}, both optional; other keys ignored).
// Throws std::runtime_error "settings '<source>': <reason>" (with line and column for a syntax error).
FileSettings ParseFileSettings(const std::string& text, const std::string& source);

// Reads the settings file. A missing file gives the defaults and no error. An unreadable, corrupt or invalid file
// gives the defaults and sets error (the file, the reason, what happened); the bad file is renamed to
// "<file>.bad" so that nothing the user had is lost when the defaults are written back. Never throws.
FileSettings LoadFileSettings(const std::filesystem::path& file, std::string& error);

// Writes the settings (creating the folder), keeping any other top-level keys a valid existing file has; atomic
// (a temporary file renamed over the old one). Throws std::runtime_error naming the file.
void SaveFileSettings(const std::filesystem::path& file, const FileSettings& settings);

// When to autosave: every interval of wall time, and only when the run moved on since the last autosave (a paused
// run is not written again and again). A failed attempt waits one more interval rather than retrying every frame.
class AutosaveTimer
{
public:
    using Clock = std::chrono::steady_clock;

    // 0 = off; validated (ValidateAutosaveMinutes). Restarts the countdown from now.
    void SetInterval(int minutes, Clock::time_point now);
    int Interval() const { return m_minutes; }
    // True when on, a full interval has passed since the last autosave (or the setting), and (generation, step)
    // differs from the last one saved with step > 0.
    bool Due(Clock::time_point now, std::uint64_t generation, std::int64_t step) const;
    // Seconds until the interval is over (0 when over; negative when off).
    double SecondsLeft(Clock::time_point now) const;
    void MarkSaved(Clock::time_point now, std::uint64_t generation, std::int64_t step);
    void MarkFailed(Clock::time_point now);

private:
    int m_minutes = 0;
    Clock::time_point m_since{};
    std::uint64_t m_saved_generation = ~std::uint64_t{0};
    std::int64_t m_saved_step = -1;
};

} // namespace ll::ui
