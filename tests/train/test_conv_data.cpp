// Image data keeps its shape (channels x height x width) from the files to the model: a folder of small colour
// PNGs trains a conv VAE and a conv GAN, and the sample grid shows colour tiles of the image's size.
#include "../data/data_test_util.h"
#include "core/io/image_io.h"
#include "core/train/experiment.h"

#include <doctest/doctest.h>

using namespace ll;

namespace
{

nn::LayerSpec L(nn::LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return nn::MakeLayerSpec(kind, args);
}

nn::LayerSpec Conv(nn::LayerKind kind, int out)
{
    return L(kind, {{"out", out}, {"kernel", 4}, {"stride", 2}, {"pad", 1}});
}

// 16 colour images of 8 x 8: red left half, blue right half, a green level per image.
void WriteColourFolder(const std::filesystem::path& dir)
{
    for (int i = 0; i < 16; ++i)
    {
        std::vector<std::uint8_t> rgb(8 * 8 * 3);
        for (int y = 0; y < 8; ++y)
        {
            for (int x = 0; x < 8; ++x)
            {
                std::uint8_t* p = &rgb[static_cast<std::size_t>((y * 8 + x) * 3)];
                p[0] = x < 4 ? 255 : 0;
                p[1] = static_cast<std::uint8_t>(16 * i);
                p[2] = x < 4 ? 0 : 255;
            }
        }
        io::WritePng(dir / ("img" + std::to_string(i) + ".png"), 8, 8, 3, rgb.data());
    }
}

models::ExperimentConfig ColourConfig(const std::filesystem::path& dir, models::Family family)
{
    using K = nn::LayerKind;
    models::ExperimentConfig c;
    c.name = "colour";
    c.family = family;
    c.data.kind = models::DataKind::Folder;
    c.data.dir = dir.string();
    c.data.image_size = 8;
    c.data.grayscale = false;
    c.batch_size = 4;
    c.eval_every = 0;
    c.sample_every = 0;
    // 3 x 8 x 8 -> 6 x 4 x 4 -> ...; and back with a transposed convolution to 3 x 8 x 8.
    const std::vector<nn::LayerSpec> down = {Conv(K::Conv, 6), L(K::ReLU), L(K::Flatten)};
    const std::vector<nn::LayerSpec> up = {L(K::Linear, {{"out", 96}}), L(K::ReLU),
                                           L(K::Reshape, {{"c", 6}, {"h", 4}, {"w", 4}}), Conv(K::ConvTranspose, 3)};
    if (family == models::Family::Vae)
    {
        c.vae.latent_dim = 4;
        c.vae.encoder.layers = down;
        c.vae.encoder.layers.push_back(L(K::Linear, {{"out", 8}}));
        c.vae.decoder.layers = up;
    }
    else
    {
        c.gan.noise_dim = 4;
        c.gan.discriminator.layers = down;
        c.gan.discriminator.layers.push_back(L(K::Linear, {{"out", 1}}));
        c.gan.generator.layers = up;
        c.gan.generator.layers.push_back(L(K::Sigmoid));
    }
    return c;
}

} // namespace

TEST_CASE("Conv data: a folder of 8x8 colour images trains conv models that see 3x8x8 examples")
{
    data::test::TempDir dir("conv_colour");
    WriteColourFolder(dir.Path());
    for (const models::Family family : {models::Family::Vae, models::Family::Gan})
    {
        const models::ExperimentConfig c = ColourConfig(dir.Path(), family);
        train::Experiment e(c, train::LoadExperimentData(c, ""));
        models::Metrics m;
        for (int i = 0; i < 10; ++i)
        {
            e.Step(models::StepPhase::Both, m);
        }
        auto model = e.Live().CloneForInference();
        CHECK(model->DataShape() == (nn::Shape{3, 8, 8}));
        const train::ImageGrid grid = e.RenderSamples(*model);
        CHECK(grid.cols == 8);
        CHECK(grid.rows == 8);
        // Eight 8-pixel tiles and thin padding: the tiles are 8 x 8 (not 24 pixels of a flattened colour row).
        CHECK(grid.width >= 64);
        CHECK(grid.width < 96);
        CHECK(grid.height == grid.width);
        // Colour tiles: some pixel's red and green differ (a grey rendering has R = G = B everywhere).
        bool colour = false;
        for (std::size_t p = 0; p + 3 < grid.rgba.size(); p += 4)
        {
            colour = colour || grid.rgba[p] != grid.rgba[p + 1];
        }
        CHECK(colour);
    }
}
