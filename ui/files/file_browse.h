// The file dialog's GL-free model: folder listing (folders first, then .ckpt files), what a typed path means, and
// the save / load checks, as a small state machine the ImGui dialog (file_dialog.h) only draws. UI thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ll::ui
{

struct DirEntry
{
    std::string name;        // file name only
    bool is_dir = false;
    std::uintmax_t size = 0; // bytes, files only
};

// The sub-folders, then the files ending in ".ckpt" (any case), each group by name ignoring case; hidden entries
// (leading '.') are left out. Throws std::runtime_error "cannot list folder '<f>': <reason>".
std::vector<DirEntry> ListFolder(const std::filesystem::path& folder);

// What the user typed, as an absolute normalised path: "~" and "~/..." start at $HOME, a relative path starts at
// folder.
std::filesystem::path ResolveTyped(const std::string& typed, const std::filesystem::path& folder);

// Appends ".ckpt" when the file name has no extension.
std::filesystem::path WithCkptExtension(const std::filesystem::path& path);

// "" when a checkpoint may be written at path; else why not (no file name, a folder, its folder missing, not a folder,
// or not writable). An existing file is fine here: the dialog asks before overwriting it.
std::string CheckSaveTarget(const std::filesystem::path& path);
// "" when path is a readable regular file; else why not.
std::string CheckLoadTarget(const std::filesystem::path& path);

enum class DialogMode
{
    Save,
    Load,
};

// The dialog's state: a folder and its entries, the typed text, a selected row, a pending overwrite question, and
// the last error. Row 0 is ".." (the parent folder) unless the folder is a root.
class BrowseState
{
public:
    enum class Outcome
    {
        None,          // nothing to do (empty text and no selection)
        Navigated,     // moved into a folder
        AskOverwrite,  // Save onto an existing file: OverwritePath() waits for ConfirmOverwrite / CancelOverwrite
        Chosen,        // Chosen() holds the file to save to / load from
        Error,         // Error() says why; nothing chosen
    };

    // Opens at folder (the nearest existing parent when it is gone, else the working folder) with text in the field.
    void Open(DialogMode mode, const std::filesystem::path& folder, const std::string& text);
    DialogMode Mode() const { return m_mode; }

    // Lists the folder again (errors are kept in Error()).
    void Refresh();
    // Moves into a folder (absolute, or relative to the current one); false with Error() when it cannot be listed.
    bool Navigate(const std::filesystem::path& folder);
    bool GoUp();

    const std::filesystem::path& Folder() const { return m_folder; }
    bool HasParentRow() const { return m_has_parent; }
    std::size_t Rows() const { return m_entries.size() + (m_has_parent ? 1 : 0); }
    // The entry of a row; row 0 with a parent row is {"..", dir}.
    DirEntry Row(std::size_t row) const;
    int Selected() const { return m_selected; } // -1 = none

    // Selects a row (clamped; -1 clears); a file row also puts its name in the text field.
    void Select(int row);
    // Moves the selection by delta rows (Up = -1, Down = +1), from the top when nothing is selected.
    void Move(int delta);

    std::string& Text() { return m_text; }
    const std::string& Text() const { return m_text; }

    // Enter / OK: the typed text when there is any, else the selected row. A folder is entered; a file is checked
    // (Save: ".ckpt" added when there is no extension, writable folder, overwrite asked; Load: readable file).
    Outcome Confirm();
    // Enter or double click on a row: a folder is entered, a file is confirmed as if typed.
    Outcome Activate(int row);
    const std::filesystem::path& OverwritePath() const { return m_overwrite; }
    Outcome ConfirmOverwrite();
    void CancelOverwrite();

    const std::filesystem::path& Chosen() const { return m_chosen; }
    const std::string& Error() const { return m_error; }

private:
    Outcome ConfirmPath(const std::filesystem::path& path);

    DialogMode m_mode = DialogMode::Save;
    std::filesystem::path m_folder;
    std::vector<DirEntry> m_entries;
    bool m_has_parent = false;
    int m_selected = -1;
    std::string m_text;
    std::filesystem::path m_overwrite;
    std::filesystem::path m_chosen;
    std::string m_error;
};

} // namespace ll::ui
