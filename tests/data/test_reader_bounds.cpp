// The data readers bound what they read before they allocate: IDX headers and gzip streams against the sizes they
// announce and the 2 GiB cap, image headers (stbi_info) against the pixel cap before decoding, folders against the
// file-count and resident-size caps, and unreadable, truncated or mislabelled files refused with their names.
#include "core/data/idx.h"
#include "core/data/image_folder.h"
#include "core/io/image_io.h"
#include "data_test_util.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace ll::data;
using namespace ll::data::test;

namespace
{

namespace fs = std::filesystem;

bool Contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

std::vector<std::uint8_t> PngBytes(int w, int h, int channels)
{
    TempDir dir("bounds_png");
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w * h * channels), 77);
    ll::io::WritePng(dir.File("x.png"), w, h, channels, pixels.data());
    return ReadBytes(dir.File("x.png"));
}

std::string AsString(const std::vector<std::uint8_t>& bytes)
{
    return std::string(bytes.begin(), bytes.end());
}

} // namespace

TEST_CASE("IDX bounds: a small .gz inflating far past its header's sizes is refused at the announced size")
{
    TempDir dir("bounds_gz");
    // 2 images of 28x28 announced, 10 MB of zeros behind them: about 10 KB compressed.
    std::vector<std::uint8_t> body(std::size_t{10} << 20, 0);
    WriteGzip(dir.File("bomb.gz"), IdxBytes({2, 28, 28}, body));
    const std::string msg = ErrorOf([&] { ReadIdxFile(dir.File("bomb.gz")); });
    INFO(msg);
    CHECK(Contains(msg, "file '" + dir.File("bomb.gz") +
                            "': inflates to more than 1584 bytes (its IDX header "
                            "announces 1584; trailing data or a wrong header)"));
    CHECK(fs::file_size(dir.File("bomb.gz")) < 100000);
}

TEST_CASE("IDX bounds: a .gz announcing 60,000 images and holding 10 is refused as truncated, naming both counts")
{
    TempDir dir("bounds_gz_short");
    WriteGzip(dir.File("short.gz"), IdxBytes({60000, 28, 28}, std::vector<std::uint8_t>(10 * 784, 9)));
    CHECK(Contains(ErrorOf([&] { ReadIdxFile(dir.File("short.gz")); }), "truncated at image 10 of 60000"));
    // Announcing more than 2 GiB is refused from the header alone.
    WriteGzip(dir.File("huge.gz"), IdxBytes({0x7FFFFFFF, 0x4000, 0x4000}, std::vector<std::uint8_t>(64)));
    CHECK(Contains(ErrorOf([&] { ReadIdxFile(dir.File("huge.gz")); }), "sizes overflow (more than 2 GiB announced)"));
    // A well-formed .gz still reads exactly.
    const std::vector<std::uint8_t> good = IdxBytes({3, 2, 2}, std::vector<std::uint8_t>(12, 5));
    WriteGzip(dir.File("good.gz"), good);
    const IdxTensor t = ReadIdxFile(dir.File("good.gz"));
    CHECK(t.dims == std::vector<std::int64_t>{3, 2, 2});
    CHECK(t.data == std::vector<std::uint8_t>(12, 5));
}

TEST_CASE("IDX bounds: a 3 GiB file and a FIFO are refused before anything is read")
{
    TempDir dir("bounds_idx_file");
    const std::string big = dir.File("big-idx3-ubyte");
    WriteBytes(big, IdxBytes({1, 1, 1}, {0}));
    REQUIRE(::truncate(big.c_str(), static_cast<off_t>(3) << 30) == 0); // sparse: no disk used
    CHECK(Contains(ErrorOf([&] { ReadIdxFile(big); }), "more than the 2 GiB an IDX file may hold"));
    const std::string fifo = dir.File("pipe-idx3-ubyte");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(Contains(ErrorOf([&] { ReadIdxFile(fifo); }), "is not a regular file"));
}

