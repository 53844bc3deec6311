// Spectral normalisation's power iteration and the gradient through W / sigma.
#include "core/nn/spectral_norm.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ll::nn
{

template <typename T>
void SpectralNorm<T>::Enable(const Matrix<T>& w, Rng& rng)
{
    const Index rows = w.rows();
    m_u.resize(rows, 1);
    for (Index i = 0; i < rows; ++i)
    {
        m_u(i, 0) = static_cast<T>(rng.Normal());
    }
    T norm = m_u.norm();
    if (!(norm > T(0)))
    {
        m_u.setOnes();
        norm = m_u.norm();
    }
    m_u /= norm;
    m_v.noalias() = w.transpose() * m_u;
    const T vn = m_v.norm();
    if (vn > T(0))
    {
        m_v /= vn;
    }
    m_wv.noalias() = w * m_v;
    m_sigma = (m_u.transpose() * m_wv)(0, 0);
    m_enabled = true;
}

template <typename T>
const Matrix<T>& SpectralNorm<T>::Normalize(const Matrix<T>& w, bool training, const char* what)
{
    if (training)
    {
        m_v.noalias() = w.transpose() * m_u;
        const T vn = m_v.norm();
        if (vn > T(0))
        {
            m_v /= vn;
        }
        m_wv.noalias() = w * m_v;
        m_sigma = m_wv.norm();
        if (m_sigma > T(0))
        {
            m_u = m_wv / m_sigma;
        }
    }
    else
    {
        m_wv.noalias() = w * m_v;
        m_sigma = (m_u.transpose() * m_wv)(0, 0);
    }
    if (!(std::abs(m_sigma) > T(0)))
    {
        throw std::runtime_error(std::string(what) + ": spectral norm estimate is zero");
    }
    if (m_w_eff.rows() != w.rows() || m_w_eff.cols() != w.cols())
    {
        m_w_eff.resize(w.rows(), w.cols());
    }
    m_w_eff.array() = w.array() * (T(1) / m_sigma);
    return m_w_eff;
}

template <typename T>
void SpectralNorm<T>::AccumulateGrad(const Matrix<T>& g, Matrix<T>& dw) const
{
    // W_eff = W / sigma with sigma = u^T W v: dL/dW = (G - <G, W_eff> u v^T) / sigma.
    const T inv_sigma = T(1) / m_sigma;
    const T c = (g.array() * m_w_eff.array()).sum() * inv_sigma;
    for (Index j = 0; j < dw.cols(); ++j)
    {
        dw.col(j) += g.col(j) * inv_sigma - (c * m_v(j, 0)) * m_u.col(0);
    }
}

template class SpectralNorm<float>;
template class SpectralNorm<double>;

} // namespace ll::nn
