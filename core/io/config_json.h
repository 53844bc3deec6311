// ExperimentConfig <-> JSON (nlohmann-json), and preset discovery under assets/presets.
// Parsing is strict: unknown keys (with a "did you mean" suggestion), wrong types and JSON syntax errors (with line
// and column) are refused with the file name and the key path; then models::Validate() checks the ranges.
// Missing keys keep the struct's defaults. Comments (// and /* */) are allowed in the JSON text.
#pragma once

#include "core/models/config.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ll::io
{

// Parses and validates a config. source_name prefixes every message ("gan-ring8.json: gan.g_opt: ...").
// Throws std::invalid_argument on syntax errors ("x.json:12:5: JSON syntax error: ..."), unknown keys, wrong types
// and Validate() failures.
models::ExperimentConfig ParseConfig(const std::string& text, const std::string& source_name);

// Reads and parses a file; std::runtime_error when it cannot be read.
models::ExperimentConfig LoadConfigFile(const std::filesystem::path& path);

// Every field, in declaration order, pretty-printed with 4 spaces (ParseConfig(ConfigToJson(c)) == c).
std::string ConfigToJson(const models::ExperimentConfig& config);

struct PresetInfo
{
    std::string name;             // the file stem, e.g. "gan-ring8" (the "name" field must match it)
    std::string description;      // the preset's teaching paragraph
    std::filesystem::path path;
    std::string error;            // non-empty when the file does not parse or validate (then description is empty)
};

// Every *.json file in dir, sorted by name. A broken preset is listed with its error instead of throwing, so one
// bad file does not hide the others. Throws std::runtime_error if dir is not a readable directory.
std::vector<PresetInfo> ListPresets(const std::filesystem::path& dir);

// Loads dir/<name>.json; throws std::invalid_argument (listing the available names) when there is no such preset.
models::ExperimentConfig LoadPreset(const std::string& name, const std::filesystem::path& dir);

// Where presets live: $LATENTLAB_PRESETS if set, else the source tree's assets/presets (LATENTLAB_ASSETS_DIR,
// defined by CMake), else /usr/share/latentlab/presets. Throws std::runtime_error naming the places tried.
std::filesystem::path FindPresetDir();

} // namespace ll::io
