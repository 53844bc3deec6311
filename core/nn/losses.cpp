// Losses and log-likelihoods on logits/scores, written as Eigen array expressions with stable softplus. The VAE's
// Bernoulli likelihood, the largest elementwise pass of a step, is split across the calling thread's pool.
#include "core/nn/losses.h"

#include "core/nn/thread_pool.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace ll::nn
{

namespace
{

// An elementwise pass over at least this many values is split across the calling thread's pool.
constexpr Index kParallelElements = 32 * 1024;
constexpr std::size_t kMaxPieces = 1024; // ThreadPool::RangePieces: at most 4 per thread, 256 threads

template <typename T>
void RequireNonEmpty(const Matrix<T>& m, const char* what)
{
    if (m.size() == 0)
    {
        throw std::invalid_argument(std::string(what) + ": empty input");
    }
}

template <typename T>
void RequireSameShape(const Matrix<T>& a, const Matrix<T>& b, const char* what)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
    {
        throw std::invalid_argument(std::string(what) + ": shapes differ, (" + std::to_string(a.rows()) + ", " +
                                    std::to_string(a.cols()) + ") vs (" + std::to_string(b.rows()) + ", " +
                                    std::to_string(b.cols()) + ")");
    }
}

// softplus(l) = log(1 + e^l) = max(l, 0) + log1p(e^-|l|), elementwise and overflow-free.
template <typename Derived>
auto Softplus(const Eigen::ArrayBase<Derived>& l)
{
    using T = typename Derived::Scalar;
    return l.max(T(0)) + (-l.abs()).exp().log1p();
}

} // namespace

template <typename T>
T BceWithLogits(const Matrix<T>& logits, T target, Matrix<T>& grad)
{
    RequireNonEmpty(logits, "BceWithLogits");
    const T inv_n = T(1) / static_cast<T>(logits.size());
    auto l = logits.array();
    // -[t log s(l) + (1 - t) log(1 - s(l))] = softplus(l) - t l
    const T value = (Softplus(l) - target * l).sum() * inv_n;
    EnsureShape(grad, logits.rows(), logits.cols());
    grad.array() = (l.logistic() - target) * inv_n;
    return value;
}

template <typename T>
T LogOneMinusSigmoid(const Matrix<T>& logits, Matrix<T>& grad)
{
    RequireNonEmpty(logits, "LogOneMinusSigmoid");
    const T inv_n = T(1) / static_cast<T>(logits.size());
    auto l = logits.array();
    const T value = -Softplus(l).sum() * inv_n; // log(1 - s(l)) = -softplus(l)
    EnsureShape(grad, logits.rows(), logits.cols());
    grad.array() = -l.logistic() * inv_n;
    return value;
}

template <typename T>
T MeanSquaredError(const Matrix<T>& pred, T target, Matrix<T>& grad)
{
    RequireNonEmpty(pred, "MeanSquaredError");
    const T inv_n = T(1) / static_cast<T>(pred.size());
    const T value = (pred.array() - target).square().sum() * inv_n;
    EnsureShape(grad, pred.rows(), pred.cols());
    grad.array() = (pred.array() - target) * (T(2) * inv_n);
    return value;
}

template <typename T>
T MeanSquaredError(const Matrix<T>& pred, const Matrix<T>& target, Matrix<T>& grad)
{
    RequireNonEmpty(pred, "MeanSquaredError");
    RequireSameShape(pred, target, "MeanSquaredError");
    const T inv_n = T(1) / static_cast<T>(pred.size());
    const T value = (pred.array() - target.array()).square().sum() * inv_n;
    EnsureShape(grad, pred.rows(), pred.cols());
    grad.array() = (pred.array() - target.array()) * (T(2) * inv_n);
    return value;
}

template <typename T>
T WassersteinMean(const Matrix<T>& scores, T sign, Matrix<T>& grad)
{
    RequireNonEmpty(scores, "WassersteinMean");
    const T inv_n = T(1) / static_cast<T>(scores.size());
    EnsureShape(grad, scores.rows(), scores.cols());
    grad.setConstant(sign * inv_n);
    return sign * scores.sum() * inv_n;
}

template <typename T>
T Hinge(const Matrix<T>& scores, T sign, Matrix<T>& grad)
{
    RequireNonEmpty(scores, "Hinge");
    const T inv_n = T(1) / static_cast<T>(scores.size());
    auto margin = T(1) - sign * scores.array();
    const T value = margin.max(T(0)).sum() * inv_n;
    EnsureShape(grad, scores.rows(), scores.cols());
    grad.array() = (margin > T(0)).template cast<T>() * (-sign * inv_n);
    return value;
}

