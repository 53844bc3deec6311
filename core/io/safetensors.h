// safetensors files (the Hugging Face format PyTorch, JAX and others load): an 8-byte little-endian header length,
// a JSON header naming each tensor's dtype, shape and [begin, end) byte range, then the raw little-endian row-major
// tensors, contiguous and in header order. A writer and a bounded reader; pure data and bytes, no shared state.
#pragma once

#include "core/util/enum_names.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll::io
{

inline constexpr std::uint64_t kMaxSafetensorsBytes = std::uint64_t{2} << 30;     // the whole file
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = std::uint64_t{16} << 20; // the JSON header
inline constexpr std::size_t kMaxSafetensorsTensors = 1 << 16;
inline constexpr std::size_t kMaxSafetensorsRank = 8;

enum class SafeDtype
{
    F32,
    F64,
    I64,
};
const util::EnumNames<SafeDtype>& NamesOf(SafeDtype); // "F32", "F64", "I64" (the format's spelling)
std::size_t DtypeSize(SafeDtype dtype);

// One tensor: row-major (C order) little-endian values of `shape` (an empty shape is a scalar: one value).
struct SafeTensor
{
    std::string name;
    SafeDtype dtype = SafeDtype::F32;
    std::vector<std::int64_t> shape;
    std::string bytes; // product(shape) * DtypeSize(dtype) bytes

    static SafeTensor FromFloats(std::string name, std::vector<std::int64_t> shape, const float* values);
    std::int64_t Elements() const; // product(shape)
    // The values as floats; throws std::invalid_argument naming the tensor when it is not F32.
    std::vector<float> ToFloats() const;
};

struct SafetensorsFile
{
    std::vector<std::pair<std::string, std::string>> metadata; // the header's "__metadata__": strings only
    std::vector<SafeTensor> tensors;                            // in file order

    const SafeTensor* Find(const std::string& name) const;      // nullptr when absent
    const std::string* Meta(const std::string& key) const;      // nullptr when absent
};

// The file's bytes: the header (keys in tensor order, "__metadata__" first, padded with spaces so that the data
// starts 8-byte aligned), then the data. Throws std::invalid_argument for an empty, duplicate or reserved
// ("__metadata__") name, a negative dimension, more than kMaxSafetensorsRank dimensions, or bytes that do not
// match the shape.
std::string EncodeSafetensors(const SafetensorsFile& file);

// Parses bytes, trusting nothing: the header length against the bytes present and kMaxSafetensorsHeaderBytes, the
// JSON bounded (depth, string lengths) before parsing, at most kMaxSafetensorsTensors tensors of known dtype and
// rank <= kMaxSafetensorsRank, every byte range matching its shape (no overflow) and the ranges covering the data
// exactly, without holes or overlaps. Throws std::runtime_error "safetensors '<source>': <reason>".
SafetensorsFile DecodeSafetensors(std::string_view bytes, const std::string& source_name);

// EncodeSafetensors, then an atomic write (a temporary file beside path renamed over it: nothing half-written).
void SaveSafetensorsFile(const std::filesystem::path& path, const SafetensorsFile& file);
// Reads at most kMaxSafetensorsBytes (checked with stat first) and decodes.
SafetensorsFile LoadSafetensorsFile(const std::filesystem::path& path);

} // namespace ll::io
