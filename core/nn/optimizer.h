// Optimizers over a parameter list: SGD with momentum, Adam, RMSProp, in one flat loop per tensor.
// The step counter (Adam's bias correction) advances once per Step(), never once per tensor.
#pragma once

#include "core/nn/tensor.h"
#include "core/util/enum_names.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ll::nn
{

enum class OptimizerKind
{
    Sgd,
    Adam,
    RmsProp,
};

const util::EnumNames<OptimizerKind>& NamesOf(OptimizerKind); // "sgd", "adam", "rmsprop"
OptimizerKind ParseOptimizer(const std::string& name); // the table's lookup, ignoring case; throws otherwise
inline const std::string& OptimizerName(OptimizerKind kind) { return NamesOf(kind).Name(kind); }

struct OptimizerConfig
{
    OptimizerKind kind = OptimizerKind::Adam;
    double learning_rate = 1e-3;
    double beta1 = 0.9;      // Adam
    double beta2 = 0.999;    // Adam
    double epsilon = 1e-8;   // Adam, RMSProp
    double momentum = 0.0;   // SGD (heavy ball), RMSProp
    double rho = 0.99;       // RMSProp's decay of the squared-gradient average
    double weight_decay = 0; // L2 added to the gradient
    bool operator==(const OptimizerConfig&) const = default;
};

template <typename T>
class Optimizer
{
public:
    Optimizer(std::vector<ParamRef<T>> params, const OptimizerConfig& config);

    // One update of every parameter from its accumulated gradient. Does not zero the gradients.
    void Step();
    // GradNorm(params) + Step() + ZeroGrad() in one pass over memory (what a training step needs; separately they
    // read the gradients three times). Returns the global L2 norm of the gradients the update used.
    T StepAndZeroGrad();
    void ZeroGrad();

    void SetLearningRate(double lr) { m_config.learning_rate = lr; }
    const OptimizerConfig& Config() const { return m_config; }
    std::int64_t StepCount() const { return m_step; }
    void SetStepCount(std::int64_t step) { m_step = step; }

    const std::vector<ParamRef<T>>& Params() const { return m_params; }
    // The optimizer's state tensors, named param name + ".m" / ".v" (checkpoints save and restore them).
    std::vector<ParamRef<T>> StateTensors();

private:
    double StepImpl(bool fused); // returns the squared gradient norm when fused (else 0)

    std::vector<ParamRef<T>> m_params;
    OptimizerConfig m_config;
    std::vector<Matrix<T>> m_m; // first moment / momentum buffer, one per parameter
    std::vector<Matrix<T>> m_v; // second moment, one per parameter
    std::int64_t m_step = 0;
};

// Global L2 norm of the gradients of a parameter list.
template <typename T>
T GradNorm(const std::vector<ParamRef<T>>& params);

} // namespace ll::nn
