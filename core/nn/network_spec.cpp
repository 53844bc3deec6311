// The layer-kind table (shape rules, parameter counts, buffers, builders per kind) and the layer specs: argument
// checks, descriptions, the MLP short form. network_build.cpp runs a list of them.
#include "core/nn/network_spec.h"

#include "core/nn/batch_norm.h"
#include "core/nn/conv.h"
#include "core/nn/shape_layers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace ll::nn
{

namespace
{

constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxSize = 1 << 24; // features or channels of one layer

std::string Num(double v)
{
    char buf[32];
    const bool integral = std::isfinite(v) && v == std::floor(v) && std::abs(v) < 1e15;
    std::snprintf(buf, sizeof(buf), integral ? "%.0f" : "%g", v);
    return buf;
}

std::string Int(Index v)
{
    return std::to_string(v);
}

// ---------------------------------------------------------------------------------------------------------
// Shape rules

bool SameShape(const LayerSpec&, const Shape& in, Shape& out, std::string&)
{
    out = in;
    return true;
}

bool LinearShape(const LayerSpec& spec, const Shape&, Shape& out, std::string&)
{
    out = Shape::Flat(spec.IntArg("out")); // an image input is used as its flat C*H*W vector
    return true;
}

bool ConvShape(const LayerSpec& spec, const Shape& in, Shape& out, std::string& need)
{
    const Index k = spec.IntArg("kernel"), s = spec.IntArg("stride"), p = spec.IntArg("pad");
    if (in.IsFlat() && k > 1)
    {
        need = "is flat: a conv needs channels x height x width (reshape it first)";
        return false;
    }
    if (in.h + 2 * p < k || in.w + 2 * p < k)
    {
        need = "is smaller than the kernel (" + Int(k) + " with pad " + Int(p) + ")";
        return false;
    }
    out = Shape{spec.IntArg("out"), ConvExtent(in.h, k, s, p), ConvExtent(in.w, k, s, p)};
    return true;
}

bool ConvTransposeShape(const LayerSpec& spec, const Shape& in, Shape& out, std::string& need)
{
    const Index k = spec.IntArg("kernel"), s = spec.IntArg("stride"), p = spec.IntArg("pad");
    const Index op = spec.IntArg("output_pad");
    if (op >= s)
    {
        need = "needs an output padding smaller than the stride (" + Int(op) + " >= " + Int(s) + ")";
        return false;
    }
    out = Shape{spec.IntArg("out"), ConvTransposeExtent(in.h, k, s, p, op), ConvTransposeExtent(in.w, k, s, p, op)};
    if (out.h < 1 || out.w < 1)
    {
        need = "gives an empty output (padding " + Int(p) + " removes more than the kernel adds)";
        return false;
    }
    return true;
}

bool ReshapeShape(const LayerSpec& spec, const Shape& in, Shape& out, std::string& need)
{
    const Shape target{spec.IntArg("c"), spec.IntArg("h"), spec.IntArg("w")};
    if (target.Size() != in.Size())
    {
        need = "has " + Int(in.Size()) + " values; reshape to " + target.Text() + " needs " + Int(target.Size());
        return false;
    }
    out = target;
    return true;
}

bool FlattenShape(const LayerSpec&, const Shape& in, Shape& out, std::string&)
{
    out = Shape::Flat(in.Size());
    return true;
}

bool UpsampleShape(const LayerSpec& spec, const Shape& in, Shape& out, std::string&)
{
    const Index f = spec.IntArg("factor");
    out = Shape{in.c, in.h * f, in.w * f};
    return true;
}

// ---------------------------------------------------------------------------------------------------------
// Parameter counts and buffers (floats per example)

Index NoParams(const LayerSpec&, const Shape&, const Shape&)
{
    return 0;
}

Index Bias(const LayerSpec& spec, Index out)
{
    return spec.BoolArg("bias") ? out : 0;
}

Index LinearParams(const LayerSpec& spec, const Shape& in, const Shape& out)
{
    return out.Size() * in.Size() + Bias(spec, out.Size());
}

Index ConvParams(const LayerSpec& spec, const Shape& in, const Shape& out)
{
    const Index k = spec.IntArg("kernel");
    return out.c * k * k * in.c + Bias(spec, out.c);
}

Index BatchNormParams(const LayerSpec&, const Shape& in, const Shape&)
{
    return 2 * in.c;
}

Index OutputAndGradient(const LayerSpec&, const Shape& in, const Shape& out)
{
    return out.Size() + in.Size();
}

Index NoBuffers(const LayerSpec&, const Shape&, const Shape&)
{
    return 0;
}

bool Pointwise(const LayerSpec& spec)
{
    return spec.IntArg("kernel") == 1 && spec.IntArg("stride") == 1 && spec.IntArg("pad") == 0;
}

Index ConvBuffers(const LayerSpec& spec, const Shape& in, const Shape& out)
{
    const Index k = spec.IntArg("kernel");
    return out.Size() + in.Size() + (Pointwise(spec) ? 0 : k * k * in.c * out.Pixels());
}

Index ConvTransposeBuffers(const LayerSpec& spec, const Shape& in, const Shape& out)
{
    const Index k = spec.IntArg("kernel");
    return out.Size() + in.Size() + (Pointwise(spec) ? 0 : k * k * out.c * in.Pixels());
}

// ---------------------------------------------------------------------------------------------------------
// Builders

template <typename T>
std::unique_ptr<Layer<T>> BuildLinear(const LayerSpec& spec, const Shape& in, const LayerBuildContext& ctx, Rng& rng)
{
    auto linear = std::make_unique<Linear<T>>(in.Size(), spec.IntArg("out"), spec.BoolArg("bias"), ctx.init, rng);
    if (ctx.spectral_norm)
    {
        linear->EnableSpectralNorm(rng);
    }
    return linear;
}

template <typename T>
std::unique_ptr<Layer<T>> BuildConv(const LayerSpec& spec, const Shape& in, const LayerBuildContext& ctx, Rng& rng)
{
    auto conv = std::make_unique<Conv2d<T>>(in, spec.IntArg("out"), spec.IntArg("kernel"), spec.IntArg("stride"),
                                            spec.IntArg("pad"), spec.BoolArg("bias"), ctx.init, rng);
    if (ctx.spectral_norm)
    {
        conv->EnableSpectralNorm(rng);
    }
    return conv;
}

template <typename T>
std::unique_ptr<Layer<T>> BuildConvTranspose(const LayerSpec& spec, const Shape& in, const LayerBuildContext& ctx,
                                             Rng& rng)
{
    return std::make_unique<ConvTranspose2d<T>>(in, spec.IntArg("out"), spec.IntArg("kernel"), spec.IntArg("stride"),
                                                spec.IntArg("pad"), spec.IntArg("output_pad"), spec.BoolArg("bias"),
                                                ctx.init, rng);
}

template <typename T>
std::unique_ptr<Layer<T>> BuildBatchNorm(const LayerSpec& spec, const Shape& in, const LayerBuildContext&, Rng&)
{
    return std::make_unique<BatchNorm<T>>(in, spec.Arg("momentum"), spec.Arg("eps"));
}

template <typename T, ActivationKind A>
std::unique_ptr<Layer<T>> BuildActivation(const LayerSpec& spec, const Shape&, const LayerBuildContext&, Rng&)
{
    const double slope = A == ActivationKind::LeakyReLU ? spec.Arg("slope") : 0.2;
    return std::make_unique<Activation<T>>(A, static_cast<T>(slope));
}

template <typename T>
std::unique_ptr<Layer<T>> BuildReshape(const LayerSpec& spec, const Shape& in, const LayerBuildContext&, Rng&)
{
    return std::make_unique<Reshape<T>>(in, Shape{spec.IntArg("c"), spec.IntArg("h"), spec.IntArg("w")});
}

template <typename T>
std::unique_ptr<Layer<T>> BuildFlatten(const LayerSpec&, const Shape& in, const LayerBuildContext&, Rng&)
{
    return std::make_unique<Reshape<T>>(in, Shape::Flat(in.Size()), true);
}

template <typename T>
std::unique_ptr<Layer<T>> BuildUpsample(const LayerSpec& spec, const Shape& in, const LayerBuildContext&, Rng&)
{
    return std::make_unique<Upsample<T>>(in, spec.IntArg("factor"));
}

const LayerArg kOut{"out", ArgType::Int, kRequired, 1, kMaxSize, true, "output features (linear) or channels (conv)",
                    true};
const LayerArg kBias{"bias", ArgType::Bool, 1, 0, 1, false, "add a learned bias"};
const LayerArg kKernel{"kernel", ArgType::Int, kRequired, 1, 15, true, "kernel size (square)"};
const LayerArg kStride{"stride", ArgType::Int, 1, 1, 8, false, "step between kernel windows"};
const LayerArg kPad{"pad", ArgType::Int, 0, 0, 14, false, "zero padding on every side"};

std::vector<LayerKindInfo> MakeTable()
{
    using A = ActivationKind;
    std::vector<LayerKindInfo> t;
    t.push_back({LayerKind::Linear, "linear", "fully connected: y = W x + b (an image input is used flat)",
                 {kOut, kBias}, LinearShape, LinearParams, OutputAndGradient, true, false, BuildLinear<float>,
                 BuildLinear<double>});
    t.push_back({LayerKind::Conv, "conv", "2-D convolution", {kOut, kKernel, kStride, kPad, kBias}, ConvShape,
                 ConvParams, ConvBuffers, true, false, BuildConv<float>, BuildConv<double>});
    t.push_back({LayerKind::ConvTranspose, "conv_transpose", "transposed 2-D convolution (upsamples by the stride)",
                 {kOut, kKernel, kStride, kPad,
                  {"output_pad", ArgType::Int, 0, 0, 7, false, "extra rows and columns on the output (< stride)"},
                  kBias},
                 ConvTransposeShape, ConvParams, ConvTransposeBuffers, true, false, BuildConvTranspose<float>,
                 BuildConvTranspose<double>});
    t.push_back({LayerKind::BatchNorm, "batchnorm",
                 "batch normalisation per feature (flat input) or per channel (image input)",
                 {{"momentum", ArgType::Real, 0.1, 0, 1, false, "weight of the newest batch in the running statistics"},
                  {"eps", ArgType::Real, 1e-5, 1e-12, 1, false, "added to the variance"}},
                 SameShape, BatchNormParams, OutputAndGradient, false, false, BuildBatchNorm<float>,
                 BuildBatchNorm<double>});
    t.push_back({LayerKind::ReLU, "relu", "max(x, 0)", {}, SameShape, NoParams, OutputAndGradient, false, true,
                 BuildActivation<float, A::ReLU>, BuildActivation<double, A::ReLU>});
    t.push_back({LayerKind::LeakyReLU, "leaky_relu", "x for x > 0, slope x otherwise",
                 {{"slope", ArgType::Real, 0.2, 0, 1, false, "slope for negative inputs"}}, SameShape, NoParams,
                 OutputAndGradient, false, true, BuildActivation<float, A::LeakyReLU>,
                 BuildActivation<double, A::LeakyReLU>});
    t.push_back({LayerKind::Tanh, "tanh", "tanh(x)", {}, SameShape, NoParams, OutputAndGradient, false, true,
                 BuildActivation<float, A::Tanh>, BuildActivation<double, A::Tanh>});
    t.push_back({LayerKind::Sigmoid, "sigmoid", "1 / (1 + exp(-x))", {}, SameShape, NoParams, OutputAndGradient,
                 false, true, BuildActivation<float, A::Sigmoid>, BuildActivation<double, A::Sigmoid>});
    t.push_back({LayerKind::Softplus, "softplus", "log(1 + exp(x))", {}, SameShape, NoParams, OutputAndGradient,
                 false, true, BuildActivation<float, A::Softplus>, BuildActivation<double, A::Softplus>});
    t.push_back({LayerKind::Reshape, "reshape", "the same values as channels x height x width (costs nothing)",
                 {{"c", ArgType::Int, kRequired, 1, kMaxSize, true, "channels", true},
                  {"h", ArgType::Int, kRequired, 1, kMaxSize, true, "height"},
                  {"w", ArgType::Int, kRequired, 1, kMaxSize, true, "width"}},
                 ReshapeShape, NoParams, NoBuffers, false, false, BuildReshape<float>, BuildReshape<double>});
    t.push_back({LayerKind::Flatten, "flatten", "the same values as a flat vector (costs nothing)", {}, FlattenShape,
                 NoParams, NoBuffers, false, false, BuildFlatten<float>, BuildFlatten<double>});
    t.push_back({LayerKind::Upsample, "upsample", "nearest-neighbour upsampling by an integer factor",
                 {{"factor", ArgType::Int, 2, 1, 8, false, "each pixel becomes factor x factor pixels"}},
                 UpsampleShape, NoParams, OutputAndGradient, false, false, BuildUpsample<float>,
                 BuildUpsample<double>});
    return t;
}

std::string ArgRange(const LayerArg& arg)
{
    if (arg.type == ArgType::Bool)
    {
        return "0 or 1";
    }
    return std::string(arg.type == ArgType::Int ? "an integer " : "") + "in [" + Num(arg.min) + ", " +
           Num(arg.max) + "]";
}

const LayerArg* FindArg(const LayerKindInfo& info, const std::string& name, std::size_t* index)
{
    for (std::size_t i = 0; i < info.args.size(); ++i)
    {
        if (name == info.args[i].name)
        {
            *index = i;
            return &info.args[i];
        }
    }
    return nullptr;
}

std::string ArgNames(const LayerKindInfo& info)
{
    if (info.args.empty())
    {
        return "none";
    }
    std::string names;
    for (const LayerArg& arg : info.args)
    {
        names += (names.empty() ? "" : ", ") + std::string(arg.name);
    }
    return names;
}

void CheckArgValue(const LayerKindInfo& info, const LayerArg& arg, double value)
{
    const bool integral = arg.type != ArgType::Real;
    if (!std::isfinite(value) || value < arg.min || value > arg.max || (integral && value != std::floor(value)))
    {
        throw std::invalid_argument(std::string(info.name) + "." + arg.name + " must be " + ArgRange(arg) + ", got " +
                                    (std::isnan(value) && arg.required ? std::string("nothing (it is required)")
                                                                       : Num(value)));
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------------------
// The table

const std::vector<LayerKindInfo>& LayerKinds()
{
    static const std::vector<LayerKindInfo> table = MakeTable();
    return table;
}

const LayerKindInfo& KindInfo(LayerKind kind)
{
    return LayerKinds().at(static_cast<std::size_t>(kind));
}

const char* LayerKindName(LayerKind kind)
{
    return KindInfo(kind).name;
}

const LayerKindInfo* FindLayerKind(const std::string& name)
{
    for (const LayerKindInfo& info : LayerKinds())
    {
        if (name == info.name)
        {
            return &info;
        }
    }
    return nullptr;
}

LayerKind ParseLayerKind(const std::string& name)
{
    if (const LayerKindInfo* info = FindLayerKind(name))
    {
        return info->kind;
    }
    std::string known;
    for (const LayerKindInfo& info : LayerKinds())
    {
        known += (known.empty() ? "" : ", ") + std::string(info.name);
    }
    throw std::invalid_argument("unknown layer kind '" + name + "' (known: " + known + ")");
}

// ---------------------------------------------------------------------------------------------------------
// Specs

double LayerSpec::Arg(const std::string& name) const
{
    const LayerKindInfo& info = Info();
    std::size_t i = 0;
    if (FindArg(info, name, &i) == nullptr || i >= args.size())
    {
        throw std::invalid_argument(std::string(info.name) + " has no argument '" + name + "' (it has " +
                                    ArgNames(info) + ")");
    }
    return args[i];
}

void LayerSpec::Set(const std::string& name, double value)
{
    const LayerKindInfo& info = Info();
    std::size_t i = 0;
    const LayerArg* arg = FindArg(info, name, &i);
    if (arg == nullptr)
    {
        throw std::invalid_argument(std::string(info.name) + " has no argument '" + name + "' (it has " +
                                    ArgNames(info) + ")");
    }
    CheckArgValue(info, *arg, value);
    args.resize(info.args.size(), kRequired);
    args[i] = value;
}

LayerSpec DefaultLayerSpec(LayerKind kind)
{
    LayerSpec spec;
    spec.kind = kind;
    for (const LayerArg& arg : spec.Info().args)
    {
        spec.args.push_back(arg.default_value);
    }
    return spec;
}

LayerSpec MakeLayerSpec(LayerKind kind, std::initializer_list<std::pair<const char*, double>> args)
{
    LayerSpec spec = DefaultLayerSpec(kind);
    for (const auto& [name, value] : args)
    {
        spec.Set(name, value);
    }
    CheckLayerArgs(spec);
    return spec;
}

void CheckLayerArgs(const LayerSpec& spec)
{
    const LayerKindInfo& info = spec.Info();
    if (spec.args.size() != info.args.size())
    {
        throw std::invalid_argument(std::string(info.name) + ": " + std::to_string(spec.args.size()) +
                                    " argument values for " + std::to_string(info.args.size()) + " arguments (" +
                                    ArgNames(info) + ")");
    }
    for (std::size_t i = 0; i < info.args.size(); ++i)
    {
        CheckArgValue(info, info.args[i], spec.args[i]);
    }
}

std::string DescribeLayer(const LayerSpec& spec)
{
    const LayerKindInfo& info = spec.Info();
    std::string text = info.name;
    for (std::size_t i = 0; i < info.args.size() && i < spec.args.size(); ++i)
    {
        const LayerArg& arg = info.args[i];
        const double v = spec.args[i];
        if (!arg.required && v == arg.default_value)
        {
            continue;
        }
        if (arg.type == ArgType::Bool)
        {
            text += std::string(", ") + (v != 0.0 ? "" : "no ") + arg.name;
        }
        else
        {
            text += std::string(", ") + arg.name + " " + Num(v);
        }
    }
    return text;
}

std::vector<LayerSpec> MlpLayers(const MlpSpec& spec)
{
    auto activation_kind = [](ActivationKind a)
    {
        switch (a)
        {
        case ActivationKind::ReLU: return LayerKind::ReLU;
        case ActivationKind::LeakyReLU: return LayerKind::LeakyReLU;
        case ActivationKind::Tanh: return LayerKind::Tanh;
        case ActivationKind::Sigmoid: return LayerKind::Sigmoid;
        case ActivationKind::Softplus: return LayerKind::Softplus;
        case ActivationKind::Identity: break;
        }
        return LayerKind::ReLU; // not reached: Identity adds no layer
    };
    std::vector<LayerSpec> layers;
    for (std::size_t i = 0; i + 1 < spec.sizes.size(); ++i)
    {
        const bool last = i + 2 == spec.sizes.size();
        layers.push_back(MakeLayerSpec(LayerKind::Linear, {{"out", static_cast<double>(spec.sizes[i + 1])},
                                                           {"bias", spec.bias ? 1.0 : 0.0}}));
        const ActivationKind act = last ? spec.output : spec.hidden;
        if (act == ActivationKind::Identity)
        {
            continue;
        }
        LayerSpec layer = MakeLayerSpec(activation_kind(act));
        if (act == ActivationKind::LeakyReLU)
        {
            layer.Set("slope", spec.leaky_slope);
        }
        layers.push_back(layer);
    }
    return layers;
}

} // namespace ll::nn
