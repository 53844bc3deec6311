// safetensors writing and bounded reading. The decoder checks every length and offset against the bytes present
// before it uses it, and the header's JSON against its bounds before nlohmann's parser sees it.
#include "core/io/safetensors.h"

#include "core/io/bounded_read.h"
#include "core/io/image_io.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

namespace ll::io
{

static_assert(std::endian::native == std::endian::little, "safetensors stores little-endian data as-is");

namespace
{

// The header needs depth 3 ({"t": {"shape": [..]}}); strings are names, dtypes and metadata values (a config).
constexpr JsonLimits kHeaderLimits{kMaxSafetensorsHeaderBytes, 8, std::uint64_t{1} << 20, false};

std::string ShapeText(const std::vector<std::int64_t>& shape)
{
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
    {
        out += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return out + "]";
}

// product(shape) * element size, or false when a dimension is negative or the product passes limit.
bool ByteCount(const std::vector<std::int64_t>& shape, std::size_t element, std::uint64_t limit, std::uint64_t& out)
{
    std::uint64_t n = element;
    for (const std::int64_t d : shape)
    {
        if (d < 0)
        {
            return false;
        }
        if (d != 0 && n > limit / static_cast<std::uint64_t>(d))
        {
            return false;
        }
        n *= static_cast<std::uint64_t>(d);
    }
    out = n;
    return n <= limit;
}

// A JSON number that is a whole, non-negative integer (nlohmann parses "1.0" as a float, "-1" as signed).
bool GetCount(const nlohmann::json& j, std::uint64_t& out)
{
    if (j.is_number_unsigned())
    {
        out = j.get<std::uint64_t>();
        return true;
    }
    if (j.is_number_integer() && j.get<std::int64_t>() >= 0)
    {
        out = static_cast<std::uint64_t>(j.get<std::int64_t>());
        return true;
    }
    return false;
}

} // namespace

const util::EnumNames<SafeDtype>& NamesOf(SafeDtype)
{
    static const util::EnumNames<SafeDtype> names{
        {SafeDtype::F32, "F32"},
        {SafeDtype::F64, "F64"},
        {SafeDtype::I64, "I64"},
    };
    return names;
}

std::size_t DtypeSize(SafeDtype dtype)
{
    return dtype == SafeDtype::F32 ? 4 : 8;
}

SafeTensor SafeTensor::FromFloats(std::string name, std::vector<std::int64_t> shape, const float* values)
{
    SafeTensor t;
    t.name = std::move(name);
    t.dtype = SafeDtype::F32;
    t.shape = std::move(shape);
    const std::int64_t n = t.Elements();
    t.bytes.assign(reinterpret_cast<const char*>(values), static_cast<std::size_t>(n) * sizeof(float));
    return t;
}

std::int64_t SafeTensor::Elements() const
{
    std::int64_t n = 1;
    for (const std::int64_t d : shape)
    {
        n *= d;
    }
    return n;
}

std::vector<float> SafeTensor::ToFloats() const
{
    if (dtype != SafeDtype::F32)
    {
        throw std::invalid_argument("tensor '" + name + "' is " + util::NameOf(dtype) + ", expected F32");
    }
    std::vector<float> out(bytes.size() / sizeof(float));
    if (!out.empty())
    {
        std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
    }
    return out;
}

const SafeTensor* SafetensorsFile::Find(const std::string& name) const
{
    for (const SafeTensor& t : tensors)
    {
        if (t.name == name)
        {
            return &t;
        }
    }
    return nullptr;
}

const std::string* SafetensorsFile::Meta(const std::string& key) const
{
    for (const auto& [k, v] : metadata)
    {
        if (k == key)
        {
            return &v;
        }
    }
    return nullptr;
}

std::string EncodeSafetensors(const SafetensorsFile& file)
{
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!file.metadata.empty())
    {
        nlohmann::ordered_json meta = nlohmann::ordered_json::object();
        for (const auto& [k, v] : file.metadata)
        {
            meta[k] = v;
        }
        header["__metadata__"] = std::move(meta);
    }
    std::set<std::string> names;
    std::uint64_t offset = 0;
    for (const SafeTensor& t : file.tensors)
    {
        const auto fail = [&](const std::string& reason) {
            return std::invalid_argument("safetensors: tensor '" + t.name + "': " + reason);
        };
        if (t.name.empty() || t.name == "__metadata__")
        {
            throw fail("the name is empty or reserved");
        }
        if (!names.insert(t.name).second)
        {
            throw fail("the name appears twice");
        }
        if (t.shape.size() > kMaxSafetensorsRank)
        {
            throw fail(std::to_string(t.shape.size()) + " dimensions (at most " + std::to_string(kMaxSafetensorsRank) +
                       ")");
        }
        std::uint64_t size = 0;
        if (!ByteCount(t.shape, DtypeSize(t.dtype), kMaxSafetensorsBytes, size) || size != t.bytes.size())
        {
            throw fail("shape " + ShapeText(t.shape) + " " + util::NameOf(t.dtype) + " does not match its " +
                       std::to_string(t.bytes.size()) + " bytes");
        }
        header[t.name] = {{"dtype", util::NameOf(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + size}}};
        offset += size;
    }
    std::string text = header.dump();
    text.append((8 - (8 + text.size()) % 8) % 8, ' '); // the data starts 8-byte aligned
    std::string out;
    out.reserve(8 + text.size() + offset);
    const std::uint64_t length = text.size();
    char prefix[8];
    std::memcpy(prefix, &length, 8);
    out.append(prefix, 8);
    out += text;
    for (const SafeTensor& t : file.tensors)
    {
        out += t.bytes;
    }
    return out;
}

SafetensorsFile DecodeSafetensors(std::string_view bytes, const std::string& source_name)
{
    const auto fail = [&](const std::string& reason) {
        return std::runtime_error("safetensors '" + source_name + "': " + reason);
    };
    if (bytes.size() < 8)
    {
        throw fail("file of " + std::to_string(bytes.size()) + " bytes is shorter than the 8-byte header length");
    }
    std::uint64_t header_length = 0;
    std::memcpy(&header_length, bytes.data(), 8);
    if (header_length > kMaxSafetensorsHeaderBytes)
    {
        throw fail("header of " + std::to_string(header_length) + " bytes is larger than the limit of " +
                   ByteSizeText(kMaxSafetensorsHeaderBytes));
    }
    if (header_length > bytes.size() - 8)
    {
        throw fail("header of " + std::to_string(header_length) + " bytes runs past the end of the file (" +
                   std::to_string(bytes.size()) + " bytes)");
    }
    const std::string_view text = bytes.substr(8, static_cast<std::size_t>(header_length));
    const std::string_view data = bytes.substr(8 + static_cast<std::size_t>(header_length));
    nlohmann::json header;
    try
    {
        header = ParseJsonBounded(text, "header", kHeaderLimits);
    }
    catch (const std::invalid_argument& e)
    {
        throw fail(e.what());
    }
    if (!header.is_object())
    {
        throw fail("the header is not a JSON object");
    }
    if (header.size() > kMaxSafetensorsTensors + 1)
    {
        throw fail("the header lists " + std::to_string(header.size()) + " entries (at most " +
                   std::to_string(kMaxSafetensorsTensors) + " tensors)");
    }

    SafetensorsFile out;
    struct Range
    {
        std::uint64_t begin, end;
        std::size_t index;
    };
    std::vector<Range> ranges;
    for (const auto& item : header.items())
    {
        // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda below.
        const std::string& name = item.key();
        const nlohmann::json& entry = item.value();
        if (name == "__metadata__")
        {
            if (!entry.is_object())
            {
                throw fail("__metadata__ is not an object");
            }
            for (const auto& [k, v] : entry.items())
            {
                if (!v.is_string())
                {
                    throw fail("__metadata__ '" + k + "' is not a string");
                }
                out.metadata.emplace_back(k, v.get<std::string>());
            }
            continue;
        }
        const auto bad = [&](const std::string& reason) { return fail("tensor '" + name + "': " + reason); };
        if (name.empty())
        {
            throw fail("a tensor has an empty name");
        }
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets"))
        {
            throw bad("expected an object with dtype, shape and data_offsets");
        }
        const nlohmann::json& dtype = entry["dtype"];
        const nlohmann::json& shape = entry["shape"];
        const nlohmann::json& offsets = entry["data_offsets"];
        if (!dtype.is_string())
        {
            throw bad("dtype is not a string");
        }
        const std::optional<SafeDtype> kind = NamesOf(SafeDtype{}).Find(dtype.get<std::string>());
        if (!kind)
        {
            throw bad("dtype \"" + dtype.get<std::string>() + "\" is not supported (" +
                      NamesOf(SafeDtype{}).Allowed() + ")");
        }
        if (!shape.is_array() || shape.size() > kMaxSafetensorsRank)
        {
            throw bad("shape is not an array of at most " + std::to_string(kMaxSafetensorsRank) + " dimensions");
        }
        SafeTensor t;
        t.name = name;
        t.dtype = *kind;
        for (const nlohmann::json& d : shape)
        {
            std::uint64_t v = 0;
            if (!GetCount(d, v) || v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            {
                throw bad("a dimension is not a non-negative integer");
            }
            t.shape.push_back(static_cast<std::int64_t>(v));
        }
        std::uint64_t begin = 0, end = 0, size = 0;
        if (!offsets.is_array() || offsets.size() != 2 || !GetCount(offsets[0], begin) || !GetCount(offsets[1], end) ||
            begin > end)
        {
            throw bad("data_offsets is not a pair [begin, end] with begin <= end");
        }
        if (end > data.size())
        {
            throw bad("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                      ") run past the data (" + std::to_string(data.size()) + " bytes)");
        }
        if (!ByteCount(t.shape, DtypeSize(t.dtype), data.size(), size) || size != end - begin)
        {
            throw bad("shape " + ShapeText(t.shape) + " " + util::NameOf(t.dtype) + " does not match its " +
                      std::to_string(end - begin) + " bytes");
        }
        ranges.push_back({begin, end, out.tensors.size()});
        out.tensors.push_back(std::move(t));
    }
    // The ranges tile the data: sorted by start, each begins where the one before ended, the last ends at the end.
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t at = 0;
    for (const Range& r : ranges)
    {
        if (r.begin != at)
        {
            throw fail("tensor '" + out.tensors[r.index].name + "' starts at byte " + std::to_string(r.begin) +
                       (r.begin < at ? ", inside the tensor before it" : ", leaving a hole after byte " +
                                                                              std::to_string(at)));
        }
        at = r.end;
    }
    if (at != data.size())
    {
        throw fail("the tensors cover " + std::to_string(at) + " of the " + std::to_string(data.size()) +
                   " data bytes");
    }
    std::vector<SafeTensor> ordered;
    ordered.reserve(ranges.size());
    for (const Range& r : ranges)
    {
        SafeTensor& t = out.tensors[r.index];
        t.bytes.assign(data.data() + r.begin, static_cast<std::size_t>(r.end - r.begin));
        ordered.push_back(std::move(t));
    }
    out.tensors = std::move(ordered);
    return out;
}

void SaveSafetensorsFile(const std::filesystem::path& path, const SafetensorsFile& file)
{
    WriteFileAtomic(path, EncodeSafetensors(file));
}

SafetensorsFile LoadSafetensorsFile(const std::filesystem::path& path)
{
    return DecodeSafetensors(ReadFileBounded(path, kMaxSafetensorsBytes, "safetensors"), path.string());
}

} // namespace ll::io
