// Model export: a checkpoint's network rebuilt, mapped onto PyTorch's nn.Sequential (export_sequential.cpp: names,
// layouts, permutations), described in metadata, and written as safetensors or ONNX (onnx_export.cpp).
#include "core/io/model_export.h"

#include "core/io/config_json.h"
#include "core/io/export_sequential.h"
#include "core/io/onnx_export.h"
#include "core/models/gan.h"
#include "core/models/vae.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

namespace ll::io
{

namespace
{

// (rows, cols) of a stored tensor, or a refusal naming the tensor the dimensions are read from.
const CheckpointTensor& Need(const CheckpointData& state, const std::string& param, const std::string& source)
{
    const std::string name = std::string(kParamTensorPrefix) + param;
    const CheckpointTensor* t = state.Find(name);
    if (t == nullptr || t->type != TensorType::F32)
    {
        throw std::runtime_error("checkpoint '" + source + "': cannot tell the model's sizes: tensor '" + name +
                                 "' is missing or not f32 (its first linear layer gives the sizes)");
    }
    return *t;
}

void CopyTensors(const std::vector<nn::ParamRef<float>>& targets, std::string_view prefix,
                 const CheckpointData& state, const std::string& source)
{
    for (const nn::ParamRef<float>& p : targets)
    {
        const std::string name = std::string(prefix) + p.name;
        const CheckpointTensor* t = state.Find(name);
        if (t == nullptr || t->type != TensorType::F32 || t->rows != p.value->rows() || t->cols != p.value->cols())
        {
            throw std::runtime_error("checkpoint '" + source + "': tensor '" + name + "' is " +
                                     (t == nullptr ? std::string("missing")
                                                   : std::to_string(t->rows) + " x " + std::to_string(t->cols) + " " +
                                                         TensorTypeName(t->type)) +
                                     ", the model expects " + std::to_string(p.value->rows()) + " x " +
                                     std::to_string(p.value->cols()) + " f32");
        }
        t->ToMatrix(*p.value);
    }
}

// "[H, W, C]" when data_dim is a square image of the configured channels, else "".
std::string ImageShape(const models::ExperimentConfig& config, nn::Index data_dim)
{
    if (models::IsToy(config))
    {
        return "";
    }
    const nn::Index channels = config.data.kind == models::DataKind::Folder && !config.data.grayscale ? 3 : 1;
    const auto side = static_cast<nn::Index>(std::lround(std::sqrt(static_cast<double>(data_dim / channels))));
    if (side * side * channels != data_dim)
    {
        return "";
    }
    return "[" + std::to_string(side) + ", " + std::to_string(side) + ", " + std::to_string(channels) + "]";
}

// nchw: PyTorch's tensor is the image (N, C, H, W); else the lab's vector.
std::string DataText(const models::ExperimentConfig& config, nn::Index data_dim, bool nchw)
{
    if (models::IsToy(config))
    {
        return "x (2): a point (x, y) of the 2-D distribution";
    }
    if (nchw)
    {
        return "x: an image (C, H, W), as PyTorch holds images (the lab's [H, W, C] permuted)";
    }
    const std::string shape = ImageShape(config, data_dim);
    return "x (" + std::to_string(data_dim) + ")" +
           (shape.empty() ? std::string() : ": an image " + shape + " (H, W, C), row-major, channels last");
}

std::string WithLabelText(const std::string& first, int classes)
{
    return classes > 0 ? first + " then a one-hot class label (" + std::to_string(classes) + ")" : first;
}

// Whether a network's first layer is a Linear (the MLP short form, or a layer list starting with one): its weight's
// columns then give the size of what it reads.
bool FirstIsLinear(const models::NetConfig& net)
{
    return net.layers.empty() || net.layers.front().kind == nn::LayerKind::Linear;
}

} // namespace


const util::EnumNames<ExportPart>& NamesOf(ExportPart)
{
    static const util::EnumNames<ExportPart> names{
        {ExportPart::Generator, "generator"},
        {ExportPart::Decoder, "decoder"},
        {ExportPart::Encoder, "encoder"},
        {ExportPart::Discriminator, "discriminator"},
        {ExportPart::Discriminator, "critic"},
    };
    return names;
}

const util::EnumNames<ExportFormat>& NamesOf(ExportFormat)
{
    static const util::EnumNames<ExportFormat> names{
        {ExportFormat::Safetensors, "safetensors"},
        {ExportFormat::Onnx, "onnx"},
    };
    return names;
}

ExportPart DefaultExportPart(models::Family family)
{
    return family == models::Family::Gan ? ExportPart::Generator : ExportPart::Decoder;
}

CheckpointModel ModelFromCheckpoint(const CheckpointData& state, const std::string& source)
{
    CheckpointModel out;
    out.config = state.config;
    out.step = state.step;
    // The first Linear of each network sees [input; one-hot label]: its columns give the data and class sizes. A
    // network starting with a convolution reads the data's shape as the config describes it (as Validate does).
    const bool gan = state.config.family == models::Family::Gan;
    const models::NetConfig& maker = gan ? state.config.gan.generator : state.config.vae.decoder;
    const models::NetConfig& reader = gan ? state.config.gan.discriminator : state.config.vae.encoder;
    const bool conditional = gan ? state.config.gan.conditional : state.config.vae.conditional;
    const nn::Shape guessed = models::GuessDataShape(state.config.data);
    out.num_classes = conditional ? models::GuessNumClasses(state.config.data) : 0;
    if (FirstIsLinear(maker))
    {
        const CheckpointTensor& first = Need(state, gan ? "G.0.weight" : "Dec.0.weight", source);
        const std::int64_t latent = gan ? state.config.gan.noise_dim + models::InfoCodesOf(state.config.gan).Dim()
                                        : state.config.vae.latent_dim; // [z; c]
        out.num_classes = conditional ? static_cast<int>(first.cols - latent) : 0;
    }
    out.data_dim = guessed.Size();
    if (FirstIsLinear(reader))
    {
        // A packed D (PacGAN, gan.pack = m) reads m examples side by side.
        const std::int64_t pack = gan ? std::max(1, state.config.gan.pack) : 1;
        out.data_dim = Need(state, gan ? "D.0.weight" : "E.0.weight", source).cols / pack - out.num_classes;
    }
    if (out.num_classes < 0 || out.data_dim < 1)
    {
        throw std::runtime_error("checkpoint '" + source + "': its first layers do not match its config (data size " +
                                 std::to_string(out.data_dim) + ", classes " + std::to_string(out.num_classes) + ")");
    }
    const nn::Shape shape = out.data_dim == guessed.Size() ? guessed : nn::Shape::Flat(out.data_dim);
    Rng rng(state.config.seed);
    try
    {
        out.model = models::MakeModel(state.config, shape, out.num_classes, rng);
    }
    catch (const std::exception& e)
    {
        throw std::runtime_error("checkpoint '" + source + "': cannot build its model: " + e.what());
    }
    for (const models::Network& net : out.model->Networks())
    {
        CopyTensors(net.params, kParamTensorPrefix, state, source);
    }
    CopyTensors(out.model->ExtraState(), kExtraTensorPrefix, state, source);
    return out;
}

std::int64_t ExportedNetwork::ParameterCount() const
{
    std::int64_t n = 0;
    for (const ExportLayer& layer : layers)
    {
        for (const SafeTensor& t : layer.tensors)
        {
            n += t.dtype == SafeDtype::F32 ? t.Elements() : 0;
        }
    }
    return n;
}

ExportedNetwork ExportNetwork(CheckpointModel& checkpoint, ExportPart part)
{
    models::Model& model = *checkpoint.model;
    const models::ExperimentConfig& config = checkpoint.config;
    const std::string part_name = util::NameOf(part);
    const bool gan = model.Family() == models::Family::Gan;
    if (gan != (part == ExportPart::Generator || part == ExportPart::Discriminator))
    {
        throw std::invalid_argument("cannot export the " + part_name + " of a " + util::NameOf(model.Family()) +
                                    ": its parts are " + (gan ? "generator and discriminator" : "decoder and encoder"));
    }
    const int classes = checkpoint.num_classes;
    ExportedNetwork net;
    net.part = part_name;
    std::string input, output;
    const bool reads_data = part == ExportPart::Discriminator || part == ExportPart::Encoder;
    if (gan)
    {
        auto& g = dynamic_cast<models::Gan&>(model);
        MapSequential(part == ExportPart::Generator ? g.SamplingGenerator() : g.Discriminator(), part_name, net);
        if (part == ExportPart::Discriminator)
        {
            output = models::UsesBce(g.ObjectiveKind()) ? "a logit (sigmoid of it: the probability x is real)"
                                                        : "a critic score (higher: more real)";
        }
        else
        {
            input = WithLabelText("z (" + std::to_string(model.LatentDim()) + "): " +
                                      util::NameOf(config.gan.noise) + " noise",
                                  classes);
        }
    }
    else
    {
        auto& v = dynamic_cast<models::Vae&>(model);
        MapSequential(part == ExportPart::Decoder ? v.Net().Decoder() : v.Net().Encoder(), part_name, net);
        if (part == ExportPart::Decoder)
        {
            input = WithLabelText("z (" + std::to_string(model.LatentDim()) + ")", classes);
            if (v.Net().Bernoulli())
            {
                // The decoder computes logits; the lab shows their sigmoid, the mean of p(x|z). A Sigmoid appended
                // after the last layer leaves every tensor name as it was.
                ExportLayer sigmoid;
                sigmoid.kind = "Sigmoid";
                sigmoid.kwargs = "{}";
                sigmoid.in = sigmoid.out = net.output;
                net.layers.push_back(std::move(sigmoid));
            }
        }
        else
        {
            output = "[mu (" + std::to_string(model.LatentDim()) + "); logvar (" + std::to_string(model.LatentDim()) +
                     ")] of q(z|x)";
        }
    }
    // An image end PyTorch holds as NCHW, or the lab's channels-last vector.
    const bool label_planes = reads_data && classes > 0 && net.input.size() == 3;
    const std::string data_in = DataText(config, checkpoint.data_dim, net.input.size() == 3);
    const std::string data_out = DataText(config, checkpoint.data_dim, net.output.size() == 3);
    if (reads_data)
    {
        input = label_planes ? data_in + " with the one-hot class label (" + std::to_string(classes) +
                                   ") as constant planes after the image's channels"
                             : WithLabelText(data_in, classes);
    }
    else if (part == ExportPart::Generator)
    {
        output = data_out;
    }
    else
    {
        auto& v = dynamic_cast<models::Vae&>(model);
        output = data_out + (v.Net().Bernoulli() ? ", Bernoulli means in [0, 1]"
                                                 : ", Gaussian means (sigma " + std::to_string(v.Net().Sigma()) + ")");
    }
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const ExportLayer& layer : net.layers)
    {
        layers.push_back({layer.kind, nlohmann::ordered_json::parse(layer.kwargs)});
    }
    const auto product = [](const std::vector<std::int64_t>& dims) {
        return std::accumulate(dims.begin(), dims.end(), std::int64_t{1}, std::multiplies<>());
    };
    net.metadata = {
        {"format", "pt"},
        {"latentlab_part", part_name},
        {"latentlab_layers", layers.dump()},
        {"latentlab_input", input},
        {"latentlab_input_size", std::to_string(product(net.input))},
        {"latentlab_input_shape", nlohmann::json(net.input).dump()},
        {"latentlab_output", output},
        {"latentlab_output_size", std::to_string(product(net.output))},
        {"latentlab_output_shape", nlohmann::json(net.output).dump()},
        {"latentlab_label_planes", label_planes ? "1" : "0"},
        {"latentlab_image_shape", ImageShape(config, checkpoint.data_dim)},
        {"latentlab_preset", config.name},
        {"latentlab_step", std::to_string(checkpoint.step)},
        {"latentlab_config", ConfigToJson(config)},
    };
    return net;
}

