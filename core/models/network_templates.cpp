// The architecture templates (see network_templates.h): MLP, DCGAN and the conv encoder / decoder, each written once
// as a function of the data shape, the latent size and its knob.
#include "core/models/network_templates.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ll::models
{

namespace
{

using K = nn::LayerKind;
using Layers = std::vector<nn::LayerSpec>;

nn::LayerSpec L(K kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return nn::MakeLayerSpec(kind, args);
}

nn::LayerSpec Linear(nn::Index out)
{
    return L(K::Linear, {{"out", static_cast<double>(out)}});
}

// The (features, B) columns as c x h x w images.
nn::LayerSpec Reshape(nn::Index c, nn::Index h, nn::Index w)
{
    return L(K::Reshape, {{"c", static_cast<double>(c)}, {"h", static_cast<double>(h)}, {"w", static_cast<double>(w)}});
}

// Kernel 4, stride 2, pad 1: halves (conv) or doubles (transposed) height and width, as in DCGAN.
nn::LayerSpec Conv(K kind, nn::Index out)
{
    return L(kind, {{"out", static_cast<double>(out)}, {"kernel", 4}, {"stride", 2}, {"pad", 1}});
}

// MLP with w units in its widest hidden layer: G z -> w/2 -> w -> data (sigmoid for images), D data -> w -> w/2 -> 1,
// LeakyReLU 0.2; encoder data -> w -> 2 x latent, decoder z -> w -> data, ReLU. w = 512 gives the networks of
// gan-fashion and vae-fashion.
TemplateNetworks MakeMlp(Family family, const TemplateInput& in)
{
    const nn::Index w = in.width, half = std::max<nn::Index>(1, in.width / 2);
    const nn::Index data = in.data.Size();
    TemplateNetworks out;
    if (family == Family::Gan)
    {
        out.first = {Linear(half), L(K::LeakyReLU), Linear(w), L(K::LeakyReLU), Linear(data)};
        if (!in.data.IsFlat())
        {
            out.first.push_back(L(K::Sigmoid)); // images live in [0, 1]
        }
        out.second = {Linear(w), L(K::LeakyReLU), Linear(half), L(K::LeakyReLU), Linear(1)};
        return out;
    }
    out.first = {Linear(w), L(K::ReLU), Linear(2 * static_cast<nn::Index>(in.latent))};
    out.second = {Linear(w), L(K::ReLU), Linear(data)}; // logits (Bernoulli) or the mean (Gaussian)
    return out;
}

// DCGAN (Radford et al. 2016) with c base channels, for C x H x W images: G z -> 16c -> 2c x H/4 x W/4 (linear, BN,
// ReLU), transposed convs to c x H/2 x W/2 and C x H x W, sigmoid; D convs C -> c -> 2c (LeakyReLU 0.2, BN on the
// second), flatten, linear 16c, linear 1. c = 64 on 1x28x28 is issue 13's `dcgan`.
TemplateNetworks MakeDcgan(Family, const TemplateInput& in)
{
    const nn::Index c = in.width;
    const nn::Shape& d = in.data;
    const nn::Index h4 = d.h / 4, w4 = d.w / 4;
    TemplateNetworks out;
    out.first = {Linear(16 * c), L(K::BatchNorm), L(K::ReLU), Linear(2 * c * h4 * w4), L(K::BatchNorm), L(K::ReLU),
                 Reshape(2 * c, h4, w4), Conv(K::ConvTranspose, c), L(K::BatchNorm), L(K::ReLU),
                 Conv(K::ConvTranspose, d.c), L(K::Sigmoid)};
    out.second = {Conv(K::Conv, c), L(K::LeakyReLU), Conv(K::Conv, 2 * c)};
    if (in.d_batchnorm)
    {
        out.second.push_back(L(K::BatchNorm));
    }
    out.second.insert(out.second.end(), {L(K::LeakyReLU), L(K::Flatten), Linear(16 * c)});
    if (in.d_batchnorm)
    {
        out.second.push_back(L(K::BatchNorm));
    }
    out.second.insert(out.second.end(), {L(K::LeakyReLU), Linear(1)});
    return out;
}

// Conv encoder / decoder with c base channels: encoder convs C -> c -> 2c (ReLU), flatten, linear 8c, linear
// 2 x latent; decoder linear 8c, linear 2c x H/4 x W/4, reshape, transposed convs to c and C (logits). c = 32 on
// 1x28x28 is issue 13's `conv-vae`.
TemplateNetworks MakeConvVae(Family, const TemplateInput& in)
{
    const nn::Index c = in.width;
    const nn::Shape& d = in.data;
    const nn::Index h4 = d.h / 4, w4 = d.w / 4;
    TemplateNetworks out;
    out.first = {Conv(K::Conv, c), L(K::ReLU), Conv(K::Conv, 2 * c), L(K::ReLU), L(K::Flatten), Linear(8 * c),
                 L(K::ReLU), Linear(2 * static_cast<nn::Index>(in.latent))};
    out.second = {Linear(8 * c), L(K::ReLU), Linear(2 * c * h4 * w4), L(K::ReLU), Reshape(2 * c, h4, w4),
                  Conv(K::ConvTranspose, c), L(K::ReLU), Conv(K::ConvTranspose, d.c)};
    return out;
}

std::vector<NetworkTemplate> MakeTable()
{
    return {
        {"mlp", "MLP",
         "Fully connected layers only: every pixel connects to every unit, no notion of neighbouring pixels. GAN: G "
         "w/2 -> w, D w -> w/2 (LeakyReLU); VAE: one hidden layer of w each way (ReLU). w = 512 is gan-fashion's "
         "and vae-fashion's size.",
         "widest layer", 512, 8, 8192, true, true, false, MakeMlp},
        {"dcgan", "DCGAN",
         "The deep convolutional GAN: G grows a 2c x H/4 x W/4 block into the picture with two transposed convolutions "
         "(kernel 4, stride 2), D mirrors it with two strided convolutions; BatchNorm in both (not in D under WGAN-GP "
         "or R1). c = 64 is issue 13's dcgan.",
         "base channels", 64, 1, 512, true, false, true, MakeDcgan},
        {"conv-vae", "conv encoder / decoder",
         "Two strided convolutions (c and 2c channels) and a linear layer of 8c into the code's mean and log-variance, "
         "and the mirror image back with transposed convolutions. c = 32 is issue 13's conv-vae.",
         "base channels", 32, 1, 512, false, true, true, MakeConvVae},
    };
}

} // namespace

const std::vector<NetworkTemplate>& NetworkTemplates()
{
    static const std::vector<NetworkTemplate> table = MakeTable();
    return table;
}

const NetworkTemplate& FindNetworkTemplate(const std::string& name)
{
    std::string known;
    for (const NetworkTemplate& t : NetworkTemplates())
    {
        if (name == t.name)
        {
            return t;
        }
        known += std::string(known.empty() ? "" : ", ") + t.name;
    }
    throw std::invalid_argument("unknown network template '" + name + "' (known: " + known + ")");
}

std::string TemplateRefusal(const NetworkTemplate& t, Family family, const nn::Shape& data, int width)
{
    const std::string which = std::string("the ") + t.name + " template";
    if (family == Family::Gan ? !t.gan : !t.vae)
    {
        return which + " builds " + (t.gan ? "a GAN" : "a VAE") + ", not a " + util::NameOf(family);
    }
    if (t.images_only && (data.IsFlat() || data.h % 4 != 0 || data.w % 4 != 0))
    {
        return which + " needs image data whose height and width are multiples of 4, got " + data.Text();
    }
    if (width != 0 && (width < t.min_width || width > t.max_width))
    {
        return which + "'s " + t.knob + " must be in [" + std::to_string(t.min_width) + ", " +
               std::to_string(t.max_width) + "], got " + std::to_string(width);
    }
    return "";
}

TemplateInput TemplateInputFor(const ExperimentConfig& config, int width)
{
    TemplateInput in;
    in.data = GuessDataShape(config.data);
    const bool gan = config.family == Family::Gan;
    in.latent = gan ? config.gan.noise_dim : config.vae.latent_dim;
    in.width = width;
    in.d_batchnorm = !(gan && (config.gan.objective == GanObjective::WganGp || config.gan.r1_gamma > 0.0));
    return in;
}

void ApplyTemplate(ExperimentConfig& config, const NetworkTemplate& t, int width)
{
    TemplateInput in = TemplateInputFor(config, width);
    const std::string refusal = TemplateRefusal(t, config.family, in.data, width);
    if (!refusal.empty())
    {
        throw std::invalid_argument(refusal);
    }
    if (in.width == 0)
    {
        in.width = t.default_width;
    }
    TemplateNetworks nets = t.make(config.family, in);
    if (config.family == Family::Gan)
    {
        config.gan.generator.layers = std::move(nets.first);
        config.gan.discriminator.layers = std::move(nets.second);
    }
    else
    {
        config.vae.encoder.layers = std::move(nets.first);
        config.vae.decoder.layers = std::move(nets.second);
    }
}

TemplateMatch MatchTemplate(const ExperimentConfig& config)
{
    const bool gan = config.family == Family::Gan;
    const std::vector<nn::LayerSpec>& first = gan ? config.gan.generator.layers : config.vae.encoder.layers;
    const std::vector<nn::LayerSpec>& second = gan ? config.gan.discriminator.layers : config.vae.decoder.layers;
    if (first.empty() || second.empty())
    {
        return {};
    }
    // Every template's knob is one of the sizes in its lists (or a divisor of one): try each size and its
    // halves down to 1, as the knob.
    std::vector<int> candidates;
    for (const std::vector<nn::LayerSpec>* layers : {&first, &second})
    {
        for (const nn::LayerSpec& spec : *layers)
        {
            const nn::LayerKindInfo& info = spec.Info();
            for (std::size_t a = 0; a < info.args.size() && a < spec.args.size(); ++a)
            {
                for (double v = spec.args[a]; info.args[a].size && v >= 1 && v == std::floor(v); v /= 2)
                {
                    candidates.push_back(static_cast<int>(v));
                }
            }
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (const NetworkTemplate& t : NetworkTemplates())
    {
        for (const int width : candidates)
        {
            TemplateInput in = TemplateInputFor(config, width);
            if (!TemplateRefusal(t, config.family, in.data, width).empty())
            {
                continue;
            }
            const TemplateNetworks nets = t.make(config.family, in);
            if (nets.first == first && nets.second == second)
            {
                return {&t, width};
            }
        }
    }
    return {};
}

bool RefitTemplate(const ExperimentConfig& before, ExperimentConfig& after)
{
    const TemplateMatch match = MatchTemplate(before);
    if (match.t == nullptr || GuessDataShape(before.data) == GuessDataShape(after.data))
    {
        return false;
    }
    ExperimentConfig refit = after;
    try
    {
        ApplyTemplate(refit, *match.t, match.width);
    }
    catch (const std::invalid_argument&)
    {
        return false; // the template cannot build for the new data: Validate says what does not fit
    }
    after = std::move(refit);
    return true;
}

} // namespace ll::models
