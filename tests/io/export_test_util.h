// Helpers for the export tests: small MLP experiments of each kind the exporter maps (image GAN and VAE, conditional,
// with G's moving average, spectral norm, every activation), and a checkpoint of a freshly built model whose
// parameters (biases too) are perturbed, so that a layout mistake cannot hide behind zeros.
#pragma once

#include "core/io/checkpoint.h"
#include "core/models/model.h"

#include <cmath>
#include <string>

namespace ll::io::test
{

// name: "gan-image" (conditional, G average, spectral-normalised D), "gan-toy-hinge" (spectral norm on both),
// "vae-image" (conditional, Bernoulli), "vae-toy-gaussian" (tanh, sigmoid and softplus layers), "gan-conv-colour"
// (3 x 8 x 8 colour images: G with reshape, upsample, a transposed conv with output padding, BatchNorm2d and a conv;
// a spectral-normalised conv D, one conv without bias, flatten and linear: the channels-last permutation with C > 1
// at both ends).
inline models::ExperimentConfig ExportConfig(const std::string& name)
{
    models::ExperimentConfig c;
    c.name = name;
    c.eval_every = 0;
    c.sample_every = 0;
    c.seed = 5;
    if (name == "gan-conv-colour")
    {
        using nn::LayerKind;
        c.family = models::Family::Gan;
        c.data.kind = models::DataKind::Folder;
        c.data.grayscale = false;
        c.data.image_size = 8;
        c.data.dir = "colour-images"; // never read: the model is built from the config alone
        c.gan.noise_dim = 8;
        c.gan.generator.init = nn::MlpInit::Torch;
        c.gan.generator.layers = {
            nn::MakeLayerSpec(LayerKind::Linear, {{"out", 64}}),
            nn::MakeLayerSpec(LayerKind::ReLU),
            nn::MakeLayerSpec(LayerKind::Reshape, {{"c", 16}, {"h", 2}, {"w", 2}}),
            nn::MakeLayerSpec(LayerKind::Upsample, {{"factor", 2}}),
            nn::MakeLayerSpec(LayerKind::ConvTranspose,
                              {{"out", 8}, {"kernel", 3}, {"stride", 2}, {"pad", 1}, {"output_pad", 1}}),
            nn::MakeLayerSpec(LayerKind::BatchNorm),
            nn::MakeLayerSpec(LayerKind::LeakyReLU),
            nn::MakeLayerSpec(LayerKind::Conv, {{"out", 3}, {"kernel", 3}, {"pad", 1}}),
            nn::MakeLayerSpec(LayerKind::Tanh),
        };
        c.gan.discriminator.init = nn::MlpInit::Torch;
        c.gan.discriminator.spectral_norm = true;
        c.gan.discriminator.layers = {
            nn::MakeLayerSpec(LayerKind::Conv, {{"out", 8}, {"kernel", 3}, {"stride", 2}, {"pad", 1}}),
            nn::MakeLayerSpec(LayerKind::LeakyReLU),
            nn::MakeLayerSpec(LayerKind::Conv, {{"out", 16}, {"kernel", 2}, {"stride", 2}, {"bias", 0}}),
            nn::MakeLayerSpec(LayerKind::Flatten),
            nn::MakeLayerSpec(LayerKind::Linear, {{"out", 1}}),
        };
        return c;
    }
    if (name == "gan-image" || name == "gan-toy-hinge")
    {
        c.family = models::Family::Gan;
        c.gan.noise_dim = 8;
        c.gan.generator.hidden = {32, 16};
        c.gan.discriminator.hidden = {24};
        c.gan.discriminator.spectral_norm = true;
        if (name == "gan-image")
        {
            c.gan.conditional = true;
            c.gan.g_ema = 0.9;
        }
        else
        {
            c.data.kind = models::DataKind::Toy;
            c.gan.objective = models::GanObjective::Hinge;
            c.gan.generator.spectral_norm = true;
            c.gan.generator.activation = nn::ActivationKind::ReLU;
        }
    }
    else
    {
        c.family = models::Family::Vae;
        c.vae.latent_dim = 4;
        c.vae.encoder.hidden = {32};
        c.vae.decoder.hidden = {24, 16};
        if (name == "vae-image")
        {
            c.vae.conditional = true;
        }
        else
        {
            c.data.kind = models::DataKind::Toy;
            c.vae.likelihood = models::Likelihood::Gaussian;
            c.vae.encoder.activation = nn::ActivationKind::Tanh;
            c.vae.decoder.activation = nn::ActivationKind::Softplus;
            c.vae.decoder.output_activation = nn::ActivationKind::Sigmoid;
        }
    }
    return c;
}

inline nn::Index ExportDataDim(const models::ExperimentConfig& c) { return models::IsToy(c) ? 2 : 784; }
inline int ExportClasses(const models::ExperimentConfig& c)
{
    return (c.family == models::Family::Gan ? c.gan.conditional : c.vae.conditional) ? 10 : 0;
}

// A checkpoint of a freshly built model of config, every parameter and extra-state value moved by N(0, 0.05). relative:
// by N(0, (0.1 rms)^2) instead, rms the tensor's root mean square (0.05 when it is zero), which keeps a deep network's
// activations at their initial scale (the presets' conv networks: BatchNorm's running statistics stay near 0 and 1).
inline CheckpointData PerturbedCheckpoint(const models::ExperimentConfig& config, std::uint64_t seed,
                                          bool relative = false)
{
    Rng rng(seed);
    auto model = models::MakeModel(config, models::GuessDataShape(config.data), ExportClasses(config), rng);
    CheckpointData state;
    state.config = config;
    state.step = 123;
    const auto add = [&](const nn::ParamRef<float>& p, std::string_view prefix) {
        const double rms = p.value->size() > 0 ? std::sqrt(p.value->cast<double>().squaredNorm() /
                                                            static_cast<double>(p.value->size()))
                                                : 0.0;
        const double sigma = !relative ? 0.05 : rms > 0.0 ? 0.1 * rms : 0.05;
        for (Eigen::Index i = 0; i < p.value->size(); ++i)
        {
            p.value->data()[i] += static_cast<float>(rng.Normal(0.0, sigma));
        }
        state.tensors.push_back(CheckpointTensor::FromMatrix(std::string(prefix) + p.name, *p.value));
    };
    for (const auto& net : model->Networks())
    {
        for (const auto& p : net.params)
        {
            add(p, kParamTensorPrefix);
        }
    }
    for (const auto& p : model->ExtraState())
    {
        add(p, kExtraTensorPrefix);
    }
    return state;
}

} // namespace ll::io::test
