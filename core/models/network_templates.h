// Architecture templates as data: each is a function of the data shape, the latent size and one width / channel knob
// that returns the layer lists of a family's two networks (G and D, or encoder and decoder). One table,
// NetworkTemplates(), read by the window's Experiment section and by `latentlab train --template`.
#pragma once

#include "core/models/config.h"
#include "core/nn/network_spec.h"

#include <string>
#include <vector>

namespace ll::models
{

// What a template builds for.
struct TemplateInput
{
    nn::Shape data;          // one example: 1x28x28, 3x32x32, or a flat 2 for the toys
    int latent = 64;         // G's noise size, or the VAE's latent size (the encoder gives 2 x latent)
    int width = 0;           // the template's knob (hidden width or base channels); 0 = its default
    bool d_batchnorm = true; // GAN: BatchNorm in D (off for WGAN-GP and R1: their penalties are per example)
};

// The two networks in the family's order: G, D or encoder, decoder.
struct TemplateNetworks
{
    std::vector<nn::LayerSpec> first, second;
};

struct NetworkTemplate
{
    const char* name;  // "mlp", "dcgan", "conv-vae": the CLI's --template and the window's combo id
    const char* label; // "MLP", "DCGAN", "conv encoder / decoder"
    const char* help;  // one paragraph, for the tooltip
    const char* knob;  // what the width knob is: "hidden width", "base channels"
    int default_width, min_width, max_width;
    bool gan, vae;    // the families it builds for
    bool images_only; // needs channels x height x width data with height and width multiples of 4
    // The two networks for an input whose width is resolved (never 0); ApplyTemplate checks TemplateRefusal first.
    TemplateNetworks (*make)(Family family, const TemplateInput& input);
};

// The table, in the order the window offers it.
const std::vector<NetworkTemplate>& NetworkTemplates();
// Throws std::invalid_argument naming the known templates.
const NetworkTemplate& FindNetworkTemplate(const std::string& name);

// Why the template cannot build for this family and data ("the dcgan template needs image data whose height and
// width are multiples of 4, got 2"), or "" when it can. The width is checked against the knob's range.
std::string TemplateRefusal(const NetworkTemplate& t, Family family, const nn::Shape& data, int width);

// The template's input for a config: its data shape (GuessDataShape, as Validate sees it), its latent / noise size,
// the width (0 = default) and BatchNorm in D unless the objective or R1 penalises per example.
TemplateInput TemplateInputFor(const ExperimentConfig& config, int width);

// Sets the layer lists of the config's family's two networks from the template (the other settings, init and
// spectral norm included, stay). Throws std::invalid_argument with TemplateRefusal's reason.
void ApplyTemplate(ExperimentConfig& config, const NetworkTemplate& t, int width);

// The template and knob the config's two layer lists were built from for its data, found by building each template
// at every size the lists hold; template null when they match none (hand-written lists, the MLP short form).
struct TemplateMatch
{
    const NetworkTemplate* t = nullptr;
    int width = 0;
};
TemplateMatch MatchTemplate(const ExperimentConfig& config);

// For a config whose data changed (after: before with other data): networks that `before` had from a template are
// rebuilt from it at the same knob for after's data, so dcgan-fashion pointed at a folder of 32x32 colour images
// gets a DCGAN for 3x32x32. True when it rebuilt them; false (after untouched) when there was no template or it
// cannot build for the new data.
bool RefitTemplate(const ExperimentConfig& before, ExperimentConfig& after);

} // namespace ll::models