template <typename T>
T GaussianKl(const Matrix<T>& mu, const Matrix<T>& logvar, Matrix<T>& grad_mu, Matrix<T>& grad_logvar,
             Vector<T>* per_dim)
{
    RequireNonEmpty(mu, "GaussianKl");
    RequireSameShape(mu, logvar, "GaussianKl");
    const T inv_b = T(1) / static_cast<T>(mu.cols());
    auto m = mu.array();
    auto lv = logvar.array();
    T value = T(0);
    if (per_dim != nullptr)
    {
        per_dim->resize(mu.rows());
        per_dim->array() = (m.square() + lv.exp() - T(1) - lv).rowwise().sum() * (T(0.5) * inv_b);
        value = per_dim->sum();
    }
    else
    {
        value = (m.square() + lv.exp() - T(1) - lv).sum() * (T(0.5) * inv_b);
    }
    EnsureShape(grad_mu, mu.rows(), mu.cols());
    EnsureShape(grad_logvar, mu.rows(), mu.cols());
    grad_mu.array() = m * inv_b;
    grad_logvar.array() = (lv.exp() - T(1)) * (T(0.5) * inv_b);
    return value;
}

template <typename T>
T BernoulliLogLikelihood(const Matrix<T>& logits, const Matrix<T>& x, Matrix<T>& grad)
{
    RequireNonEmpty(logits, "BernoulliLogLikelihood");
    RequireSameShape(logits, x, "BernoulliLogLikelihood");
    const T inv_b = T(1) / static_cast<T>(logits.cols());
    EnsureShape(grad, logits.rows(), logits.cols());
    // One exp per element serves both the value and the gradient: with e = exp(-|l|), softplus(l) = max(l, 0) +
    // log1p(e) and s(l) = 1 / (1 + e) for l >= 0, e / (1 + e) otherwise. Column by column, the grad column doubling
    // as the scratch for e, so everything stays in L1 (this is the VAE's largest elementwise pass: (784, B)).
    auto columns = [&](Index begin, Index end) {
        T value = T(0);
        for (Index j = begin; j < end; ++j)
        {
            const auto l = logits.col(j).array();
            const auto xj = x.col(j).array();
            auto g = grad.col(j).array();
            g = (-l.abs()).exp();
            value += (xj * l - l.max(T(0)) - g.log1p()).sum();
            // A plain loop for the select (Eigen 3.4's select() is not vectorised; this one becomes a blend).
            const T* lp = logits.col(j).data();
            const T* xp = x.col(j).data();
            T* gp = grad.col(j).data();
            for (Index i = 0, rows = logits.rows(); i < rows; ++i)
            {
                const T e = gp[i];
                gp[i] = (xp[i] - (lp[i] >= T(0) ? T(1) : e) / (T(1) + e)) * inv_b;
            }
        }
        return value;
    };
    // Large batches are split by columns across the calling thread's pool, each piece's sum kept apart and added in
    // piece order (the same value on every run with the same thread count).
    ThreadPool* pool = CurrentPool();
    const Index grain = std::max<Index>(1, kParallelElements / std::max<Index>(1, logits.rows()));
    const Index pieces = pool != nullptr ? pool->RangePieces(logits.cols(), grain) : 1;
    if (pieces <= 1)
    {
        return columns(0, logits.cols()) * inv_b;
    }
    std::array<T, kMaxPieces> partial{};
    pool->Run(pieces, [&](Index p) {
        const Index n = logits.cols();
        partial[static_cast<std::size_t>(p)] = columns(n * p / pieces, n * (p + 1) / pieces);
    });
    T value = T(0);
    for (Index p = 0; p < pieces; ++p)
    {
        value += partial[static_cast<std::size_t>(p)];
    }
    return value * inv_b;
}

template <typename T>
T GaussianLogLikelihood(const Matrix<T>& mean, const Matrix<T>& x, T sigma, Matrix<T>& grad)
{
    RequireNonEmpty(mean, "GaussianLogLikelihood");
    RequireSameShape(mean, x, "GaussianLogLikelihood");
    if (!(sigma > T(0)))
    {
        throw std::invalid_argument("GaussianLogLikelihood: sigma must be > 0");
    }
    const T inv_b = T(1) / static_cast<T>(mean.cols());
    const T inv_var = T(1) / (sigma * sigma);
    const T log_norm = std::log(sigma) + T(0.5) * std::log(T(2) * std::numbers::pi_v<T>);
    const T sq = (x.array() - mean.array()).square().sum();
    const T value = (T(-0.5) * inv_var * sq) * inv_b - log_norm * static_cast<T>(mean.rows());
    EnsureShape(grad, mean.rows(), mean.cols());
    grad.array() = (x.array() - mean.array()) * (inv_var * inv_b);
    return value;
}

