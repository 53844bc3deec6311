// Architecture templates (core/models/network_templates.h): at their default widths they are the conv presets'
// networks, every one that fits validates on 1x28x28 and 3x32x32 data, parameters match a count by hand, and the
// ones that cannot build say why.
#include "core/io/config_json.h"
#include "core/models/network_templates.h"
#include "core/models/networks.h"
#include "refusal.h"

#include <doctest/doctest.h>

#include <filesystem>

using namespace ll;
using models::ExperimentConfig;
using models::Family;
using test::Refusal;

namespace
{

ExperimentConfig Preset(const std::string& name)
{
    return io::LoadPreset(name, std::filesystem::path(LATENTLAB_SOURCE_DIR) / "assets" / "presets");
}

// Fashion-MNIST (1x28x28, 10 classes) or a folder of 32x32 colour images (3x32x32, unlabelled).
ExperimentConfig On(Family family, bool rgb32)
{
    ExperimentConfig c;
    c.family = family;
    if (rgb32)
    {
        c.data.kind = models::DataKind::Folder;
        c.data.dir = "unused"; // Validate reads no file
        c.data.image_size = 32;
        c.data.grayscale = false;
    }
    c.batch_size = 64;
    return c;
}

const std::vector<nn::LayerSpec>& First(const ExperimentConfig& c)
{
    return c.family == Family::Gan ? c.gan.generator.layers : c.vae.encoder.layers;
}

const std::vector<nn::LayerSpec>& Second(const ExperimentConfig& c)
{
    return c.family == Family::Gan ? c.gan.discriminator.layers : c.vae.decoder.layers;
}

} // namespace

TEST_CASE("Templates: dcgan and conv-vae at their default widths are the dcgan-fashion and conv-vae-fashion networks")
{
    for (const char* name : {"dcgan-fashion", "conv-vae-fashion"})
    {
        CAPTURE(name);
        const ExperimentConfig preset = Preset(name);
        ExperimentConfig c = preset;
        models::ApplyTemplate(c, models::FindNetworkTemplate(preset.family == Family::Gan ? "dcgan" : "conv-vae"), 0);
        CHECK(First(c) == First(preset));
        CHECK(Second(c) == Second(preset));
        CHECK(c == preset); // nothing else changed
    }
}

TEST_CASE("Templates: mlp at its default width builds the layers of gan-fashion's and vae-fashion's short forms")
{
    for (const char* name : {"gan-fashion", "vae-fashion"})
    {
        CAPTURE(name);
        const ExperimentConfig preset = Preset(name);
        REQUIRE(First(preset).empty()); // the `hidden` short form
        const auto plans = models::PlanNetworks(preset, nn::Shape{1, 28, 28}, 10);
        ExperimentConfig c = preset;
        models::ApplyTemplate(c, models::FindNetworkTemplate("mlp"), 0);
        CHECK(First(c) == plans[0].layers);
        CHECK(Second(c) == plans[1].layers);
    }
}

TEST_CASE("Templates: every template that fits validates on 1x28x28 and 3x32x32 data, plain and conditional")
{
    int built = 0;
    for (const models::NetworkTemplate& t : models::NetworkTemplates())
    {
        for (const Family family : {Family::Gan, Family::Vae})
        {
            for (const bool rgb32 : {false, true})
            {
                for (const bool conditional : {false, true})
                {
                    ExperimentConfig c = On(family, rgb32);
                    c.gan.conditional = c.vae.conditional = conditional && !rgb32; // a folder here has no labels
                    CAPTURE(t.name);
                    CAPTURE(util::NameOf(family));
                    CAPTURE(rgb32);
                    CAPTURE(conditional);
                    const std::string why = models::TemplateRefusal(t, family, models::GuessDataShape(c.data), 0);
                    CHECK(why.empty() == (family == Family::Gan ? t.gan : t.vae));
                    if (!why.empty())
                    {
                        CHECK_THROWS_WITH_AS(models::ApplyTemplate(c, t, 0), why.c_str(), std::invalid_argument);
                        continue;
                    }
                    models::ApplyTemplate(c, t, 0);
                    CHECK(Refusal(c) == "");
                    const auto summaries = models::SummarizeNetworks(c, models::GuessDataShape(c.data),
                                                                     models::GuessNumClasses(c.data));
                    REQUIRE(summaries.size() == 2);
                    const nn::Index data = rgb32 ? 3 * 32 * 32 : 28 * 28;
                    const nn::Index latent2 = family == Family::Gan ? 1 : 2 * c.vae.latent_dim;
                    CHECK(summaries[0].output.Size() == (family == Family::Gan ? data : latent2));
                    CHECK(summaries[1].output.Size() == (family == Family::Gan ? latent2 : data));
                    // A knob of half the default gives a network with fewer parameters.
                    ExperimentConfig half = c;
                    models::ApplyTemplate(half, t, t.default_width / 2);
                    CHECK(Refusal(half) == "");
                    const auto half_summaries = models::SummarizeNetworks(half, models::GuessDataShape(half.data),
                                                                          models::GuessNumClasses(half.data));
                    CHECK(half_summaries[0].params < summaries[0].params);
                    CHECK(half_summaries[1].params < summaries[1].params);
                    ++built;
                }
            }
        }
    }
    CHECK(built == 8 + 4 + 4); // mlp: 2 families x 2 data x 2; dcgan and conv-vae: 1 family x 2 data x 2 each
}

