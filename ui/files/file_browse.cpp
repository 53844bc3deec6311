// The file dialog's model (see file_browse.h).
#include "ui/files/file_browse.h"

#include <unistd.h> // access(): whether this process may write a folder / read a file

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace ll::ui
{

namespace fs = std::filesystem;

namespace
{

std::string Lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// 'path', built by appending (GCC 12 warns falsely, -Wrestrict, on "literal" + std::string temporaries).
std::string Quoted(const fs::path& p)
{
    std::string q = "'";
    q += p.string();
    q += '\'';
    return q;
}

bool IsCkpt(const fs::path& p) { return Lower(p.extension().string()) == ".ckpt"; }

} // namespace

std::vector<DirEntry> ListFolder(const fs::path& folder)
{
    std::error_code ec;
    fs::directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
    if (ec)
    {
        throw std::runtime_error("cannot list folder " + Quoted(folder) + ": " + ec.message());
    }
    std::vector<DirEntry> dirs, files;
    for (; it != fs::directory_iterator(); it.increment(ec))
    {
        if (ec)
        {
            throw std::runtime_error("cannot list folder " + Quoted(folder) + ": " + ec.message());
        }
        const fs::path& p = it->path();
        const std::string name = p.filename().string();
        if (name.empty() || name[0] == '.')
        {
            continue;
        }
        std::error_code type_ec;
        if (it->is_directory(type_ec)) // follows symlinks: a linked folder is a folder
        {
            dirs.push_back({name, true, 0});
        }
        else if (it->is_regular_file(type_ec) && IsCkpt(p))
        {
            std::error_code size_ec;
            const std::uintmax_t size = it->file_size(size_ec);
            files.push_back({name, false, size_ec ? 0 : size});
        }
    }
    const auto by_name = [](const DirEntry& a, const DirEntry& b)
    {
        const std::string la = Lower(a.name), lb = Lower(b.name);
        return la != lb ? la < lb : a.name < b.name;
    };
    std::sort(dirs.begin(), dirs.end(), by_name);
    std::sort(files.begin(), files.end(), by_name);
    dirs.insert(dirs.end(), files.begin(), files.end());
    return dirs;
}

fs::path ResolveTyped(const std::string& typed, const fs::path& folder)
{
    fs::path p;
    const char* home = std::getenv("HOME");
    if (home != nullptr && home[0] != '\0' && (typed == "~" || typed.rfind("~/", 0) == 0))
    {
        p = fs::path(home) / typed.substr(std::min<std::size_t>(typed.size(), 2));
    }
    else
    {
        p = fs::path(typed);
    }
    if (p.is_relative())
    {
        p = folder / p;
    }
    return p.lexically_normal();
}

fs::path WithCkptExtension(const fs::path& path)
{
    if (path.has_filename() && !path.has_extension())
    {
        fs::path with = path;
        with += ".ckpt";
        return with;
    }
    return path;
}

std::string CheckSaveTarget(const fs::path& path)
{
    if (!path.has_filename() || path.filename() == "." || path.filename() == "..")
    {
        return "no file name given";
    }
    std::error_code ec;
    if (fs::is_directory(path, ec))
    {
        return Quoted(path) + " is a folder";
    }
    const fs::path parent = path.parent_path();
    if (!fs::exists(parent, ec))
    {
        return "folder " + Quoted(parent) + " does not exist";
    }
    if (!fs::is_directory(parent, ec))
    {
        return Quoted(parent) + " is not a folder";
    }
    // The checkpoint writer needs to create a temporary file beside the target, so the folder must be writable.
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
    {
        return "folder " + Quoted(parent) + " is not writable";
    }
    if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    {
        return Quoted(path) + " is not a regular file";
    }
    return "";
}

std::string CheckLoadTarget(const fs::path& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
    {
        return Quoted(path) + " does not exist";
    }
    if (fs::is_directory(path, ec))
    {
        return Quoted(path) + " is a folder";
    }
    if (!fs::is_regular_file(path, ec))
    {
        return Quoted(path) + " is not a regular file";
    }
    if (::access(path.c_str(), R_OK) != 0)
    {
        return Quoted(path) + " is not readable";
    }
    return "";
}

void BrowseState::Open(DialogMode mode, const fs::path& folder, const std::string& text)
{
    m_mode = mode;
    m_text = text;
    m_error.clear();
    m_chosen.clear();
    m_overwrite.clear();
    std::error_code ec;
    fs::path start = folder.empty() ? fs::current_path(ec) : fs::absolute(folder, ec).lexically_normal();
    while (!start.empty() && !fs::is_directory(start, ec) && start.has_relative_path())
    {
        start = start.parent_path();
    }
    if (start.empty() || !fs::is_directory(start, ec))
    {
        start = fs::current_path(ec);
    }
    m_folder = start;
    Refresh();
}

void BrowseState::Refresh()
{
    m_has_parent = m_folder.has_relative_path();
    m_selected = -1;
    try
    {
        m_entries = ListFolder(m_folder);
    }
    catch (const std::exception& e)
    {
        m_entries.clear();
        m_error = e.what();
    }
}

bool BrowseState::Navigate(const fs::path& folder)
{
    const fs::path target = (folder.is_relative() ? m_folder / folder : folder).lexically_normal();
    std::vector<DirEntry> entries;
    try
    {
        entries = ListFolder(target);
    }
    catch (const std::exception& e)
    {
        m_error = e.what();
        return false; // stay where we were, with its listing
    }
    // "/a/b/" normalises with an empty file name: drop it so that parent_path() goes up a level.
    m_folder = target.has_filename() || !target.has_relative_path() ? target : target.parent_path();
    m_entries = std::move(entries);
    m_has_parent = m_folder.has_relative_path();
    m_selected = -1;
    m_error.clear();
    return true;
}

bool BrowseState::GoUp() { return m_has_parent && Navigate(m_folder.parent_path()); }

DirEntry BrowseState::Row(std::size_t row) const
{
    if (m_has_parent)
    {
        if (row == 0)
        {
            return {"..", true, 0};
        }
        --row;
    }
    return m_entries.at(row);
}

void BrowseState::Select(int row)
{
    const int rows = static_cast<int>(Rows());
    m_selected = rows == 0 || row < 0 ? -1 : std::min(row, rows - 1);
    if (m_selected >= 0)
    {
        const DirEntry e = Row(static_cast<std::size_t>(m_selected));
        if (!e.is_dir)
        {
            m_text = e.name;
        }
    }
}

void BrowseState::Move(int delta)
{
    if (Rows() == 0)
    {
        return;
    }
    Select(m_selected < 0 ? (delta > 0 ? 0 : static_cast<int>(Rows()) - 1) : std::max(0, m_selected + delta));
}

BrowseState::Outcome BrowseState::Confirm()
{
    m_overwrite.clear();
    if (m_text.empty())
    {
        return m_selected >= 0 ? Activate(m_selected) : Outcome::None;
    }
    return ConfirmPath(ResolveTyped(m_text, m_folder));
}

BrowseState::Outcome BrowseState::Activate(int row)
{
    if (row < 0 || static_cast<std::size_t>(row) >= Rows())
    {
        return Outcome::None;
    }
    const DirEntry e = Row(static_cast<std::size_t>(row));
    if (e.is_dir)
    {
        const bool moved = e.name == ".." ? GoUp() : Navigate(e.name);
        return moved ? Outcome::Navigated : Outcome::Error;
    }
    m_text = e.name;
    return ConfirmPath(m_folder / e.name);
}

BrowseState::Outcome BrowseState::ConfirmPath(const fs::path& typed)
{
    std::error_code ec;
    if (fs::is_directory(typed, ec))
    {
        if (!Navigate(typed))
        {
            return Outcome::Error;
        }
        m_text.clear();
        return Outcome::Navigated;
    }
    fs::path path = typed;
    std::string why;
    if (m_mode == DialogMode::Save)
    {
        path = WithCkptExtension(path);
        why = CheckSaveTarget(path);
        if (why.empty() && fs::exists(path, ec))
        {
            m_overwrite = path;
            m_error.clear();
            return Outcome::AskOverwrite;
        }
    }
    else
    {
        why = CheckLoadTarget(path);
    }
    if (!why.empty())
    {
        m_error = (m_mode == DialogMode::Save ? "Cannot save: " : "Cannot load: ") + why;
        return Outcome::Error;
    }
    m_error.clear();
    m_chosen = path;
    return Outcome::Chosen;
}

BrowseState::Outcome BrowseState::ConfirmOverwrite()
{
    if (m_overwrite.empty())
    {
        return Outcome::None;
    }
    m_chosen = m_overwrite;
    m_overwrite.clear();
    return Outcome::Chosen;
}

void BrowseState::CancelOverwrite() { m_overwrite.clear(); }

} // namespace ll::ui
