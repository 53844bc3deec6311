// Image folders: tiny PNGs written with stb_image_write are loaded back, cropped and resized as documented,
// class subfolders become labels, and bad folders, files and sizes are refused with clear messages.
#include "core/data/image_folder.h"
#include "data_test_util.h"

#include <doctest/doctest.h>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#define STB_IMAGE_WRITE_STATIC // private to this test, so it can never clash with a writer compiled into core
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <filesystem>

using namespace ll::data;
using namespace ll::data::test;

namespace
{

void WritePng(const std::string& path, int w, int h, int channels, const std::vector<std::uint8_t>& pixels)
{
    REQUIRE(pixels.size() == static_cast<std::size_t>(w * h * channels));
    REQUIRE(stbi_write_png(path.c_str(), w, h, channels, pixels.data(), w * channels) != 0);
}

std::vector<std::uint8_t> Filled(int w, int h, int channels, std::uint8_t value)
{
    return std::vector<std::uint8_t>(static_cast<std::size_t>(w * h * channels), value);
}

bool Contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

bool AllEqual(const ImageDataset& ds, std::int64_t i, std::uint8_t value)
{
    const std::uint8_t* p = ds.Example(i);
    return std::all_of(p, p + ds.Features(), [&](std::uint8_t v) { return v == value; });
}

} // namespace

TEST_CASE("Image folder: loose PNGs load in sorted order, centre-cropped and resized, without labels")
{
    TempDir dir("imgfolder_loose");
    // b.png: 12x4 grey, black | white | black in thirds: the centre square is all white.
    std::vector<std::uint8_t> wide(12 * 4, 0);
    for (int y = 0; y < 4; ++y)
    {
        for (int x = 4; x < 8; ++x)
        {
            wide[static_cast<std::size_t>(y * 12 + x)] = 255;
        }
    }
    WritePng(dir.File("b.png"), 12, 4, 1, wide);
    WritePng(dir.File("a.png"), 8, 8, 1, Filled(8, 8, 1, 200));
    WritePng(dir.File("c.png"), 2, 2, 3, {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120});
    WriteBytes(dir.File("notes.txt"), {'h', 'i'}); // not an image: skipped

    const ImageDataset ds = LoadImageFolder(dir.Path().string(), 4, false);
    REQUIRE(ds.count == 3);
    CHECK(ds.rows == 4);
    CHECK(ds.cols == 4);
    CHECK(ds.channels == 3);
    CHECK(ds.Features() == 48);
    CHECK(ds.pixels.size() == 3u * 48u);
    CHECK(ds.labels.empty());
    CHECK(ds.num_classes == 0);
    CHECK(AllEqual(ds, 0, 200)); // a.png, grey expanded to RGB
    CHECK(AllEqual(ds, 1, 255)); // b.png's white centre
    // c.png enlarged 2x: bilinear with aligned centres keeps the corner pixels exactly.
    const std::uint8_t* c = ds.Example(2);
    CHECK(c[0] == 10);
    CHECK(c[1] == 20);
    CHECK(c[2] == 30);
    CHECK(c[(3 * 4 + 3) * 3 + 0] == 100);
    CHECK(c[(3 * 4 + 3) * 3 + 2] == 120);
}

TEST_CASE("Image folder: subfolders become classes in sorted order; grayscale converts RGB to luma")
{
    TempDir dir("imgfolder_classes");
    std::filesystem::create_directories(dir.Path() / "dog");
    std::filesystem::create_directories(dir.Path() / "cat");
    std::filesystem::create_directories(dir.Path() / "empty");
    WritePng(dir.File("dog/z.png"), 6, 6, 3, Filled(6, 6, 3, 90));
    WritePng(dir.File("cat/y.png"), 5, 5, 1, Filled(5, 5, 1, 30));
    std::vector<std::uint8_t> red(3 * 3 * 3, 0);
    for (std::size_t k = 0; k < red.size(); k += 3)
    {
        red[k] = 255;
    }
    WritePng(dir.File("cat/x.png"), 3, 3, 3, red);

    const ImageDataset ds = LoadImageFolder(dir.Path().string(), 3, true);
    REQUIRE(ds.count == 3);
    CHECK(ds.channels == 1);
    CHECK(ds.num_classes == 2);
    CHECK(ds.class_names == std::vector<std::string>{"cat", "dog"});
    CHECK(ds.labels == std::vector<std::uint8_t>{0, 0, 1});
    // Pure red to luma: about 0.3 * 255 (stb_image uses 77/256).
    CHECK(static_cast<int>(ds.Example(0)[4]) == doctest::Approx(76).epsilon(0.05));
    CHECK(AllEqual(ds, 1, 30));
    CHECK(AllEqual(ds, 2, 90));
}

