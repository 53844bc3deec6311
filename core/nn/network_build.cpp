// Running a list of layer specs: shape inference with the validation messages, the summary and memory estimate,
// its text, and the builder (with the Auto init rule).
#include "core/nn/network_spec.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <type_traits>

namespace ll::nn
{

namespace
{

std::string Int(Index v)
{
    return std::to_string(v);
}

// "1,234,567"
std::string Grouped(std::size_t v)
{
    std::string digits = std::to_string(v);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i)
    {
        if (i > 0 && (digits.size() - i) % 3 == 0)
        {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string Megabytes(std::size_t bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

bool ReluFamily(LayerKind kind)
{
    return kind == LayerKind::ReLU || kind == LayerKind::LeakyReLU;
}

// The init of weighted layer i under options.init (see NetworkOptions::init).
InitKind ResolveInit(const std::vector<LayerSpec>& layers, std::size_t i, std::size_t last_weighted, MlpInit init)
{
    switch (init)
    {
    case MlpInit::He: return InitKind::He;
    case MlpInit::Xavier: return InitKind::Xavier;
    case MlpInit::Torch: return InitKind::Torch;
    case MlpInit::Auto: break;
    }
    if (i == last_weighted)
    {
        return InitKind::Xavier;
    }
    for (std::size_t j = i + 1; j < layers.size(); ++j)
    {
        const LayerKindInfo& info = layers[j].Info();
        if (info.activation)
        {
            return ReluFamily(layers[j].kind) ? InitKind::He : InitKind::Xavier;
        }
        if (info.weighted)
        {
            break;
        }
    }
    return InitKind::Xavier;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------
// Summary and validation

std::size_t NetworkSummary::ActivationBytes(Index batch) const
{
    std::size_t floats = 0;
    for (const LayerSummary& layer : layers)
    {
        floats += static_cast<std::size_t>(layer.buffer_floats);
    }
    return floats * static_cast<std::size_t>(batch) * sizeof(float);
}

NetworkSummary SummarizeNetwork(const std::string& name, const std::vector<LayerSpec>& layers, const Shape& input)
{
    if (!input.Valid())
    {
        throw std::invalid_argument(name + ": input shape " + input.Text() + " must have every size >= 1");
    }
    if (layers.empty())
    {
        throw std::invalid_argument(name + ": the network has no layers");
    }
    NetworkSummary summary;
    summary.name = name;
    summary.input = input;
    Shape shape = input;
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        const LayerSpec& spec = layers[i];
        const std::string where = name + " layer " + std::to_string(i);
        try
        {
            CheckLayerArgs(spec);
        }
        catch (const std::invalid_argument& e)
        {
            throw std::invalid_argument(where + ": " + e.what());
        }
        const LayerKindInfo& info = spec.Info();
        LayerSummary row;
        row.index = i;
        row.kind = spec.kind;
        row.description = DescribeLayer(spec);
        row.input = shape;
        std::string need;
        if (!info.infer(spec, shape, row.output, need))
        {
            throw std::invalid_argument(where + " (" + row.description + "): input " + shape.Text() + " " + need);
        }
        row.params = info.param_count(spec, row.input, row.output);
        row.buffer_floats = info.buffer_floats(spec, row.input, row.output);
        summary.params += row.params;
        shape = row.output;
        summary.layers.push_back(row);
    }
    summary.output = shape;
    return summary;
}

void CheckOutputShape(const NetworkSummary& summary, const Shape& expected, const std::string& what)
{
    if (summary.output.Size() != expected.Size())
    {
        throw std::invalid_argument(summary.name + ": output " + summary.output.Text() + " (" +
                                    Int(summary.output.Size()) + " values) does not match " + what + " " +
                                    expected.Text() + " (" + Int(expected.Size()) + " values)");
    }
}

std::string FormatSummary(const NetworkSummary& summary, Index batch)
{
    std::size_t width = 5;
    for (const LayerSummary& row : summary.layers)
    {
        width = std::max(width, row.description.size());
    }
    auto pad = [](std::string s, std::size_t n)
    {
        if (s.size() < n)
        {
            s.append(n - s.size(), ' ');
        }
        return s;
    };
    std::string text = summary.name + ": input " + summary.input.Text() + "\n";
    text += "  #  " + pad("layer", width) + "  " + pad("output", 12) + "  params\n";
    for (const LayerSummary& row : summary.layers)
    {
        std::string index = std::to_string(row.index);
        text += std::string(3 - std::min<std::size_t>(3, index.size()), ' ') + index + "  " +
                pad(row.description, width) + "  " + pad(row.output.Text(), 12) + "  " +
                Grouped(static_cast<std::size_t>(row.params)) + "\n";
    }
    text += "  total " + Grouped(static_cast<std::size_t>(summary.params)) + " parameters; " +
            Megabytes(summary.ParameterBytes()) + " with gradients and Adam moments, " +
            Megabytes(summary.ActivationBytes(batch)) + " of layer buffers at batch " + std::to_string(batch) + "\n";
    return text;
}

// ---------------------------------------------------------------------------------------------------------
// Builder

template <typename T>
Sequential<T> BuildNetwork(const std::string& name, const std::vector<LayerSpec>& layers, const Shape& input,
                           const NetworkOptions& options, Rng& rng)
{
    const NetworkSummary summary = SummarizeNetwork(name, layers, input);
    std::size_t last_weighted = layers.size();
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        const LayerKindInfo& info = layers[i].Info();
        if (info.weighted)
        {
            last_weighted = i;
        }
        if (options.spectral_norm && info.weighted && layers[i].kind != LayerKind::Linear &&
            layers[i].kind != LayerKind::Conv)
        {
            throw std::invalid_argument(name + " layer " + std::to_string(i) + " (" + summary.layers[i].description +
                                        "): spectral normalisation is implemented for linear and conv layers only");
        }
    }
    Sequential<T> net;
    net.SetInputShape(input);
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        const LayerKindInfo& info = layers[i].Info();
        LayerBuildContext ctx;
        ctx.spectral_norm = options.spectral_norm;
        if (info.weighted)
        {
            ctx.init = ResolveInit(layers, i, last_weighted, options.init);
        }
        if constexpr (std::is_same_v<T, float>)
        {
            net.Add(info.build_float(layers[i], summary.layers[i].input, ctx, rng));
        }
        else
        {
            net.Add(info.build_double(layers[i], summary.layers[i].input, ctx, rng));
        }
    }
    return net;
}

template Sequential<float> BuildNetwork<float>(const std::string&, const std::vector<LayerSpec>&, const Shape&,
                                               const NetworkOptions&, Rng&);
template Sequential<double> BuildNetwork<double>(const std::string&, const std::vector<LayerSpec>&, const Shape&,
                                                 const NetworkOptions&, Rng&);

} // namespace ll::nn