SafetensorsFile ToSafetensors(const ExportedNetwork& network)
{
    SafetensorsFile file;
    file.metadata = network.metadata;
    for (std::size_t i = 0; i < network.layers.size(); ++i)
    {
        for (const SafeTensor& t : network.layers[i].tensors)
        {
            SafeTensor named = t;
            named.name = std::to_string(i) + "." + t.name;
            file.tensors.push_back(std::move(named));
        }
    }
    return file;
}

SafetensorsFile ExportSafetensors(CheckpointModel& checkpoint, ExportPart part)
{
    return ToSafetensors(ExportNetwork(checkpoint, part));
}

ExportedNetwork ExportModelFile(const std::filesystem::path& checkpoint, ExportFormat format, ExportPart part,
                                const std::filesystem::path& out)
{
    CheckpointModel model = ModelFromCheckpoint(LoadCheckpointFile(checkpoint), checkpoint.string());
    ExportedNetwork network;
    try
    {
        network = ExportNetwork(model, part);
    }
    catch (const std::invalid_argument& e)
    {
        throw std::invalid_argument("checkpoint '" + checkpoint.string() + "': " + e.what());
    }
    if (format == ExportFormat::Onnx)
    {
        SaveOnnxFile(out, network);
    }
    else
    {
        SaveSafetensorsFile(out, ToSafetensors(network));
    }
    return network;
}

} // namespace ll::io
