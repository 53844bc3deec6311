// Model export: one network of a checkpoint (generator, decoder, encoder or discriminator) written for other tools,
// as the tensors and the layer list of the equivalent PyTorch nn.Sequential in a safetensors file. The layout is
// documented in README.md ("Exporting models"). Pure functions over their arguments: safe on any thread.
#pragma once

#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "core/models/model.h"
#include "core/util/enum_names.h"

#include <filesystem>
#include <memory>
#include <string>

namespace ll::io
{

enum class ExportPart
{
    Generator,     // GAN: the generator that draws the samples (its moving average when gan.g_ema > 0)
    Decoder,       // VAE: the decoder, ending in a Sigmoid for Bernoulli likelihoods (the mean the lab shows)
    Encoder,       // VAE: the encoder, output rows [mu; logvar]
    Discriminator, // GAN: the discriminator / critic, a raw score
};
const util::EnumNames<ExportPart>& NamesOf(ExportPart); // "generator", "decoder", "encoder", "discriminator"

enum class ExportFormat
{
    Safetensors,
    Onnx, // named so the command line can say it is not written yet
};
const util::EnumNames<ExportFormat>& NamesOf(ExportFormat); // "safetensors", "onnx"

// A model rebuilt from a checkpoint for inference, without its data: the data and class dimensions are read off
// the stored tensors, the parameters and extra state (spectral-norm vectors, G's average) copied by name.
struct CheckpointModel
{
    models::ExperimentConfig config;
    std::int64_t step = 0;
    nn::Index data_dim = 0;
    int num_classes = 0; // 0 unless the model is conditional
    std::unique_ptr<models::Model> model;
};

// Throws std::runtime_error "checkpoint '<source>': <reason>" when a tensor is missing or of another shape.
CheckpointModel ModelFromCheckpoint(const CheckpointData& state, const std::string& source);

// The part the model's family exports by default: generator (GAN) or decoder (VAE).
ExportPart DefaultExportPart(models::Family family);

// The part as nn.Sequential tensors: "<i>.weight" (out, in) and "<i>.bias" (out) in float32, row-major, i the
// layer's index in the Sequential (activations count, as in PyTorch); a spectral-normalised weight is written as
// the W / sigma the lab computes with (its u, v frozen). Metadata (strings): format "pt", latentlab_part,
// latentlab_layers (a JSON list of [torch.nn class name, {keyword arguments}] to build the Sequential with),
// latentlab_input and latentlab_output (what the columns hold, in words), latentlab_input_size,
// latentlab_output_size, latentlab_image_shape ("[H, W, C]" for image data, channels last), latentlab_preset,
// latentlab_step and latentlab_config (the experiment as JSON). Throws std::invalid_argument for a part the family
// does not have, or a layer the exporter does not map yet (convolutions: MLP networks only for now).
SafetensorsFile ExportSafetensors(CheckpointModel& checkpoint, ExportPart part);

// Loads the checkpoint (bounded), exports the part and writes out atomically (nothing half-written on failure).
// Throws std::runtime_error / std::invalid_argument naming the file and the reason. Returns what was written, for
// the caller's message.
SafetensorsFile ExportModelFile(const std::filesystem::path& checkpoint, ExportFormat format, ExportPart part,
                                const std::filesystem::path& out);

} // namespace ll::io
