// Checkpoint encoding and decoding: magic, version, length-prefixed JSON header, raw tensor data, CRC32 trailer.
// The decoder trusts nothing: every length is checked against the bytes present before it is used. Saving to and
// loading from files is in checkpoint_file.cpp.
#include "core/io/checkpoint.h"

#include "core/io/bounded_read.h"
#include "core/io/checkpoint_format.h"
#include "core/io/config_json.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ll::io
{

static_assert(std::endian::native == std::endian::little, "checkpoints store little-endian data as-is");

namespace
{

using Json = nlohmann::ordered_json; // keeps the order of keys (config fields, hyperparameters)

constexpr std::size_t kPreambleSize = 8 + 4 + 8; // magic, version, header length
constexpr std::size_t kTrailerSize = 4;          // CRC32
constexpr std::uint64_t kMaxHeaderBytes = kCheckpointHeaderLimits.max_bytes;
constexpr std::size_t kMaxTensors = 1 << 16; // a model has tens to hundreds; this bounds the table's work

std::size_t ElementSize(TensorType type)
{
    return type == TensorType::F32 ? 4 : 8;
}

TensorType ParseTensorType(const std::string& s)
{
    if (s == "f32") return TensorType::F32;
    if (s == "f64") return TensorType::F64;
    if (s == "i64") return TensorType::I64;
    throw std::runtime_error("unknown tensor dtype '" + s + "' (expected f32, f64 or i64)");
}

// CRC32 of bytes continuing from crc (0 to start).
std::uint32_t Crc32(std::string_view bytes, std::uint32_t start = 0)
{
    uLong crc = start;
    std::size_t done = 0;
    while (done < bytes.size())
    {
        const std::size_t chunk = std::min<std::size_t>(bytes.size() - done, std::size_t(1) << 30);
        crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), static_cast<uInt>(chunk));
        done += chunk;
    }
    return static_cast<std::uint32_t>(crc);
}

template <typename T>
void PutLe(std::string& out, T value)
{
    char buffer[sizeof(T)];
    std::memcpy(buffer, &value, sizeof(T));
    out.append(buffer, sizeof(T));
}

template <typename T>
T GetLe(std::string_view bytes, std::size_t at)
{
    T value;
    std::memcpy(&value, bytes.data() + at, sizeof(T));
    return value;
}

// 64-bit words as hex strings: exact in every JSON reader (doubles lose integers above 2^53).
std::string Hex(std::uint64_t v)
{
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(v));
    return buffer;
}

