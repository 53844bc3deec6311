// The tiny experiment the session, headless, recorder, runs and File menu tests train: a GAN or a VAE on the ring of
// eight with one hidden layer of 16 in every network, batch 32, seed 3, no evaluation and no sample grids. A test
// changes what it needs after the call, so each difference from this one stands in the test.
#pragma once

#include "core/models/config.h"

#include <string>

namespace ll::test
{

inline models::ExperimentConfig TinyRing(const std::string& name, models::Family family = models::Family::Gan)
{
    models::ExperimentConfig c;
    c.name = name;
    c.family = family;
    c.data.kind = models::DataKind::Toy;
    c.data.toy = data::ToyKind::Ring8;
    c.gan.noise_dim = 2;
    c.gan.generator.hidden = {16};
    c.gan.discriminator.hidden = {16};
    c.vae.latent_dim = 2;
    c.vae.likelihood = models::Likelihood::Gaussian;
    c.vae.encoder.hidden = {16};
    c.vae.decoder.hidden = {16};
    c.batch_size = 32;
    c.seed = 3;
    c.eval_every = 0;
    c.sample_every = 0;
    return c;
}

} // namespace ll::test
