// The 2-D view's drawing tool as data (ui/widgets/drawn_points.h) and the window's exports (ui/files/window_export.h):
// the brush's rate and radius, the eraser, the caps; the metrics CSV, the grid PNG, the interpolation strip and the
// frozen model in both export formats.
#include "core/data/image_decode.h"
#include "core/io/bounded_read.h"
#include "core/io/safetensors.h"
#include "core/models/model.h"
#include "core/train/session.h"
#include "ui/files/window_export.h"
#include "ui/widgets/drawn_points.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace ll;

namespace
{

struct TempDir
{
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("latentlab_drawn_" + std::to_string(static_cast<long>(::getpid())));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// A VAE for 28 x 28 images with a 3-D latent and one hidden layer of 16 each way.
models::ExperimentConfig SmallImageVae()
{
    models::ExperimentConfig c;
    c.family = models::Family::Vae;
    c.vae.latent_dim = 3;
    c.vae.encoder.hidden = {16};
    c.vae.decoder.hidden = {16};
    return c;
}

} // namespace

TEST_CASE("DrawnPoints: the brush adds rate x time points inside its radius, carrying fractions between frames")
{
    ui::DrawnPoints d(7);
    std::size_t added = 0;
    for (int frame = 0; frame < 60; ++frame)
    {
        added += d.Paint(1.0f, -2.0f, 0.25f, 150.0f, 1.0f / 60.0f); // one second at 60 frames: 150 points
    }
    CHECK(added == 150);
    CHECK(d.Points().size() == 150);
    double mean_r2 = 0;
    for (const data::Mode& p : d.Points())
    {
        const double r2 = (p.x - 1.0) * (p.x - 1.0) + (p.y + 2.0) * (p.y + 2.0);
        CHECK(r2 <= 0.25 * 0.25 + 1e-6);
        mean_r2 += r2 / 150.0;
    }
    // Uniform over the disc: E[r^2] = R^2 / 2.
    CHECK(mean_r2 == doctest::Approx(0.25 * 0.25 / 2).epsilon(0.2));
}

TEST_CASE("DrawnPoints: the eraser removes exactly the points within its radius, and clear removes all")
{
    ui::DrawnPoints d;
    d.Assign({{0, 0}, {0.5f, 0}, {0, 0.99f}, {2, 2}});
    CHECK(d.Erase(0, 0, 1.0f) == 3);
    REQUIRE(d.Points().size() == 1);
    CHECK(d.Points()[0] == data::Mode{2, 2});
    CHECK(d.Extent() == doctest::Approx(2.4f));
    d.Clear();
    CHECK(d.Points().empty());
    CHECK(d.Extent() == 1.0f);
}

TEST_CASE("DrawnPoints: painting stops at the point cap and clamps to the allowed coordinates")
{
    ui::DrawnPoints d;
    std::vector<data::Mode> many(data::kMaxDrawnPoints - 5, data::Mode{0, 0});
    d.Assign(many);
    CHECK(d.Paint(1000.0f, -1000.0f, 0.1f, 100.0f, 1.0f) == 5);
    CHECK(d.Full());
    CHECK(d.Points().size() == data::kMaxDrawnPoints);
    CHECK(d.Points().back().x == data::kMaxDrawnCoordinate);
    CHECK(d.Points().back().y == -data::kMaxDrawnCoordinate);
    CHECK(d.Paint(0, 0, 0.1f, 100.0f, 1.0f) == 0);
}

TEST_CASE("Window export: the metric history as long-form CSV, one row per point")
{
    TempDir dir;
    train::MetricHistory history;
    history.Append("d_loss", 1, 0.5);
    history.Append("d_loss", 2, 0.25);
    history.Append("test_elbo", 2, -100.5);
    const auto path = dir.path / "m.csv";
    ui::ExportMetricsCsv(history, path);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "series,step_first,step_last,mean,min,max,count\n"
                        "d_loss,1,1,0.5,0.5,0.5,1\nd_loss,2,2,0.25,0.25,0.25,1\n"
                        "test_elbo,2,2,-100.5,-100.5,-100.5,1\n");
}

