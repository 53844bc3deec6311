// Spectral normalisation of a weight matrix (Miyato et al. 2018): the layer uses W / sigma(W), sigma estimated by
// power iteration with a persistent vector u. For convolutions the matrix is the (Cout, k*k*Cin) weight, as PyTorch's
// spectral_norm reshapes a conv weight.
// Linear and Conv2d both hold one.
#pragma once

#include "core/nn/tensor.h"
#include "core/util/rng.h"

namespace ll::nn
{

template <typename T>
class SpectralNorm
{
public:
    // u (rows, 1) from N(0, 1) draws of rng, normalised; v = W^T u / |.| and sigma = u^T W v, so an evaluation
    // Normalize before any training one is well defined.
    void Enable(const Matrix<T>& w, Rng& rng);
    bool Enabled() const { return m_enabled; }

    // Training: one power-iteration step (v = W^T u / |.|, u = W v / |.|, sigma = |W v|). Evaluation: sigma = u^T W v
    // with u, v frozen (the bilinear form AccumulateGrad differentiates). Then W_eff = W / sigma, returned. Throws
    // std::runtime_error naming `what` when sigma is zero.
    const Matrix<T>& Normalize(const Matrix<T>& w, bool training, const char* what);

    // dL/dW += (G - <G, W_eff> u v^T) / sigma, for G = dL/dW_eff (rows, cols) and u, v held constant.
    void AccumulateGrad(const Matrix<T>& g, Matrix<T>& dw) const;

    const Matrix<T>& EffectiveWeight() const { return m_w_eff; }
    Matrix<T>& GradScratch() { return m_g; } // (rows, cols) room for G
    Matrix<T>& U() { return m_u; }           // (rows, 1), checkpointed
    Matrix<T>& V() { return m_v; }           // (cols, 1), checkpointed
    T Sigma() const { return m_sigma; }
    void DropScratch() { m_g.resize(0, 0); }

private:
    bool m_enabled = false;
    Matrix<T> m_u;     // (rows, 1) left singular vector estimate
    Matrix<T> m_v;     // (cols, 1) right singular vector estimate
    Matrix<T> m_wv;    // (rows, 1) W v
    T m_sigma = T(1);
    Matrix<T> m_w_eff; // (rows, cols) W / sigma
    Matrix<T> m_g;     // (rows, cols) scratch for dL/dW_eff
};

} // namespace ll::nn