template <typename T>
void BernoulliLogLikelihoodPerExample(const Matrix<T>& logits, const Matrix<T>& x, Vector<T>& out)
{
    RequireSameShape(logits, x, "BernoulliLogLikelihoodPerExample");
    auto l = logits.array();
    out.resize(logits.cols());
    out.transpose() = (x.array() * l - Softplus(l)).colwise().sum().matrix();
}

template <typename T>
void GaussianLogLikelihoodPerExample(const Matrix<T>& mean, const Matrix<T>& x, T sigma, Vector<T>& out)
{
    RequireSameShape(mean, x, "GaussianLogLikelihoodPerExample");
    if (!(sigma > T(0)))
    {
        throw std::invalid_argument("GaussianLogLikelihoodPerExample: sigma must be > 0");
    }
    const T inv_var = T(1) / (sigma * sigma);
    const T log_norm = std::log(sigma) + T(0.5) * std::log(T(2) * std::numbers::pi_v<T>);
    out.resize(mean.cols());
    out.transpose() = ((x.array() - mean.array()).square().colwise().sum() * (T(-0.5) * inv_var) -
                       log_norm * static_cast<T>(mean.rows()))
                          .matrix();
}

template <typename T>
void Softmax(const Matrix<T>& logits, Matrix<T>& probs)
{
    probs.resize(logits.rows(), logits.cols());
    for (Index j = 0; j < logits.cols(); ++j)
    {
        const T top = logits.col(j).maxCoeff();
        probs.col(j) = (logits.col(j).array() - top).exp().matrix();
        probs.col(j) /= probs.col(j).sum();
    }
}

template <typename T>
T SoftmaxCrossEntropy(const Matrix<T>& logits, const std::uint8_t* labels, Index count, Matrix<T>& grad)
{
    if (count != logits.cols() || logits.rows() < 1)
    {
        throw std::invalid_argument("SoftmaxCrossEntropy: " + std::to_string(count) + " labels for logits of " +
                                    std::to_string(logits.rows()) + " x " + std::to_string(logits.cols()));
    }
    const Index classes = logits.rows();
    const T inv_b = T(1) / static_cast<T>(std::max<Index>(1, count));
    grad.resize(classes, count);
    double total = 0;
    for (Index j = 0; j < count; ++j)
    {
        const Index y = labels[j];
        if (y >= classes)
        {
            throw std::invalid_argument("SoftmaxCrossEntropy: label " + std::to_string(y) + " of example " +
                                        std::to_string(j) + " is outside [0, " + std::to_string(classes) + ")");
        }
        const T top = logits.col(j).maxCoeff();
        grad.col(j) = (logits.col(j).array() - top).exp().matrix();
        const T sum = grad.col(j).sum();
        total += static_cast<double>(std::log(sum) + top - logits(y, j));
        grad.col(j) *= inv_b / sum;
        grad(y, j) -= inv_b;
    }
    return static_cast<T>(total / static_cast<double>(std::max<Index>(1, count)));
}

#define LL_INSTANTIATE_LOSSES(T)                                                                                \
    template T BceWithLogits<T>(const Matrix<T>&, T, Matrix<T>&);                                               \
    template T LogOneMinusSigmoid<T>(const Matrix<T>&, Matrix<T>&);                                             \
    template T MeanSquaredError<T>(const Matrix<T>&, T, Matrix<T>&);                                            \
    template T MeanSquaredError<T>(const Matrix<T>&, const Matrix<T>&, Matrix<T>&);                             \
    template T WassersteinMean<T>(const Matrix<T>&, T, Matrix<T>&);                                             \
    template T Hinge<T>(const Matrix<T>&, T, Matrix<T>&);                                                       \
    template T GaussianKl<T>(const Matrix<T>&, const Matrix<T>&, Matrix<T>&, Matrix<T>&, Vector<T>*);          \
    template T BernoulliLogLikelihood<T>(const Matrix<T>&, const Matrix<T>&, Matrix<T>&);                       \
    template T GaussianLogLikelihood<T>(const Matrix<T>&, const Matrix<T>&, T, Matrix<T>&);                     \
    template void BernoulliLogLikelihoodPerExample<T>(const Matrix<T>&, const Matrix<T>&, Vector<T>&);          \
    template void GaussianLogLikelihoodPerExample<T>(const Matrix<T>&, const Matrix<T>&, T, Vector<T>&);       \
    template T SoftmaxCrossEntropy<T>(const Matrix<T>&, const std::uint8_t*, Index, Matrix<T>&);                \
    template void Softmax<T>(const Matrix<T>&, Matrix<T>&);

LL_INSTANTIATE_LOSSES(float)
LL_INSTANTIATE_LOSSES(double)

#undef LL_INSTANTIATE_LOSSES

} // namespace ll::nn
