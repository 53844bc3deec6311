// IDX reading: round trips through our own small files (plain and gzip), strict refusal of broken files with
// messages that name the file and the reason, data-folder resolution, and the installed Fashion-MNIST if present.
#include "core/data/idx.h"
#include "data_test_util.h"

#include <doctest/doctest.h>

#include <array>
#include <cstdlib>
#include <filesystem>

using namespace ll::data;
using namespace ll::data::test;

namespace
{

constexpr std::uint32_t kCount = 5, kRows = 3, kCols = 4;

std::vector<std::uint8_t> TestPixels()
{
    std::vector<std::uint8_t> p(kCount * kRows * kCols);
    for (std::size_t k = 0; k < p.size(); ++k)
    {
        p[k] = static_cast<std::uint8_t>((k * 37 + 11) % 256);
    }
    return p;
}

std::vector<std::uint8_t> TestLabels()
{
    return {0, 2, 1, 2, 0};
}

std::vector<std::uint8_t> ImagesIdx()
{
    return IdxBytes({kCount, kRows, kCols}, TestPixels());
}
std::vector<std::uint8_t> LabelsIdx()
{
    return IdxBytes({kCount}, TestLabels());
}

bool Contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("IDX: plain image and label files load back exactly")
{
    TempDir dir("idx_plain");
    WriteBytes(dir.File("img"), ImagesIdx());
    WriteBytes(dir.File("lab"), LabelsIdx());
    const ImageDataset ds = LoadIdxPair(dir.File("img"), dir.File("lab"), "tiny");
    CHECK(ds.name == "tiny");
    CHECK(ds.count == kCount);
    CHECK(ds.rows == static_cast<int>(kRows));
    CHECK(ds.cols == static_cast<int>(kCols));
    CHECK(ds.channels == 1);
    CHECK(ds.pixels == TestPixels());
    CHECK(ds.labels == TestLabels());
    CHECK(ds.num_classes == 3);
    CHECK(ds.class_names == std::vector<std::string>{"0", "1", "2"});
}

TEST_CASE("IDX: gzip files inflate to the same bytes, detected by magic whatever the name")
{
    TempDir dir("idx_gzip");
    WriteGzip(dir.File("img.gz"), ImagesIdx());
    WriteGzip(dir.File("lab_without_suffix"), LabelsIdx());
    CHECK(ReadMaybeGzip(dir.File("img.gz")) == ImagesIdx());
    CHECK(ReadMaybeGzip(dir.File("lab_without_suffix")) == LabelsIdx());
    const ImageDataset ds = LoadIdxPair(dir.File("img.gz"), dir.File("lab_without_suffix"), "tiny-gz");
    CHECK(ds.pixels == TestPixels());
    CHECK(ds.labels == TestLabels());
}

TEST_CASE("IDX: a large gzip file (bigger than the first output buffer) inflates exactly")
{
    TempDir dir("idx_gzip_large");
    std::vector<std::uint8_t> pixels(300 * 28 * 28);
    ll::Rng rng(3);
    for (auto& p : pixels)
    {
        p = static_cast<std::uint8_t>(rng.Below(256));
    }
    const auto bytes = IdxBytes({300, 28, 28}, pixels);
    WriteGzip(dir.File("big.gz"), bytes);
    CHECK(ReadMaybeGzip(dir.File("big.gz")) == bytes);
}

TEST_CASE("IDX: broken headers and sizes are refused with the file and the reason")
{
    SUBCASE("wrong magic")
    {
        auto bytes = ImagesIdx();
        bytes[0] = 0x12;
        bytes[1] = 0x34;
        const std::string msg = ErrorOf([&] { ParseIdx(bytes, "weird.idx"); });
        CHECK(Contains(msg, "IDX file 'weird.idx'"));
        CHECK(Contains(msg, "bad magic 0x12340803"));
    }
    SUBCASE("wrong type byte")
    {
        const std::string msg = ErrorOf(
            [&] {
                ParseIdx(IdxBytes({kCount, kRows, kCols}, TestPixels(), 0x0D), "f.idx");
            });
        CHECK(Contains(msg, "IDX file 'f.idx'"));
        CHECK(Contains(msg, "element type 0x0D is not unsigned byte"));
    }
    SUBCASE("unsupported rank")
    {
        const std::string msg = ErrorOf([&] { ParseIdx(IdxBytes({15, 4}, std::vector<std::uint8_t>(60)), "r2"); });
        CHECK(Contains(msg, "rank 2 unsupported"));
    }
    SUBCASE("zero dimension")
    {
        const std::string msg = ErrorOf([&] { ParseIdx(IdxBytes({kCount, 0, kCols}, {}), "z"); });
        CHECK(Contains(msg, "dimension 1 is zero"));
    }
    SUBCASE("header cut short")
    {
        auto bytes = ImagesIdx();
        bytes.resize(10);
        CHECK(Contains(ErrorOf([&] { ParseIdx(bytes, "h"); }), "header truncated"));
        CHECK(Contains(ErrorOf([&] { ParseIdx({0, 0}, "h2"); }), "too short for an IDX header"));
    }
    SUBCASE("sizes whose product overflows")
    {
        const std::string msg = ErrorOf(
            [&] {
                ParseIdx(IdxBytes({0x7FFFFFFF, 0x4000, 0x4000}, std::vector<std::uint8_t>(8)), "huge");
            });
        CHECK(Contains(msg, "sizes overflow"));
    }
    SUBCASE("truncated data names the image")
    {
        auto bytes = ImagesIdx();
        bytes.resize(bytes.size() - kRows * kCols * 2 - 5); // 2 images and 5 bytes short: image 2 is incomplete
        const std::string msg = ErrorOf([&] { ParseIdx(bytes, "cut.idx"); });
        CHECK(Contains(msg, "IDX file 'cut.idx'"));
        CHECK(Contains(msg, "truncated at image 2 of 5"));
    }
    SUBCASE("truncated labels name the label")
    {
        auto bytes = LabelsIdx();
        bytes.pop_back();
        CHECK(Contains(ErrorOf([&] { ParseIdx(bytes, "lab"); }), "truncated at label 4 of 5"));
    }
    SUBCASE("trailing bytes")
    {
        auto bytes = ImagesIdx();
        bytes.push_back(7);
        bytes.push_back(7);
        CHECK(Contains(ErrorOf([&] { ParseIdx(bytes, "long"); }), "2 trailing bytes"));
    }
}

TEST_CASE("IDX: a count mismatch between images and labels is refused naming both files")
{
    TempDir dir("idx_mismatch");
    WriteBytes(dir.File("img"), ImagesIdx());
    WriteBytes(dir.File("lab"), IdxBytes({4}, {0, 1, 2, 3}));
    const std::string msg = ErrorOf([&] { LoadIdxPair(dir.File("img"), dir.File("lab"), "m"); });
    CHECK(Contains(msg, dir.File("img")));
    CHECK(Contains(msg, dir.File("lab")));
    CHECK(Contains(msg, "5 images but 4 labels"));
}

TEST_CASE("IDX: images and labels passed the wrong way round are refused")
{
    TempDir dir("idx_swapped");
    WriteBytes(dir.File("img"), ImagesIdx());
    WriteBytes(dir.File("lab"), LabelsIdx());
    CHECK(Contains(ErrorOf([&] { LoadIdxPair(dir.File("lab"), dir.File("img"), "s"); }), "expected images (rank 3"));
}

TEST_CASE("IDX: missing, empty and corrupt gzip files are refused with the file and the reason")
{
    TempDir dir("idx_files");
    SUBCASE("missing file")
    {
        const std::string msg = ErrorOf([&] { ReadMaybeGzip(dir.File("nope.gz")); });
        CHECK(Contains(msg, dir.File("nope.gz")));
        CHECK(Contains(msg, "does not exist"));
    }
    SUBCASE("empty file")
    {
        WriteBytes(dir.File("empty"), {});
        const std::string msg = ErrorOf([&] { ReadMaybeGzip(dir.File("empty")); });
        CHECK(Contains(msg, dir.File("empty")));
        CHECK(Contains(msg, "is empty"));
    }
    SUBCASE("corrupt gzip body")
    {
        WriteGzip(dir.File("good.gz"), ImagesIdx());
        auto bytes = ReadBytes(dir.File("good.gz"));
        REQUIRE(bytes.size() > 30);
        for (std::size_t k = 12; k < bytes.size() - 8; ++k)
        {
            bytes[k] ^= 0x5A; // scramble the deflate data, keep the gzip header
        }
        WriteBytes(dir.File("bad.gz"), bytes);
        const std::string msg = ErrorOf([&] { ReadMaybeGzip(dir.File("bad.gz")); });
        CHECK(Contains(msg, dir.File("bad.gz")));
        CHECK(Contains(msg, "corrupt gzip"));
    }
    SUBCASE("gzip cut short")
    {
        WriteGzip(dir.File("good.gz"), ImagesIdx());
        auto bytes = ReadBytes(dir.File("good.gz"));
        bytes.resize(bytes.size() / 2);
        WriteBytes(dir.File("cut.gz"), bytes);
        const std::string msg = ErrorOf([&] { ReadMaybeGzip(dir.File("cut.gz")); });
        CHECK(Contains(msg, dir.File("cut.gz")));
        CHECK(Contains(msg, "corrupt gzip"));
    }
    SUBCASE("a folder instead of a file")
    {
        CHECK(Contains(ErrorOf([&] { ReadMaybeGzip(dir.Path().string()); }), "is a folder"));
    }
}

TEST_CASE("ResolveDataDir: --data wins over LATENTLAB_DATA, which wins over the built-in default")
{
    const char* old = std::getenv("LATENTLAB_DATA");
    const std::string saved = old ? old : "";
    ::setenv("LATENTLAB_DATA", "/from/env", 1);
    CHECK(ResolveDataDir("/from/cli") == "/from/cli");
    CHECK(ResolveDataDir("") == "/from/env");
    ::unsetenv("LATENTLAB_DATA");
    CHECK(ResolveDataDir("") == LATENTLAB_DEFAULT_DATA_DIR);
    if (old)
    {
        ::setenv("LATENTLAB_DATA", saved.c_str(), 1);
    }
}

TEST_CASE("Fashion-MNIST loader: accepts plain and .gz names, refuses a bad split or a missing file")
{
    TempDir dir("fmnist_fake");
    WriteGzip(dir.File("train-images-idx3-ubyte.gz"), ImagesIdx());
    WriteBytes(dir.File("train-labels-idx1-ubyte"), LabelsIdx());
    const ImageDataset ds = LoadFashionMnist(dir.Path().string(), "train");
    CHECK(ds.name == "fashion-mnist/train");
    CHECK(ds.count == kCount);
    CHECK(ds.num_classes == 10);
    REQUIRE(ds.class_names.size() == 10);
    CHECK(ds.class_names[0] == "T-shirt/top");
    CHECK(ds.class_names[9] == "Ankle boot");
    CHECK(ds.labels == TestLabels());

    const std::string missing = ErrorOf([&] { LoadFashionMnist(dir.Path().string(), "t10k"); });
    CHECK(Contains(missing, dir.Path().string()));
    CHECK(Contains(missing, "t10k-images-idx3-ubyte"));
    CHECK(Contains(ErrorOf([&] { LoadFashionMnist(dir.Path().string(), "test"); }), "split 'test'"));
    CHECK(Contains(ErrorOf([&] { LoadFashionMnist(dir.File("absent"), "train"); }), "does not exist"));
}

TEST_CASE("IDX folder loader: any MNIST-format folder loads with numbered classes; Fashion-MNIST wants 0-9")
{
    TempDir dir("idx_folder");
    WriteBytes(dir.File("t10k-images-idx3-ubyte"), ImagesIdx());
    WriteGzip(dir.File("t10k-labels-idx1-ubyte.gz"), IdxBytes({kCount}, {0, 11, 3, 3, 1}));
    const ImageDataset ds = LoadIdxFolder(dir.Path().string(), "t10k");
    CHECK(ds.name == dir.Path().filename().string() + "/t10k");
    CHECK(ds.num_classes == 12);
    REQUIRE(ds.class_names.size() == 12);
    CHECK(ds.class_names[11] == "11");
    CHECK(Contains(ErrorOf([&] { LoadFashionMnist(dir.Path().string(), "t10k"); }), "not a Fashion-MNIST class"));
}

TEST_CASE("Fashion-MNIST: the installed dataset has 60,000 / 10,000 images of 28x28 and 6,000 per class in train")
{
    const std::string dir = "/usr/share/datasets/fashion-mnist";
    if (!std::filesystem::is_directory(dir))
    {
        MESSAGE("skipped: " << dir << " is not installed (Debian package dataset-fashion-mnist)");
        return;
    }
    const ImageDataset train = LoadFashionMnist(dir, "train");
    const ImageDataset test = LoadFashionMnist(dir, "t10k");
    CHECK(train.count == 60000);
    CHECK(test.count == 10000);
    CHECK(train.rows == 28);
    CHECK(train.cols == 28);
    CHECK(test.rows == 28);
    CHECK(test.cols == 28);
    CHECK(train.pixels.size() == 60000u * 784u);
    std::array<int, 10> per_class{};
    for (const std::uint8_t label : train.labels)
    {
        REQUIRE(label < 10);
        ++per_class[label];
    }
    for (int c = 0; c < 10; ++c)
    {
        CHECK(per_class[static_cast<std::size_t>(c)] == 6000);
    }
    // Fashion-MNIST's mean pixel is about 0.286: a check that the bytes are images, not shifted headers.
    double sum = 0.0;
    for (const std::uint8_t p : train.pixels)
    {
        sum += p;
    }
    const double mean = sum / static_cast<double>(train.pixels.size()) / 255.0;
    CHECK(mean == doctest::Approx(0.286).epsilon(0.02));
}

TEST_CASE("IDX: randomly corrupted files either parse consistently or throw, never crash")
{
    TempDir dir("idx_fuzz");
    ll::Rng rng(2024);
    const auto good = ImagesIdx();
    WriteGzip(dir.File("good.gz"), good);
    const auto good_gz = ReadBytes(dir.File("good.gz"));
    int parsed = 0, refused = 0;
    for (int trial = 0; trial < 2000; ++trial)
    {
        auto bytes = (trial % 2 == 0) ? good : good_gz;
        const auto flips = 1 + rng.Below(3);
        for (std::uint64_t f = 0; f < flips; ++f)
        {
            bytes[rng.Below(bytes.size())] = static_cast<std::uint8_t>(rng.Below(256));
        }
        if (rng.Below(4) == 0)
        {
            bytes.resize(rng.Below(bytes.size()) + 1);
        }
        WriteBytes(dir.File("fuzz"), bytes);
        try
        {
            const IdxTensor t = ParseIdx(ReadMaybeGzip(dir.File("fuzz")), "fuzz");
            std::int64_t product = 1;
            for (const std::int64_t d : t.dims)
            {
                product *= d;
            }
            REQUIRE(static_cast<std::int64_t>(t.data.size()) == product);
            ++parsed;
        }
        catch (const std::runtime_error& e)
        {
            REQUIRE(Contains(e.what(), "fuzz"));
            ++refused;
        }
    }
    CHECK(parsed > 0);  // flips in the pixel data are legal
    CHECK(refused > 0); // flips in headers and gzip data are not
}