TEST_CASE("Window export: a grid is written as a PNG of its size, and an empty one is refused")
{
    TempDir dir;
    train::ImageGrid grid;
    grid.width = 3;
    grid.height = 2;
    grid.rgba.assign(3 * 2 * 4, 200);
    const auto path = dir.path / "sub" / "g.png";
    ui::ExportImageGrid(grid, path);
    const data::DecodedImage image =
        data::DecodeImage(io::ReadFileBounded(path, 1 << 20, "png"), 1, path.string());
    CHECK(image.width == 3);
    CHECK(image.height == 2);
    CHECK_THROWS_AS(ui::ExportImageGrid(train::ImageGrid{}, dir.path / "e.png"), std::invalid_argument);
}

TEST_CASE("Window export: the interpolation strip decodes a row of images, and 2-D data is refused")
{
    TempDir dir;
    models::ExperimentConfig c = SmallImageVae();
    Rng rng(2);
    auto model = models::MakeModel(c, 784, 0, rng);
    const auto path = dir.path / "strip.png";
    ui::ExportInterpolationStrip(*model, c, 10, 5, path);
    const data::DecodedImage image =
        data::DecodeImage(io::ReadFileBounded(path, 1 << 20, "png"), 1, path.string());
    CHECK(image.width == 10 * 28 + 11); // ten tiles with a pixel of padding between and around them
    CHECK(image.height == 28 + 2);
    c.data.kind = models::DataKind::Toy;
    CHECK_THROWS_AS(ui::ExportInterpolationStrip(*model, c, 10, 5, path), std::invalid_argument);
}

TEST_CASE("Window export: the frozen model as safetensors or as ONNX by the file's extension; no model is refused")
{
    TempDir dir;
    models::ExperimentConfig c = SmallImageVae();
    Rng rng(4);
    train::Snapshot snap;
    CHECK_THROWS_AS(ui::ExportFrozenModel(snap, dir.path / "none.safetensors"), std::invalid_argument);
    snap.config = std::make_shared<const models::ExperimentConfig>(c);
    snap.model = std::shared_ptr<const models::Model>(models::MakeModel(c, 784, 0, rng));
    snap.model_step = 7;

    // The decoder (a VAE's default part): 3 -> 16 -> 784, as nn.Sequential numbers its layers.
    const auto st_path = dir.path / "decoder.safetensors";
    ui::ExportFrozenModel(snap, st_path);
    const io::SafetensorsFile st =
        io::DecodeSafetensors(io::ReadFileBounded(st_path, 1 << 24, "safetensors"), st_path.string());
    REQUIRE(st.Find("0.weight") != nullptr);
    CHECK(st.Find("0.weight")->shape == std::vector<std::int64_t>{16, 3});
    REQUIRE(st.Find("2.weight") != nullptr);
    CHECK(st.Find("2.weight")->shape == std::vector<std::int64_t>{784, 16});

    // The same network as an ONNX ModelProto: ir_version first (field 1, varint), the producer, the weights by name.
    const auto onnx_path = dir.path / "decoder.onnx";
    ui::ExportFrozenModel(snap, onnx_path);
    const std::string onnx = io::ReadFileBounded(onnx_path, 1 << 24, "onnx");
    REQUIRE(onnx.size() > 16);
    CHECK(static_cast<unsigned char>(onnx[0]) == 0x08);
    CHECK(onnx.find("latentlab") != std::string::npos);
    CHECK(onnx.find("0.weight") != std::string::npos);
    // 16 x 3 + 784 x 16 weights as raw float32, so the file holds at least their bytes.
    CHECK(onnx.size() >= (16 * 3 + 784 * 16) * sizeof(float));
}
