// One layer <-> JSON (see layer_json.h): one loop over the layer table's arguments, no code per kind.
#include "core/io/layer_json.h"

#include "core/util/did_you_mean.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace ll::io
{

namespace
{

using Json = nlohmann::ordered_json;

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

} // namespace

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

} // namespace ll::io
