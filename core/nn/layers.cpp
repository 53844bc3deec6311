// Linear (with optional spectral normalisation) and the elementwise activations: forward, backward and the
// double backward used by gradient penalties. No allocation once buffer shapes repeat.
#include "core/nn/layers.h"

#include "core/nn/gemm.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace ll::nn
{

namespace
{

// out[i] = x[i] > 0 ? a[i] : slope * a[i]: the leaky ReLU's backward (a = dy) and double backward (a = u). A plain loop over restrict pointers, which GCC vectorises into blends: Eigen 3.4's select() has
// no vectorised path ("TODO enable vectorization for Select").
template <typename T>
void GateBySign(const T* __restrict x, const T* __restrict a, T* __restrict out, Index n, T slope)
{
    for (Index i = 0; i < n; ++i)
    {
        // A select between constants, then one multiply (1 * a is exact): under GCC's default -ftrapping-math a
        // multiply on one branch only is not if-converted, and the loop would stay scalar and branchy.
        const T factor = x[i] > T(0) ? T(1) : slope;
        out[i] = factor * a[i];
    }
}

// y[i] = x[i] > 0 ? x[i] : slope * x[i]: the leaky ReLU's forward (one input pointer, so nothing needs an alias check).
template <typename T>
void LeakyRelu(const T* __restrict x, T* __restrict y, Index n, T slope)
{
    for (Index i = 0; i < n; ++i)
    {
        // max(v, 0) + slope * min(v, 0), exact on both sides; written so that no multiply sits on one branch only
        // (GCC then threads the branch and the loop stays scalar).
        const T v = x[i];
        const T pos = v > T(0) ? v : T(0);
        const T neg = v > T(0) ? T(0) : v;
        y[i] = pos + slope * neg;
    }
}

// out[i] = x[i] > 0 ? a[i] : 0 (ReLU's; not slope 0 above, which would turn an infinite a into NaN).
template <typename T>
void GateByPositive(const T* __restrict x, const T* __restrict a, T* __restrict out, Index n)
{
    for (Index i = 0; i < n; ++i)
    {
        const T value = a[i];
        out[i] = x[i] > T(0) ? value : T(0);
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------------------
// Initialisation

template <typename T>
void InitWeights(Matrix<T>& w, InitKind kind, Rng& rng)
{
    InitWeights(w, kind, rng, static_cast<double>(w.cols()), static_cast<double>(w.rows()));
}

template <typename T>
void InitWeights(Matrix<T>& w, InitKind kind, Rng& rng, double fan_in, double fan_out)
{
    if (w.size() == 0)
    {
        return;
    }
    T* data = w.data();
    if (kind == InitKind::He || kind == InitKind::Normal002)
    {
        const double sd = kind == InitKind::He ? std::sqrt(2.0 / fan_in) : 0.02;
        for (Index i = 0; i < w.size(); ++i)
        {
            data[i] = static_cast<T>(rng.Normal(0.0, sd));
        }
    }
    else if (kind == InitKind::Torch)
    {
        InitUniform(w, 1.0 / std::sqrt(fan_in), rng);
    }
    else
    {
        InitUniform(w, std::sqrt(6.0 / (fan_in + fan_out)), rng);
    }
}

template <typename T>
void InitUniform(Matrix<T>& m, double bound, Rng& rng)
{
    T* data = m.data();
    for (Index i = 0; i < m.size(); ++i)
    {
        data[i] = static_cast<T>(rng.Uniform(-bound, bound));
    }
}

// ---------------------------------------------------------------------------------------------------------
// Linear

template <typename T>
Linear<T>::Linear(Index in, Index out, bool bias, InitKind init, Rng& rng) : m_has_bias(bias)
{
    if (in < 1 || out < 1)
    {
        throw std::invalid_argument("Linear: sizes must be >= 1, got in " + std::to_string(in) + ", out " +
                                    std::to_string(out));
    }
    m_w.resize(out, in);
    InitWeights(m_w, init, rng);
    m_dw = Matrix<T>::Zero(out, in);
    if (m_has_bias)
    {
        m_b = Matrix<T>::Zero(out, 1);
        m_db = Matrix<T>::Zero(out, 1);
        if (init == InitKind::Torch)
        {
            InitUniform(m_b, 1.0 / std::sqrt(static_cast<double>(in)), rng);
        }
    }
}

template <typename T>
void Linear<T>::EnableSpectralNorm(Rng& rng)
{
    m_sn.Enable(m_w, rng);
}

template <typename T>
const Matrix<T>& Linear<T>::Forward(const Matrix<T>& x)
{
    const Index in = m_w.cols();
    const Index out = m_w.rows();
    if (x.rows() != in)
    {
        throw std::invalid_argument("Linear " + ShapeText(out, in) + ": input has " + std::to_string(x.rows()) +
                                    " rows, expected " + std::to_string(in));
    }
    if (m_sn.Enabled())
    {
        m_sn.Normalize(m_w, m_training, "Linear"); // EffectiveWeight() is W / sigma from here on
    }
    m_x = &x;
    if (m_has_bias)
    {
        // The bias goes in first and the product adds onto it (beta 1): one pass over y fewer than a product with
        // beta 0, which a BLAS starts by zeroing C, followed by a bias pass.
        EnsureShape(m_y, out, x.cols());
        m_y.colwise() = m_b.col(0);
        Gemm<T>(Trans::No, Trans::No, T(1), EffectiveWeight(), x, T(1), m_y); // (out, B) += (out, in) (in, B)
    }
    else
    {
        Gemm<T>(Trans::No, Trans::No, T(1), EffectiveWeight(), x, T(0), m_y); // (out, B) = (out, in) (in, B)
    }
    return m_y;
}

template <typename T>
void Linear<T>::AccumulateWeightGrad(const Matrix<T>& g)
{
    if (m_sn.Enabled())
    {
        m_sn.AccumulateGrad(g, m_dw); // dL/dW through W / sigma(W)
    }
    else
    {
        m_dw += g;
    }
}

template <typename T>
const Matrix<T>& Linear<T>::Backward(const Matrix<T>& dy, bool accumulate)
{
    BackwardImpl(dy, accumulate, true);
    return m_dx;
}

template <typename T>
void Linear<T>::BackwardParamsOnly(const Matrix<T>& dy)
{
    BackwardImpl(dy, true, false);
}

template <typename T>
void Linear<T>::BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx)
{
    if (m_x == nullptr)
    {
        throw std::runtime_error("Linear::Backward called before Forward");
    }
    const Matrix<T>& x = *m_x;
    if (dy.rows() != m_w.rows() || dy.cols() != x.cols())
    {
        throw std::invalid_argument("Linear::Backward: dy is " + ShapeText(dy.rows(), dy.cols()) + ", expected " +
                                    ShapeText(m_w.rows(), x.cols()));
    }
    m_dy = &dy;
    if (need_dx)
    {
        Gemm<T>(Trans::Yes, Trans::No, T(1), EffectiveWeight(), dy, T(0), m_dx); // (in, B) = (out, in)^T (out, B)
    }
    if (accumulate)
    {
        if (m_sn.Enabled())
        {
            Gemm<T>(Trans::No, Trans::Yes, T(1), dy, x, T(0), m_sn.GradScratch()); // (out, in) = (out, B) (in, B)^T
            AccumulateWeightGrad(m_sn.GradScratch());
        }
        else
        {
            Gemm<T>(Trans::No, Trans::Yes, T(1), dy, x, T(1), m_dw); // (out, in) += (out, B) (in, B)^T
        }
        if (m_has_bias)
        {
            m_db.col(0) += dy.rowwise().sum();
        }
    }
}

template <typename T>
const Matrix<T>& Linear<T>::BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx)
{
    if (m_dy == nullptr || m_x == nullptr)
    {
        throw std::runtime_error("Linear::BackwardOfBackward called before Forward and Backward");
    }
    const Matrix<T>& dy = *m_dy;
    if (u.rows() != m_w.cols() || u.cols() != dy.cols())
    {
        throw std::invalid_argument("Linear::BackwardOfBackward: u is " + ShapeText(u.rows(), u.cols()) +
                                    ", expected " + ShapeText(m_w.cols(), dy.cols()));
    }
    // dx = W_eff^T dy: dP/d(dy) = W_eff u, dP/dW_eff = dy u^T, and dx does not depend on x.
    Gemm<T>(Trans::No, Trans::No, T(1), EffectiveWeight(), u, T(0), m_ddy); // (out, B) = (out, in) (in, B)
    if (m_sn.Enabled())
    {
        Gemm<T>(Trans::No, Trans::Yes, T(1), dy, u, T(0), m_sn.GradScratch()); // (out, in) = (out, B) (in, B)^T
        AccumulateWeightGrad(m_sn.GradScratch());
    }
    else
    {
        Gemm<T>(Trans::No, Trans::Yes, T(1), dy, u, T(1), m_dw); // (out, in) += (out, B) (in, B)^T
    }
    EnsureShape(dp_dx, m_w.cols(), u.cols());
    dp_dx.setZero();
    return m_ddy;
}

template <typename T>
void Linear<T>::CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out)
{
    out.push_back({prefix + "weight", &m_w, &m_dw});
    if (m_has_bias)
    {
        out.push_back({prefix + "bias", &m_b, &m_db});
    }
}

template <typename T>
void Linear<T>::ZeroGrad()
{
    m_dw.setZero();
    m_db.setZero();
}

template <typename T>
std::unique_ptr<Layer<T>> Linear<T>::Clone() const
{
    auto copy = std::make_unique<Linear<T>>(*this);
    // Caches are not part of the copy: drop the borrowed pointers and the batch-sized buffers.
    copy->m_x = nullptr;
    copy->m_dy = nullptr;
    copy->m_y.resize(0, 0);
    copy->m_dx.resize(0, 0);
    copy->m_ddy.resize(0, 0);
    copy->m_sn.DropScratch();
    return copy;
}

// ---------------------------------------------------------------------------------------------------------
// Activations

const util::EnumNames<ActivationKind>& NamesOf(ActivationKind)
{
    static const util::EnumNames<ActivationKind> names{
        {ActivationKind::ReLU, "relu"},         {ActivationKind::LeakyReLU, "leaky_relu"},
        {ActivationKind::Tanh, "tanh"},         {ActivationKind::Sigmoid, "sigmoid"},
        {ActivationKind::Softplus, "softplus"}, {ActivationKind::Identity, "identity"},
        {ActivationKind::Identity, "linear"},   {ActivationKind::Identity, "none"},
        {ActivationKind::LeakyReLU, "leakyrelu"}, {ActivationKind::LeakyReLU, "lrelu"},
    };
    return names;
}

ActivationKind ParseActivation(const std::string& name)
{
    const auto kind = NamesOf(ActivationKind{}).FindIgnoringCase(name);
    return kind ? *kind : NamesOf(ActivationKind{}).Parse(name, "activation"); // Parse throws, listing the names
}

template <typename T>
Activation<T>::Activation(ActivationKind kind, T slope) : m_kind(kind), m_slope(slope)
{
    if (!std::isfinite(static_cast<double>(slope)))
    {
        throw std::invalid_argument("Activation: leaky slope must be finite");
    }
}

template <typename T>
bool Activation<T>::CurvatureFree() const
{
    return m_kind == ActivationKind::Identity || m_kind == ActivationKind::ReLU ||
           m_kind == ActivationKind::LeakyReLU;
}

template <typename T>
const Matrix<T>& Activation<T>::Forward(const Matrix<T>& x)
{
    m_x = &x;
    EnsureShape(m_y, x.rows(), x.cols());
    auto xa = x.array();
    switch (m_kind)
    {
    case ActivationKind::Identity:
        m_y = x;
        break;
    case ActivationKind::ReLU:
        m_y.array() = xa.max(T(0));
        break;
    case ActivationKind::LeakyReLU:
        LeakyRelu(x.data(), m_y.data(), x.size(), m_slope);
        break;
    case ActivationKind::Tanh:
        m_y.array() = xa.tanh();
        break;
    case ActivationKind::Sigmoid:
        m_y.array() = xa.logistic();
        break;
    case ActivationKind::Softplus:
        // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
        m_y.array() = xa.max(T(0)) + (-xa.abs()).exp().log1p();
        break;
    }
    return m_y;
}

template <typename T>
const Matrix<T>& Activation<T>::Backward(const Matrix<T>& dy, bool accumulate)
{
    (void)accumulate; // no parameters
    if (m_x == nullptr)
    {
        throw std::runtime_error(Kind() + "::Backward called before Forward");
    }
    if (dy.rows() != m_y.rows() || dy.cols() != m_y.cols())
    {
        throw std::invalid_argument(Kind() + "::Backward: dy is " + ShapeText(dy.rows(), dy.cols()) +
                                    ", expected " + ShapeText(m_y.rows(), m_y.cols()));
    }
    m_dy = &dy;
    EnsureShape(m_dx, dy.rows(), dy.cols());
    auto xa = m_x->array();
    auto ya = m_y.array();
    auto ga = dy.array();
    switch (m_kind)
    {
    case ActivationKind::Identity:
        m_dx = dy;
        break;
    case ActivationKind::ReLU:
        GateByPositive(m_x->data(), dy.data(), m_dx.data(), dy.size());
        break;
    case ActivationKind::LeakyReLU:
        GateBySign(m_x->data(), dy.data(), m_dx.data(), dy.size(), m_slope);
        break;
    case ActivationKind::Tanh:
        m_dx.array() = (T(1) - ya.square()) * ga;
        break;
    case ActivationKind::Sigmoid:
        m_dx.array() = ya * (T(1) - ya) * ga;
        break;
    case ActivationKind::Softplus:
        m_dx.array() = xa.logistic() * ga;
        break;
    }
    return m_dx;
}

template <typename T>
const Matrix<T>& Activation<T>::BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx)
{
    if (m_dy == nullptr || m_x == nullptr)
    {
        throw std::runtime_error(Kind() + "::BackwardOfBackward called before Forward and Backward");
    }
    if (u.rows() != m_y.rows() || u.cols() != m_y.cols())
    {
        throw std::invalid_argument(Kind() + "::BackwardOfBackward: u is " + ShapeText(u.rows(), u.cols()) +
                                    ", expected " + ShapeText(m_y.rows(), m_y.cols()));
    }
    // dx = f'(x) dy: dP/d(dy) = f'(x) u and dP/dx = f''(x) dy u.
    EnsureShape(m_ddy, u.rows(), u.cols());
    EnsureShape(dp_dx, u.rows(), u.cols());
    auto xa = m_x->array();
    auto ya = m_y.array();
    auto ua = u.array();
    auto ga = m_dy->array();
    switch (m_kind)
    {
    case ActivationKind::Identity:
        m_ddy = u;
        dp_dx.setZero();
        break;
    case ActivationKind::ReLU:
        GateByPositive(m_x->data(), u.data(), m_ddy.data(), u.size());
        dp_dx.setZero();
        break;
    case ActivationKind::LeakyReLU:
        GateBySign(m_x->data(), u.data(), m_ddy.data(), u.size(), m_slope);
        dp_dx.setZero();
        break;
    case ActivationKind::Tanh:
        // f' = 1 - y^2, f'' = -2 y (1 - y^2)
        m_ddy.array() = (T(1) - ya.square()) * ua;
        dp_dx.array() = T(-2) * ya * (T(1) - ya.square()) * ga * ua;
        break;
    case ActivationKind::Sigmoid:
        // f' = y (1 - y), f'' = y (1 - y)(1 - 2 y)
        m_ddy.array() = ya * (T(1) - ya) * ua;
        dp_dx.array() = ya * (T(1) - ya) * (T(1) - T(2) * ya) * ga * ua;
        break;
    case ActivationKind::Softplus:
        // f' = s(x), f'' = s(x)(1 - s(x)); s is recomputed rather than cached to keep Forward lean.
        m_ddy.array() = xa.logistic() * ua;
        dp_dx.array() = xa.logistic() * (T(1) - xa.logistic()) * ga * ua;
        break;
    }
    return m_ddy;
}

template <typename T>
std::unique_ptr<Layer<T>> Activation<T>::Clone() const
{
    return std::make_unique<Activation<T>>(m_kind, m_slope);
}

template void InitWeights<float>(Matrix<float>&, InitKind, Rng&);
template void InitWeights<double>(Matrix<double>&, InitKind, Rng&);
template void InitWeights<float>(Matrix<float>&, InitKind, Rng&, double, double);
template void InitWeights<double>(Matrix<double>&, InitKind, Rng&, double, double);
template void InitUniform<float>(Matrix<float>&, double, Rng&);
template void InitUniform<double>(Matrix<double>&, double, Rng&);
template class Linear<float>;
template class Linear<double>;
template class Activation<float>;
template class Activation<double>;

} // namespace ll::nn
