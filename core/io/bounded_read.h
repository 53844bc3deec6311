// Bounded reading: every file the lab reads goes through ReadFileBounded (its size checked against a cap before a
// byte is read) and every JSON text through CheckJsonBounds / ParseJsonBounded (size, nesting depth and string
// lengths checked by one linear pre-scan before nlohmann's parser, its serializer or our own walks recurse).
// Pure functions, no shared state: safe on any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace ll::io
{

// What one JSON text may hold. The depth counts open brackets ({ and [) outside strings and comments.
struct JsonLimits
{
    std::uint64_t max_bytes = std::uint64_t{1} << 20; // the whole text
    int max_depth = 64;                               // presets need 3, checkpoint headers 4
    std::uint64_t max_string_bytes = 64 << 10;        // one string, as written (escapes counted as written)
    bool allow_comments = false;                      // skip // and /* */ as nlohmann's ignore_comments does
};

// Presets and experiment configs (a preset is about 3 KB; comments allowed).
inline constexpr JsonLimits kConfigJsonLimits{std::uint64_t{1} << 20, 64, 64 << 10, true};
// The window's settings.json and other small JSON files of the lab.
inline constexpr JsonLimits kSettingsJsonLimits{std::uint64_t{1} << 20, 64, 64 << 10, false};
// A checkpoint's JSON header (config, hyperparameters, event log, tensor table).
inline constexpr JsonLimits kCheckpointHeaderLimits{std::uint64_t{64} << 20, 64, 64 << 10, false};

// Reads a whole regular file of at most max_bytes. `what` names the kind of file in messages ("config file",
// "checkpoint"). Throws std::runtime_error "<what> '<path>': <reason>" when it does not exist, is a folder or a
// device, is larger than max_bytes (checked with stat before reading, and again while reading, for files that
// grow), cannot be opened or read.
std::string ReadFileBounded(const std::filesystem::path& path, std::uint64_t max_bytes, const std::string& what);

// The linear pre-scan. Throws std::invalid_argument "<source>: ..." (with line and column where one applies) when
// the text is larger than limits.max_bytes, nests deeper than limits.max_depth, or holds a string longer than
// limits.max_string_bytes. Syntax errors are left to the parser; the scan never recurses and never allocates.
void CheckJsonBounds(std::string_view text, const std::string& source_name, const JsonLimits& limits);

// CheckJsonBounds, then nlohmann's parser. Syntax errors throw std::invalid_argument "<source>: invalid JSON: ...".
nlohmann::json ParseJsonBounded(std::string_view text, const std::string& source_name, const JsonLimits& limits);

// The one entry point for a JSON file: ReadFileBounded (limits.max_bytes) + ParseJsonBounded. File errors throw
// std::runtime_error, content errors std::invalid_argument; both name the file.
nlohmann::json ReadJsonFile(const std::filesystem::path& path, const JsonLimits& limits);

// The 1-based line and column of a 0-based byte offset (clamped to the text's end), for "<source>:<line>:<col>: ".
std::pair<std::size_t, std::size_t> LineColumn(std::string_view text, std::size_t offset);

// "1.5 MiB", "64 KiB", "512 bytes": sizes in messages.
std::string ByteSizeText(std::uint64_t bytes);

} // namespace ll::io
