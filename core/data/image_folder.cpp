// A folder of images as an ImageDataset: listing with caps, decoding through image_decode.cpp, our own separable
// resize.
#include "core/data/image_folder.h"

#include "core/io/bounded_read.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>

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

} // namespace

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
