// Model export: one network of a checkpoint (generator, decoder, encoder or discriminator) mapped once onto the
// equivalent PyTorch nn.Sequential (ExportNetwork: layer list, tensors, layouts) and written from that one mapping as
// safetensors or ONNX (onnx_export.h). The layout is documented in README.md ("Exporting models"). Pure functions
// over their arguments: safe on any thread.
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
    Onnx,
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

// One layer of the exported nn.Sequential. Images are NCHW there (PyTorch's layout), so conv weights, the rows of a
// linear layer before an Unflatten and the columns of one after a Flatten hold the lab's values permuted.
struct ExportLayer
{
    std::string kind;                    // the torch.nn class: Linear, Conv2d, ConvTranspose2d, BatchNorm1d, ...
    std::string kwargs;                  // its keyword arguments, a JSON object
    std::vector<SafeTensor> tensors;     // "weight", "bias", "running_mean", ... (without the layer index)
    std::vector<std::int64_t> in, out;   // one example as PyTorch holds it: {C, H, W} or {n}
    std::int64_t kernel = 1, stride = 1, pad = 0, output_pad = 0, factor = 1; // conv / upsample geometry
    double slope = 0.0;                  // LeakyReLU's negative slope
    double eps = 0.0;                    // BatchNorm's epsilon
};

// A network as the exporters write it: the layers in Sequential order (index = position) and the metadata every
// format carries (the keys listed at ExportSafetensors).
struct ExportedNetwork
{
    std::string part;
    std::vector<ExportLayer> layers;
    std::vector<std::int64_t> input, output; // one example, PyTorch's layout: {C, H, W} for an image, {n} flat
    std::vector<std::pair<std::string, std::string>> metadata;

    std::int64_t ParameterCount() const; // floats in every tensor (num_batches_tracked not counted)
};

// The part the model's family exports by default: generator (GAN) or decoder (VAE).
ExportPart DefaultExportPart(models::Family family);

// The part mapped onto nn.Sequential, in evaluation mode: a spectral-normalised weight is the W / sigma the lab
// computes with (its u, v frozen), BatchNorm uses its running statistics. Tensors in float32, row-major: Linear
// weight (out, in); Conv2d weight (Cout, Cin, k, k); ConvTranspose2d weight (Cin, Cout, k, k); BatchNorm weight,
// bias, running_mean, running_var (C) and num_batches_tracked (an int64 scalar, 0: the lab does not count them, and
// PyTorch reads it only when momentum is None). A network whose first layer is spatial (conv, transposed conv,
// upsample, batchnorm over channels) takes an NCHW image; a flat input stays the lab's vector ([x; one-hot label]).
// A network ending in an image gives NCHW. Metadata (strings): format "pt", latentlab_part, latentlab_layers (a
// JSON list of [torch.nn class name, {keyword arguments}] to build the Sequential with), latentlab_input and
// latentlab_output (what they hold, in words), latentlab_input_size / latentlab_output_size (values per example),
// latentlab_input_shape / latentlab_output_shape (JSON lists, PyTorch layout without the batch), latentlab_label_planes
// ("1" when a conditional network's one-hot label comes as K extra input channels after the image's),
// latentlab_image_shape ("[H, W, C]" of the data, channels last), latentlab_preset, latentlab_step and
// latentlab_config (the experiment as JSON). Throws std::invalid_argument for a part the family does not have, or a
// layer the exporter cannot map, by name (a reshape between two image shapes: channels-last relabelling is a
// permutation in NCHW).
ExportedNetwork ExportNetwork(CheckpointModel& checkpoint, ExportPart part);

// ExportNetwork as safetensors: tensor "<i>.<name>" for layer i of the Sequential, the metadata as __metadata__.
SafetensorsFile ToSafetensors(const ExportedNetwork& network);
SafetensorsFile ExportSafetensors(CheckpointModel& checkpoint, ExportPart part);

// Loads the checkpoint (bounded), exports the part in format and writes out atomically (nothing half-written on
// failure). Throws std::runtime_error / std::invalid_argument naming the file and the reason. Returns what was
// written, for the caller's message.
ExportedNetwork ExportModelFile(const std::filesystem::path& checkpoint, ExportFormat format, ExportPart part,
                                const std::filesystem::path& out);

} // namespace ll::io
