// Image data keeps its shape (channels x height x width) from the files to the model: a folder of small colour
// PNGs trains a conv VAE and a conv GAN, and the sample grid shows colour tiles of the image's size; 32x32 colour
// folders train the DCGAN and conv-VAE templates headless, with colour sample and reconstruction PNGs.
#include "../data/data_test_util.h"
#include "../models/refusal.h"
#include "core/data/image_decode.h"
#include "core/io/image_io.h"
#include "core/models/network_templates.h"
#include "core/train/experiment.h"
#include "core/train/headless.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

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

namespace
{

// n colour images of 32 x 32: the left half red, the right half blue, a green level per image.
void WriteColourFolder32(const std::filesystem::path& dir, int n)
{
    for (int i = 0; i < n; ++i)
    {
        std::vector<std::uint8_t> rgb(32 * 32 * 3);
        for (int y = 0; y < 32; ++y)
        {
            for (int x = 0; x < 32; ++x)
            {
                std::uint8_t* p = &rgb[static_cast<std::size_t>((y * 32 + x) * 3)];
                p[0] = x < 16 ? 255 : 0;
                p[1] = static_cast<std::uint8_t>(10 * i);
                p[2] = x < 16 ? 0 : 255;
            }
        }
        io::WritePng(dir / ("img" + std::to_string(i) + ".png"), 32, 32, 3, rgb.data());
    }
}

data::DecodedImage ReadPng(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return data::DecodeImage(bytes, 3, path.string());
}

const std::uint8_t* Pixel(const data::DecodedImage& img, int x, int y)
{
    return &img.pixels[static_cast<std::size_t>((y * img.width + x) * 3)];
}

} // namespace

TEST_CASE("Conv data: a folder of 32x32 colour images trains the dcgan and conv-vae templates headless in colour")
{
    data::test::TempDir dir("conv_colour32");
    const std::filesystem::path images = dir.Path() / "images";
    std::filesystem::create_directories(images);
    WriteColourFolder32(images, 24);
    for (const char* name : {"dcgan", "conv-vae"})
    {
        CAPTURE(name);
        const bool gan = std::string(name) == "dcgan";
        models::ExperimentConfig c;
        c.name = std::string("colour32-") + name;
        c.family = gan ? models::Family::Gan : models::Family::Vae;
        c.data.kind = models::DataKind::Folder;
        c.data.dir = images.string();
        c.data.image_size = 32;
        c.data.grayscale = false;
        c.batch_size = 8;
        c.steps = 3;
        c.eval_every = 0;
        c.sample_every = 3;
        models::ApplyTemplate(c, models::FindNetworkTemplate(name), 8);
        REQUIRE(test::Refusal(c) == "");

        train::HeadlessOptions options;
        options.out_dir = (dir.Path() / name).string();
        options.threads = 1;
        options.final_evaluation = false;
        const train::HeadlessResult result = train::RunHeadless(c, options);
        REQUIRE(result.Ok());
        CHECK(result.steps == 3);

        // The sample grid: 8 x 8 tiles of 32 x 32 with 1-pixel padding, in colour.
        const data::DecodedImage samples = ReadPng(dir.Path() / name / "samples_000003.png");
        CHECK(samples.width == 8 * 32 + 9);
        CHECK(samples.height == 8 * 32 + 9);
        bool colour = false;
        for (std::size_t p = 0; p + 2 < samples.pixels.size(); p += 3)
        {
            colour = colour || samples.pixels[p] != samples.pixels[p + 1];
        }
        CHECK(colour);
        if (!gan)
        {
            // Reconstructions: rows of 8 inputs and their 8 reconstructions (24 images: 3 pairs of rows); the input
            // tiles are the images as written, red on the left and blue on the right of each tile.
            const data::DecodedImage recon = ReadPng(dir.Path() / name / "recon_000003.png");
            CHECK(recon.width == 8 * 32 + 9);
            CHECK(recon.height == 6 * 32 + 7);
            for (const int tile : {0, 3, 7})
            {
                const int x0 = 1 + tile * 33, y0 = 1;
                CHECK(Pixel(recon, x0 + 3, y0 + 5)[0] == 255);
                CHECK(Pixel(recon, x0 + 3, y0 + 5)[2] == 0);
                CHECK(Pixel(recon, x0 + 28, y0 + 20)[0] == 0);
                CHECK(Pixel(recon, x0 + 28, y0 + 20)[2] == 255);
            }
        }

        // What the window's views use: the model's data shape, decoded samples (sample grid, latent explorer) and
        // codes of encoded images (reconstructions, the encoded scatter).
        train::Experiment e(c, train::LoadExperimentData(c, ""));
        CHECK(e.Data().test->Features() == 3 * 32 * 32);
        auto model = e.Live().CloneForInference();
        CHECK(model->DataShape() == (nn::Shape{3, 32, 32}));
        CHECK(model->DataDim() == 3 * 32 * 32);
        nn::MatrixF z = nn::MatrixF::Zero(model->LatentDim(), 5), out;
        model->Decode(z, nullptr, out);
        CHECK(out.rows() == 3 * 32 * 32);
        CHECK(out.cols() == 5);
        if (!gan)
        {
            nn::MatrixF x, mu, logvar;
            const std::int64_t idx[4] = {0, 1, 2, 3};
            data::GatherBatch(*e.Data().test, idx, 4, x);
            model->Encode(x, nullptr, mu, logvar);
            CHECK(mu.rows() == c.vae.latent_dim);
            CHECK(mu.cols() == 4);
        }
        const train::ImageGrid grid = e.RenderSamples(*model);
        CHECK(grid.width == 8 * 32 + 9);
    }
}
