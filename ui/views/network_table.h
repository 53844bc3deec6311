// The Experiment section's network tables: each network of the pending config as rows of layer, output shape and
// parameters (like Keras' model.summary()), with the sizes the layer table marks (features, channels) editable in
// place. A refused network shows every layer that checks and then Validate's message. Main (ImGui) thread only.
#pragma once

#include "core/models/config.h"
#include "core/nn/network_spec.h"

#include <imgui.h>

#include <string>
#include <vector>

namespace ll::ui
{

// One network as the table shows it.
struct NetworkTable
{
    std::string name;                    // "G", "D", "encoder", "decoder"
    std::string key;                     // its config section: "gan.generator", ...
    nn::Shape input;                     // of one example, labels included
    std::vector<nn::LayerSpec> layers;   // the whole list (the MLP short form as layers)
    std::vector<nn::LayerSummary> rows;  // the layers before the refused one (all of them when the shapes check)
    nn::Index params = 0;                // of those rows
    std::size_t training_bytes = 0;      // parameters with gradients and Adam's moments, buffers for the batch
    std::string error;                   // Validate's message about this network ("" when it checks)
    bool short_form = false;             // the MLP `hidden` short form: its widths are edited as text, not here
};

// The pending config's two networks (G and D, or encoder and decoder) for its data as Validate guesses it
// (GuessDataShape, GuessNumClasses). Never throws: a refusal is the table's error.
std::vector<NetworkTable> TabulateNetworks(const models::ExperimentConfig& config);

// An editable size cell as drawn in the last frame (screen rectangle), for tests that click it.
struct SizeCell
{
    std::size_t network = 0, layer = 0, arg = 0;
    ImVec2 min, max;
};

// "6,642,241".
std::string GroupDigits(long long value);
// "conv k4 s2 p1": the kind and each argument that is neither a size nor at its default, by its initial.
std::string CompactLayer(const nn::LayerSpec& spec);

// Draws one table (network index `network` of the section). With `layers`, the size cells are input fields that write
// into it, clamped to the argument's range, and are appended to `cells`; true when a value changed.
bool DrawNetworkTable(std::size_t network, const NetworkTable& table, std::vector<nn::LayerSpec>* layers,
                      std::vector<SizeCell>* cells);

} // namespace ll::ui
