// IDX and PNG export of generated samples (see sample_export.h).
#include "core/io/sample_export.h"

#include "core/io/image_io.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ll::io
{

namespace
{

void PutBe32(std::string& out, std::uint32_t v)
{
    out.push_back(static_cast<char>(v >> 24));
    out.push_back(static_cast<char>((v >> 16) & 0xFF));
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
    out.push_back(static_cast<char>(v & 0xFF));
}

} // namespace

std::string EncodeIdxImages(const std::vector<std::uint8_t>& pixels, std::int64_t count, int rows, int cols,
                            int channels)
{
    const std::int64_t per_image = static_cast<std::int64_t>(rows) * cols * channels;
    if (count < 0 || rows < 1 || cols < 1 || channels < 1 || channels > 4 ||
        pixels.size() != static_cast<std::size_t>(count * per_image) || count > 0xFFFFFFFFll)
    {
        throw std::invalid_argument("IDX images: " + std::to_string(pixels.size()) + " bytes for " +
                                    std::to_string(count) + " images of " + std::to_string(rows) + " x " +
                                    std::to_string(cols) + " x " + std::to_string(channels) +
                                    " (1 to 4 channels)");
    }
    std::string out;
    out.reserve(20 + pixels.size());
    PutBe32(out, channels == 1 ? 0x00000803u : 0x00000804u);
    PutBe32(out, static_cast<std::uint32_t>(count));
    PutBe32(out, static_cast<std::uint32_t>(rows));
    PutBe32(out, static_cast<std::uint32_t>(cols));
    if (channels != 1)
    {
        PutBe32(out, static_cast<std::uint32_t>(channels));
    }
    out.append(reinterpret_cast<const char*>(pixels.data()), pixels.size());
    return out;
}

std::string EncodeIdxLabels(const std::vector<int>& labels)
{
    std::string out;
    out.reserve(8 + labels.size());
    PutBe32(out, 0x00000801u);
    PutBe32(out, static_cast<std::uint32_t>(labels.size()));
    for (const int y : labels)
    {
        if (y < 0 || y > 255)
        {
            throw std::invalid_argument("IDX labels are bytes; got label " + std::to_string(y));
        }
        out.push_back(static_cast<char>(y));
    }
    return out;
}

std::vector<std::uint8_t> ToBytes(const nn::MatrixF& images)
{
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(images.size()));
    for (nn::Index i = 0; i < images.size(); ++i)
    {
        const float v = images.data()[i];
        bytes[static_cast<std::size_t>(i)] =
            std::isfinite(v) ? static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)) : 0;
    }
    return bytes;
}

SampleFiles WriteSampleSet(const std::filesystem::path& dir, const nn::MatrixF& images, const std::vector<int>& labels,
                           int rows, int cols, int channels)
{
    if (channels != 1 && channels != 3 && channels != 4)
    {
        throw std::invalid_argument("samples with " + std::to_string(channels) +
                                    " channels: the export writes grey (1), RGB (3) or RGBA (4) images");
    }
    if (images.rows() != static_cast<nn::Index>(rows) * cols * channels || images.cols() < 1)
    {
        throw std::invalid_argument("samples of " + std::to_string(images.rows()) + " values are not " +
                                    std::to_string(rows) + " x " + std::to_string(cols) + " x " +
                                    std::to_string(channels) + " images");
    }
    if (!labels.empty() && static_cast<nn::Index>(labels.size()) != images.cols())
    {
        throw std::invalid_argument(std::to_string(labels.size()) + " labels for " + std::to_string(images.cols()) +
                                    " samples");
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
    {
        throw std::runtime_error("cannot create folder '" + dir.string() + "': " + ec.message());
    }
    SampleFiles files;
    // Grey as MNIST (idx3), so any MNIST loader reads it; colour with its channel axis (idx4).
    files.images = dir / (channels == 1 ? "train-images-idx3-ubyte" : "train-images-idx4-ubyte");
    WriteFileAtomic(files.images, EncodeIdxImages(ToBytes(images), images.cols(), rows, cols, channels));
    // An earlier export into the same folder must not be read in place of this one.
    std::filesystem::remove(dir / (channels == 1 ? "train-images-idx4-ubyte" : "train-images-idx3-ubyte"), ec);
    if (!labels.empty())
    {
        files.labels = dir / "train-labels-idx1-ubyte";
        WriteFileAtomic(files.labels, EncodeIdxLabels(labels));
    }
    else
    {
        std::filesystem::remove(dir / "train-labels-idx1-ubyte", ec);
    }
    files.grid = dir / "samples.png";
    TileLayout layout;
    layout.cols = 10;
    WritePng(files.grid,
             TileImages(images.leftCols(std::min<nn::Index>(100, images.cols())), rows, cols, channels, layout));
    return files;
}

} // namespace ll::io
