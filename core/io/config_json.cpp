// ExperimentConfig <-> JSON with strict parsing, and preset discovery (see config_json.h).
// One field list per struct (Fields below) drives both directions, so reader and writer cannot drift apart; the
// numeric settings come from the hyperparameter table (v.TableRows(): the rows whose key lies in the section).
#include "core/io/config_json.h"

#include "core/io/bounded_read.h"
#include "core/io/config_limits.h"
#include "core/models/hyperparams.h"
#include "core/util/did_you_mean.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <type_traits>

namespace ll::io
{

namespace
{

using Json = nlohmann::ordered_json; // keeps the struct's field order when writing
using models::DataConfig;
using models::ExperimentConfig;
using models::GanConfig;
using models::NetConfig;
using models::VaeConfig;
using nn::OptimizerConfig;

// ---- the field lists (const or not: the same list serves reader and writer) ----

template <typename C>
concept IsData = std::is_same_v<std::remove_const_t<C>, DataConfig>;
template <typename C>
concept IsNet = std::is_same_v<std::remove_const_t<C>, NetConfig>;
template <typename C>
concept IsOptimizer = std::is_same_v<std::remove_const_t<C>, OptimizerConfig>;
template <typename C>
concept IsGan = std::is_same_v<std::remove_const_t<C>, GanConfig>;
template <typename C>
concept IsVae = std::is_same_v<std::remove_const_t<C>, VaeConfig>;
template <typename C>
concept IsExperiment = std::is_same_v<std::remove_const_t<C>, ExperimentConfig>;
template <typename T>
concept IsSection = IsData<T> || IsNet<T> || IsOptimizer<T> || IsGan<T> || IsVae<T> || IsExperiment<T>;

template <IsData C, typename V>
void Fields(C& c, V& v)
{
    v("kind", c.kind);
    v("toy", c.toy);
    v("dir", c.dir);
    v("image_size", c.image_size);
    v("grayscale", c.grayscale);
    v("points", c.points);
    v("spread", c.spread);
    v.TableRows();
}

template <IsNet C, typename V>
void Fields(C& c, V& v)
{
    v("hidden", c.hidden);
    v("activation", c.activation);
    v("leaky_slope", c.leaky_slope);
    v("output_activation", c.output_activation);
    v("spectral_norm", c.spectral_norm);
    v("init", c.init);
    v("layers", c.layers);
    v.TableRows();
}

template <IsOptimizer C, typename V>
void Fields(C& c, V& v)
{
    v("kind", c.kind);
    v.TableRows(); // learning_rate
    v("beta1", c.beta1);
    v("beta2", c.beta2);
    v("epsilon", c.epsilon);
    v("momentum", c.momentum);
    v("rho", c.rho);
    v("weight_decay", c.weight_decay);
}

template <IsGan C, typename V>
void Fields(C& c, V& v)
{
    v("objective", c.objective);
    v("noise", c.noise);
    v("conditional", c.conditional);
    v.TableRows(); // noise_dim, d_steps, real_label, clip, gp_lambda, r1_gamma, g_ema, lr_decay_steps, ...
    v("generator", c.generator);
    v("discriminator", c.discriminator);
    v("g_opt", c.g_opt);
    v("d_opt", c.d_opt);
}

template <IsVae C, typename V>
void Fields(C& c, V& v)
{
    v("likelihood", c.likelihood);
    v("conditional", c.conditional);
    v.TableRows(); // latent_dim, beta, warmup_steps, gaussian_sigma
    v("encoder", c.encoder);
    v("decoder", c.decoder);
    v("opt", c.opt);
}

template <IsExperiment C, typename V>
void Fields(C& c, V& v)
{
    v("name", c.name);
    v("description", c.description);
    v("family", c.family);
    v("seed", c.seed);
    v.TableRows(); // batch_size, steps, metrics_every, eval_every, sample_every, eval_samples, iwae_k
    v("data", c.data);
    v("gan", c.gan);
    v("vae", c.vae);
}

// Calls visit(leaf, field) for every table row whose key is prefix + "." + leaf ("gan" + "d_steps"), in table
// order. field is the row's typed field in root (double, int or std::int64_t).
template <typename Visit>
void ForTableRows(const ExperimentConfig& root, const std::string& prefix, Visit visit)
{
    for (const models::Hyperparam& h : models::Hyperparams())
    {
        const std::string key = h.key;
        const std::size_t dot = key.rfind('.');
        const std::string parent = dot == std::string::npos ? std::string() : key.substr(0, dot);
        if (parent == prefix)
        {
            const std::string leaf = key.substr(dot == std::string::npos ? 0 : dot + 1);
            std::visit([&](auto* field) { visit(leaf, *field); }, h.field(const_cast<ExperimentConfig&>(root)));
        }
    }
}

// ---- layer lists: one loop over the layer table (nn::LayerKinds), no code per kind ----

using LayerList = std::vector<nn::LayerSpec>;
constexpr std::size_t kMaxLayerListSize = 256;

// {"conv": {"out": 64, "kernel": 4, "stride": 2, "pad": 1}}: the kind and every argument that is required or not at
// its default (a kind without arguments: {"relu": {}}).
Json LayerToJson(const nn::LayerSpec& spec)
{
    const nn::LayerKindInfo& info = spec.Info();
    Json args = Json::object();
    for (std::size_t i = 0; i < info.args.size() && i < spec.args.size(); ++i)
    {
        const nn::LayerArg& arg = info.args[i];
        const double v = spec.args[i];
        if (!arg.required && v == arg.default_value)
        {
            continue;
        }
        if (arg.type == nn::ArgType::Real)
        {
            args[arg.name] = v;
        }
        else if (arg.type == nn::ArgType::Bool)
        {
            args[arg.name] = v != 0.0;
        }
        else
        {
            args[arg.name] = static_cast<std::int64_t>(v);
        }
    }
    Json layer = Json::object();
    layer[info.name] = std::move(args);
    return layer;
}

// One argument's JSON value: a number, or true / false for a Bool argument.
double LayerArgValue(const Json& j, const nn::LayerArg& arg, const std::string& path)
{
    if (arg.type == nn::ArgType::Bool && j.is_boolean())
    {
        return j.get<bool>() ? 1.0 : 0.0;
    }
    if (!j.is_number())
    {
        throw std::invalid_argument(path + ": expected a number" +
                                    std::string(arg.type == nn::ArgType::Bool ? " or true / false" : "") + ", got " +
                                    std::string(j.type_name()));
    }
    return j.get<double>();
}

// {"kind": value}: value an object by argument name, an array of the arguments in table order, or one bare value
// for the first argument ({"linear": 1024}, {"reshape": [128, 7, 7]}).
nn::LayerSpec LayerFromJson(const Json& j, const std::string& path)
{
    if (!j.is_object() || j.size() != 1)
    {
        throw std::invalid_argument(path + ": expected an object with one key, the layer kind (e.g. {\"linear\": "
                                    "1024}), got " + std::string(j.type_name()) +
                                    (j.is_object() ? " with " + std::to_string(j.size()) + " keys" : ""));
    }
    const std::string kind_name = j.begin().key();
    const nn::LayerKindInfo* info = nn::FindLayerKind(kind_name);
    if (info == nullptr)
    {
        std::vector<std::string> names;
        for (const nn::LayerKindInfo& k : nn::LayerKinds())
        {
            names.emplace_back(k.name);
        }
        const std::string suggestion = util::Suggest(kind_name, names);
        try
        {
            nn::ParseLayerKind(kind_name);
        }
        catch (const std::invalid_argument& e)
        {
            throw std::invalid_argument(path + ": " + e.what() +
                                        (suggestion.empty() ? "" : " (did you mean " + suggestion + "?)"));
        }
    }
    nn::LayerSpec spec = nn::DefaultLayerSpec(info->kind);
    const Json& value = j.begin().value();
    const std::string at = path + "." + kind_name;
    try
    {
        if (value.is_object())
        {
            for (auto it = value.begin(); it != value.end(); ++it)
            {
                const nn::LayerArg* arg = nullptr;
                for (const nn::LayerArg& a : info->args)
                {
                    arg = it.key() == a.name ? &a : arg;
                }
                if (arg == nullptr)
                {
                    spec.Set(it.key(), 0.0); // throws naming the arguments the kind has
                }
                spec.Set(it.key(), LayerArgValue(it.value(), *arg, at + "." + it.key()));
            }
        }
        else if (value.is_array())
        {
            if (value.size() > info->args.size())
            {
                throw std::invalid_argument(std::to_string(value.size()) + " values for " +
                                            std::to_string(info->args.size()) + " arguments");
            }
            for (std::size_t i = 0; i < value.size(); ++i)
            {
                spec.Set(info->args[i].name, LayerArgValue(value[i], info->args[i], at + "[" + std::to_string(i) +
                                                                                        "]"));
            }
        }
        else if (!info->args.empty() && (value.is_number() || value.is_boolean()))
        {
            spec.Set(info->args[0].name, LayerArgValue(value, info->args[0], at));
        }
        else
        {
            throw std::invalid_argument(std::string("expected an object of arguments") +
                                        (info->args.empty() ? " ({})" : ", an array or a number") + ", got " +
                                        std::string(value.type_name()));
        }
        nn::CheckLayerArgs(spec);
    }
    catch (const std::invalid_argument& e)
    {
        const std::string what = e.what();
        throw std::invalid_argument(what.rfind(path, 0) == 0 ? what : at + ": " + what);
    }
    return spec;
}

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

// 1-based line and column of a 0-based byte offset.
std::pair<std::size_t, std::size_t> LineColumn(const std::string& text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < offset; ++i)
    {
        if (text[i] == '\n')
        {
            ++line;
            line_start = i + 1;
        }
    }
    return {line, offset - line_start + 1};
}

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

std::vector<PresetInfo> ListPresets(const std::filesystem::path& dir)
{
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
    {
        throw std::runtime_error("preset folder '" + dir.string() + "': not a readable directory");
    }
    std::vector<PresetInfo> presets;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    {
        if (!entry.is_regular_file() || entry.path().extension() != ".json")
        {
            continue;
        }
        PresetInfo info;
        info.name = entry.path().stem().string();
        info.path = entry.path();
        try
        {
            const ExperimentConfig config = LoadConfigFile(entry.path());
            if (config.name != info.name)
            {
                throw std::invalid_argument(entry.path().filename().string() + ": name \"" + config.name +
                                            "\" does not match the file name (expected \"" + info.name + "\")");
            }
            info.description = config.description;
        }
        catch (const std::exception& e)
        {
            info.error = e.what();
        }
        presets.push_back(std::move(info));
    }
    if (ec)
    {
        throw std::runtime_error("preset folder '" + dir.string() + "': " + ec.message());
    }
    std::sort(presets.begin(), presets.end(),
              [](const PresetInfo& a, const PresetInfo& b) { return a.name < b.name; });
    return presets;
}

models::ExperimentConfig LoadPreset(const std::string& name, const std::filesystem::path& dir)
{
    const std::filesystem::path path = dir / (name + ".json");
    std::error_code ec;
    if (name.empty() || name.find('/') != std::string::npos || !std::filesystem::is_regular_file(path, ec))
    {
        std::string available;
        try
        {
            for (const PresetInfo& info : ListPresets(dir))
            {
                available += (available.empty() ? "" : ", ") + info.name;
            }
        }
        catch (const std::exception&)
        {
            available = "(none: '" + dir.string() + "' is not a readable directory)";
        }
        throw std::invalid_argument("no preset named \"" + name + "\" in '" + dir.string() + "'; available: " +
                                    available);
    }
    return LoadConfigFile(path);
}

std::filesystem::path FindPresetDir()
{
    std::error_code ec;
    if (const char* env = std::getenv("LATENTLAB_PRESETS"); env != nullptr && *env != '\0')
    {
        if (!std::filesystem::is_directory(env, ec))
        {
            throw std::runtime_error(std::string("LATENTLAB_PRESETS='") + env + "' is not a directory");
        }
        return env;
    }
    std::string tried;
#ifdef LATENTLAB_ASSETS_DIR
    const std::filesystem::path source_tree = std::filesystem::path(LATENTLAB_ASSETS_DIR) / "presets";
    if (std::filesystem::is_directory(source_tree, ec))
    {
        return source_tree;
    }
    tried += "'" + source_tree.string() + "', ";
#endif
    const std::filesystem::path installed = "/usr/share/latentlab/presets";
    if (std::filesystem::is_directory(installed, ec))
    {
        return installed;
    }
    tried += "'" + installed.string() + "'";
    throw std::runtime_error("no preset folder found: set LATENTLAB_PRESETS, or install presets (tried " + tried + ")");
}

} // namespace ll::io
