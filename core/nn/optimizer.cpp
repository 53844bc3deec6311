// SGD (momentum), Adam and RMSProp: one flat loop per tensor, the step counter advanced once per Step(). Large tensors
// are updated in pieces across the calling thread's pool (nn::CurrentPool()); every value's update is the same.
#include "core/nn/optimizer.h"

#include "core/nn/thread_pool.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace ll::nn
{

const util::EnumNames<OptimizerKind>& NamesOf(OptimizerKind)
{
    static const util::EnumNames<OptimizerKind> names{
        {OptimizerKind::Sgd, "sgd"}, {OptimizerKind::Adam, "adam"}, {OptimizerKind::RmsProp, "rmsprop"}};
    return names;
}

OptimizerKind ParseOptimizer(const std::string& name)
{
    const auto kind = NamesOf(OptimizerKind{}).FindIgnoringCase(name);
    return kind ? *kind : NamesOf(OptimizerKind{}).Parse(name, "optimizer"); // Parse throws, listing the names
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
    StepImpl(false);
}

template <typename T>
T Optimizer<T>::StepAndZeroGrad()
{
    return static_cast<T>(std::sqrt(StepImpl(true)));
}

namespace
{
// Blocks small enough that a block's w, g, m, v stay in L1 between the norm, the update and the zeroing: one trip
// through memory per step instead of three (GradNorm, Step, ZeroGrad).
constexpr Index kBlock = 1024;
// A tensor this large is updated in pieces across the calling thread's pool (at least this many values a piece).
constexpr Index kParallelGrain = 32 * 1024;
constexpr std::size_t kMaxPieces = 1024; // ThreadPool::RangePieces gives at most 4 per thread, 256 threads
} // namespace

template <typename T>
double Optimizer<T>::StepImpl(bool fused)
{
    ++m_step;
    using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
    const T lr = static_cast<T>(m_config.learning_rate);
    const T wd = static_cast<T>(m_config.weight_decay);
    const T eps = static_cast<T>(m_config.epsilon);
    const T momentum = static_cast<T>(m_config.momentum);
    // Adam's bias corrections for this step, computed once (never per tensor).
    const double bc1 = 1.0 - std::pow(m_config.beta1, static_cast<double>(m_step));
    const double bc2 = 1.0 - std::pow(m_config.beta2, static_cast<double>(m_step));
    const T step_size = static_cast<T>(m_config.learning_rate / bc1);
    const T inv_sqrt_bc2 = static_cast<T>(1.0 / std::sqrt(bc2));
    const T tb1 = static_cast<T>(m_config.beta1), tb2 = static_cast<T>(m_config.beta2);
    const T ob1 = static_cast<T>(1.0 - m_config.beta1), ob2 = static_cast<T>(1.0 - m_config.beta2);
    const T rho = static_cast<T>(m_config.rho);
    const T one_minus_rho = static_cast<T>(1.0 - m_config.rho);
    // Values [begin, end) of tensor k; returns their squared gradient norm when fused (accumulated in double per
    // block, so float models get a stable norm).
    auto update = [&](std::size_t k, Index begin, Index end) {
        double squared = 0.0;
        for (Index i = begin; i < end; i += kBlock)
        {
            const Index len = std::min(kBlock, end - i);
            Eigen::Map<Array> w(m_params[k].value->data() + i, len);
            Eigen::Map<Array> g(m_params[k].grad->data() + i, len);
            Eigen::Map<Array> m(m_m[k].data() + i, len);
            if (fused)
            {
                squared += static_cast<double>(g.square().sum());
            }
            switch (m_config.kind)
            {
            case OptimizerKind::Sgd:
                // buf = momentum buf + (g + wd w); w -= lr buf. With momentum 0 this is plain SGD.
                m = momentum * m + (g + wd * w);
                w -= lr * m;
                break;
            case OptimizerKind::Adam:
            {
                Eigen::Map<Array> v(m_v[k].data() + i, len);
                m = tb1 * m + ob1 * (g + wd * w);
                v = tb2 * v + ob2 * (g + wd * w).square();
                // w -= lr * m_hat / (sqrt(v_hat) + eps), with the corrections folded into scalars
                w -= step_size * m / (v.sqrt() * inv_sqrt_bc2 + eps);
                break;
            }
            case OptimizerKind::RmsProp:
            {
                Eigen::Map<Array> v(m_v[k].data() + i, len);
                v = rho * v + one_minus_rho * (g + wd * w).square();
                m = momentum * m + (g + wd * w) / (v.sqrt() + eps);
                w -= lr * m;
                break;
            }
            }
            if (fused)
            {
                g.setZero();
            }
        }
        return squared;
    };
    ThreadPool* pool = CurrentPool();
    double squared_norm = 0.0;
    for (std::size_t k = 0; k < m_params.size(); ++k)
    {
        const Index n = m_params[k].value->size();
        const Index pieces = pool != nullptr ? pool->RangePieces(n, kParallelGrain) : 1;
        if (pieces <= 1)
        {
            squared_norm += update(k, 0, n);
            continue;
        }
        // Each piece's partial norm in its own slot, summed in piece order: the same value on every run.
        std::array<double, kMaxPieces> partial{};
        const Index blocks = (n + kBlock - 1) / kBlock; // pieces start on block boundaries, as the serial loop
        pool->Run(pieces, [&](Index p) {
            const Index begin = std::min(n, blocks * p / pieces * kBlock);
            const Index end = std::min(n, blocks * (p + 1) / pieces * kBlock);
            partial[static_cast<std::size_t>(p)] = begin < end ? update(k, begin, end) : 0.0;
        });
        for (Index p = 0; p < pieces; ++p)
        {
            squared_norm += partial[static_cast<std::size_t>(p)];
        }
    }
    return squared_norm;
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