TEST_CASE("Templates: dcgan on 1x28x28 and conv-vae on 3x32x32 have the parameters counted by hand")
{
    ExperimentConfig gan = On(Family::Gan, false);
    models::ApplyTemplate(gan, models::FindNetworkTemplate("dcgan"), 64);
    const auto g = models::SummarizeNetworks(gan, nn::Shape{1, 28, 28}, 10);
    // G: linear 64 -> 1024 (65,536 + 1,024), BN 1024 (2,048), linear 1024 -> 6272 (6,422,528 + 6,272), BN 6272
    // (12,544), conv_transpose 128 -> 64 k4 (131,072 + 64), BN 64 (128), conv_transpose 64 -> 1 k4 (1,024 + 1).
    CHECK(g[0].params == 66560 + 2048 + 6428800 + 12544 + 131136 + 128 + 1025);
    CHECK(g[0].params == 6642241);
    // D: conv 1 -> 64 k4 (1,024 + 64), conv 64 -> 128 k4 (131,072 + 128), BN 128 (256), linear 6272 -> 1024
    // (6,422,528 + 1,024), BN 1024 (2,048), linear 1024 -> 1 (1,024 + 1).
    CHECK(g[1].params == 1088 + 131200 + 256 + 6423552 + 2048 + 1025);
    CHECK(g[1].params == 6559169);
    CHECK(g[0].layers[6].output == (nn::Shape{128, 7, 7}));
    CHECK(g[0].layers[7].output == (nn::Shape{64, 14, 14}));

    ExperimentConfig vae = On(Family::Vae, true);
    vae.vae.latent_dim = 20;
    models::ApplyTemplate(vae, models::FindNetworkTemplate("conv-vae"), 32);
    const auto v = models::SummarizeNetworks(vae, nn::Shape{3, 32, 32}, 0);
    // Encoder: conv 3 -> 32 k4 (1,536 + 32) to 32x16x16, conv 32 -> 64 k4 (32,768 + 64) to 64x8x8, linear 4096 -> 256
    // (1,048,576 + 256), linear 256 -> 40 (10,240 + 40).
    CHECK(v[0].layers[0].output == (nn::Shape{32, 16, 16}));
    CHECK(v[0].layers[2].output == (nn::Shape{64, 8, 8}));
    CHECK(v[0].params == 1568 + 32832 + 1048832 + 10280);
    // Decoder: linear 20 -> 256 (5,120 + 256), linear 256 -> 4096 (1,048,576 + 4,096), conv_transpose 64 -> 32 k4
    // (32,768 + 32), conv_transpose 32 -> 3 k4 (1,536 + 3), ending at 3x32x32.
    CHECK(v[1].params == 5376 + 1052672 + 32800 + 1539);
    CHECK(v[1].output == (nn::Shape{3, 32, 32}));
}

TEST_CASE("Templates: a DCGAN critic under WGAN-GP or R1 is built without BatchNorm and validates")
{
    for (const bool r1 : {false, true})
    {
        ExperimentConfig c = On(Family::Gan, false);
        if (r1)
        {
            c.gan.r1_gamma = 1.0;
        }
        else
        {
            c.gan.objective = models::GanObjective::WganGp;
        }
        models::ApplyTemplate(c, models::FindNetworkTemplate("dcgan"), 16);
        CHECK(models::FirstBatchNorm(c.gan.discriminator.layers) == -1);
        CHECK(models::FirstBatchNorm(c.gan.generator.layers) == 1); // G keeps its BatchNorm
        CHECK(Refusal(c) == "");
    }
}

