// Sample export: the IDX files WriteSampleSet writes are read back by the lab's own IDX reader as a labelled data set
// with the same bytes (so any MNIST loader reads the grey ones), colour ones as IDX4 with their channels last.
#include "core/data/idx.h"
#include "core/io/sample_export.h"

#include <doctest/doctest.h>

#include <filesystem>

namespace fs = std::filesystem;

TEST_CASE("Sample export: IDX images and labels read back through the lab's IDX reader, with a PNG grid")
{
    const fs::path dir = fs::temp_directory_path() / "latentlab_test_sample_export";
    fs::remove_all(dir);
    ll::nn::MatrixF images(6, 4); // four 2x3 images
    images << 0, 1, 0.5f, 0.25f, //
        0.1f, 0.2f, 0.3f, 0.4f,  //
        1, 1, 1, 1,              //
        0, 0, 0, 0,              //
        0.9f, 0.8f, 0.7f, 0.6f,  //
        2, -1, 0.5f, 0.5f;       // out of range: clamped
    const std::vector<int> labels{3, 1, 4, 1};
    const ll::io::SampleFiles files = ll::io::WriteSampleSet(dir, images, labels, 2, 3, 1);
    CHECK(fs::exists(files.grid));
    const ll::data::ImageDataset ds = ll::data::LoadIdxFolder(dir.string(), "train");
    REQUIRE(ds.count == 4);
    CHECK(ds.rows == 2);
    CHECK(ds.cols == 3);
    CHECK(ds.num_classes == 5);
    CHECK(ds.labels == std::vector<std::uint8_t>{3, 1, 4, 1});
    CHECK(ds.Example(0)[0] == 0);
    CHECK(ds.Example(1)[0] == 255);
    CHECK(ds.Example(2)[0] == 128); // 0.5 * 255 = 127.5 rounds up
    CHECK(ds.Example(0)[5] == 255); // 2 clamped
    CHECK(ds.Example(1)[5] == 0);   // -1 clamped
    CHECK(ds.Example(3)[1] == 102); // 0.4 * 255 = 102
    fs::remove_all(dir);

    CHECK_THROWS_WITH_AS(ll::io::WriteSampleSet(dir, ll::nn::MatrixF::Zero(8, 2), {}, 2, 2, 2),
                         doctest::Contains("2 channels"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::io::WriteSampleSet(dir, ll::nn::MatrixF::Zero(12, 2), {}, 2, 3, 3),
                         doctest::Contains("not 2 x 3 x 3 images"), std::invalid_argument);
    CHECK_THROWS_AS(ll::io::WriteSampleSet(dir, images, {1, 2}, 2, 3, 1), std::invalid_argument);
}

TEST_CASE("Sample export: colour samples are an IDX4 file of N x H x W x C bytes that the lab reads back unlabelled")
{
    const fs::path dir = fs::temp_directory_path() / "latentlab_test_sample_export_rgb";
    fs::remove_all(dir);
    // Three 2x2 RGB images, channels last: pixel p of image i holds (i / 4, p / 4, 1) in [0, 1].
    ll::nn::MatrixF images(12, 3);
    for (int i = 0; i < 3; ++i)
    {
        for (int p = 0; p < 4; ++p)
        {
            images(3 * p + 0, i) = static_cast<float>(i) / 4.0f;
            images(3 * p + 1, i) = static_cast<float>(p) / 4.0f;
            images(3 * p + 2, i) = 1.0f;
        }
    }
    // A grey export with labels first: the colour one must replace both files, not sit beside them.
    ll::io::WriteSampleSet(dir, ll::nn::MatrixF::Zero(4, 3), {0, 1, 2}, 2, 2, 1);
    const ll::io::SampleFiles files = ll::io::WriteSampleSet(dir, images, {}, 2, 2, 3);
    CHECK(files.images.filename() == "train-images-idx4-ubyte");
    CHECK(files.labels.empty());
    CHECK_FALSE(fs::exists(dir / "train-images-idx3-ubyte"));
    CHECK_FALSE(fs::exists(dir / "train-labels-idx1-ubyte"));
    CHECK(fs::exists(files.grid));

    // The header as documented: magic 0x00000804, then N, H, W, C big-endian, then 3 * 2 * 2 * 3 bytes.
    const std::vector<std::uint8_t> raw = ll::data::ReadMaybeGzip(files.images.string());
    REQUIRE(raw.size() == 20 + 36);
    CHECK(std::vector<std::uint8_t>(raw.begin(), raw.begin() + 20) ==
          std::vector<std::uint8_t>{0, 0, 8, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3});

    const ll::data::ImageDataset ds = ll::data::LoadIdxFolder(dir.string(), "train");
    REQUIRE(ds.count == 3);
    CHECK(ds.rows == 2);
    CHECK(ds.cols == 2);
    CHECK(ds.channels == 3);
    CHECK(ds.num_classes == 0);
    CHECK(ds.labels.empty());
    CHECK(ds.Example(2)[0] == 128);         // image 2, pixel 0, red: 0.5 -> 128
    CHECK(ds.Example(1)[3 * 3 + 1] == 191); // image 1, pixel 3, green: 0.75 * 255 = 191.25
    CHECK(ds.Example(0)[3 * 2 + 2] == 255); // blue
    // Fashion-MNIST's loader still wants its labels.
    CHECK_THROWS_WITH_AS(ll::data::LoadFashionMnist(dir.string(), "train"),
                         doctest::Contains("train-labels-idx1-ubyte"), std::runtime_error);
    fs::remove_all(dir);
}

TEST_CASE("IDX reader: a rank-4 file with more than 4 channels or a side beyond 16384 is refused before reading")
{
    auto header = [](std::uint32_t h, std::uint32_t w, std::uint32_t c) {
        std::vector<std::uint8_t> b{0, 0, 8, 4, 0, 0, 0, 1};
        for (const std::uint32_t v : {h, w, c})
        {
            b.push_back(0);
            b.push_back(static_cast<std::uint8_t>(v >> 16));
            b.push_back(static_cast<std::uint8_t>(v >> 8));
            b.push_back(static_cast<std::uint8_t>(v));
        }
        return b;
    };
    CHECK_THROWS_WITH_AS(ll::data::ParseIdx(header(2, 2, 5), "x"), doctest::Contains("5 channels"), std::runtime_error);
    CHECK_THROWS_WITH_AS(ll::data::ParseIdx(header(20000, 2, 3), "x"), doctest::Contains("image side 20000"),
                         std::runtime_error);
    std::vector<std::uint8_t> ok = header(1, 2, 3);
    ok.insert(ok.end(), 6, 7);
    const ll::data::IdxTensor t = ll::data::ParseIdx(ok, "x");
    CHECK(t.dims == std::vector<std::int64_t>{1, 1, 2, 3});
}
