// A chain of layers, and the MLP builder every model uses. Forward/Backward/BackwardOfBackward run the chain;
// parameters are named prefix + layer index + ".weight"/".bias" (e.g. "G.0.weight"), non-trainable state
// (BatchNorm's running statistics, spectral-norm vectors) prefix + index + "." + its name.
#pragma once

#include "core/nn/layers.h"

#include <memory>
#include <string>
#include <vector>

namespace ll::nn
{

template <typename T>
class Sequential
{
public:
    Sequential() = default;
    Sequential(const Sequential& other);            // deep copy (Clone of every layer)
    Sequential& operator=(const Sequential& other); // deep copy
    Sequential(Sequential&&) noexcept = default;
    Sequential& operator=(Sequential&&) noexcept = default;

    void Add(std::unique_ptr<Layer<T>> layer);
    std::size_t Size() const { return m_layers.size(); }
    Layer<T>& At(std::size_t i) { return *m_layers[i]; }
    const Layer<T>& At(std::size_t i) const { return *m_layers[i]; }

    Index InputSize() const { return m_input_shape.Size(); }
    void SetInputSize(Index n) { m_input_shape = Shape::Flat(n); }
    const Shape& InputShape() const { return m_input_shape; }
    void SetInputShape(const Shape& shape) { m_input_shape = shape; }
    Index OutputSize() const { return OutputShape().Size(); }
    Shape OutputShape() const; // through every layer's OutputShape from the input shape

    // x: (in, B) -> (out, B). x must stay alive and unchanged until the matching Backward.
    const Matrix<T>& Forward(const Matrix<T>& x);
    // The input of layer i (0 <= i <= Size(); Size() is the output) in the last Forward: (features of layer i's
    // input, B). Valid until the next Forward. A head on a network's body (InfoGAN's Q on D) reads it.
    const Matrix<T>& LayerInput(std::size_t i) const;
    // dy: (out, B) -> dx: (in, B); accumulates parameter gradients when accumulate is true.
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true);
    // The same; with need_input_grad false (the encoder's, the generator's and D's own update never use dx) the
    // layers below the first layer with parameters are not run, that layer runs BackwardParamsOnly (skipping its
    // dx where it can), and an empty (0, 0) matrix is returned. accumulate = false always computes dx (that is
    // what such a pass is for).
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate, bool need_input_grad);
    // The same, with a second loss reading the input of layer side_layer (LayerInput(side_layer)): side_dy
    // (features there, B) is added to the gradient that reaches that point, so the layers below receive the sum of
    // both losses' gradients in one pass. side_layer in [1, Size()).
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate, bool need_input_grad, std::size_t side_layer,
                              const Matrix<T>& side_dy);

    // Gradient penalty support. After Forward(x) and Backward(dy, false), given u = dP/d(dx) (in, B):
    // adds dP/dparams to the gradients, through both the backward pass and the forward pass it depends on.
    // dP/d(dy) at the top is dropped (dy is a constant, e.g. ones). Returns dP/dx: (in, B).
    // The top dy of an accumulate=false Backward is copied, so it may be a temporary; the chain's own buffers
    // are referenced. After this call the layers' Backward caches are overwritten (call Forward again).
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u);

    // Parameters of every layer, in layer order, named prefix + index + "." + "weight"/"bias".
    std::vector<ParamRef<T>> Params(const std::string& prefix);
    // Non-trainable state of every layer a checkpoint keeps (grad = nullptr), in layer order: prefix + index + "."
    // + "running_mean" / "running_var" (BatchNorm), "sn_u" / "sn_v" (spectral-normalised Linear).
    std::vector<ParamRef<T>> State(const std::string& prefix);
    void ZeroGrad();
    std::size_t ParamCount() const;

    // Linear layers, in order (for spectral normalisation, weight clipping, checkpoints).
    std::vector<Linear<T>*> LinearLayers();
    // Every layer's SetTraining: BatchNorm's batch vs running statistics and spectral norm's power iteration.
    void SetTraining(bool training);
    // Only the power iteration of spectral-normalised layers / only BatchNorm's statistics mode (layer.h).
    void SetPowerIteration(bool advance);
    void SetBatchStatistics(bool batch);
    // Whether any layer is a BatchNorm (a critic with one cannot take a per-example gradient penalty).
    bool HasBatchNorm() const;

private:
    std::vector<std::unique_ptr<Layer<T>>> m_layers;
    Shape m_input_shape = Shape::Flat(0);
    std::size_t m_first_param_layer = 0; // index of the first layer with parameters (Size() when none)
    Matrix<T> m_dy_top;              // (out, B) copy of the top dy of an accumulate=false Backward (for BoB)
    std::vector<Matrix<T>> m_dp_dx;  // per layer: dP/d(layer input), then the running forward-path total
    Matrix<T> m_zero;                // dP/dx of an empty chain
    Matrix<T> m_no_input_grad;       // (0, 0): what Backward returns when the input gradient is skipped
    std::vector<const Matrix<T>*> m_inputs; // per layer: its input in the last Forward (then the output)
    Matrix<T> m_side_sum;            // the gradient at a side loss's layer plus the side loss's own
};

// How MakeMlp initialises its Linear layers.
enum class MlpInit
{
    Auto,   // He-normal for ReLU-family hidden layers, Xavier-uniform otherwise; biases zero
    He,     // He-normal on every Linear layer; biases zero
    Xavier, // Xavier-uniform on every Linear layer; biases zero
    Torch,  // PyTorch's nn.Linear default on every layer: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))
};

const util::EnumNames<MlpInit>& NamesOf(MlpInit); // "auto", "he", "xavier", "torch"
// The table's lookup (names are lower case); throws std::invalid_argument naming the allowed values.
inline MlpInit ParseMlpInit(const std::string& name) { return NamesOf(MlpInit{}).Parse(name, "init"); }
inline const std::string& MlpInitName(MlpInit init) { return NamesOf(init).Name(init); }
inline const std::vector<std::string>& MlpInitNames() { return NamesOf(MlpInit{}).Names(); }

// An MLP description, as experiments and presets give it.
struct MlpSpec
{
    std::vector<Index> sizes;                 // input, hidden..., output (at least 2 entries)
    ActivationKind hidden = ActivationKind::ReLU;
    ActivationKind output = ActivationKind::Identity;
    double leaky_slope = 0.2;
    bool bias = true;
    bool spectral_norm = false;               // on every Linear layer
    MlpInit init = MlpInit::Auto;
};

// Builds Linear -> hidden act -> ... -> Linear -> output act (no layer for Identity), initialised as spec.init
// says (Auto: He for ReLU-family hidden layers, Xavier otherwise). Throws std::invalid_argument for fewer than two sizes or a size < 1.
template <typename T>
Sequential<T> MakeMlp(const MlpSpec& spec, Rng& rng);

} // namespace ll::nn
