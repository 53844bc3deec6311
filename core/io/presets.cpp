// Preset discovery (config_json.h): the preset folder ($LATENTLAB_PRESETS, the source tree's assets, the installed
// share folder), its listing with a broken file said instead of thrown, and loading one preset by name.
#include "core/io/config_json.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace ll::io
{

std::vector<PresetInfo> ListPresets(const std::filesystem::path& dir)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
    {
        throw std::runtime_error("preset folder '" + dir.string() + "': not a readable directory");
    }
    std::vector<PresetInfo> presets;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    {
        if (!entry.is_regular_file() || entry.path().extension() != ".json")
        {
            continue;
        }
        PresetInfo info;
        info.name = entry.path().stem().string();
        info.path = entry.path();
        try
        {
            const models::ExperimentConfig config = LoadConfigFile(entry.path());
            if (config.name != info.name)
            {
                throw std::invalid_argument(entry.path().filename().string() + ": name \"" + config.name +
                                            "\" does not match the file name (expected \"" + info.name + "\")");
            }
            info.description = config.description;
        }
        catch (const std::exception& e)
        {
            info.error = e.what();
        }
        presets.push_back(std::move(info));
    }
    if (ec)
    {
        throw std::runtime_error("preset folder '" + dir.string() + "': " + ec.message());
    }
    std::sort(presets.begin(), presets.end(),
              [](const PresetInfo& a, const PresetInfo& b) { return a.name < b.name; });
    return presets;
}

models::ExperimentConfig LoadPreset(const std::string& name, const std::filesystem::path& dir)
{
    const std::filesystem::path path = dir / (name + ".json");
    std::error_code ec;
    if (name.empty() || name.find('/') != std::string::npos || !std::filesystem::is_regular_file(path, ec))
    {
        std::string available;
        try
        {
            for (const PresetInfo& info : ListPresets(dir))
            {
                available += (available.empty() ? "" : ", ") + info.name;
            }
        }
        catch (const std::exception&)
        {
            available = "(none: '" + dir.string() + "' is not a readable directory)";
        }
        throw std::invalid_argument("no preset named \"" + name + "\" in '" + dir.string() + "'; available: " +
                                    available);
    }
    return LoadConfigFile(path);
}

std::filesystem::path FindPresetDir()
{
    std::error_code ec;
    if (const char* env = std::getenv("LATENTLAB_PRESETS"); env != nullptr && *env != '\0')
    {
        if (!std::filesystem::is_directory(env, ec))
        {
            throw std::runtime_error(std::string("LATENTLAB_PRESETS='") + env + "' is not a directory");
        }
        return env;
    }
    std::string tried;
#ifdef LATENTLAB_ASSETS_DIR
    const std::filesystem::path source_tree = std::filesystem::path(LATENTLAB_ASSETS_DIR) / "presets";
    if (std::filesystem::is_directory(source_tree, ec))
    {
        return source_tree;
    }
    tried += "'" + source_tree.string() + "', ";
#endif
    const std::filesystem::path installed = "/usr/share/latentlab/presets";
    if (std::filesystem::is_directory(installed, ec))
    {
        return installed;
    }
    tried += "'" + installed.string() + "'";
    throw std::runtime_error("no preset folder found: set LATENTLAB_PRESETS, or install presets (tried " + tried + ")");
}

} // namespace ll::io