TEST_CASE("Image bounds: a PNG header claiming 100000 x 100000 is refused from stbi_info, before decoding")
{
    std::string png = AsString(PngBytes(4, 3, 3));
    const DecodedImage ok = DecodeImage(png, 3, "ok.png");
    CHECK(ok.width == 4);
    CHECK(ok.height == 3);
    CHECK(ok.pixels.size() == 36);
    // IHDR's width and height are big-endian at bytes 16..23 (stb_image does not check chunk CRCs).
    const unsigned char side[4] = {0x00, 0x01, 0x86, 0xA0}; // 100000
    png.replace(16, 4, reinterpret_cast<const char*>(side), 4);
    png.replace(20, 4, reinterpret_cast<const char*>(side), 4);
    const std::string msg = ErrorOf([&] { DecodeImage(png, 3, "huge.png"); });
    INFO(msg);
    CHECK(msg == "image 'huge.png': its header claims 100000 x 100000 pixels, more than the 16777216 (4096 x 4096) "
                 "this lab decodes");
    // Below stb_image's own limits, the pixel cap is what refuses.
    const unsigned char wide[4] = {0x00, 0x00, 0x20, 0x00}; // 8192 x 8192 = 64 Mpx > 16.8 Mpx
    png.replace(16, 4, reinterpret_cast<const char*>(wide), 4);
    png.replace(20, 4, reinterpret_cast<const char*>(wide), 4);
    CHECK(Contains(ErrorOf([&] { DecodeImage(png, 3, "big.png"); }),
                   "image 'big.png': its header claims 8192 x 8192 pixels, more than the 16777216 (4096 x 4096)"));
}

TEST_CASE("Image bounds: truncated files, other formats named .png and text are refused with the file name")
{
    const std::string png = AsString(PngBytes(16, 16, 3));
    CHECK(Contains(ErrorOf([&] { DecodeImage(png.substr(0, png.size() / 2), 3, "cut.png"); }),
                   "image 'cut.png': truncated: an IDAT chunk declares"));
    const std::string gif = std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00", 13) + std::string(20, '\0');
    CHECK(Contains(ErrorOf([&] { DecodeImage(gif, 3, "gif.png"); }),
                   "image 'gif.png': cannot decode: not a PNG, JPEG or BMP image"));
    CHECK(Contains(ErrorOf([&] { DecodeImage("hello", 1, "text.png"); }), "image 'text.png': cannot decode"));
    CHECK(Contains(ErrorOf([&] { DecodeImage("", 1, "empty.png"); }), "image 'empty.png': cannot decode"));
}

TEST_CASE("Image folder bounds: a dangling link, a FIFO and an unreadable file named .png are refused by name")
{
    TempDir dir("bounds_unreadable");
    ll::io::WritePng(dir.File("a.png"), 2, 2, 1, std::vector<std::uint8_t>(4, 1).data());
    fs::create_symlink(dir.File("gone.png"), dir.File("b.png"));
    std::string msg = ErrorOf([&] { LoadImageFolder(dir.Path().string(), 8, true); });
    CHECK(Contains(msg, "image '" + dir.File("b.png") + "': cannot open (No such file or directory)"));
    fs::remove(dir.File("b.png"));
    REQUIRE(::mkfifo(dir.File("c.png").c_str(), 0600) == 0);
    msg = ErrorOf([&] { LoadImageFolder(dir.Path().string(), 8, true); });
    CHECK(Contains(msg, "image '" + dir.File("c.png") + "': is not a regular file"));
    fs::remove(dir.File("c.png"));
    CHECK(LoadImageFolder(dir.Path().string(), 8, true).count == 1);
    if (::geteuid() != 0) // root reads files whatever their permission bits
    {
        ll::io::WritePng(dir.File("d.png"), 2, 2, 1, std::vector<std::uint8_t>(4, 1).data());
        fs::permissions(dir.File("d.png"), fs::perms::none);
        CHECK(Contains(ErrorOf([&] { LoadImageFolder(dir.Path().string(), 8, true); }), "Permission denied"));
    }
}

TEST_CASE("Image folder bounds: more files than the cap are refused with the count, before any is decoded")
{
    TempDir dir("bounds_many");
    for (std::size_t i = 0; i <= kMaxImageFiles; ++i)
    {
        std::ofstream(dir.File(std::to_string(i) + ".png")); // empty: never decoded, the count refuses first
    }
    const std::string msg = ErrorOf([&] { LoadImageFolder(dir.Path().string(), 8, true); });
    CHECK(msg == "image folder '" + dir.Path().string() +
                     "' holds 50001 images, more than the 50000 this lab loads; "
                     "use a subset");
}

TEST_CASE("Image folder bounds: a folder whose resized images would exceed 1 GiB resident is refused up front")
{
    TempDir dir("bounds_bytes");
    for (int i = 0; i < 400; ++i)
    {
        std::ofstream(dir.File(std::to_string(i) + ".png"));
    }
    // 400 x 1024 x 1024 x 3 bytes = 1200 MiB.
    const std::string msg = ErrorOf([&] { LoadImageFolder(dir.Path().string(), 1024, false); });
    CHECK(Contains(msg, "400 images of 1024 x 1024 x 3 would take 1200 MiB, more than the 1024 MiB allowed"));
}