TEST_CASE("Templates: a template that cannot build says why, and the config is left as it was")
{
    ExperimentConfig toy = On(Family::Gan, false);
    toy.data.kind = models::DataKind::Toy;
    const ExperimentConfig before = toy;
    CHECK_THROWS_WITH_AS(models::ApplyTemplate(toy, models::FindNetworkTemplate("dcgan"), 0),
                         "the dcgan template needs image data whose height and width are multiples of 4, got 2",
                         std::invalid_argument);
    CHECK(toy == before);
    ExperimentConfig gan = On(Family::Gan, false);
    CHECK_THROWS_WITH_AS(models::ApplyTemplate(gan, models::FindNetworkTemplate("conv-vae"), 0),
                         "the conv-vae template builds a VAE, not a gan", std::invalid_argument);
    CHECK_THROWS_WITH_AS(models::ApplyTemplate(gan, models::FindNetworkTemplate("dcgan"), 1000),
                         "the dcgan template's base channels must be in [1, 512], got 1000", std::invalid_argument);
    ExperimentConfig folder = On(Family::Vae, true);
    folder.data.image_size = 30;
    CHECK_THROWS_WITH_AS(models::ApplyTemplate(folder, models::FindNetworkTemplate("conv-vae"), 0),
                         "the conv-vae template needs image data whose height and width are multiples of 4, got "
                         "3x30x30",
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(models::FindNetworkTemplate("resnet"),
                         "unknown network template 'resnet' (known: mlp, dcgan, conv-vae)", std::invalid_argument);
}

TEST_CASE("Templates: the template and knob a config was built with are found, and refit to new data")
{
    const ExperimentConfig dcgan = Preset("dcgan-fashion");
    const models::TemplateMatch match = models::MatchTemplate(dcgan);
    REQUIRE(match.t != nullptr);
    CHECK(std::string(match.t->name) == "dcgan");
    CHECK(match.width == 64);

    ExperimentConfig small = On(Family::Vae, false);
    models::ApplyTemplate(small, models::FindNetworkTemplate("conv-vae"), 12);
    const models::TemplateMatch found = models::MatchTemplate(small);
    REQUIRE(found.t != nullptr);
    CHECK(std::string(found.t->name) == "conv-vae");
    CHECK(found.width == 12);

    // dcgan-fashion pointed at a folder of 32x32 colour images: its networks no longer fit, the refit ones do.
    ExperimentConfig colour = dcgan;
    colour.data.kind = models::DataKind::Folder;
    colour.data.dir = "unused";
    colour.data.image_size = 32;
    colour.data.grayscale = false;
    CHECK(Refusal(colour) == "G: output 1x28x28 (784 values) does not match the data 3x32x32 (3072 values)");
    CHECK(models::RefitTemplate(dcgan, colour));
    CHECK(Refusal(colour) == "");
    CHECK(colour.gan.generator.layers[6] ==
          nn::MakeLayerSpec(nn::LayerKind::Reshape, {{"c", 128}, {"h", 8}, {"w", 8}}));
    const models::TemplateMatch refit = models::MatchTemplate(colour);
    CHECK(refit.t == match.t);
    CHECK(refit.width == 64);

    // Hand-written lists and the MLP short form have no template, and the same data needs no refit.
    ExperimentConfig edited = dcgan;
    edited.gan.discriminator.layers[2].Set("out", 100);
    CHECK(models::MatchTemplate(edited).t == nullptr);
    ExperimentConfig copy = edited;
    copy.data = colour.data;
    const ExperimentConfig before_refit = copy;
    CHECK_FALSE(models::RefitTemplate(edited, copy));
    CHECK(copy == before_refit);
    CHECK(models::MatchTemplate(On(Family::Gan, false)).t == nullptr);
    ExperimentConfig same = dcgan;
    CHECK_FALSE(models::RefitTemplate(dcgan, same));
    // A toy cannot take the DCGAN: nothing is changed, and Validate says why.
    ExperimentConfig toy = dcgan;
    toy.data.kind = models::DataKind::Toy;
    CHECK_FALSE(models::RefitTemplate(dcgan, toy));
    CHECK(toy.gan.generator.layers == dcgan.gan.generator.layers);
}
