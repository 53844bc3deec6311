// One layer of a network's layer list <-> JSON, through the layer table (nn::LayerKinds) with no code per kind:
// {"conv": {"out": 64, "kernel": 4, "stride": 2, "pad": 1}}, {"linear": 1024}, {"reshape": [128, 7, 7]}, {"relu": {}}.
// The config reader and writer (config_json.cpp) call these for "layers"; pure functions.
#pragma once

#include "core/nn/network_spec.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace ll::io
{

// A layer list holds at most this many layers (checked before any is read).
inline constexpr std::size_t kMaxLayerListSize = 256;

// The kind and every argument that is required or not at its default (a kind without arguments: {"relu": {}}).
nlohmann::ordered_json LayerToJson(const nn::LayerSpec& spec);

// {"kind": value}: value an object by argument name, an array of the arguments in table order, or one bare value for
// the first argument. Throws std::invalid_argument "<path>.<kind>...: ..." (an unknown kind with a "did you mean").
nn::LayerSpec LayerFromJson(const nlohmann::ordered_json& j, const std::string& path);

} // namespace ll::io
