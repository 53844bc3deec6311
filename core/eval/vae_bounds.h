// Held-out log-likelihood bounds of a VAE: the one-sample ELBO and the importance-weighted bound (IWAE), in nats per
// example. They run the model's own network on the caller's thread (use a clone off the trainer).
#pragma once

#include "core/data/dataset.h"
#include "core/models/model.h"

#include <cstdint>

namespace ll::eval
{

// Held-out bounds on log p(x), in nats per example (negative; higher is better). x (data, n) in the model's data
// space, labels (classes, n) for conditional models. Examples are processed in chunks of `chunk` columns so
// memory stays bounded. Throws std::invalid_argument if the model is not a VAE.
//
// EvaluateElbo: mean over examples of the one-sample ELBO log p(x|z) - KL(q(z|x) || p(z)), beta = 1.
double EvaluateElbo(models::Model& model, const nn::MatrixF& x, const nn::MatrixF* labels, Rng& rng,
                    nn::Index chunk = 256);
// EvaluateIwae: mean over examples of log (1/k) sum_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x) (Burda et al. 2016),
// log-sum-exp in double. IWAE >= ELBO in expectation; k = 1 gives the ELBO in expectation.
double EvaluateIwae(models::Model& model, const nn::MatrixF& x, const nn::MatrixF* labels, int k, Rng& rng,
                    nn::Index chunk = 100);

// The same on the first max_examples examples of an image dataset (all when max_examples <= 0), pixels in [0, 1].
double EvaluateElbo(models::Model& model, const data::ImageDataset& ds, std::int64_t max_examples, Rng& rng);
double EvaluateIwae(models::Model& model, const data::ImageDataset& ds, std::int64_t max_examples, int k, Rng& rng);

} // namespace ll::eval
