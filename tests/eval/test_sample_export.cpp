// Sample export: the IDX files WriteSampleSet writes are read back by the lab's own IDX reader as a labelled data set
// with the same bytes (so any MNIST loader reads them), and colour images are refused by name.
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

    CHECK_THROWS_WITH_AS(ll::io::WriteSampleSet(dir, ll::nn::MatrixF::Zero(12, 2), {}, 2, 2, 3),
                         doctest::Contains("grey images; these samples have 3 channels"), std::invalid_argument);
    CHECK_THROWS_AS(ll::io::WriteSampleSet(dir, images, {1, 2}, 2, 3, 1), std::invalid_argument);
}
