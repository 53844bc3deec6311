// A folder of images as an ImageDataset (stb_image decoding, our own separable resize).
// The one translation unit of Latent Lab that compiles stb_image's implementation.
#include "core/data/image_folder.h"

#include "core/io/bounded_read.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_HDR // 8-bit images only; keeps the float paths out
// Only the formats the folder reader lists (by extension): a .png that is really a PSD or a GIF is refused instead of
// reaching decoders nobody asked for.
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace ll::data
{

namespace
{

namespace fs = std::filesystem;

constexpr int kMaxSize = 1024;

struct Tap
{
    int index;
    float weight;
};

// For each output index along one axis: which source indices contribute and how much (weights sum to 1).
std::vector<std::vector<Tap>> AxisTaps(int src, int dst)
{
    std::vector<std::vector<Tap>> taps(static_cast<std::size_t>(dst));
    const double scale = static_cast<double>(src) / dst; // source pixels per output pixel
    for (int o = 0; o < dst; ++o)
    {
        auto& t = taps[static_cast<std::size_t>(o)];
        if (dst <= src)
        {
            // Area average: the output pixel covers [lo, hi) in source pixels.
            const double lo = o * scale;
            const double hi = (o + 1) * scale;
            for (int i = static_cast<int>(std::floor(lo)); i < std::min(src, static_cast<int>(std::ceil(hi))); ++i)
            {
                const double overlap = std::min<double>(hi, i + 1) - std::max<double>(lo, i);
                if (overlap > 1e-12)
                {
                    t.push_back({i, static_cast<float>(overlap / scale)});
                }
            }
        }
        else
        {
            // Bilinear with pixel centres aligned; the border pixels are repeated.
            const double c = std::clamp((o + 0.5) * scale - 0.5, 0.0, static_cast<double>(src - 1));
            const int i0 = static_cast<int>(std::floor(c));
            const int i1 = std::min(i0 + 1, src - 1);
            const auto f = static_cast<float>(c - i0);
            t.push_back({i0, 1.0f - f});
            if (i1 != i0 && f > 0.0f)
            {
                t.push_back({i1, f});
            }
        }
    }
    return taps;
}

// Resizes a (h, w, channels) window whose rows are `stride` pixels apart into out (out_h, out_w, channels).
void Resize(const std::uint8_t* src, int stride, int w, int h, int channels, int out_w, int out_h, std::uint8_t* out)
{
    const auto taps_x = AxisTaps(w, out_w);
    const auto taps_y = AxisTaps(h, out_h);
    // Horizontal pass: (h, out_w, channels) in float.
    std::vector<float> tmp(static_cast<std::size_t>(h) * out_w * channels, 0.0f);
    for (int y = 0; y < h; ++y)
    {
        const std::uint8_t* row = src + static_cast<std::size_t>(y) * stride * channels;
        float* dst = tmp.data() + static_cast<std::size_t>(y) * out_w * channels;
        for (int ox = 0; ox < out_w; ++ox)
        {
            for (const Tap& t : taps_x[static_cast<std::size_t>(ox)])
            {
                for (int c = 0; c < channels; ++c)
                {
                    dst[ox * channels + c] += t.weight * row[t.index * channels + c];
                }
            }
        }
    }
    // Vertical pass and rounding.
    std::vector<float> acc(static_cast<std::size_t>(out_w) * channels);
    for (int oy = 0; oy < out_h; ++oy)
    {
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (const Tap& t : taps_y[static_cast<std::size_t>(oy)])
        {
            const float* row = tmp.data() + static_cast<std::size_t>(t.index) * out_w * channels;
            for (std::size_t k = 0; k < acc.size(); ++k)
            {
                acc[k] += t.weight * row[k];
            }
        }
        std::uint8_t* dst = out + static_cast<std::size_t>(oy) * out_w * channels;
        for (std::size_t k = 0; k < acc.size(); ++k)
        {
            dst[k] = static_cast<std::uint8_t>(std::clamp(std::lround(acc[k]), 0L, 255L));
        }
    }
}

// By its name: an image extension, not hidden, not a folder. Unreadable entries with such a name (a dangling link, a
// FIFO, a file without read permission) count, so that loading names them instead of skipping them silently.
bool IsImageFile(const fs::directory_entry& e)
{
    std::error_code ec;
    if (e.is_directory(ec))
    {
        return false;
    }
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.')
    {
        return false;
    }
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

// Image files directly in `dir`, sorted by name. Counts every one into *seen but keeps paths only while the running
// total is within kMaxImageFiles, so a folder of millions of files costs a listing, not its memory.
std::vector<fs::path> ImagesIn(const fs::path& dir, std::size_t* seen)
{
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
    {
        if (IsImageFile(e))
        {
            if (++*seen <= kMaxImageFiles)
            {
                files.push_back(e.path());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

// stb_image 2.27 (Debian 12's) does not check that a JPEG Huffman table holds at most 256 symbols: a DHT segment
// with larger counts writes past stbi__huffman::values (found by fuzz_image; later stb versions check it). So the
// JPEG's segments are walked here first, between scans too (progressive files define tables there), and a table
// of more than 256 symbols is refused before stb_image sees the file.
void CheckJpegHuffmanTables(std::string_view bytes, const std::string& where)
{
    // Past the end stb_image reads zeros, and so does this walk.
    const auto byte = [&](std::size_t at) {
        return at < bytes.size() ? static_cast<unsigned>(static_cast<unsigned char>(bytes[at])) : 0u;
    };
    // stb_image takes any number of FF fill bytes before the SOI's D8 as a JPEG start.
    std::size_t at = 0;
    while (at < bytes.size() && byte(at) == 0xFF)
    {
        ++at;
    }
    if (at == 0 || byte(at) != 0xD8)
    {
        return; // not a JPEG
    }
    ++at;
    while (at + 1 < bytes.size())
    {
        if (byte(at) != 0xFF)
        {
            ++at; // entropy-coded data of a scan: look for the next marker
            continue;
        }
        const unsigned marker = byte(at + 1);
        if (marker == 0xFF || marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
        {
            at += marker == 0xFF ? 1 : 2; // fill byte, stuffed zero, TEM, RSTn, SOI: no length
            continue;
        }
        if (marker == 0xD9 || at + 3 >= bytes.size())
        {
            return; // EOI, or truncated (stb_image reports that)
        }
        const std::size_t length = (byte(at + 2) << 8) | byte(at + 3); // includes its own two bytes
        if (marker == 0xC4)
        {
            // As stb_image reads it: tables while the segment's remaining length is positive, whatever they need.
            std::ptrdiff_t remaining = static_cast<std::ptrdiff_t>(length) - 2;
            std::size_t p = at + 4;
            while (remaining > 0) // each table takes at least 17 bytes
            {
                unsigned symbols = 0;
                for (std::size_t i = 1; i <= 16; ++i)
                {
                    symbols += byte(p + i);
                }
                if (symbols > 256)
                {
                    throw std::runtime_error(where + "cannot decode: corrupt JPEG (a Huffman table of " +
                                             std::to_string(symbols) + " symbols, at most 256)");
                }
                p += 17 + symbols;
                remaining -= 17 + static_cast<std::ptrdiff_t>(symbols);
            }
            if (remaining != 0)
            {
                return; // stb_image refuses a DHT segment whose tables do not fill it exactly
            }
        }
        at = at + 2 + std::max<std::size_t>(length, 2);
    }
}

// Two more of stb_image 2.27's PNG habits, found by fuzz_image and refused here first, walking the chunks as stb_image
// does: it copies an empty first IDAT chunk with memcpy(NULL, src, 0) (undefined behaviour), and it grows its buffer
// to an IDAT chunk's declared length before reading it (a 112-byte file declaring 2 GiB allocated 2 GiB).
void CheckPngChunks(std::string_view bytes, const std::string& where)
{
    const auto be32 = [&](std::size_t at) {
        return (std::uint32_t{static_cast<unsigned char>(bytes[at])} << 24) |
               (std::uint32_t{static_cast<unsigned char>(bytes[at + 1])} << 16) |
               (std::uint32_t{static_cast<unsigned char>(bytes[at + 2])} << 8) |
               std::uint32_t{static_cast<unsigned char>(bytes[at + 3])};
    };
    bool data_seen = false;
    std::size_t at = 8; // after the signature
    while (at + 8 <= bytes.size())
    {
        const std::uint64_t length = be32(at);
        const std::string_view type = bytes.substr(at + 4, 4);
        if (type == "IDAT")
        {
            if (length == 0 && !data_seen)
            {
                throw std::runtime_error(where + "cannot decode: corrupt PNG (an empty IDAT chunk before the image "
                                                 "data)");
            }
            if (length > bytes.size() - at - 8)
            {
                throw std::runtime_error(where + "truncated: an IDAT chunk declares " + std::to_string(length) +
                                         " bytes, the file holds " + std::to_string(bytes.size() - at - 8) +
                                         " after it");
            }
            data_seen = data_seen || length > 0;
        }
        if (type == "IEND")
        {
            return;
        }
        at += 12 + length; // length, type, data, CRC
    }
}

} // namespace

DecodedImage DecodeImage(std::string_view bytes, int channels, const std::string& name)
{
    const std::string where = "image '" + name + "': ";
    if (channels != 1 && channels != 3)
    {
        throw std::invalid_argument(where + "channels must be 1 or 3, got " + std::to_string(channels));
    }
    if (bytes.size() > kMaxImageFileBytes || bytes.size() > static_cast<std::size_t>(INT32_MAX))
    {
        throw std::runtime_error(where + std::to_string(bytes.size()) + " bytes, more than the " +
                                 std::to_string(kMaxImageFileBytes >> 20) + " MiB an image file may hold");
    }
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int length = static_cast<int>(bytes.size());
    int w = 0, h = 0, n = 0;
    const auto check_pixels = [&](std::uint64_t width, std::uint64_t height) {
        if (width < 1 || height < 1 || width * height > kMaxImagePixels)
        {
            throw std::runtime_error(where + "its header claims " + std::to_string(width) + " x " +
                                     std::to_string(height) + " pixels, more than the " +
                                     std::to_string(kMaxImagePixels) + " (4096 x 4096) this lab decodes");
        }
    };
    // A PNG's IHDR read here first: stb_image refuses sides past 2^30 bytes itself, but then reports only "unknown
    // image type" after trying the other formats.
    static constexpr char kPngSignature[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    if (bytes.size() >= 24 && bytes.compare(0, 8, kPngSignature, 8) == 0 && bytes.compare(12, 4, "IHDR") == 0)
    {
        const auto be32 = [&](std::size_t at) {
            return (std::uint64_t{data[at]} << 24) | (std::uint64_t{data[at + 1]} << 16) |
                   (std::uint64_t{data[at + 2]} << 8) | std::uint64_t{data[at + 3]};
        };
        check_pixels(be32(16), be32(20));
        CheckPngChunks(bytes, where);
    }
    CheckJpegHuffmanTables(bytes, where);
    // Then stb_image's own header reading, for every format: the size is checked before it allocates the pixels.
    if (stbi_info_from_memory(data, length, &w, &h, &n) == 0)
    {
        const char* why = stbi_failure_reason();
        throw std::runtime_error(where + "cannot decode: not a PNG, JPEG or BMP image, or a corrupt one (" +
                                 (why ? why : "unknown reason") + ")");
    }
    check_pixels(static_cast<std::uint64_t>(std::max(w, 0)), static_cast<std::uint64_t>(std::max(h, 0)));
    // stb_image decodes a truncated file as if zeros followed, so a tiny file claiming millions of pixels would cost
    // a full decode (seconds under a sanitizer) for a garbage image. A BMP stores at least 1 bit per pixel; PNG and
    // JPEG compress by at most about 1000:1 (deflate's limit is 1032:1; JPEG needs bits for every 8x8 block).
    const std::uint64_t pixels = static_cast<std::uint64_t>(w) * static_cast<std::uint64_t>(h);
    const bool bmp = bytes.size() >= 2 && bytes[0] == 'B' && bytes[1] == 'M';
    const std::uint64_t least = bmp ? pixels / 8 : pixels / 1024;
    if (bytes.size() < least)
    {
        throw std::runtime_error(where + "truncated: " + std::to_string(bytes.size()) + " bytes cannot hold the " +
                                 std::to_string(w) + " x " + std::to_string(h) + " pixels its header claims");
    }
    DecodedImage out;
    std::unique_ptr<stbi_uc, void (*)(void*)> img(stbi_load_from_memory(data, length, &w, &h, &n, channels),
                                                  stbi_image_free);
    if (!img)
    {
        const char* why = stbi_failure_reason();
        throw std::runtime_error(where + "cannot decode (" + (why ? why : "unknown reason") + ")");
    }
    out.width = w;
    out.height = h;
    out.channels = channels;
    out.pixels.assign(img.get(), img.get() + static_cast<std::size_t>(w) * h * channels);
    return out;
}

void CropAndResize(const DecodedImage& image, int size, std::uint8_t* out)
{
    if (size < 1 || size > kMaxSize)
    {
        throw std::invalid_argument("CropAndResize: size " + std::to_string(size) + " is not in [1, " +
                                    std::to_string(kMaxSize) + "]");
    }
    // Centre-crop to a square so shapes keep their aspect, then resize.
    const int side = std::min(image.width, image.height);
    const int x0 = (image.width - side) / 2, y0 = (image.height - side) / 2;
    const std::uint8_t* window =
        image.pixels.data() + (static_cast<std::size_t>(y0) * image.width + x0) * image.channels;
    Resize(window, image.width, side, side, image.channels, size, size, out);
}

std::vector<std::uint8_t> ResizeImage(const std::uint8_t* pixels, int w, int h, int channels, int out_w, int out_h)
{
    if (pixels == nullptr || w < 1 || h < 1 || channels < 1 || out_w < 1 || out_h < 1)
    {
        throw std::invalid_argument("ResizeImage: bad sizes " + std::to_string(w) + "x" + std::to_string(h) + "x" +
                                    std::to_string(channels) + " -> " + std::to_string(out_w) + "x" +
                                    std::to_string(out_h));
    }
    std::vector<std::uint8_t> out(static_cast<std::size_t>(out_w) * out_h * channels);
    Resize(pixels, w, w, h, channels, out_w, out_h, out.data());
    return out;
}

ImageDataset LoadImageFolder(const std::string& dir, int size, bool grayscale)
{
    if (size < 1 || size > kMaxSize)
    {
        throw std::invalid_argument("image folder '" + dir + "': image size " + std::to_string(size) +
                                    " is not in [1, " + std::to_string(kMaxSize) + "]");
    }
    std::error_code ec;
    if (!fs::exists(dir, ec))
    {
        throw std::runtime_error("image folder '" + dir + "' does not exist");
    }
    if (!fs::is_directory(dir, ec))
    {
        throw std::runtime_error("image folder '" + dir + "' is not a folder");
    }

    // Loose images, or class subfolders (sorted by name) each holding images.
    std::vector<fs::path> loose;
    std::vector<std::pair<std::string, std::vector<fs::path>>> classes;
    std::size_t seen = 0; // image files found, also past kMaxImageFiles
    try
    {
        loose = ImagesIn(dir, &seen);
        std::vector<fs::path> subdirs;
        for (const auto& e : fs::directory_iterator(dir))
        {
            if (e.is_directory(ec) && e.path().filename().string()[0] != '.')
            {
                subdirs.push_back(e.path());
            }
        }
        std::sort(subdirs.begin(), subdirs.end());
        for (const fs::path& sub : subdirs)
        {
            std::vector<fs::path> files = ImagesIn(sub, &seen);
            if (!files.empty())
            {
                classes.emplace_back(sub.filename().string(), std::move(files));
            }
        }
    }
    catch (const fs::filesystem_error& e)
    {
        throw std::runtime_error("image folder '" + dir + "': cannot list (" + e.code().message() + ")");
    }
    if (loose.empty() && classes.empty())
    {
        throw std::runtime_error("image folder '" + dir + "' holds no images (.png, .jpg, .jpeg, .bmp)");
    }
    if (!loose.empty() && !classes.empty())
    {
        throw std::runtime_error("image folder '" + dir + "' mixes " + std::to_string(loose.size()) +
                                 " loose images with " + std::to_string(classes.size()) +
                                 " class subfolders; use one or the other");
    }
    if (seen > kMaxImageFiles)
    {
        throw std::runtime_error("image folder '" + dir + "' holds " + std::to_string(seen) +
                                 " images, more than the " + std::to_string(kMaxImageFiles) +
                                 " this lab loads; use a subset");
    }
    if (classes.size() > 256)
    {
        throw std::runtime_error("image folder '" + dir + "': " + std::to_string(classes.size()) +
                                 " class subfolders, at most 256 supported");
    }

    ImageDataset ds;
    fs::path norm = fs::path(dir).lexically_normal();
    ds.name = "folder/" + (norm.has_filename() ? norm.filename() : norm.parent_path().filename()).string();
    ds.rows = ds.cols = size;
    ds.channels = grayscale ? 1 : 3;
    std::vector<std::pair<fs::path, int>> files; // (path, label or -1)
    for (const fs::path& p : loose)
    {
        files.emplace_back(p, -1);
    }
    for (std::size_t c = 0; c < classes.size(); ++c)
    {
        ds.class_names.push_back(classes[c].first);
        for (const fs::path& p : classes[c].second)
        {
            files.emplace_back(p, static_cast<int>(c));
        }
    }
    ds.num_classes = static_cast<int>(classes.size());
    ds.count = static_cast<std::int64_t>(files.size());
    if (static_cast<std::uint64_t>(ds.count) * static_cast<std::uint64_t>(ds.Features()) > kMaxDatasetBytes)
    {
        throw std::runtime_error("image folder '" + dir + "': " + std::to_string(ds.count) + " images of " +
                                 std::to_string(size) + " x " + std::to_string(size) + " x " +
                                 std::to_string(ds.channels) + " would take " +
                                 std::to_string(static_cast<std::uint64_t>(ds.count) * ds.Features() >> 20) +
                                 " MiB, more than the " + std::to_string(kMaxDatasetBytes >> 20) +
                                 " MiB allowed; use a smaller image size or fewer images");
    }
    ds.pixels.resize(static_cast<std::size_t>(ds.count) * ds.Features());
    if (ds.num_classes > 0)
    {
        ds.labels.reserve(files.size());
    }

    for (std::size_t i = 0; i < files.size(); ++i)
    {
        const std::string path = files[i].first.string();
        const DecodedImage image =
            DecodeImage(io::ReadFileBounded(files[i].first, kMaxImageFileBytes, "image"), ds.channels, path);
        CropAndResize(image, size, ds.pixels.data() + i * ds.Features());
        if (files[i].second >= 0)
        {
            ds.labels.push_back(static_cast<std::uint8_t>(files[i].second));
        }
    }
    return ds;
}

} // namespace ll::data