TEST_CASE("ResizeImage: area averaging when shrinking, exact for uniform images")
{
    std::vector<std::uint8_t> checker(4 * 4);
    for (int y = 0; y < 4; ++y)
    {
        for (int x = 0; x < 4; ++x)
        {
            checker[static_cast<std::size_t>(y * 4 + x)] = ((x + y) % 2) ? 255 : 0;
        }
    }
    const auto half = ResizeImage(checker.data(), 4, 4, 1, 2, 2);
    CHECK(half == std::vector<std::uint8_t>(4, 128)); // 127.5 rounds up
    const auto third = ResizeImage(Filled(9, 9, 2, 77).data(), 9, 9, 2, 3, 3);
    CHECK(third == std::vector<std::uint8_t>(18, 77));
    // A 3 -> 2 shrink splits the middle pixel between both outputs.
    const std::vector<std::uint8_t> row = {0, 90, 180};
    const auto two = ResizeImage(row.data(), 3, 1, 1, 2, 1);
    CHECK(two == std::vector<std::uint8_t>{30, 150});
    CHECK_THROWS_AS(ResizeImage(row.data(), 3, 1, 1, 0, 1), std::invalid_argument);
}

TEST_CASE("Image folder: empty or missing folders, undecodable images and nonsense sizes are refused clearly")
{
    TempDir dir("imgfolder_errors");
    SUBCASE("empty folder")
    {
        CHECK(Contains(ErrorOf([&] { LoadImageFolder(dir.Path().string(), 8, true); }), "holds no images"));
    }
    SUBCASE("missing folder")
    {
        CHECK(Contains(ErrorOf([&] { LoadImageFolder(dir.File("nope"), 8, true); }), "does not exist"));
    }
    SUBCASE("an unreadable image is named")
    {
        WritePng(dir.File("good.png"), 2, 2, 1, Filled(2, 2, 1, 1));
        WriteBytes(dir.File("broken.png"), {'n', 'o', 't', ' ', 'a', ' ', 'p', 'n', 'g'});
        const std::string msg = ErrorOf([&] { LoadImageFolder(dir.Path().string(), 8, true); });
        CHECK(Contains(msg, "broken.png"));
        CHECK(Contains(msg, "cannot decode"));
    }
    SUBCASE("loose images mixed with class subfolders")
    {
        WritePng(dir.File("loose.png"), 2, 2, 1, Filled(2, 2, 1, 1));
        std::filesystem::create_directories(dir.Path() / "cls");
        WritePng(dir.File("cls/in.png"), 2, 2, 1, Filled(2, 2, 1, 1));
        CHECK(Contains(ErrorOf([&] { LoadImageFolder(dir.Path().string(), 8, true); }), "mixes 1 loose images"));
    }
    SUBCASE("nonsense sizes")
    {
        WritePng(dir.File("good.png"), 2, 2, 1, Filled(2, 2, 1, 1));
        CHECK_THROWS_AS(LoadImageFolder(dir.Path().string(), 0, true), std::invalid_argument);
        CHECK_THROWS_AS(LoadImageFolder(dir.Path().string(), -5, true), std::invalid_argument);
        CHECK(Contains(ErrorOf([&] { LoadImageFolder(dir.Path().string(), 100000, true); }),
                       "image size 100000 is not in [1, 1024]"));
    }
}
