// PlanNetworks: each network's layers, input, needed output and options from the config (see networks.h).
#include "core/models/networks.h"

#include "core/models/gan_pack.h"
#include "core/models/info_codes.h"

#include <algorithm>
#include <stdexcept>

namespace ll::models
{

namespace
{

// The MLP short form in -> hidden... -> out as a layer list (output activation as given).
std::vector<nn::LayerSpec> MlpFor(const NetConfig& net, nn::Index in, nn::Index out, nn::ActivationKind output)
{
    nn::MlpSpec spec;
    spec.sizes.push_back(in);
    spec.sizes.insert(spec.sizes.end(), net.hidden.begin(), net.hidden.end());
    spec.sizes.push_back(out);
    spec.hidden = net.activation;
    spec.output = output;
    spec.leaky_slope = net.leaky_slope;
    spec.spectral_norm = net.spectral_norm;
    spec.init = net.init;
    return nn::MlpLayers(spec);
}

bool Spatial(nn::LayerKind kind)
{
    return kind == nn::LayerKind::Conv || kind == nn::LayerKind::ConvTranspose || kind == nn::LayerKind::Upsample;
}

// A network reading data x (and labels when classes > 0): the input shape and whether labels come as planes.
void SetDataInput(NetworkPlan& plan, const nn::Shape& data, int classes)
{
    plan.label_planes = classes > 0 && !data.IsFlat() && !plan.layers.empty() && Spatial(plan.layers[0].kind);
    if (plan.label_planes)
    {
        plan.example = nn::Shape{data.c + classes, data.h, data.w};
    }
    else if (classes > 0)
    {
        plan.example = nn::Shape::Flat(data.Size() + classes);
    }
    else
    {
        plan.example = data;
    }
    plan.input = plan.example;
}

nn::NetworkOptions Options(const NetConfig& net, bool spectral_norm)
{
    nn::NetworkOptions options;
    options.init = net.init;
    options.spectral_norm = spectral_norm;
    return options;
}

void RefuseOutputActivation(const NetConfig& net, const std::string& key, const char* why)
{
    if (net.output_activation && *net.output_activation != nn::ActivationKind::Identity)
    {
        throw std::invalid_argument(key + ".output_activation must be empty or identity (" + std::string(why) +
                                    "), got '" + nn::ActivationName(*net.output_activation) + "'");
    }
}

} // namespace

std::vector<NetworkPlan> PlanNetworks(const ExperimentConfig& config, const nn::Shape& data, int num_classes)
{
    std::vector<NetworkPlan> plans(2);
    if (config.family == Family::Gan)
    {
        const GanConfig& gc = config.gan;
        const int classes = gc.conditional ? num_classes : 0;
        NetworkPlan& g = plans[0];
        g.name = "G";
        g.key = "gan.generator";
        g.input = nn::Shape::Flat(gc.noise_dim + InfoCodesOf(gc).Dim() + classes); // [z; c; y], c: InfoGAN codes
        g.example = g.input;
        g.output = data;
        g.output_what = "the data";
        // Images live in [0, 1] (sigmoid); 2-D toys are unbounded (identity).
        const nn::ActivationKind g_out = gc.generator.output_activation.value_or(
            data.Size() == 2 ? nn::ActivationKind::Identity : nn::ActivationKind::Sigmoid);
        g.layers = gc.generator.layers.empty() ? MlpFor(gc.generator, g.input.Size(), data.Size(), g_out)
                                               : gc.generator.layers;
        g.options = Options(gc.generator, gc.generator.spectral_norm);

        NetworkPlan& d = plans[1];
        d.name = "D";
        d.key = "gan.discriminator";
        RefuseOutputActivation(gc.discriminator, d.key, "D outputs a raw score");
        d.layers = gc.discriminator.layers;
        SetDataInput(d, data, classes);
        d.input = PackedShape(d.example, std::max(1, gc.pack)); // PacGAN: m examples along the channels
        if (d.layers.empty())
        {
            d.layers = MlpFor(gc.discriminator, d.input.Size(), 1, nn::ActivationKind::Identity);
        }
        d.output = nn::Shape::Flat(1);
        d.output_what = "one score";
        d.options = Options(gc.discriminator, gc.objective == GanObjective::Hinge || gc.discriminator.spectral_norm);
        return plans;
    }
    const VaeConfig& vc = config.vae;
    const int classes = vc.conditional ? num_classes : 0;
    NetworkPlan& e = plans[0];
    e.name = "encoder";
    e.key = "vae.encoder";
    e.layers = vc.encoder.layers;
    SetDataInput(e, data, classes);
    if (e.layers.empty())
    {
        e.layers = MlpFor(vc.encoder, e.input.Size(), 2 * vc.latent_dim, nn::ActivationKind::Identity);
    }
    e.output = nn::Shape::Flat(2 * vc.latent_dim);
    e.output_what = "2 x latent_dim (mean and log-variance)";
    e.options = Options(vc.encoder, vc.encoder.spectral_norm);

    NetworkPlan& dec = plans[1];
    dec.name = "decoder";
    dec.key = "vae.decoder";
    dec.input = nn::Shape::Flat(vc.latent_dim + classes); // [z; y]
    dec.example = dec.input;
    dec.output = data;
    dec.output_what = "the data";
    // Bernoulli decoders emit logits (the likelihood takes logits for stability); Gaussian means may pass through
    // the configured output activation.
    const nn::ActivationKind dec_out = vc.likelihood == Likelihood::Bernoulli
                                           ? nn::ActivationKind::Identity
                                           : vc.decoder.output_activation.value_or(nn::ActivationKind::Identity);
    dec.layers = vc.decoder.layers.empty() ? MlpFor(vc.decoder, dec.input.Size(), data.Size(), dec_out)
                                           : vc.decoder.layers;
    dec.options = Options(vc.decoder, vc.decoder.spectral_norm);
    return plans;
}

std::vector<nn::NetworkSummary> SummarizeNetworks(const ExperimentConfig& config, const nn::Shape& data,
                                                  int num_classes)
{
    std::vector<nn::NetworkSummary> out;
    for (const NetworkPlan& plan : PlanNetworks(config, data, num_classes))
    {
        nn::NetworkSummary summary = nn::SummarizeNetwork(plan.name, plan.layers, plan.input);
        nn::CheckOutputShape(summary, plan.output, plan.output_what);
        out.push_back(std::move(summary));
    }
    return out;
}

template <typename T>
nn::Sequential<T> BuildPlan(const NetworkPlan& plan, Rng& rng)
{
    nn::Sequential<T> net = nn::BuildNetwork<T>(plan.name, plan.layers, plan.input, plan.options, rng);
    nn::CheckOutputShape(nn::SummarizeNetwork(plan.name, plan.layers, plan.input), plan.output, plan.output_what);
    return net;
}

template nn::Sequential<float> BuildPlan<float>(const NetworkPlan&, Rng&);
template nn::Sequential<double> BuildPlan<double>(const NetworkPlan&, Rng&);

void ReleaseGradients(const std::vector<nn::ParamRef<float>>& params)
{
    for (const auto& p : params)
    {
        if (p.grad != nullptr)
        {
            p.grad->resize(0, 0);
        }
    }
}

int FirstBatchNorm(const std::vector<nn::LayerSpec>& layers)
{
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        if (layers[i].kind == nn::LayerKind::BatchNorm)
        {
            return static_cast<int>(i);
        }
    }
    return -1;
}

std::string PenaltyWithBatchNormMessage(int layer, bool wgan_gp)
{
    return std::string("gan.discriminator layer ") + std::to_string(layer) + " (batchnorm): a critic with BatchNorm " +
           "cannot take " + (wgan_gp ? "the WGAN-GP gradient penalty" : "the R1 penalty") +
           ": the penalty is per example, and batch statistics mix the examples of a batch (remove the batchnorm "
           "layers from the critic)";
}

} // namespace ll::models
