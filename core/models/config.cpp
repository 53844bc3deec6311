// Validation of an ExperimentConfig: every key checked against its allowed range or list, with messages that
// name the key, and a memory estimate that refuses configurations which would exhaust the machine.
#include "core/models/config.h"

#include "core/models/info_codes.h"

#include "core/models/hyperparams.h"
#include "core/models/networks.h"
#include "core/nn/sequential.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace ll::models
{

using util::NameOf;

namespace
{

// The closed range [lo, hi], in the table's message format (hyperparams.h: CheckHyperValue).
void CheckRange(const std::string& key, double v, double lo, double hi)
{
    if (!(v >= lo && v <= hi))
    {
        throw std::invalid_argument(key + " must be in [" + FormatNumber(lo) + ", " + FormatNumber(hi) + "], got " +
                                    FormatNumber(v));
    }
}

constexpr double kMaxWidth = 65536;
constexpr double kMaxLayers = 32;

// The names of the activations a hidden layer accepts, for messages.
std::string HiddenActivationList()
{
    std::string out;
    for (const nn::ActivationKind kind : NamesOf(nn::ActivationKind{}).Values())
    {
        if (IsHiddenActivation(kind))
        {
            out += (out.empty() ? "\"" : ", \"") + NameOf(kind) + "\"";
        }
    }
    return out;
}

// What of a network is not one number (leaky_slope is a row of the hyperparameter table).
void CheckNet(const std::string& key, const NetConfig& net, bool identity_output_only)
{
    CheckRange(key + ".hidden (number of layers)", static_cast<double>(net.hidden.size()), 0, kMaxLayers);
    for (std::size_t i = 0; i < net.hidden.size(); ++i)
    {
        CheckRange(key + ".hidden[" + std::to_string(i) + "]", net.hidden[i], 1, kMaxWidth);
    }
    if (!IsHiddenActivation(net.activation))
    {
        throw std::invalid_argument(key + ".activation must be one of " + HiddenActivationList() + ", got \"" +
                                    NameOf(net.activation) + "\"");
    }
    if (identity_output_only && net.output_activation && *net.output_activation != nn::ActivationKind::Identity)
    {
        throw std::invalid_argument(key + ".output_activation must be \"\" or \"identity\" (raw outputs), got \"" +
                                    NameOf(*net.output_activation) + "\"");
    }
}

// One MLP's contribution to the estimate, in floats. Widths are taken as given (doubles, no overflow), so the
// estimate also works for nonsense sizes before the range checks.
struct MlpCost
{
    double params = 0;
    double activation_floats = 0; // per example
    double largest = 0;           // largest single width, to name the culprit
    std::string largest_key;
};

MlpCost CostOfMlp(const std::string& key, double in, const std::vector<int>& hidden, double out)
{
    MlpCost cost;
    double prev = in;
    cost.largest = in;
    cost.largest_key = key + " input";
    // Each Linear caches its input, output and input gradient; each activation its input, output and both
    // gradients: about 4 floats per unit per example for Linear + activation pairs.
    cost.activation_floats += prev;
    for (std::size_t i = 0; i < hidden.size(); ++i)
    {
        const double w = std::max(0, hidden[i]);
        cost.params += prev * w + w;
        cost.activation_floats += 4.0 * w;
        if (w > cost.largest)
        {
            cost.largest = w;
            cost.largest_key = key + ".hidden[" + std::to_string(i) + "]";
        }
        prev = w;
    }
    cost.params += prev * out + out;
    cost.activation_floats += 3.0 * out;
    return cost;
}

double OptimizerStateFactor(const nn::OptimizerConfig& opt)
{
    switch (opt.kind)
    {
    case nn::OptimizerKind::Adam:
        return 2.0;
    case nn::OptimizerKind::RmsProp:
        return 2.0; // squared average + momentum buffer
    case nn::OptimizerKind::Sgd:
        return 1.0;
    }
    return 2.0;
}

void CheckLayerList(const std::string& key, const NetConfig& net)
{
    CheckRange(key + ".layers (number of layers)", static_cast<double>(net.layers.size()), 0, 4 * kMaxLayers);
    for (std::size_t i = 0; i < net.layers.size(); ++i)
    {
        try
        {
            nn::CheckLayerArgs(net.layers[i]);
        }
        catch (const std::invalid_argument& e)
        {
            throw std::invalid_argument(key + ".layers[" + std::to_string(i) + "]: " + e.what());
        }
    }
}

// Layer lists: arguments, shapes layer by layer and the output each network must give (SummarizeNetworks), and a
// BatchNorm critic under a per-example gradient penalty.
void CheckLayerLists(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes)
{
    const bool gan = config.family == Family::Gan;
    const NetConfig& first = gan ? config.gan.generator : config.vae.encoder;
    const NetConfig& second = gan ? config.gan.discriminator : config.vae.decoder;
    if (first.layers.empty() && second.layers.empty())
    {
        return;
    }
    CheckLayerList(gan ? "gan.generator" : "vae.encoder", first);
    CheckLayerList(gan ? "gan.discriminator" : "vae.decoder", second);
    if (gan)
    {
        const int bn = FirstBatchNorm(config.gan.discriminator.layers);
        const bool wgan_gp = config.gan.objective == GanObjective::WganGp;
        if (bn >= 0 && (wgan_gp || config.gan.r1_gamma > 0.0))
        {
            throw std::invalid_argument(PenaltyWithBatchNormMessage(bn, wgan_gp));
        }
    }
    SummarizeNetworks(config, data_shape, num_classes);
}

// InfoGAN: Q reads D's body, so D needs a weighted layer before its score layer.
void CheckInfoCodes(const GanConfig& g)
{
    if (!InfoCodesOf(g).Active())
    {
        return;
    }
    if (g.pack > 1)
    {
        throw std::invalid_argument(InfoWithPackMessage(g.pack));
    }
    int weighted = 0;
    for (const nn::LayerSpec& spec : g.discriminator.layers)
    {
        weighted += spec.Info().weighted ? 1 : 0;
    }
    const bool body = g.discriminator.layers.empty() ? !g.discriminator.hidden.empty() : weighted >= 2;
    if (!body)
    {
        throw std::invalid_argument("gan.info_categorical / gan.info_continuous: InfoGAN's Q shares D's body, so "
                                    "gan.discriminator needs a hidden layer before its score layer");
    }
}

} // namespace

const util::EnumNames<Family>& NamesOf(Family)
{
    static const util::EnumNames<Family> names{{Family::Vae, "vae"}, {Family::Gan, "gan"}};
    return names;
}

const util::EnumNames<DataKind>& NamesOf(DataKind)
{
    static const util::EnumNames<DataKind> names{
        {DataKind::FashionMnist, "fashion-mnist"}, {DataKind::Idx, "idx"}, {DataKind::Folder, "folder"},
        {DataKind::Toy, "toy"}};
    return names;
}

const util::EnumNames<GanNoise>& NamesOf(GanNoise)
{
    static const util::EnumNames<GanNoise> names{{GanNoise::Gaussian, "gaussian"}, {GanNoise::Uniform, "uniform"}};
    return names;
}

const util::EnumNames<Likelihood>& NamesOf(Likelihood)
{
    static const util::EnumNames<Likelihood> names{{Likelihood::Bernoulli, "bernoulli"},
                                                   {Likelihood::Gaussian, "gaussian"}};
    return names;
}

bool IsHiddenActivation(nn::ActivationKind kind)
{
    return kind != nn::ActivationKind::Identity;
}

std::int64_t GuessDataDim(const DataConfig& data)
{
    if (data.kind == DataKind::Toy)
    {
        return 2;
    }
    if (data.kind == DataKind::Folder)
    {
        const std::int64_t side = std::max(1, data.image_size);
        return side * side * (data.grayscale ? 1 : 3);
    }
    return 28 * 28; // fashion-mnist, idx (MNIST format)
}

nn::Shape GuessDataShape(const DataConfig& data)
{
    if (data.kind == DataKind::Toy)
    {
        return nn::Shape::Flat(2);
    }
    if (data.kind == DataKind::Folder)
    {
        const nn::Index side = std::max(1, data.image_size);
        return nn::Shape{data.grayscale ? 1 : 3, side, side};
    }
    return nn::Shape{1, 28, 28}; // fashion-mnist, idx (MNIST format)
}

int GuessNumClasses(const DataConfig& data)
{
    return (data.kind == DataKind::FashionMnist || data.kind == DataKind::Idx) ? 10 : 0;
}

MemoryEstimate EstimateMemory(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes)
{
    const double d = static_cast<double>(data_shape.Size());
    const double batch = std::max(1, config.batch_size);
    MemoryEstimate est;
    auto add = [&](const MlpCost& cost, const nn::OptimizerConfig& opt, double examples)
    {
        est.parameters += 4.0 * cost.params;
        est.gradients += 4.0 * cost.params;
        est.optimizer += 4.0 * cost.params * OptimizerStateFactor(opt);
        est.activations += 4.0 * cost.activation_floats * examples;
    };
    // A network given as a layer list: its summary's parameters and per-example layer buffers.
    auto add_summary = [&](const nn::NetworkSummary& summary, const nn::OptimizerConfig& opt, double examples)
    {
        const double params = static_cast<double>(summary.params);
        est.parameters += 4.0 * params;
        est.gradients += 4.0 * params;
        est.optimizer += 4.0 * params * OptimizerStateFactor(opt);
        est.activations += static_cast<double>(summary.ActivationBytes(static_cast<nn::Index>(examples)));
    };
    const bool gan = config.family == Family::Gan;
    const NetConfig& first = gan ? config.gan.generator : config.vae.encoder;
    const NetConfig& second = gan ? config.gan.discriminator : config.vae.decoder;
    std::vector<nn::NetworkSummary> summaries;
    if (!first.layers.empty() || !second.layers.empty())
    {
        summaries = SummarizeNetworks(config, data_shape, num_classes); // throws on a shape mismatch
    }
    if (gan)
    {
        const GanConfig& g = config.gan;
        const double c = g.conditional ? num_classes : 0;
        const double pack = std::max(1, g.pack); // G makes pack x batch samples; D sees batch packs of them
        if (g.generator.layers.empty())
        {
            add(CostOfMlp("gan.generator", g.noise_dim + InfoCodesOf(g).Dim() + c, g.generator.hidden, d), g.g_opt,
                pack * batch);
        }
        else
        {
            add_summary(summaries[0], g.g_opt, pack * batch);
        }
        if (g.discriminator.layers.empty())
        {
            add(CostOfMlp("gan.discriminator", pack * (d + c), g.discriminator.hidden, 1), g.d_opt, batch);
        }
        else
        {
            add_summary(summaries[1], g.d_opt, batch);
        }
    }
    else
    {
        const VaeConfig& v = config.vae;
        const double c = v.conditional ? num_classes : 0;
        if (v.encoder.layers.empty())
        {
            add(CostOfMlp("vae.encoder", d + c, v.encoder.hidden, 2.0 * v.latent_dim), v.opt, batch);
        }
        else
        {
            add_summary(summaries[0], v.opt, batch);
        }
        if (v.decoder.layers.empty())
        {
            add(CostOfMlp("vae.decoder", v.latent_dim + c, v.decoder.hidden, d), v.opt, batch);
        }
        else
        {
            add_summary(summaries[1], v.opt, batch);
        }
    }
    return est;
}

MemoryEstimate EstimateMemory(const ExperimentConfig& config, std::int64_t data_dim, int num_classes)
{
    return EstimateMemory(config, nn::Shape::Flat(data_dim), num_classes);
}

void Validate(const ExperimentConfig& config)
{
    // Data.
    const DataConfig& data = config.data;
    if ((data.kind == DataKind::Idx || data.kind == DataKind::Folder) && data.dir.empty())
    {
        throw std::invalid_argument("data.dir must name a folder for data.kind \"" + NameOf(data.kind) + "\"");
    }
    if (data.kind == DataKind::Folder)
    {
        CheckRange("data.image_size", data.image_size, 4, 512);
    }
    if (data.kind == DataKind::Toy && data.toy == data::ToyKind::Custom)
    {
        if (data.points.empty() || data.points.size() > data::kMaxDrawnPoints)
        {
            throw std::invalid_argument("data.points must hold 1 to " + std::to_string(data::kMaxDrawnPoints) +
                                        " drawn points for data.toy \"custom\", got " +
                                        std::to_string(data.points.size()));
        }
        for (std::size_t i = 0; i < data.points.size(); ++i)
        {
            const data::Mode& p = data.points[i];
            if (!(std::abs(p.x) <= data::kMaxDrawnCoordinate && std::abs(p.y) <= data::kMaxDrawnCoordinate))
            {
                throw std::invalid_argument("data.points[" + std::to_string(i) + "] must lie within +-" +
                                            std::to_string(static_cast<int>(data::kMaxDrawnCoordinate)) +
                                            " on both axes");
            }
        }
        CheckRange("data.spread", data.spread, 0.001, 1.0);
    }

    // Memory before the per-key ranges: a 10^9-wide layer is refused with the estimate, not only its range.
    // Networks given as layer lists: shapes checked layer by layer (the message names the network and the layer).
    const nn::Shape data_shape = GuessDataShape(data);
    const int classes = GuessNumClasses(data);
    CheckLayerLists(config, data_shape, classes);
    const MemoryEstimate est = EstimateMemory(config, data_shape, classes);
    if (est.Total() > kMaxMemoryBytes)
    {
        constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
        char buf[320];
        std::snprintf(buf, sizeof buf,
                      "estimated memory %.2f GiB exceeds the %.0f GiB limit (parameters %.2f GiB, gradients %.2f "
                      "GiB, optimizer state %.2f GiB, activations %.2f GiB for batch_size %d)",
                      est.Total() / kGiB, kMaxMemoryBytes / kGiB, est.parameters / kGiB, est.gradients / kGiB,
                      est.optimizer / kGiB, est.activations / kGiB, config.batch_size);
        // Name the widest layer of the family in force, so the user knows which key to shrink.
        std::string culprit;
        double widest = 0;
        auto consider = [&](const std::string& key, const std::vector<int>& hidden)
        {
            for (std::size_t i = 0; i < hidden.size(); ++i)
            {
                if (hidden[i] > widest)
                {
                    widest = hidden[i];
                    culprit = key + ".hidden[" + std::to_string(i) + "] = " + std::to_string(hidden[i]);
                }
            }
        };
        if (config.family == Family::Gan)
        {
            consider("gan.generator", config.gan.generator.hidden);
            consider("gan.discriminator", config.gan.discriminator.hidden);
        }
        else
        {
            consider("vae.encoder", config.vae.encoder.hidden);
            consider("vae.decoder", config.vae.decoder.hidden);
        }
        throw std::invalid_argument(std::string(buf) + (culprit.empty() ? "" : "; widest layer " + culprit));
    }

    // Family-specific networks (the other family's section is ignored: presets need not tune it). Their numeric
    // settings (leaky_slope) and the optimizers' are rows of the hyperparameter table, checked below.
    if (config.family == Family::Gan)
    {
        const GanConfig& g = config.gan;
        CheckNet("gan.generator", g.generator, false);
        CheckNet("gan.discriminator", g.discriminator, true);
        CheckInfoCodes(g);
    }
    else
    {
        const VaeConfig& v = config.vae;
        CheckNet("vae.encoder", v.encoder, true);
        // Bernoulli decoders output logits; a Gaussian decoder's mean may pass through an activation.
        CheckNet("vae.decoder", v.decoder, v.likelihood == Likelihood::Bernoulli);
        if (data.kind == DataKind::Toy && v.likelihood == Likelihood::Bernoulli)
        {
            throw std::invalid_argument("vae.likelihood must be \"gaussian\" for data.kind \"toy\" (2-D points "
                                        "are not probabilities in [0, 1]), got \"bernoulli\"");
        }
    }

    // Every numeric setting of the family and of the run: the hyperparameter table.
    CheckHypers(config);
}

bool IsToy(const ExperimentConfig& config)
{
    return config.data.kind == DataKind::Toy;
}

} // namespace ll::models
