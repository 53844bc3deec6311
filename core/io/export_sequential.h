// The layer mapping behind the model export: a lab Sequential (channels-last columns) as the layers of the equivalent
// PyTorch nn.Sequential (NCHW), with the weight permutations that make the two compute the same. Pure function.
#pragma once

#include "core/io/model_export.h"
#include "core/nn/sequential.h"

#include <string>

namespace ll::io
{

// Fills network.layers, network.input and network.output from net (evaluation mode: BatchNorm's running statistics,
// spectral norm's frozen u, v). part names the network in errors: "discriminator layer 3 (reshape) cannot be
// exported: ...". Throws std::invalid_argument for a layer it cannot map.
void MapSequential(nn::Sequential<float> net, const std::string& part, ExportedNetwork& network);

} // namespace ll::io
