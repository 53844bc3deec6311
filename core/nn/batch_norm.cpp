// BatchNorm: per-channel statistics of the (C, H*W*B) view of a channels-last batch, one reduction pass and one
// elementwise pass each way, split across threads by channel blocks (reductions) and by columns (elementwise).
#include "core/nn/batch_norm.h"

#include "core/nn/network_spec.h"
#include "core/nn/parallel.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ll::nn
{

namespace
{

constexpr Index kValuesPerTask = 32768;

// out (C, N) = in * scale[c] + shift[c] (+ coef[c] * extra when extra is given), column-major.
template <typename T>
void ChannelAffine(const T* in, const T* extra, Index channels, Index n, const T* scale, const T* coef,
                   const T* shift, T* out)
{
    ParallelFor(n, std::max<Index>(1, kValuesPerTask / channels),
                [&](Index j0, Index j1)
                {
                    for (Index j = j0; j < j1; ++j)
                    {
                        const T* a = in + j * channels;
                        T* o = out + j * channels;
                        if (extra == nullptr)
                        {
                            for (Index c = 0; c < channels; ++c)
                            {
                                o[c] = a[c] * scale[c] + shift[c];
                            }
                        }
                        else
                        {
                            const T* e = extra + j * channels;
                            for (Index c = 0; c < channels; ++c)
                            {
                                o[c] = a[c] * scale[c] + e[c] * coef[c] + shift[c];
                            }
                        }
                    }
                });
}

} // namespace

template <typename T>
BatchNorm<T>::BatchNorm(const Shape& input, double momentum, double eps)
    : m_in(input), m_momentum(momentum), m_eps(eps)
{
    if (!input.Valid())
    {
        throw std::invalid_argument("BatchNorm: input shape " + input.Text() + " must have every size >= 1");
    }
    if (!(momentum >= 0.0 && momentum <= 1.0) || !(eps > 0.0))
    {
        throw std::invalid_argument("BatchNorm: momentum must be in [0, 1] and eps > 0, got " +
                                    std::to_string(momentum) + " and " + std::to_string(eps));
    }
    const Index c = input.c;
    m_gamma = Matrix<T>::Ones(c, 1);
    m_beta = Matrix<T>::Zero(c, 1);
    m_dgamma = Matrix<T>::Zero(c, 1);
    m_dbeta = Matrix<T>::Zero(c, 1);
    m_running_mean = Matrix<T>::Zero(c, 1);
    m_running_var = Matrix<T>::Ones(c, 1);
    m_mean.resize(c, 1);
    m_inv_std.resize(c, 1);
    m_scale.resize(c, 1);
    m_shift.resize(c, 1);
    m_coef.resize(c, 1);
    m_acc1.assign(static_cast<std::size_t>(c), 0.0);
    m_acc2.assign(static_cast<std::size_t>(c), 0.0);
}

template <typename T>
std::string BatchNorm<T>::Kind() const
{
    return LayerKindName(LayerKind::BatchNorm);
}

template <typename T>
const Matrix<T>& BatchNorm<T>::Forward(const Matrix<T>& x)
{
    const Index channels = m_in.c;
    if (x.rows() != m_in.Size())
    {
        throw std::invalid_argument("BatchNorm " + m_in.Text() + ": input has " + std::to_string(x.rows()) +
                                    " rows, expected " + std::to_string(m_in.Size()));
    }
    const Index n = m_in.Pixels() * x.cols(); // values per channel
    m_x = &x;
    m_batch_stats = m_training;
    if (m_training)
    {
        if (n < 2)
        {
            throw std::invalid_argument("BatchNorm " + m_in.Text() + ": training needs more than one value per "
                                        "channel, got a batch of " + std::to_string(x.cols()));
        }
        // Sums of d = x - x(c, first column) and d^2: one pass, and shifted so the variance does not cancel.
        const T* data = x.data();
        ParallelFor(channels, std::max<Index>(1, kValuesPerTask / n),
                    [&](Index c0, Index c1)
                    {
                        double* s1 = m_acc1.data();
                        double* s2 = m_acc2.data();
                        std::fill(s1 + c0, s1 + c1, 0.0);
                        std::fill(s2 + c0, s2 + c1, 0.0);
                        for (Index j = 0; j < n; ++j)
                        {
                            const T* col = data + j * channels;
                            for (Index c = c0; c < c1; ++c)
                            {
                                const double d = static_cast<double>(col[c]) - static_cast<double>(data[c]);
                                s1[c] += d;
                                s2[c] += d * d;
                            }
                        }
                    });
        const double inv_n = 1.0 / static_cast<double>(n);
        const double unbias = static_cast<double>(n) / static_cast<double>(n - 1);
        for (Index c = 0; c < channels; ++c)
        {
            const double shift = static_cast<double>(data[c]);
            const double mean_d = m_acc1[c] * inv_n;
            const double var = std::max(0.0, m_acc2[c] * inv_n - mean_d * mean_d); // biased
            const double mean = shift + mean_d;
            m_mean(c, 0) = static_cast<T>(mean);
            m_inv_std(c, 0) = static_cast<T>(1.0 / std::sqrt(var + m_eps));
            m_running_mean(c, 0) = static_cast<T>((1.0 - m_momentum) * static_cast<double>(m_running_mean(c, 0)) +
                                                  m_momentum * mean);
            m_running_var(c, 0) = static_cast<T>((1.0 - m_momentum) * static_cast<double>(m_running_var(c, 0)) +
                                                 m_momentum * var * unbias);
        }
    }
    else
    {
        for (Index c = 0; c < channels; ++c)
        {
            m_mean(c, 0) = m_running_mean(c, 0);
            m_inv_std(c, 0) = static_cast<T>(1.0 / std::sqrt(static_cast<double>(m_running_var(c, 0)) + m_eps));
        }
    }
    // y = x scale + shift with scale = gamma / std, shift = beta - mean scale.
    m_scale.array() = m_gamma.array() * m_inv_std.array();
    m_shift.array() = m_beta.array() - m_mean.array() * m_scale.array();
    EnsureShape(m_y, x.rows(), x.cols());
    ChannelAffine<T>(x.data(), nullptr, channels, n, m_scale.data(), nullptr, m_shift.data(), m_y.data());
    return m_y;
}

template <typename T>
const Matrix<T>& BatchNorm<T>::Backward(const Matrix<T>& dy, bool accumulate)
{
    BackwardImpl(dy, accumulate, true);
    return m_dx;
}

template <typename T>
void BatchNorm<T>::BackwardParamsOnly(const Matrix<T>& dy)
{
    BackwardImpl(dy, true, false);
}

template <typename T>
void BatchNorm<T>::BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx)
{
    if (m_x == nullptr)
    {
        throw std::runtime_error("BatchNorm::Backward called before Forward");
    }
    const Matrix<T>& x = *m_x;
    if (dy.rows() != x.rows() || dy.cols() != x.cols())
    {
        throw std::invalid_argument("BatchNorm::Backward: dy is (" + std::to_string(dy.rows()) + ", " +
                                    std::to_string(dy.cols()) + "), expected (" + std::to_string(x.rows()) + ", " +
                                    std::to_string(x.cols()) + ")");
    }
    const Index channels = m_in.c;
    const Index n = m_in.Pixels() * x.cols();
    const bool need_sums = accumulate || m_batch_stats;
    if (need_sums)
    {
        // acc1 = sum dy, acc2 = sum dy (x - mean); sum dy xhat = inv_std acc2.
        const T* xd = x.data();
        const T* gd = dy.data();
        const T* mean = m_mean.data();
        ParallelFor(channels, std::max<Index>(1, kValuesPerTask / n),
                    [&](Index c0, Index c1)
                    {
                        double* s1 = m_acc1.data();
                        double* s2 = m_acc2.data();
                        std::fill(s1 + c0, s1 + c1, 0.0);
                        std::fill(s2 + c0, s2 + c1, 0.0);
                        for (Index j = 0; j < n; ++j)
                        {
                            const T* xc = xd + j * channels;
                            const T* gc = gd + j * channels;
                            for (Index c = c0; c < c1; ++c)
                            {
                                const double g = static_cast<double>(gc[c]);
                                s1[c] += g;
                                s2[c] += g * static_cast<double>(xc[c] - mean[c]);
                            }
                        }
                    });
    }
    if (accumulate)
    {
        for (Index c = 0; c < channels; ++c)
        {
            m_dgamma(c, 0) += static_cast<T>(m_acc2[c] * static_cast<double>(m_inv_std(c, 0)));
            m_dbeta(c, 0) += static_cast<T>(m_acc1[c]);
        }
    }
    if (!need_dx)
    {
        return;
    }
    // Evaluation: dx = a dy with a = gamma inv_std. Training (the statistics depend on x):
    // dx = a (dy - mean(dy) - xhat mean(dy xhat)) = a dy - k x + (k mean - a mean(dy)), k = a inv_std mean(dy (x - mean)).
    const double inv_n = 1.0 / static_cast<double>(n);
    for (Index c = 0; c < channels; ++c)
    {
        const double a = static_cast<double>(m_gamma(c, 0)) * static_cast<double>(m_inv_std(c, 0));
        m_scale(c, 0) = static_cast<T>(a);
        if (m_batch_stats)
        {
            const double inv_std = static_cast<double>(m_inv_std(c, 0));
            const double k = a * inv_std * inv_std * m_acc2[c] * inv_n;
            m_coef(c, 0) = static_cast<T>(-k);
            m_shift(c, 0) = static_cast<T>(k * static_cast<double>(m_mean(c, 0)) - a * m_acc1[c] * inv_n);
        }
        else
        {
            m_coef(c, 0) = T(0);
            m_shift(c, 0) = T(0);
        }
    }
    EnsureShape(m_dx, x.rows(), x.cols());
    ChannelAffine<T>(dy.data(), m_batch_stats ? x.data() : nullptr, channels, n, m_scale.data(), m_coef.data(),
                     m_shift.data(), m_dx.data());
}

