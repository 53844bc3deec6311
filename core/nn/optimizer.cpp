// SGD (momentum), Adam and RMSProp: one flat loop per tensor, the step counter advanced once per Step().
#include "core/nn/optimizer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace ll::nn
{

OptimizerKind ParseOptimizer(const std::string& name)
{
    std::string key = name;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (key == "sgd")
        return OptimizerKind::Sgd;
    if (key == "adam")
        return OptimizerKind::Adam;
    if (key == "rmsprop")
        return OptimizerKind::RmsProp;
    throw std::invalid_argument("unknown optimizer '" + name + "' (expected sgd, adam or rmsprop)");
}

std::string OptimizerName(OptimizerKind kind)
{
    switch (kind)
    {
    case OptimizerKind::Sgd:
        return "sgd";
    case OptimizerKind::Adam:
        return "adam";
    case OptimizerKind::RmsProp:
        return "rmsprop";
    }
    return "unknown";
}

template <typename T>
Optimizer<T>::Optimizer(std::vector<ParamRef<T>> params, const OptimizerConfig& config)
    : m_params(std::move(params)), m_config(config)
{
    for (const auto& p : m_params)
    {
        if (p.value == nullptr || p.grad == nullptr)
        {
            throw std::invalid_argument("Optimizer: parameter '" + p.name + "' has no value or gradient");
        }
        if (p.value->rows() != p.grad->rows() || p.value->cols() != p.grad->cols())
        {
            throw std::invalid_argument("Optimizer: parameter '" + p.name + "' and its gradient differ in shape");
        }
    }
    // State per kind: SGD keeps a momentum buffer (m); Adam both moments (m, v); RMSProp the squared-gradient
    // average (v) and a momentum buffer (m).
    const bool need_v = config.kind != OptimizerKind::Sgd;
    m_m.reserve(m_params.size());
    m_v.reserve(m_params.size());
    for (const auto& p : m_params)
    {
        m_m.push_back(Matrix<T>::Zero(p.value->rows(), p.value->cols()));
        m_v.push_back(need_v ? Matrix<T>::Zero(p.value->rows(), p.value->cols()) : Matrix<T>());
    }
}

template <typename T>
void Optimizer<T>::Step()
{
    ++m_step;
    const T lr = static_cast<T>(m_config.learning_rate);
    const T wd = static_cast<T>(m_config.weight_decay);
    const T eps = static_cast<T>(m_config.epsilon);
    const T momentum = static_cast<T>(m_config.momentum);
    switch (m_config.kind)
    {
    case OptimizerKind::Sgd:
        for (std::size_t k = 0; k < m_params.size(); ++k)
        {
            T* w = m_params[k].value->data();
            const T* g = m_params[k].grad->data();
            T* buf = m_m[k].data();
            const Index n = m_params[k].value->size();
            for (Index i = 0; i < n; ++i)
            {
                const T gi = g[i] + wd * w[i];
                buf[i] = momentum * buf[i] + gi; // with momentum 0 this is just gi
                w[i] -= lr * buf[i];
            }
        }
        break;
    case OptimizerKind::Adam:
    {
        const double b1 = m_config.beta1;
        const double b2 = m_config.beta2;
        // Bias corrections for this step, computed once (never per tensor).
        const double bc1 = 1.0 - std::pow(b1, static_cast<double>(m_step));
        const double bc2 = 1.0 - std::pow(b2, static_cast<double>(m_step));
        const T step_size = static_cast<T>(m_config.learning_rate / bc1);
        const T inv_sqrt_bc2 = static_cast<T>(1.0 / std::sqrt(bc2));
        const T tb1 = static_cast<T>(b1), tb2 = static_cast<T>(b2);
        const T ob1 = static_cast<T>(1.0 - b1), ob2 = static_cast<T>(1.0 - b2);
        for (std::size_t k = 0; k < m_params.size(); ++k)
        {
            T* w = m_params[k].value->data();
            const T* g = m_params[k].grad->data();
            T* m = m_m[k].data();
            T* v = m_v[k].data();
            const Index n = m_params[k].value->size();
            for (Index i = 0; i < n; ++i)
            {
                const T gi = g[i] + wd * w[i];
                m[i] = tb1 * m[i] + ob1 * gi;
                v[i] = tb2 * v[i] + ob2 * gi * gi;
                // w -= lr * m_hat / (sqrt(v_hat) + eps), with the corrections folded into scalars
                w[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
            }
        }
        break;
    }
    case OptimizerKind::RmsProp:
    {
        const T rho = static_cast<T>(m_config.rho);
        const T one_minus_rho = static_cast<T>(1.0 - m_config.rho);
        for (std::size_t k = 0; k < m_params.size(); ++k)
        {
            T* w = m_params[k].value->data();
            const T* g = m_params[k].grad->data();
            T* buf = m_m[k].data();
            T* v = m_v[k].data();
            const Index n = m_params[k].value->size();
            for (Index i = 0; i < n; ++i)
            {
                const T gi = g[i] + wd * w[i];
                v[i] = rho * v[i] + one_minus_rho * gi * gi;
                buf[i] = momentum * buf[i] + gi / (std::sqrt(v[i]) + eps);
                w[i] -= lr * buf[i];
            }
        }
        break;
    }
    }
}

template <typename T>
void Optimizer<T>::ZeroGrad()
{
    for (auto& p : m_params)
    {
        p.grad->setZero();
    }
}

template <typename T>
std::vector<ParamRef<T>> Optimizer<T>::StateTensors()
{
    std::vector<ParamRef<T>> out;
    for (std::size_t k = 0; k < m_params.size(); ++k)
    {
        out.push_back({m_params[k].name + ".m", &m_m[k], nullptr});
        if (m_config.kind != OptimizerKind::Sgd)
        {
            out.push_back({m_params[k].name + ".v", &m_v[k], nullptr});
        }
    }
    return out;
}

template <typename T>
T GradNorm(const std::vector<ParamRef<T>>& params)
{
    double sum = 0.0; // accumulated in double so float models get a stable norm
    for (const auto& p : params)
    {
        if (p.grad != nullptr)
        {
            sum += static_cast<double>(p.grad->squaredNorm());
        }
    }
    return static_cast<T>(std::sqrt(sum));
}

template class Optimizer<float>;
template class Optimizer<double>;
template float GradNorm<float>(const std::vector<ParamRef<float>>&);
template double GradNorm<double>(const std::vector<ParamRef<double>>&);

} // namespace ll::nn
