// Model export: a checkpoint's network mapped onto PyTorch's nn.Sequential (names, layouts, layer list) and written
// as safetensors. The lab's Linear keeps W (out, in) column-major; PyTorch's nn.Linear keeps weight (out, in)
// row-major, so the values are transposed in memory and the shape stays (out, in).
#include "core/io/model_export.h"

#include "core/io/config_json.h"
#include "core/models/gan.h"
#include "core/models/vae.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace ll::io
{

namespace
{

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// (rows, cols) of a stored tensor, or a refusal naming the tensor the dimensions are read from.
const CheckpointTensor& Need(const CheckpointData& state, const std::string& param, const std::string& source)
{
    const std::string name = std::string(kParamTensorPrefix) + param;
    const CheckpointTensor* t = state.Find(name);
    if (t == nullptr || t->type != TensorType::F32)
    {
        throw std::runtime_error("checkpoint '" + source + "': cannot tell the model's sizes: tensor '" + name +
                                 "' is missing or not f32 (export reads MLP networks)");
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

std::string DataText(const models::ExperimentConfig& config, nn::Index data_dim)
{
    if (models::IsToy(config))
    {
        return "x (2): a point (x, y) of the 2-D distribution";
    }
    const std::string shape = ImageShape(config, data_dim);
    return "x (" + std::to_string(data_dim) + ")" +
           (shape.empty() ? std::string() : ": an image " + shape + " (H, W, C), row-major, channels last");
}

std::string WithLabelText(const std::string& first, int classes)
{
    return classes > 0 ? first + " then a one-hot class label (" + std::to_string(classes) + ")" : first;
}

// The Sequential's layers as [class name, kwargs] and its tensors. Linear and elementwise activations only.
void MapSequential(nn::Sequential<float> net, const std::string& part, nlohmann::ordered_json& layers,
                   std::vector<SafeTensor>& tensors)
{
    net.SetTraining(false); // spectral norm: sigma from the frozen u, v, as the lab evaluates
    for (std::size_t i = 0; i < net.Size(); ++i)
    {
        nn::Layer<float>& layer = net.At(i);
        const std::string index = std::to_string(i);
        if (auto* linear = dynamic_cast<nn::Linear<float>*>(&layer))
        {
            nn::MatrixF w = linear->Weight(); // (out, in)
            if (linear->SpectralNorm())
            {
                // The lab's evaluation-mode sigma = u^T W v with u (out), v (in) frozen.
                const float sigma = (linear->SpectralU().transpose() * (w * linear->SpectralV()))(0, 0);
                if (!(std::abs(sigma) > 0.0f) || !std::isfinite(sigma))
                {
                    throw std::invalid_argument(part + " layer " + index + ": spectral norm estimate is not usable");
                }
                w /= sigma;
            }
            const RowMajorF rows = w;
            tensors.push_back(SafeTensor::FromFloats(index + ".weight", {w.rows(), w.cols()}, rows.data()));
            if (linear->HasBias())
            {
                tensors.push_back(SafeTensor::FromFloats(index + ".bias", {w.rows()}, linear->Bias().data()));
            }
            layers.push_back({"Linear", {{"in_features", w.cols()}, {"out_features", w.rows()},
                                         {"bias", linear->HasBias()}}});
            continue;
        }
        if (auto* act = dynamic_cast<nn::Activation<float>*>(&layer))
        {
            switch (act->Type())
            {
            case nn::ActivationKind::Identity: layers.push_back({"Identity", nlohmann::ordered_json::object()}); break;
            case nn::ActivationKind::ReLU: layers.push_back({"ReLU", nlohmann::ordered_json::object()}); break;
            case nn::ActivationKind::LeakyReLU:
                layers.push_back({"LeakyReLU", {{"negative_slope", static_cast<double>(act->Slope())}}});
                break;
            case nn::ActivationKind::Tanh: layers.push_back({"Tanh", nlohmann::ordered_json::object()}); break;
            case nn::ActivationKind::Sigmoid: layers.push_back({"Sigmoid", nlohmann::ordered_json::object()}); break;
            case nn::ActivationKind::Softplus: layers.push_back({"Softplus", nlohmann::ordered_json::object()}); break;
            }
            continue;
        }
        throw std::invalid_argument(part + " layer " + index + " (" + layer.Kind() +
                                    ") cannot be exported yet: the exporter maps MLP networks (linear layers and "
                                    "activations) for now");
    }
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
    // The first Linear of each network sees [input; one-hot label]: its columns give the data and class sizes.
    if (state.config.family == models::Family::Gan)
    {
        const CheckpointTensor& g0 = Need(state, "G.0.weight", source);
        const CheckpointTensor& d0 = Need(state, "D.0.weight", source);
        const std::int64_t latent = state.config.gan.noise_dim + models::InfoCodesOf(state.config.gan).Dim(); // [z; c]
        out.num_classes = state.config.gan.conditional ? static_cast<int>(g0.cols - latent) : 0;
        out.data_dim = d0.cols - out.num_classes;
    }
    else
    {
        const CheckpointTensor& dec0 = Need(state, "Dec.0.weight", source);
        const CheckpointTensor& e0 = Need(state, "E.0.weight", source);
        out.num_classes = state.config.vae.conditional ? static_cast<int>(dec0.cols - state.config.vae.latent_dim) : 0;
        out.data_dim = e0.cols - out.num_classes;
    }
    if (out.num_classes < 0 || out.data_dim < 1)
    {
        throw std::runtime_error("checkpoint '" + source + "': its first layers do not match its config (data size " +
                                 std::to_string(out.data_dim) + ", classes " + std::to_string(out.num_classes) + ")");
    }
    Rng rng(state.config.seed);
    try
    {
        out.model = models::MakeModel(state.config, out.data_dim, out.num_classes, rng);
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

SafetensorsFile ExportSafetensors(CheckpointModel& checkpoint, ExportPart part)
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
    const std::string data = DataText(config, checkpoint.data_dim);
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    SafetensorsFile file;
    std::string input, output;
    if (gan)
    {
        auto& g = dynamic_cast<models::Gan&>(model);
        if (part == ExportPart::Generator)
        {
            MapSequential(g.SamplingGenerator(), part_name, layers, file.tensors);
            input = WithLabelText("z (" + std::to_string(model.LatentDim()) + "): " +
                                      util::NameOf(config.gan.noise) + " noise",
                                  classes);
            output = data;
        }
        else
        {
            MapSequential(g.Discriminator(), part_name, layers, file.tensors);
            input = WithLabelText(data, classes);
            output = models::UsesBce(g.ObjectiveKind()) ? "a logit (sigmoid of it: the probability x is real)"
                                                        : "a critic score (higher: more real)";
        }
    }
    else
    {
        auto& v = dynamic_cast<models::Vae&>(model);
        if (part == ExportPart::Decoder)
        {
            MapSequential(v.Net().Decoder(), part_name, layers, file.tensors);
            input = WithLabelText("z (" + std::to_string(model.LatentDim()) + ")", classes);
            if (v.Net().Bernoulli())
            {
                // The decoder computes logits; the lab shows their sigmoid, the mean of p(x|z). A Sigmoid appended
                // after the last layer leaves every tensor name as it was.
                layers.push_back({"Sigmoid", nlohmann::ordered_json::object()});
                output = data + ", Bernoulli means in [0, 1]";
            }
            else
            {
                output = data + ", Gaussian means (sigma " + std::to_string(v.Net().Sigma()) + ")";
            }
        }
        else
        {
            MapSequential(v.Net().Encoder(), part_name, layers, file.tensors);
            input = WithLabelText(data, classes);
            output = "[mu (" + std::to_string(model.LatentDim()) + "); logvar (" + std::to_string(model.LatentDim()) +
                     ")] of q(z|x)";
        }
    }
    nn::Index input_size = 0, output_size = 0;
    for (const auto& l : layers)
    {
        if (l[0] == "Linear")
        {
            input_size = input_size == 0 ? l[1]["in_features"].get<nn::Index>() : input_size;
            output_size = l[1]["out_features"].get<nn::Index>();
        }
    }
    file.metadata = {
        {"format", "pt"},
        {"latentlab_part", part_name},
        {"latentlab_layers", layers.dump()},
        {"latentlab_input", input},
        {"latentlab_input_size", std::to_string(input_size)},
        {"latentlab_output", output},
        {"latentlab_output_size", std::to_string(output_size)},
        {"latentlab_image_shape", ImageShape(config, checkpoint.data_dim)},
        {"latentlab_preset", config.name},
        {"latentlab_step", std::to_string(checkpoint.step)},
        {"latentlab_config", ConfigToJson(config)},
    };
    return file;
}

SafetensorsFile ExportModelFile(const std::filesystem::path& checkpoint, ExportFormat format, ExportPart part,
                                const std::filesystem::path& out)
{
    if (format == ExportFormat::Onnx)
    {
        throw std::invalid_argument("ONNX export is not written yet: use --format safetensors");
    }
    CheckpointModel model = ModelFromCheckpoint(LoadCheckpointFile(checkpoint), checkpoint.string());
    SafetensorsFile file;
    try
    {
        file = ExportSafetensors(model, part);
    }
    catch (const std::invalid_argument& e)
    {
        throw std::invalid_argument("checkpoint '" + checkpoint.string() + "': " + e.what());
    }
    SaveSafetensorsFile(out, file);
    return file;
}

} // namespace ll::io
