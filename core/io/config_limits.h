// Caps on the free-text fields of an experiment config (name, description, data folder), checked after parsing
// and before anything echoes, stores or opens them. Pure functions, any thread.
#pragma once

#include "core/models/config.h"

#include <cstddef>

namespace ll::io
{

inline constexpr std::size_t kMaxConfigNameBytes = 128;             // a preset name, shown in titles and files
inline constexpr std::size_t kMaxConfigDescriptionBytes = 16 << 10; // the teaching paragraph (presets: < 1.5 KB)
inline constexpr std::size_t kMaxConfigDirBytes = 4096;             // PATH_MAX on Linux

// Throws std::invalid_argument "<key>: <n> bytes, at most <cap>" for the first field over its cap; a name with a
// control character (newline, escape, NUL) is refused too, since it is echoed to terminals and used in file names.
void CheckConfigStrings(const models::ExperimentConfig& config);

} // namespace ll::io