std::uint64_t ParseHex(const std::string& s)
{
    if (s.empty() || s.size() > 16 || s.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    {
        throw std::runtime_error("bad 64-bit hex word '" + s + "'");
    }
    return std::stoull(s, nullptr, 16);
}

// JSON numbers that may be NaN / Inf (events of untracked hyperparameters): null stands for NaN.
Json Number(double v)
{
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

double GetNumber(const Json& j)
{
    return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

template <typename T>
CheckpointTensor MakeTensor(std::string name, TensorType type, std::int64_t rows, std::int64_t cols, const T* values)
{
    CheckpointTensor t;
    t.name = std::move(name);
    t.type = type;
    t.rows = rows;
    t.cols = cols;
    t.bytes.assign(reinterpret_cast<const char*>(values), static_cast<std::size_t>(rows * cols) * sizeof(T));
    return t;
}

template <typename T>
std::vector<T> Values(const CheckpointTensor& t, TensorType want)
{
    if (t.type != want)
    {
        throw std::invalid_argument("tensor '" + t.name + "' is " + TensorTypeName(t.type) + ", expected " +
                                    TensorTypeName(want));
    }
    std::vector<T> out(t.bytes.size() / sizeof(T));
    if (!out.empty())
    {
        std::memcpy(out.data(), t.bytes.data(), out.size() * sizeof(T));
    }
    return out;
}

} // namespace

const char* TensorTypeName(TensorType type)
{
    switch (type)
    {
    case TensorType::F32: return "f32";
    case TensorType::F64: return "f64";
    case TensorType::I64: return "i64";
    }
    return "?";
}

CheckpointTensor CheckpointTensor::FromMatrix(std::string name, const nn::MatrixF& m)
{
    return MakeTensor(std::move(name), TensorType::F32, m.rows(), m.cols(), m.data());
}

CheckpointTensor CheckpointTensor::FromDoubles(std::string name, std::int64_t rows, std::int64_t cols,
                                               const std::vector<double>& values)
{
    if (static_cast<std::int64_t>(values.size()) != rows * cols)
    {
        throw std::invalid_argument("tensor '" + name + "': " + std::to_string(values.size()) + " values for " +
                                    std::to_string(rows) + " x " + std::to_string(cols));
    }
    return MakeTensor(std::move(name), TensorType::F64, rows, cols, values.data());
}

CheckpointTensor CheckpointTensor::FromInts(std::string name, const std::vector<std::int64_t>& values)
{
    return MakeTensor(std::move(name), TensorType::I64, static_cast<std::int64_t>(values.size()), 1, values.data());
}

void CheckpointTensor::ToMatrix(nn::MatrixF& out) const
{
    const std::vector<float> v = Values<float>(*this, TensorType::F32);
    out.resize(rows, cols);
    if (!v.empty())
    {
        std::memcpy(out.data(), v.data(), v.size() * sizeof(float));
    }
}

std::vector<double> CheckpointTensor::ToDoubles() const
{
    return Values<double>(*this, TensorType::F64);
}

std::vector<std::int64_t> CheckpointTensor::ToInts() const
{
    return Values<std::int64_t>(*this, TensorType::I64);
}

const CheckpointTensor* CheckpointData::Find(const std::string& name) const
{
    for (const auto& t : tensors)
    {
        if (t.name == name)
        {
            return &t;
        }
    }
    return nullptr;
}

namespace detail
{

std::string EncodeCheckpointFront(const CheckpointData& data)
{
    Json header;
    header["format"] = "latentlab-checkpoint";
    header["config"] = Json::parse(ConfigToJson(data.config));
    header["step"] = data.step;
    header["epoch"] = data.epoch;
    header["wall_seconds"] = Number(data.wall_seconds);
    Json rng;
    rng["s"] = Json::array();
    for (const std::uint64_t w : data.rng.s)
    {
        rng["s"].push_back(Hex(w));
    }
    rng["has_spare"] = data.rng.has_spare;
    rng["spare_bits"] = Hex(std::bit_cast<std::uint64_t>(data.rng.spare));
    header["rng"] = rng;
    header["iterator"] = data.has_iterator
                             ? Json{{"position", data.iterator_position}, {"epoch", data.iterator_epoch},
                                    {"permutation", "iterator/permutation"}}
                             : Json(nullptr);
    header["hypers"] = Json::object();
    for (const auto& [name, value] : data.hypers)
    {
        header["hypers"][name] = Number(value);
    }
    header["events"] = Json::array();
    for (const auto& e : data.events)
    {
        header["events"].push_back(
            {{"step", e.step}, {"name", e.name}, {"old", Number(e.old_value)}, {"new", Number(e.new_value)}});
    }
    header["optimizer_steps"] = data.optimizer_steps;
    header["history_series"] = data.history_series;
    header["tensors"] = Json::array();
    std::uint64_t offset = 0;
    for (const auto& t : data.tensors)
    {
        const std::uint64_t nbytes = static_cast<std::uint64_t>(t.rows * t.cols) * ElementSize(t.type);
        if (t.rows < 0 || t.cols < 0 || nbytes != t.bytes.size())
        {
            throw std::invalid_argument("checkpoint: tensor '" + t.name + "' holds " + std::to_string(t.bytes.size()) +
                                        " bytes, not " + std::to_string(t.rows) + " x " + std::to_string(t.cols));
        }
        header["tensors"].push_back({{"name", t.name},
                                     {"dtype", TensorTypeName(t.type)},
                                     {"shape", {t.rows, t.cols}},
                                     {"offset", offset},
                                     {"nbytes", nbytes}});
        offset += nbytes;
    }
    const std::string text = header.dump();

    std::string out;
    out.reserve(kPreambleSize + text.size());
    out.append(kCheckpointMagic, sizeof kCheckpointMagic);
    PutLe<std::uint32_t>(out, kCheckpointVersion);
    PutLe<std::uint64_t>(out, text.size());
    out += text;
    return out;
}

std::string EncodeCheckpointTrailer(std::string_view front, const CheckpointData& data)
{
    std::uint32_t crc = Crc32(front);
    for (const auto& t : data.tensors)
    {
        crc = Crc32(t.bytes, crc);
    }
    std::string trailer;
    PutLe<std::uint32_t>(trailer, crc);
    return trailer;
}

} // namespace detail

std::string EncodeCheckpoint(const CheckpointData& data)
{
    std::string out = detail::EncodeCheckpointFront(data);
    const std::string trailer = detail::EncodeCheckpointTrailer(out, data);
    std::size_t total = out.size() + kTrailerSize;
    for (const auto& t : data.tensors)
    {
        total += t.bytes.size();
    }
    out.reserve(total);
    for (const auto& t : data.tensors)
    {
        out += t.bytes;
    }
    out += trailer;
    return out;
}

namespace
{

// The file's frame: the magic, the version, the header's size and the CRC over everything before the trailer.
// Returns the header text; `data` is set to the tensor data section that follows it.
std::string_view CheckFrame(std::string_view bytes, std::string_view& data)
{
    if (bytes.size() < sizeof kCheckpointMagic || std::memcmp(bytes.data(), kCheckpointMagic, 8) != 0)
    {
        throw std::runtime_error("not a Latent Lab checkpoint (bad magic)");
    }
    if (bytes.size() < kPreambleSize + kTrailerSize)
    {
        throw std::runtime_error("truncated: " + std::to_string(bytes.size()) + " bytes");
    }
    const std::uint32_t version = GetLe<std::uint32_t>(bytes, 8);
    if (version != kCheckpointVersion)
    {
        throw std::runtime_error("unsupported version " + std::to_string(version) + " (this build reads version " +
                                 std::to_string(kCheckpointVersion) + ")");
    }
    const std::uint64_t header_size = GetLe<std::uint64_t>(bytes, 12);
    if (header_size > kMaxHeaderBytes || header_size > bytes.size() - kPreambleSize - kTrailerSize)
    {
        throw std::runtime_error("truncated or corrupt: header of " + std::to_string(header_size) +
                                 " bytes in a file of " + std::to_string(bytes.size()));
    }
    const std::uint32_t stored_crc = GetLe<std::uint32_t>(bytes, bytes.size() - kTrailerSize);
    const std::uint32_t crc = Crc32(bytes.substr(0, bytes.size() - kTrailerSize));
    if (crc != stored_crc)
    {
        throw std::runtime_error("checksum mismatch (file is corrupt or truncated; stored CRC32 " +
                                 Hex(stored_crc).substr(8) + ", computed " + Hex(crc).substr(8) + ")");
    }
    const std::size_t data_begin = kPreambleSize + header_size;
    data = bytes.substr(data_begin, bytes.size() - kTrailerSize - data_begin);
    return bytes.substr(kPreambleSize, header_size);
}

// The header's training state: config, counters, RNG, iterator, live settings, events, optimizer steps.
void ReadTrainingState(const Json& h, const std::string& source_name, CheckpointData& out)
{
    if (h.value("format", "") != "latentlab-checkpoint")
    {
        throw std::runtime_error("header format is not 'latentlab-checkpoint'");
    }
    out.config = ParseConfig(h.at("config").dump(4), source_name + ": config");
    out.step = h.at("step").get<std::int64_t>();
    out.epoch = h.at("epoch").get<std::int64_t>();
    if (out.step < 0 || out.epoch < 0)
    {
        throw std::runtime_error("negative step or epoch");
    }
    out.wall_seconds = GetNumber(h.at("wall_seconds"));
    const Json& rng = h.at("rng");
    if (rng.at("s").size() != 4)
    {
        throw std::runtime_error("rng.s must hold 4 words");
    }
    for (std::size_t i = 0; i < 4; ++i)
    {
        out.rng.s[i] = ParseHex(rng.at("s").at(i).get<std::string>());
    }
    out.rng.has_spare = rng.at("has_spare").get<bool>();
    out.rng.spare = std::bit_cast<double>(ParseHex(rng.at("spare_bits").get<std::string>()));
    const Json& it = h.at("iterator");
    out.has_iterator = !it.is_null();
    if (out.has_iterator)
    {
        out.iterator_position = it.at("position").get<std::int64_t>();
        out.iterator_epoch = it.at("epoch").get<std::int64_t>();
    }
    for (const auto& [name, value] : h.at("hypers").items())
    {
        out.hypers.emplace_back(name, GetNumber(value));
    }
    for (const Json& e : h.at("events"))
    {
        out.events.push_back({e.at("step").get<std::int64_t>(), e.at("name").get<std::string>(),
                              GetNumber(e.at("old")), GetNumber(e.at("new"))});
    }
    out.optimizer_steps = h.at("optimizer_steps").get<std::vector<std::int64_t>>();
    out.history_series = h.at("history_series").get<std::vector<std::string>>();
}

// The tensor table against the data section: every tensor's size matches its shape, the tensors lie back to back
// in table order, no name twice, and together they fill the section exactly.
void ReadTensors(const Json& table, std::string_view data, CheckpointData& out)
{
    if (!table.is_array() || table.size() > kMaxTensors)
    {
        throw std::runtime_error("the tensor table must be an array of at most " + std::to_string(kMaxTensors) +
                                 " entries");
    }
    const std::uint64_t data_size = data.size();
    std::uint64_t expected_offset = 0;
    std::unordered_set<std::string> names;
    for (const Json& t : table)
    {
        CheckpointTensor tensor;
        tensor.name = t.at("name").get<std::string>();
        tensor.type = ParseTensorType(t.at("dtype").get<std::string>());
        const Json& shape = t.at("shape");
        if (shape.size() != 2)
        {
            throw std::runtime_error("tensor '" + tensor.name + "': shape must be [rows, cols]");
        }
        tensor.rows = shape.at(0).get<std::int64_t>();
        tensor.cols = shape.at(1).get<std::int64_t>();
        const std::uint64_t offset = t.at("offset").get<std::uint64_t>();
        const std::uint64_t nbytes = t.at("nbytes").get<std::uint64_t>();
        const std::uint64_t limit = data_size / ElementSize(tensor.type);
        if (tensor.rows < 0 || tensor.cols < 0 ||
            (tensor.cols > 0 &&
             static_cast<std::uint64_t>(tensor.rows) > limit / static_cast<std::uint64_t>(tensor.cols)) ||
            nbytes != static_cast<std::uint64_t>(tensor.rows * tensor.cols) * ElementSize(tensor.type))
        {
            throw std::runtime_error("tensor '" + tensor.name + "': " + std::to_string(nbytes) +
                                     " bytes do not match its shape");
        }
        if (offset != expected_offset || nbytes > data_size - offset)
        {
            throw std::runtime_error("tensor '" + tensor.name + "': data at offset " + std::to_string(offset) +
                                     " is out of place or beyond the data section");
        }
        if (!names.insert(tensor.name).second)
        {
            throw std::runtime_error("tensor '" + tensor.name + "' appears twice");
        }
        tensor.bytes.assign(data.data() + offset, nbytes);
        expected_offset += nbytes;
        out.tensors.push_back(std::move(tensor));
    }
    if (expected_offset != data_size)
    {
        throw std::runtime_error("data section holds " + std::to_string(data_size) + " bytes, the tensor table " +
                                 std::to_string(expected_offset));
    }
}

} // namespace

CheckpointData DecodeCheckpoint(std::string_view bytes, const std::string& source_name)
{
    const auto fail = [&](const std::string& reason) {
        return std::runtime_error("checkpoint '" + source_name + "': " + reason);
    };
    std::string_view data;
    std::string_view text;
    try
    {
        text = CheckFrame(bytes, data);
    }
    catch (const std::runtime_error& e)
    {
        throw fail(e.what());
    }
    CheckpointData out;
    try
    {
        CheckJsonBounds(text, "header", kCheckpointHeaderLimits); // before anything recurses (dump, copies)
        const Json h = Json::parse(text);
        ReadTrainingState(h, source_name, out);
        ReadTensors(h.at("tensors"), data, out);
    }
    catch (const Json::exception& e)
    {
        throw fail(std::string("bad header: ") + e.what());
    }
    catch (const std::invalid_argument& e)
    {
        throw fail(e.what()); // the embedded config (ParseConfig names it)
    }
    catch (const std::out_of_range& e)
    {
        throw fail(std::string("bad header: ") + e.what());
    }
    catch (const std::runtime_error& e)
    {
        throw fail(std::string("bad header: ") + e.what());
    }
    return out;
}

} // namespace ll::io
