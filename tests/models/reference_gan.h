// The GAN the double-precision references of the model tests mirror (test_gan.cpp, test_gan_r1.cpp): G and D with
// one hidden layer of 3 (G LeakyReLU 0.2, D's activation given), noise of 2, plain SGD at 0.01 for both.
#pragma once

#include "core/models/config.h"

namespace ll::test
{

inline models::ExperimentConfig ReferenceGanConfig(models::GanObjective objective, nn::ActivationKind d_activation)
{
    models::ExperimentConfig c;
    c.family = models::Family::Gan;
    c.gan.objective = objective;
    c.gan.noise_dim = 2;
    c.gan.generator = {{3}, nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    c.gan.discriminator = {{3}, d_activation, 0.2, std::nullopt, false};
    c.gan.g_opt = {nn::OptimizerKind::Sgd, 0.01};
    c.gan.d_opt = {nn::OptimizerKind::Sgd, 0.01};
    return c;
}

} // namespace ll::test
