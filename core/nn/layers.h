// The concrete layers: Linear (optional bias, optional spectral normalisation) and the elementwise
// activations ReLU, LeakyReLU(slope), Tanh, Sigmoid, Softplus. Shapes in comments are (rows, cols).
#pragma once

#include "core/nn/layer.h"
#include "core/nn/spectral_norm.h"
#include "core/util/enum_names.h"
#include "core/util/rng.h"

namespace ll::nn
{

enum class InitKind
{
    He,     // N(0, 2 / fan_in): for ReLU-family hidden layers
    Xavier, // U(-a, a), a = sqrt(6 / (fan_in + fan_out)): for tanh / sigmoid / linear outputs
    Torch,  // U(-a, a), a = 1 / sqrt(fan_in), for weights and biases alike: PyTorch's nn.Linear default
    Normal002, // N(0, 0.02^2) whatever the fans: the DCGAN paper's init (biases zero)
};

// Fills w (out, in) with the chosen initialisation from rng. For Torch the bound uses w's own cols as fan_in, so a
// bias (out, 1) is drawn with InitUniform below, not with this.
template <typename T>
void InitWeights(Matrix<T>& w, InitKind kind, Rng& rng);
// The same with explicit fans (convolutions: fan_in = cols of the weight matrix, fan_out = rows * kernel area).
template <typename T>
void InitWeights(Matrix<T>& w, InitKind kind, Rng& rng, double fan_in, double fan_out);

// Fills m with U(-bound, bound) draws from rng (Torch's bias init: bound = 1 / sqrt(fan_in) of the layer).
template <typename T>
void InitUniform(Matrix<T>& m, double bound, Rng& rng);

template <typename T>
class Linear final : public Layer<T>
{
public:
    // y = W x + b with W (out, in), b (out, 1). Bias starts at zero, except with InitKind::Torch, which draws it
    // from U(-1/sqrt(in), 1/sqrt(in)) after the weights.
    Linear(Index in, Index out, bool bias, InitKind init, Rng& rng);

    // Spectral normalisation (Miyato et al. 2018): the layer uses W / sigma(W), sigma estimated by power
    // iteration with a persistent vector u (out). One power-iteration step per training Forward (call
    // SetPowerIteration(false) or SetTraining(false) to freeze u, e.g. for evaluation and the double backward's
    // re-use).
    void EnableSpectralNorm(Rng& rng);
    bool SpectralNorm() const { return m_sn.Enabled(); }
    void SetPowerIteration(bool advance) override { m_training = advance; }
    T Sigma() const { return m_sn.Sigma(); }

    std::string Kind() const override { return "linear"; }
    Index OutputSize(Index) const override { return m_w.rows(); }
    const Matrix<T>& Forward(const Matrix<T>& x) override;
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) override;
    // Backward that adds the parameter gradients but skips dx (the first layer of a network whose input
    // gradient nobody needs: the encoder's, the generator's, D's in its own update). dy must outlive a later
    // BackwardOfBackward as for Backward; the dx of an earlier Backward is left as it was.
    void BackwardParamsOnly(const Matrix<T>& dy) override;
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) override;
    void CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out) override;
    // With spectral normalisation: prefix + "sn_u" and "sn_v" (the power-iteration vectors a checkpoint keeps).
    void CollectState(const std::string& prefix, std::vector<ParamRef<T>>& out) override
    {
        if (m_sn.Enabled())
        {
            out.push_back({prefix + "sn_u", &m_sn.U(), nullptr});
            out.push_back({prefix + "sn_v", &m_sn.V(), nullptr});
        }
    }
    std::unique_ptr<Layer<T>> Clone() const override;
    bool CurvatureFree() const override { return true; }
    void ZeroGrad() override;

    Matrix<T>& Weight() { return m_w; }
    Matrix<T>& Bias() { return m_b; }
    bool HasBias() const { return m_has_bias; }
    Matrix<T>& SpectralU() { return m_sn.U(); } // (out, 1), the power-iteration state (checkpointed)
    // (in, 1): recomputed from u by every training Forward, but frozen with u in evaluation; checkpoint it with u
    // so an evaluation-mode model restores exactly.
    Matrix<T>& SpectralV() { return m_sn.V(); }
    const Matrix<T>& Weight() const { return m_w; }
    const Matrix<T>& Bias() const { return m_b; }
    Matrix<T>& WeightGrad() { return m_dw; }
    Matrix<T>& BiasGrad() { return m_db; }

private:
    const Matrix<T>& EffectiveWeight() const { return m_sn.Enabled() ? m_sn.EffectiveWeight() : m_w; }
    void BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx);
    // Adds dL/dW to m_dw given g = dL/dW_eff (out, in); through W / sigma when spectral-normalised.
    void AccumulateWeightGrad(const Matrix<T>& g);

    Matrix<T> m_w;  // (out, in)
    Matrix<T> m_b;  // (out, 1), empty without bias
    Matrix<T> m_dw; // (out, in)
    Matrix<T> m_db; // (out, 1)
    bool m_has_bias = true;

    bool m_training = true;
    nn::SpectralNorm<T> m_sn; // u (out, 1), v (in, 1), W / sigma; its scratch holds dL/dW_eff (out, in)

    // Inputs are cached by pointer, not copied: x of the last Forward must outlive Backward (and
    // BackwardOfBackward), dy of the last Backward must outlive BackwardOfBackward. Sequential guarantees both.
    const Matrix<T>* m_x = nullptr;  // (in, B)
    const Matrix<T>* m_dy = nullptr; // (out, B)
    Matrix<T> m_y;   // (out, B)
    Matrix<T> m_dx;  // (in, B)
    Matrix<T> m_ddy; // (out, B) dP/d(dy) of BackwardOfBackward
};

enum class ActivationKind
{
    Identity,
    ReLU,
    LeakyReLU,
    Tanh,
    Sigmoid,
    Softplus,
};

// The names: "relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity" (aliases "linear", "none",
// "leakyrelu", "lrelu"), in that order.
const util::EnumNames<ActivationKind>& NamesOf(ActivationKind);
// The table's lookup, ignoring case; throws std::invalid_argument listing the names.
ActivationKind ParseActivation(const std::string& name);
inline const std::string& ActivationName(ActivationKind kind) { return NamesOf(kind).Name(kind); }

// Elementwise activation y = f(x). Backward needs f'(x); BackwardOfBackward also needs f''(x).
template <typename T>
class Activation final : public Layer<T>
{
public:
    explicit Activation(ActivationKind kind, T slope = T(0.2)); // slope is LeakyReLU's negative slope

    std::string Kind() const override { return ActivationName(m_kind); }
    ActivationKind Type() const { return m_kind; }
    T Slope() const { return m_slope; }
    Index OutputSize(Index input_size) const override { return input_size; }
    Shape OutputShape(const Shape& input) const override { return input; } // elementwise: keeps (c, h, w)
    const Matrix<T>& Forward(const Matrix<T>& x) override;
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) override;
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) override;
    std::unique_ptr<Layer<T>> Clone() const override;
    bool CurvatureFree() const override;

private:
    ActivationKind m_kind;
    T m_slope;
    const Matrix<T>* m_x = nullptr;  // (n, B) input of the last Forward, cached by pointer (must outlive Backward)
    const Matrix<T>* m_dy = nullptr; // (n, B) dy of the last Backward (must outlive BackwardOfBackward)
    Matrix<T> m_y;   // (n, B)
    Matrix<T> m_dx;  // (n, B)
    Matrix<T> m_ddy; // (n, B)
};

} // namespace ll::nn
