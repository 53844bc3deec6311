// BatchNorm over channels: one layer for flat features (Shape{F, 1, 1}: BatchNorm1d) and image channels (C, H, W:
// BatchNorm2d), since a channels-last (C*H*W, B) batch is a (C, H*W*B) matrix and the statistics are per row of it.
// Training mode normalises with the batch's statistics (biased variance) and updates running statistics (momentum
// 0.1, unbiased variance, as PyTorch); evaluation mode uses the running ones.
#pragma once

#include "core/nn/layer.h"

namespace ll::nn
{

template <typename T>
class BatchNorm final : public Layer<T>
{
public:
    // y = gamma (x - mean) / sqrt(var + eps) + beta per channel; gamma = 1, beta = 0, running mean 0, variance 1.
    explicit BatchNorm(const Shape& input, double momentum = 0.1, double eps = 1e-5);

    std::string Kind() const override;
    Index OutputSize(Index) const override { return m_in.Size(); }
    Shape OutputShape(const Shape&) const override { return m_in; }
    // Training mode needs at least two values per channel (H*W*B >= 2), as PyTorch does.
    const Matrix<T>& Forward(const Matrix<T>& x) override;
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) override;
    void BackwardParamsOnly(const Matrix<T>& dy) override;
    // Throws std::logic_error: a gradient penalty is per example, and batch statistics mix the examples.
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) override;
    // "weight" (gamma) and "bias" (beta), (C, 1) each, as PyTorch names them.
    void CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out) override;
    // "running_mean" and "running_var", (C, 1) each.
    void CollectState(const std::string& prefix, std::vector<ParamRef<T>>& out) override;
    void ZeroGrad() override;
    void SetBatchStatistics(bool batch) override { m_training = batch; }
    std::unique_ptr<Layer<T>> Clone() const override;

    bool Training() const { return m_training; }
    Index Channels() const { return m_in.c; }
    double Momentum() const { return m_momentum; }
    double Eps() const { return m_eps; }
    Matrix<T>& Gamma() { return m_gamma; }
    Matrix<T>& Beta() { return m_beta; }
    Matrix<T>& GammaGrad() { return m_dgamma; }
    Matrix<T>& BetaGrad() { return m_dbeta; }
    Matrix<T>& RunningMean() { return m_running_mean; } // (C, 1), checkpointed
    Matrix<T>& RunningVar() { return m_running_var; }   // (C, 1), unbiased, checkpointed

private:
    void BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx);

    Shape m_in;
    double m_momentum;
    double m_eps;
    bool m_training = true;
    Matrix<T> m_gamma, m_beta;   // (C, 1)
    Matrix<T> m_dgamma, m_dbeta; // (C, 1)
    Matrix<T> m_running_mean;    // (C, 1)
    Matrix<T> m_running_var;     // (C, 1)

    const Matrix<T>* m_x = nullptr; // (C*H*W, B) input of the last Forward, by pointer
    bool m_batch_stats = false;     // whether the last Forward normalised with batch statistics
    Matrix<T> m_mean;               // (C, 1) mean the last Forward used
    Matrix<T> m_inv_std;            // (C, 1) 1 / sqrt(var + eps) the last Forward used
    Matrix<T> m_scale, m_shift;     // (C, 1) per-channel coefficients of the elementwise passes
    Matrix<T> m_coef;               // (C, 1) third coefficient of the backward's dx pass
    Matrix<T> m_y;                  // (C*H*W, B)
    Matrix<T> m_dx;                 // (C*H*W, B)
    std::vector<double> m_acc1, m_acc2; // (C) per-channel sums of the reductions, in double
};

} // namespace ll::nn
