// The network description: ONE table of layer kinds (name as written in JSON, arguments with defaults and ranges,
// shape rule, parameter count, buffers, builder) that the JSON reader/writer, the window's network table and the
// builder all iterate. A list of LayerSpec plus an input Shape validates into a NetworkSummary (per-layer output
// shapes and parameter counts, like Keras' model.summary(), and a memory estimate) and builds a Sequential.
#pragma once

#include "core/nn/sequential.h"

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ll::nn
{

enum class LayerKind
{
    Linear,
    Conv,
    ConvTranspose,
    BatchNorm,
    ReLU,
    LeakyReLU,
    Tanh,
    Sigmoid,
    Softplus,
    Reshape,
    Flatten,
    Upsample,
};

enum class ArgType
{
    Int,
    Real,
    Bool, // 0 or 1
};

// One argument of a layer kind. A JSON reader can accept an object by name, and a bare value or an array as the
// arguments in table order ({"linear": 1024}, {"reshape": [128, 7, 7]}).
struct LayerArg
{
    const char* name;   // as written in JSON: "out", "kernel", "stride", ...
    ArgType type;
    double default_value; // meaningless when required
    double min, max;    // allowed range, inclusive
    bool required;      // no default: the description must give it
    const char* help;   // one line, for tooltips
    bool size = false;  // a width the window's network table lets the user edit (features or channels)
};

struct LayerSpec;

// What a builder gets besides the spec and the input shape: the resolved weight init and the network's options.
struct LayerBuildContext
{
    InitKind init = InitKind::Xavier;
    bool spectral_norm = false;
};

template <typename T>
using LayerBuilder = std::unique_ptr<Layer<T>> (*)(const LayerSpec&, const Shape& input, const LayerBuildContext&,
                                                   Rng&);

// One row of the table: everything the lab knows about a kind of layer.
struct LayerKindInfo
{
    LayerKind kind;
    const char* name; // as written in JSON and returned by the built layer's Kind()
    const char* help;
    std::vector<LayerArg> args;
    // Shape rule: the output shape for an input, or false with what the layer needs ("is smaller than the kernel")
    // in `need`, phrased to follow "input 64x3x3 ".
    bool (*infer)(const LayerSpec& spec, const Shape& input, Shape& output, std::string& need);
    Index (*param_count)(const LayerSpec& spec, const Shape& input, const Shape& output);
    // Floats per example the built layer keeps for a training step (output, input gradient, patch matrix).
    Index (*buffer_floats)(const LayerSpec& spec, const Shape& input, const Shape& output);
    bool weighted;  // carries a weight matrix whose init follows the network's init setting
    bool activation; // an elementwise nonlinearity (the Auto init looks at the one after each weighted layer)
    LayerBuilder<float> build_float;
    LayerBuilder<double> build_double;
};

// The table, in enum order.
const std::vector<LayerKindInfo>& LayerKinds();
const LayerKindInfo& KindInfo(LayerKind kind);
const char* LayerKindName(LayerKind kind);
// nullptr for an unknown name.
const LayerKindInfo* FindLayerKind(const std::string& name);
// Throws std::invalid_argument naming the known kinds.
LayerKind ParseLayerKind(const std::string& name);

// A layer kind with one value per argument of its table row, in the row's order.
struct LayerSpec
{
    LayerKind kind = LayerKind::ReLU;
    std::vector<double> args;

    const LayerKindInfo& Info() const { return KindInfo(kind); }
    // By name; throws std::invalid_argument for a name the kind does not have.
    double Arg(const std::string& name) const;
    Index IntArg(const std::string& name) const { return static_cast<Index>(Arg(name)); }
    bool BoolArg(const std::string& name) const { return Arg(name) != 0.0; }
    // Checked: the name exists, the value is in range (an integer for Int, 0 / 1 for Bool). Throws
    // std::invalid_argument naming the kind, the argument and the allowed range.
    void Set(const std::string& name, double value);

    bool operator==(const LayerSpec&) const = default; // kind and every value (checked specs hold no NaN)
};

// A spec with every default and the required arguments unset (NaN): what a reader fills with Set, then checks with
// CheckLayerArgs (SummarizeNetwork checks too).
LayerSpec DefaultLayerSpec(LayerKind kind);
// A spec with every default, then the given arguments set (checked). Throws when a required argument is missing.
LayerSpec MakeLayerSpec(LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {});
// Throws std::invalid_argument when a required argument is unset (NaN) or a value is out of range.
void CheckLayerArgs(const LayerSpec& spec);
// "conv, out 128, kernel 4, stride 2, pad 1": the kind and every argument that is required or not at its default.
std::string DescribeLayer(const LayerSpec& spec);

// An MLP description (the `hidden` short form) as a layer list: Linear, hidden activation, ..., Linear, output
// activation (none for Identity). BuildNetwork of it with the same init and spectral norm is exactly MakeMlp.
std::vector<LayerSpec> MlpLayers(const MlpSpec& spec);

struct LayerSummary
{
    std::size_t index = 0;
    LayerKind kind = LayerKind::ReLU;
    std::string description; // DescribeLayer
    Shape input, output;
    Index params = 0;
    Index buffer_floats = 0; // per example
};

struct NetworkSummary
{
    std::string name;
    Shape input, output;
    std::vector<LayerSummary> layers;
    Index params = 0;

    // Parameters, their gradients and Adam's two moments: 4 floats per parameter.
    std::size_t ParameterBytes() const { return static_cast<std::size_t>(params) * 4 * sizeof(float); }
    // Buffers the layers keep for one training step of a batch (outputs, input gradients, patch matrices).
    std::size_t ActivationBytes(Index batch) const;
    std::size_t TrainingBytes(Index batch) const { return ParameterBytes() + ActivationBytes(batch); }
};

// Checks the list layer by layer and infers every shape. Throws std::invalid_argument on the first mismatch:
// "D layer 3 (conv, kernel 4, stride 2): input 64x3x3 is smaller than the kernel (4 with pad 0)". Layers are
// numbered from 0, as their parameters are named ("D.3.weight").
NetworkSummary SummarizeNetwork(const std::string& name, const std::vector<LayerSpec>& layers, const Shape& input);

// Throws std::invalid_argument unless the network's output has `expected`'s size (a flat 784 matches 1x28x28):
// "G: output 64x14x14 (12544 values) does not match the data 1x28x28 (784 values)".
void CheckOutputShape(const NetworkSummary& summary, const Shape& expected, const std::string& what);

// Keras-style text: one row per layer (index, description, output shape, parameters), then the totals and the
// memory estimate for a batch.
std::string FormatSummary(const NetworkSummary& summary, Index batch);

struct NetworkOptions
{
    MlpInit init = MlpInit::Auto; // Auto: He for a weighted layer whose next activation is ReLU-family, except the
                                  // last weighted layer; Xavier otherwise
    bool spectral_norm = false;   // on every linear and conv layer (transposed convs refuse it)
};

// Validates (SummarizeNetwork) and builds the chain, drawing weights from rng layer by layer; the Sequential's
// input shape is set. Parameters are named as Sequential names them.
template <typename T>
Sequential<T> BuildNetwork(const std::string& name, const std::vector<LayerSpec>& layers, const Shape& input,
                           const NetworkOptions& options, Rng& rng);

} // namespace ll::nn