TEST_CASE("Image bounds: JPEGs go to libjpeg-turbo; corrupt, truncated and oversized ones are refused by name")
{
    // A DHT segment whose 16 counts of 255 announce 4080 symbols: stb_image 2.27 overflowed its 256-entry table on
    // this (found by fuzz_image); libjpeg refuses it.
    std::string jpeg = "\xFF\xD8\xFF\xC4";
    jpeg += std::string("\x00\x13\x00", 3) + std::string(16, '\xFF');
    CHECK(Contains(ErrorOf([&] { DecodeImage(jpeg, 3, "dht.jpg"); }),
                   "image 'dht.jpg': cannot decode: corrupt or truncated JPEG ("));
    // A real JPEG (written by stb_image_write, in the fuzz seed corpus) decodes in both channel counts.
    const std::string real =
        AsString(ReadBytes(std::string(LATENTLAB_SOURCE_DIR) + "/tests/fuzz/corpus/image/rgb.jpg"));
    const DecodedImage rgb = DecodeImage(real, 3, "rgb.jpg");
    CHECK(rgb.width == 12);
    CHECK(rgb.height == 9);
    CHECK(rgb.pixels.size() == 12 * 9 * 3);
    CHECK(DecodeImage(real, 1, "rgb.jpg").pixels.size() == 12 * 9);
    // Cut short: libjpeg would fill the rest with grey and warn; the warning is a refusal here.
    CHECK(Contains(ErrorOf([&] { DecodeImage(real.substr(0, real.size() - 40), 3, "cut.jpg"); }),
                   "image 'cut.jpg': cannot decode: corrupt or truncated JPEG ("));
    // The SOF0 frame header's height and width (big-endian, after FF C0, length and precision) set to 8192.
    std::string big = real;
    const std::size_t sof = big.find("\xFF\xC0");
    REQUIRE(sof != std::string::npos);
    big.replace(sof + 5, 4, std::string("\x20\x00\x20\x00", 4));
    CHECK(Contains(ErrorOf([&] { DecodeImage(big, 3, "big.jpg"); }),
                   "image 'big.jpg': its header claims 8192 x 8192 pixels, more than the 16777216"));
    big.replace(sof + 5, 4, std::string("\x08\x00\x08\x00", 4)); // 2048 x 2048 from 733 bytes: more than 1000:1
    CHECK(Contains(ErrorOf([&] { DecodeImage(big, 3, "small.jpg"); }),
                   "truncated: 733 bytes cannot hold the 2048 x 2048 pixels its header claims"));
}

TEST_CASE("Image bounds: a PNG whose first IDAT chunk is empty is refused (stb_image would memcpy from NULL)")
{
    std::string png = AsString(PngBytes(4, 4, 3));
    const std::size_t idat = png.find("IDAT");
    REQUIRE(idat != std::string::npos);
    const std::string empty_idat = std::string("\x00\x00\x00\x00", 4) + "IDAT" + std::string("\x35\xAF\x06\x1E", 4);
    png.insert(idat - 4, empty_idat);
    CHECK(ErrorOf([&] { DecodeImage(png, 3, "empty.png"); }) ==
          "image 'empty.png': cannot decode: corrupt PNG (an empty IDAT chunk before the image data)");
}

TEST_CASE("Image bounds: a 176-byte BMP claiming 16.7 million pixels is refused as truncated, not decoded from zeros")
{
    const std::vector<std::uint8_t> bmp =
        ReadBytes(std::string(LATENTLAB_SOURCE_DIR) + "/tests/fuzz/corpus/image/bmp_176_bytes_claims_16mpx.bmp");
    REQUIRE(bmp.size() == 176);
    CHECK(ErrorOf([&] { DecodeImage(AsString(bmp), 3, "tiny.bmp"); }) ==
          "image 'tiny.bmp': truncated: 176 bytes cannot hold the 16711692 x 1 pixels its header claims");
}

TEST_CASE("Image bounds: a 112-byte PNG whose IDAT chunk declares 2 GiB is refused before stb_image allocates it")
{
    const std::vector<std::uint8_t> png =
        ReadBytes(std::string(LATENTLAB_SOURCE_DIR) + "/tests/fuzz/corpus/image/png_idat_declares_2gib.png");
    REQUIRE(png.size() == 112);
    CHECK(Contains(ErrorOf([&] { DecodeImage(AsString(png), 3, "idat.png"); }),
                   "image 'idat.png': truncated: an IDAT chunk declares"));
}
