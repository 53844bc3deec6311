// PNG writing (read back through stb_image, whose implementation latentlab_core already holds), grid tiling and
// the metrics CSV.
#include "core/io/image_io.h"

#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace fs = std::filesystem;

namespace
{

struct TempDir
{
    fs::path path;
    explicit TempDir(const std::string& tag)
    {
        path = fs::temp_directory_path() / ("latentlab-img-" + tag + "-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

std::string ReadText(const fs::path& path)
{
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("WritePng: an RGB image reads back byte for byte, and no temporary file is left behind")
{
    TempDir dir("png");
    const int w = 5, h = 3, c = 3;
    std::vector<std::uint8_t> pixels(w * h * c);
    for (std::size_t i = 0; i < pixels.size(); ++i)
    {
        pixels[i] = static_cast<std::uint8_t>(i * 17 % 256);
    }
    const fs::path path = dir.path / "out.png";
    ll::io::WritePng(path, w, h, c, pixels.data());

    int rw = 0, rh = 0, rc = 0;
    std::unique_ptr<stbi_uc, void (*)(void*)> back(stbi_load(path.c_str(), &rw, &rh, &rc, 0), stbi_image_free);
    REQUIRE(back != nullptr);
    CHECK(rw == w);
    CHECK(rh == h);
    CHECK(rc == c);
    CHECK(std::equal(pixels.begin(), pixels.end(), back.get()));
    int files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path))
    {
        ++files;
    }
    CHECK(files == 1);

    // Overwriting replaces the file whole.
    std::vector<std::uint8_t> gray(w * h, 200);
    ll::io::WritePng(path, w, h, 1, gray.data());
    back.reset(stbi_load(path.c_str(), &rw, &rh, &rc, 0));
    REQUIRE(back != nullptr);
    CHECK(rc == 1);
    CHECK(back.get()[7] == 200);
}

TEST_CASE("WritePng: bad sizes and unwritable folders give clear errors")
{
    std::vector<std::uint8_t> pixels(16, 0);
    CHECK_THROWS_AS(ll::io::WritePng("x.png", 0, 4, 1, pixels.data()), std::invalid_argument);
    CHECK_THROWS_AS(ll::io::WritePng("x.png", 4, 4, 5, pixels.data()), std::invalid_argument);
    CHECK_THROWS_AS(ll::io::WritePng("x.png", 4, 4, 1, nullptr), std::invalid_argument);
    try
    {
        ll::io::WritePng("/nonexistent-folder/x.png", 4, 4, 1, pixels.data());
        FAIL("expected an exception");
    }
    catch (const std::runtime_error& e)
    {
        const std::string message = e.what();
        CHECK(message.find("/nonexistent-folder/x.png") != std::string::npos);
        CHECK(message.find("No such file or directory") != std::string::npos);
    }
}

TEST_CASE("TileImages: 5 gray 2x3 tiles make a 3-column, 2-row grid with 1 px padding in the right places")
{
    const int h = 2, w = 3;
    ll::nn::MatrixF images(h * w, 5);
    for (int i = 0; i < 5; ++i)
    {
        for (int p = 0; p < h * w; ++p)
        {
            images(p, i) = static_cast<float>(i * 10 + p) / 255.0f; // pixel value = 10 i + p
        }
    }
    const ll::io::RgbaImage grid = ll::io::TileImages(images, h, w, 1); // cols = ceil(sqrt(5)) = 3
    CHECK(grid.width == 3 * w + 4);
    CHECK(grid.height == 2 * h + 3);
    REQUIRE(grid.pixels.size() == static_cast<std::size_t>(grid.width * grid.height * 4));
    auto at = [&](int x, int y, int ch) { return grid.pixels[(static_cast<std::size_t>(y) * grid.width + x) * 4 + ch]; };
    // Image 4 is at row 1, column 1: its top-left pixel at (1 + 1 * (3 + 1), 1 + 1 * (2 + 1)) = (5, 4).
    CHECK(at(5, 4, 0) == 40);
    CHECK(at(5, 4, 1) == 40);
    CHECK(at(5, 4, 3) == 255);
    CHECK(at(7, 5, 0) == 45); // its last pixel (y 1, x 2) = 10 * 4 + 5
    CHECK(at(1, 1, 0) == 0);  // image 0, first pixel
    CHECK(at(9, 1, 0) == 20); // image 2 starts at x = 1 + 2 * 4
    // Padding and the empty sixth cell show the background.
    CHECK(at(0, 0, 0) == 32);
    CHECK(at(4, 1, 0) == 32);
    CHECK(at(9, 4, 0) == 32);
    CHECK(at(9, 4, 3) == 255);
}

TEST_CASE("TileImages: RGB colours, clamping, NaN, explicit columns and zero padding")
{
    ll::nn::MatrixF images(1 * 1 * 3, 2);
    images.col(0) << 1.0f, 0.5f, 0.0f;
    images.col(1) << 2.0f, -1.0f, NAN;
    ll::io::TileLayout layout;
    layout.cols = 1;
    layout.padding = 0;
    const ll::io::RgbaImage grid = ll::io::TileImages(images, 1, 1, 3, layout);
    REQUIRE(grid.width == 1);
    REQUIRE(grid.height == 2);
    const std::vector<std::uint8_t> expected{255, 128, 0, 255, 255, 0, 0, 255};
    CHECK(grid.pixels == expected);
    CHECK_THROWS_AS(ll::io::TileImages(images, 2, 2, 3), std::invalid_argument);
}

TEST_CASE("MetricsCsv: a header with every series, empty missing values, and a column added when a series appears")
{
    TempDir dir("csv");
    const fs::path path = dir.path / "metrics.csv";
    {
        ll::io::MetricsCsv csv;
        csv.Open(path, {"d_loss", "g_loss"});
        csv.Append(1, 0.5, {{"d_loss", 1.25}, {"g_loss", 0.75}});
        csv.Append(2, 1.0, {{"g_loss", 0.5}});
        CHECK(ReadText(path) == "step,wall_s,d_loss,g_loss\n1,0.500,1.25,0.75\n2,1.000,,0.5\n");
        csv.Append(3, 1.5, {{"modes", 8}, {"d_loss", NAN}});
        CHECK(csv.Columns() == std::vector<std::string>{"d_loss", "g_loss", "modes"});
        csv.Append(4, 2.0, {{"weird,name", 1e-12}});
    }
    CHECK(ReadText(path) == "step,wall_s,d_loss,g_loss,modes,\"weird,name\"\n"
                            "1,0.500,1.25,0.75,,\n"
                            "2,1.000,,0.5,,\n"
                            "3,1.500,nan,,8,\n"
                            "4,2.000,,,,1e-12\n");
    ll::io::MetricsCsv unopened;
    CHECK_THROWS_AS(unopened.Append(1, 0.0, {}), std::runtime_error);
    CHECK_THROWS_AS(unopened.Open(dir.path / "absent" / "m.csv"), std::runtime_error);
}

TEST_CASE("WriteFileAtomic: replaces the content whole")
{
    TempDir dir("atomic");
    const fs::path path = dir.path / "a.txt";
    ll::io::WriteFileAtomic(path, "first version, longer");
    ll::io::WriteFileAtomic(path, "second");
    CHECK(ReadText(path) == "second");
}
