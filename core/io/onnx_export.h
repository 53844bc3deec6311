// ONNX export: an ExportedNetwork (model_export.h) as an ONNX ModelProto (opset 13), written with the lab's own
// protobuf encoder. Pure functions over their arguments: safe on any thread.
#pragma once

#include "core/io/model_export.h"

#include <filesystem>
#include <string>

namespace ll::io
{

inline constexpr std::int64_t kOnnxOpset = 13;
inline constexpr std::int64_t kOnnxIrVersion = 7; // the IR version of opset 13 (ONNX 1.8)
inline constexpr std::uint64_t kMaxOnnxBytes = std::uint64_t{2} << 30; // protobuf's 2 GiB message limit

// The model's bytes: one graph with input "input" (batch, ...) and output "output" (batch, ...), the batch dimension
// symbolic ("batch"), one node per layer (Gemm, Conv, ConvTranspose, BatchNormalization, Flatten, Reshape, Relu,
// LeakyRelu, Tanh, Sigmoid, Softplus, Identity, Resize), named "<i>.<kind>" after the Sequential's index; the
// tensors as float32 initializers named as in safetensors ("<i>.weight"), raw little-endian; the metadata as
// metadata_props. Throws std::invalid_argument for a layer kind it has no node for, or a model past kMaxOnnxBytes.
std::string EncodeOnnx(const ExportedNetwork& network);

// EncodeOnnx, then an atomic write (a temporary file beside path renamed over it: nothing half-written).
void SaveOnnxFile(const std::filesystem::path& path, const ExportedNetwork& network);

} // namespace ll::io
