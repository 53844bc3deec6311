// Losses and log-likelihoods. Each returns its value and writes the gradient with respect to its input into
// grad (resized as needed; no allocation when already the right size). Inputs are logits or scores, never
// probabilities, for numerical stability.
// Reductions: the GAN losses (BCE, MSE, Wasserstein, hinge) average over every element; the VAE terms (KL,
// log-likelihoods) sum over features and average over the batch (columns), i.e. nats per example.
#pragma once

#include "core/nn/tensor.h"

#include <cstdint>

namespace ll::nn
{

// Binary cross-entropy on logits l with a constant target t (t = 0.9 gives one-sided label smoothing):
// mean of -[t log s(l) + (1 - t) log(1 - s(l))]. grad = (s(l) - t) / N.
template <typename T>
T BceWithLogits(const Matrix<T>& logits, T target, Matrix<T>& grad);

// The minimax generator loss mean(log(1 - s(l))) (to be minimised by G). grad = -s(l) / N. Saturates when
// D rejects the fakes confidently (s(l) -> 0), which is why its gradient vanishes early in training.
template <typename T>
T LogOneMinusSigmoid(const Matrix<T>& logits, Matrix<T>& grad);

// Mean squared error against a constant target: mean((p - t)^2); grad = 2 (p - t) / N. (LSGAN.)
template <typename T>
T MeanSquaredError(const Matrix<T>& pred, T target, Matrix<T>& grad);

// Mean squared error against a target matrix of the same shape.
template <typename T>
T MeanSquaredError(const Matrix<T>& pred, const Matrix<T>& target, Matrix<T>& grad);

// Wasserstein term: mean(sign * s); grad = sign / N. The critic minimises mean(D(fake)) - mean(D(real)).
template <typename T>
T WassersteinMean(const Matrix<T>& scores, T sign, Matrix<T>& grad);

// Hinge: mean(max(0, 1 - sign * s)); grad = -sign / N where 1 - sign * s > 0. D: sign +1 on real, -1 on fake.
template <typename T>
T Hinge(const Matrix<T>& scores, T sign, Matrix<T>& grad);

// KL(N(mu, exp(logvar)) || N(0, I)) = 0.5 * sum_j (mu^2 + exp(logvar) - 1 - logvar), averaged over the batch.
// mu, logvar: (d, B). grad_mu = mu / B, grad_logvar = 0.5 (exp(logvar) - 1) / B. If per_dim is given it gets
// the batch-mean KL of each latent dimension: (d).
template <typename T>
T GaussianKl(const Matrix<T>& mu, const Matrix<T>& logvar, Matrix<T>& grad_mu, Matrix<T>& grad_logvar,
             Vector<T>* per_dim = nullptr);

// Bernoulli log-likelihood of x in [0, 1] under logits l: sum_i x_i l_i - softplus(l_i), batch mean.
// grad = dLL/dl = (x - s(l)) / B. (Maximised; the VAE's loss uses its negative.)
template <typename T>
T BernoulliLogLikelihood(const Matrix<T>& logits, const Matrix<T>& x, Matrix<T>& grad);

// Gaussian log-likelihood with fixed standard deviation sigma:
// sum_i -0.5 ((x_i - m_i) / sigma)^2 - log sigma - 0.5 log(2 pi), batch mean. grad = dLL/dm = (x - m) / (sigma^2 B).
template <typename T>
T GaussianLogLikelihood(const Matrix<T>& mean, const Matrix<T>& x, T sigma, Matrix<T>& grad);

// Softmax cross-entropy of logits l (K, B) against class indices (B entries in [0, K)): mean over the batch of
// -log softmax(l)_y, computed as logsumexp(l) - l_y with the column maximum subtracted first. grad (K, B) =
// (softmax(l) - onehot(y)) / B. Throws std::invalid_argument for a label outside [0, K) or a count mismatch.
template <typename T>
T SoftmaxCrossEntropy(const Matrix<T>& logits, const std::uint8_t* labels, Index count, Matrix<T>& grad);

// Column-wise softmax: probs (K, B), each column summing to 1 (max subtracted first).
template <typename T>
void Softmax(const Matrix<T>& logits, Matrix<T>& probs);

// Per-example versions (one value per column) for the importance-weighted bound: out (B).
template <typename T>
void BernoulliLogLikelihoodPerExample(const Matrix<T>& logits, const Matrix<T>& x, Vector<T>& out);
template <typename T>
void GaussianLogLikelihoodPerExample(const Matrix<T>& mean, const Matrix<T>& x, T sigma, Vector<T>& out);

} // namespace ll::nn
