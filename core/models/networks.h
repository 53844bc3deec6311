// How an experiment's config becomes networks: for every network of the family (G and D, or encoder and decoder)
// its layer list (the config's `layers`, or the MLP short form as layers), input shape, the output the model needs
// and build options. The models build from these plans, Validate checks them, EstimateMemory and the window's
// network table read their summaries: one place decides what a network's input and output are.
#pragma once

#include "core/models/config.h"
#include "core/nn/network_spec.h"

#include <string>
#include <vector>

namespace ll::models
{

// One network of a model, ready to summarise or build.
struct NetworkPlan
{
    std::string name;                // "G", "D", "encoder", "decoder" (the prefix of Validate's messages)
    std::string key;                 // the config section: "gan.generator", "vae.encoder", ...
    std::vector<nn::LayerSpec> layers;
    nn::Shape example;               // one example as the network reads it, labels included
    nn::Shape input;                 // what the first layer reads: the example, or gan.pack examples packed (D)
    nn::Shape output;                // what the model needs (compared by size: a flat 784 fits 1x28x28)
    std::string output_what;         // "the data", "one score", "2 x latent_dim (mean, log-variance)"
    // Conditional image networks whose first layer is a convolution take the one-hot label as K extra input planes
    // (AppendLabelPlanes: input Shape{C + K, H, W}); every other conditional network takes [x; y] concatenated.
    bool label_planes = false;
    nn::NetworkOptions options;
};

// G and D (GAN) or encoder and decoder (VAE), in that order, for data of this shape with num_classes classes
// (used when the family's `conditional` is set). Throws std::invalid_argument for an MLP short form the builder
// cannot take (a discriminator with an output activation).
std::vector<NetworkPlan> PlanNetworks(const ExperimentConfig& config, const nn::Shape& data, int num_classes);

// Each plan summarised (nn::SummarizeNetwork: shapes layer by layer, parameters, buffers) and its output checked
// against what the model needs. Throws std::invalid_argument with the summary's message, prefixed by the network's
// name ("D layer 3 (conv, out 128, kernel 4, stride 2): input 64x3x3 is smaller than the kernel ..."). This is what
// the window's network table shows.
std::vector<nn::NetworkSummary> SummarizeNetworks(const ExperimentConfig& config, const nn::Shape& data,
                                                  int num_classes);

// Builds one plan (validated by SummarizeNetwork inside nn::BuildNetwork).
template <typename T>
nn::Sequential<T> BuildPlan(const NetworkPlan& plan, Rng& rng);

// Frees the gradient matrices of params (resized to 0 x 0): an inference copy or G's moving average never
// accumulates gradients (their backward passes run with accumulate = false), and a conv GAN's gradients are as large
// as its parameters (dcgan: 53 MB per copy).
void ReleaseGradients(const std::vector<nn::ParamRef<float>>& params);

// The index of the first BatchNorm layer, or -1.
int FirstBatchNorm(const std::vector<nn::LayerSpec>& layers);

// Why a critic with BatchNorm (its layer `layer`) is refused with WGAN-GP (wgan_gp) or R1: Validate and the GAN's
// constructor say the same.
std::string PenaltyWithBatchNormMessage(int layer, bool wgan_gp);

} // namespace ll::models