template <typename T>
const Matrix<T>& BatchNorm<T>::BackwardOfBackward(const Matrix<T>&, Matrix<T>&)
{
    throw std::logic_error("BatchNorm has no double backward: a gradient penalty (WGAN-GP, R1) is a per-example "
                           "gradient, and batch statistics mix the examples of a batch; use a critic without "
                           "BatchNorm for gradient penalties");
}

template <typename T>
void BatchNorm<T>::CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out)
{
    out.push_back({prefix + "weight", &m_gamma, &m_dgamma});
    out.push_back({prefix + "bias", &m_beta, &m_dbeta});
}

template <typename T>
void BatchNorm<T>::CollectState(const std::string& prefix, std::vector<ParamRef<T>>& out)
{
    out.push_back({prefix + "running_mean", &m_running_mean, nullptr});
    out.push_back({prefix + "running_var", &m_running_var, nullptr});
}

template <typename T>
void BatchNorm<T>::ZeroGrad()
{
    m_dgamma.setZero();
    m_dbeta.setZero();
}

template <typename T>
std::unique_ptr<Layer<T>> BatchNorm<T>::Clone() const
{
    auto copy = std::make_unique<BatchNorm<T>>(*this);
    copy->m_x = nullptr;
    copy->m_y.resize(0, 0);
    copy->m_dx.resize(0, 0);
    return copy;
}

template class BatchNorm<float>;
template class BatchNorm<double>;

} // namespace ll::nn
