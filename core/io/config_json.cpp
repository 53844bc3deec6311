// ExperimentConfig <-> JSON with strict parsing (see config_json.h); presets are found and listed in presets.cpp.
// One field list per section (config_fields.h) drives both directions, so reader and writer cannot drift apart; the
// numeric settings come from the hyperparameter table (v.TableRows(): the rows whose key lies in the section).
#include "core/io/config_json.h"

#include "core/io/bounded_read.h"
#include "core/io/config_fields.h"
#include "core/io/config_limits.h"
#include "core/io/layer_json.h"
#include "core/util/did_you_mean.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace ll::io
{

namespace
{

using Json = nlohmann::ordered_json; // keeps the struct's field order when writing
using detail::Fields;
using detail::ForTableRows;
using detail::IsSection;
using models::ExperimentConfig;
using LayerList = std::vector<nn::LayerSpec>;

// Choices: enums with a name table (NamesOf, found by argument-dependent lookup), optionally "" for "the default".
template <typename T>
concept IsEnum = std::is_enum_v<T>;
template <typename T>
struct OptionalEnum : std::false_type
{
};
template <IsEnum E>
struct OptionalEnum<std::optional<E>> : std::true_type
{
};

// ---- writer ----

struct Writer
{
    Json& out;
    const ExperimentConfig& root; // the config being written (the table's rows point into it)
    std::string prefix;           // the section's key path ("" at the top, "gan.g_opt", ...)

    template <typename T>
    void operator()(const std::string& key, const T& field)
    {
        if constexpr (IsSection<T>)
        {
            Json sub = Json::object();
            Writer w{sub, root, prefix.empty() ? key : prefix + "." + key};
            Fields(field, w);
            out[key] = std::move(sub);
        }
        else if constexpr (IsEnum<T>)
        {
            out[key] = util::NameOf(field);
        }
        else if constexpr (OptionalEnum<T>::value)
        {
            out[key] = field ? util::NameOf(*field) : std::string();
        }
        else if constexpr (std::is_same_v<T, LayerList>)
        {
            if (!field.empty()) // the MLP short form writes no layers key, as before layer lists existed
            {
                Json list = Json::array();
                for (const nn::LayerSpec& spec : field)
                {
                    list.push_back(LayerToJson(spec));
                }
                out[key] = std::move(list);
            }
        }
        else if constexpr (std::is_same_v<T, std::vector<data::Mode>>)
        {
            Json points = Json::array();
            for (const data::Mode& p : field)
            {
                points.push_back(Json::array({p.x, p.y}));
            }
            out[key] = std::move(points);
        }
        else
        {
            out[key] = field;
        }
    }

    void TableRows()
    {
        ForTableRows(root, prefix, [this](const std::string& leaf, const auto& field) { (*this)(leaf, field); });
    }
};

Json ToJsonValue(const ExperimentConfig& config)
{
    Json out = Json::object();
    Writer w{out, config, ""};
    Fields(config, w);
    return out;
}

// ---- reader ----

std::string Join(const std::string& prefix, const std::string& key)
{
    return prefix.empty() ? key : prefix + "." + key;
}

[[noreturn]] void Fail(const std::string& path, const std::string& what)
{
    throw std::invalid_argument(path + ": " + what);
}

std::string Describe(const Json& j)
{
    std::string text = j.dump();
    if (text.size() > 40)
    {
        text = text.substr(0, 37) + "...";
    }
    return std::string(j.type_name()) + " " + text;
}

// Whole numbers, also when written as 2e4 or 100.0; within [lo, hi].
std::int64_t ReadInteger(const Json& j, const std::string& path, std::int64_t lo, std::int64_t hi)
{
    const char* expected = lo >= 0 ? "expected a non-negative integer" : "expected an integer";
    if (j.is_number_unsigned())
    {
        const std::uint64_t u = j.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(hi))
        {
            Fail(path, std::string(expected) + " up to " + std::to_string(hi) + ", got " + j.dump());
        }
        return static_cast<std::int64_t>(u);
    }
    if (j.is_number_integer())
    {
        const std::int64_t i = j.get<std::int64_t>();
        if (i < lo || i > hi)
        {
            Fail(path, std::string(expected) + " in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                           j.dump());
        }
        return i;
    }
    if (j.is_number_float())
    {
        const double d = j.get<double>();
        if (std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(lo) && d <= static_cast<double>(hi))
        {
            return static_cast<std::int64_t>(d);
        }
    }
    Fail(path, std::string(expected) + ", got " + Describe(j));
}

// One of the enum's names (aliases included); the message lists the canonical names.
template <IsEnum E>
E ReadChoice(const Json& j, const std::string& path)
{
    const util::EnumNames<E>& names = NamesOf(E{});
    if (!j.is_string())
    {
        Fail(path, "expected a string (one of " + names.Allowed() + "), got " + Describe(j));
    }
    const std::string name = j.get<std::string>();
    if (const std::optional<E> value = names.Find(name))
    {
        return *value;
    }
    Fail(path, names.Refusal(name));
}

struct Reader
{
    const Json& in;
    std::string prefix;
    ExperimentConfig& root; // the config being read (the table's rows point into it)
    std::vector<std::string> known{};

    template <typename T>
    void operator()(const std::string& key, T& field)
    {
        known.emplace_back(key);
        const auto it = in.find(key);
        if (it == in.end())
        {
            return; // missing: keep the default
        }
        Read(*it, Join(prefix, key), field);
    }

    void TableRows()
    {
        ForTableRows(root, prefix, [this](const std::string& leaf, auto& field) { (*this)(leaf, field); });
    }

    // After the fields: any key of the object that no field claimed is refused.
    void RefuseUnknownKeys() const
    {
        for (auto it = in.begin(); it != in.end(); ++it)
        {
            if (std::find(known.begin(), known.end(), it.key()) == known.end())
            {
                const std::string suggestion = util::Suggest(it.key(), known);
                Fail(Join(prefix, it.key()),
                     "unknown key" + (suggestion.empty() ? std::string() : " (did you mean " + suggestion + "?)"));
            }
        }
    }

    template <typename T>
    void Read(const Json& j, const std::string& path, T& field)
    {
        if constexpr (IsSection<T>)
        {
            if (!j.is_object())
            {
                Fail(path, "expected an object, got " + Describe(j));
            }
            Reader sub{j, path, root};
            Fields(field, sub);
            sub.RefuseUnknownKeys();
        }
        else if constexpr (std::is_same_v<T, std::string>)
        {
            if (!j.is_string())
            {
                Fail(path, "expected a string, got " + Describe(j));
            }
            field = j.get<std::string>();
        }
        else if constexpr (std::is_same_v<T, bool>)
        {
            if (!j.is_boolean())
            {
                Fail(path, "expected true or false, got " + Describe(j));
            }
            field = j.get<bool>();
        }
        else if constexpr (std::is_same_v<T, double>)
        {
            if (!j.is_number())
            {
                Fail(path, "expected a number, got " + Describe(j));
            }
            field = j.get<double>();
        }
        else if constexpr (std::is_same_v<T, int>)
        {
            field = static_cast<int>(
                ReadInteger(j, path, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
        }
        else if constexpr (std::is_same_v<T, std::int64_t>)
        {
            field = ReadInteger(j, path, std::numeric_limits<std::int64_t>::min(),
                                std::numeric_limits<std::int64_t>::max());
        }
        else if constexpr (std::is_same_v<T, std::uint64_t>)
        {
            if (j.is_number_unsigned())
            {
                field = j.get<std::uint64_t>(); // the full 64-bit range (seeds)
            }
            else
            {
                field = static_cast<std::uint64_t>(ReadInteger(j, path, 0, std::numeric_limits<std::int64_t>::max()));
            }
        }
        else if constexpr (std::is_same_v<T, std::vector<int>>)
        {
            if (!j.is_array())
            {
                Fail(path, "expected an array of integers, got " + Describe(j));
            }
            std::vector<int> values;
            for (std::size_t i = 0; i < j.size(); ++i)
            {
                values.push_back(static_cast<int>(ReadInteger(j[i], path + "[" + std::to_string(i) + "]",
                                                              std::numeric_limits<int>::min(),
                                                              std::numeric_limits<int>::max())));
            }
            field = std::move(values);
        }
        else if constexpr (std::is_same_v<T, LayerList>)
        {
            if (!j.is_array())
            {
                Fail(path, "expected an array of layers, got " + Describe(j));
            }
            if (j.size() > kMaxLayerListSize)
            {
                Fail(path, "at most " + std::to_string(kMaxLayerListSize) + " layers, got " +
                               std::to_string(j.size()));
            }
            LayerList layers;
            for (std::size_t i = 0; i < j.size(); ++i)
            {
                layers.push_back(LayerFromJson(j[i], path + "[" + std::to_string(i) + "]"));
            }
            field = std::move(layers);
        }
        else if constexpr (std::is_same_v<T, std::vector<data::Mode>>)
        {
            // Drawn points: counted before any is read (the 1 MiB text bound allows about 60,000 short pairs).
            if (!j.is_array())
            {
                Fail(path, "expected an array of [x, y] points, got " + Describe(j));
            }
            if (j.size() > data::kMaxDrawnPoints)
            {
                Fail(path, std::to_string(j.size()) + " points, at most " + std::to_string(data::kMaxDrawnPoints));
            }
            std::vector<data::Mode> points;
            points.reserve(j.size());
            for (std::size_t i = 0; i < j.size(); ++i)
            {
                const Json& p = j[i];
                if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
                {
                    Fail(path + "[" + std::to_string(i) + "]", "expected a point [x, y], got " + Describe(p));
                }
                points.push_back({p[0].get<float>(), p[1].get<float>()});
            }
            field = std::move(points);
        }
        else if constexpr (IsEnum<T>)
        {
            field = ReadChoice<T>(j, path);
        }
        else if constexpr (OptionalEnum<T>::value)
        {
            using E = typename T::value_type;
            if (j.is_string() && j.get<std::string>().empty())
            {
                field.reset(); // "": the model's default
            }
            else
            {
                field = ReadChoice<E>(j, path);
            }
        }
        else
        {
            static_assert(sizeof(T) == 0, "config_json: no reader for this field type");
        }
    }
};

// nlohmann reports the position after reading the whole offending token; point at the token's start instead, as
// an editor would: back from a closing quote to its opening quote, or back over a number or literal.
std::size_t TokenStart(const std::string& text, std::size_t offset)
{
    if (offset >= text.size())
    {
        return offset;
    }
    auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-'; };
    if (text[offset] == '"')
    {
        for (std::size_t i = offset; i-- > 0;)
        {
            std::size_t backslashes = 0;
            while (backslashes < i && text[i - 1 - backslashes] == '\\')
            {
                ++backslashes;
            }
            if (text[i] == '"' && backslashes % 2 == 0)
            {
                return i;
            }
        }
        return offset;
    }
    while (offset > 0 && is_word(text[offset]) && is_word(text[offset - 1]))
    {
        --offset;
    }
    return offset;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
std::string ParseErrorDetail(const std::string& what)
{
    const std::size_t column = what.find("column ");
    if (column != std::string::npos)
    {
        const std::size_t colon = what.find(": ", column);
        if (colon != std::string::npos)
        {
            return what.substr(colon + 2);
        }
    }
    const std::size_t bracket = what.find("] ");
    return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

} // namespace

models::ExperimentConfig ParseConfig(const std::string& text, const std::string& source_name)
{
    // Size, depth and string lengths before parsing: nlohmann's dump and copy (used below) recurse per level.
    CheckJsonBounds(text, source_name, kConfigJsonLimits);
    Json root;
    try
    {
        root = Json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    }
    catch (const Json::parse_error& e)
    {
        // e.byte is the 1-based position of the character that broke the parse.
        const auto [line, column] = LineColumn(text, TokenStart(text, e.byte > 0 ? e.byte - 1 : 0));
        throw std::invalid_argument(source_name + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                    ": invalid JSON: " + ParseErrorDetail(e.what()));
    }
    ExperimentConfig config;
    try
    {
        if (!root.is_object())
        {
            Fail("(top level)", "expected an object { ... }, got " + Describe(root));
        }
        Reader top{root, "", config};
        top.Read(root, "", config);
        models::Validate(config);
        CheckConfigStrings(config);
    }
    catch (const std::invalid_argument& e)
    {
        throw std::invalid_argument(source_name + ": " + e.what());
    }
    return config;
}

models::ExperimentConfig LoadConfigFile(const std::filesystem::path& path)
{
    return ParseConfig(ReadFileBounded(path, kConfigJsonLimits.max_bytes, "config file"), path.filename().string());
}

std::string ConfigToJson(const models::ExperimentConfig& config)
{
    return ToJsonValue(config).dump(4) + "\n";
}

} // namespace ll::io
