// Generated samples as a data set others can read: IDX files (MNIST's format, so the lab's own reader and any MNIST
// loader take grey ones; colour ones carry a channel axis) and a PNG grid. Free functions, reentrant.
#pragma once

#include "core/nn/tensor.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ll::io
{

// IDX bytes: unsigned-byte images and labels (0x00000801, count, then count bytes). Grey images (channels 1) are
// IDX3 as MNIST writes them (magic 0x00000803, dims count, rows, cols); others are IDX4 with the channels last
// (0x00000804, dims count, rows, cols, channels: the bytes in the lab's own order, numpy's
// reshape(count, rows, cols, channels)). Throws std::invalid_argument on a size mismatch or channels outside 1-4.
std::string EncodeIdxImages(const std::vector<std::uint8_t>& pixels, std::int64_t count, int rows, int cols,
                            int channels = 1);
std::string EncodeIdxLabels(const std::vector<int>& labels);

// Images (rows * cols * channels, n) in [0, 1] rounded to bytes, example-major (what IDX and data::ImageDataset hold).
std::vector<std::uint8_t> ToBytes(const nn::MatrixF& images);

struct SampleFiles
{
    std::filesystem::path images, labels, grid; // labels empty for unconditional samples
};

// Writes dir/train-images-idx3-ubyte (grey) or dir/train-images-idx4-ubyte (RGB, RGBA), dir/train-labels-idx1-ubyte
// (when labels are given: one per column) and dir/samples.png (the first 100 in a grid of 10 columns, in colour),
// creating dir. The names are MNIST's, so dir is a data folder
// data::LoadIdxFolder(dir, "train") reads (the window's Data view; idx4 is the lab's extension, most MNIST loaders
// read idx3 only); an earlier export's other image file and stale labels are removed. images are
// (rows * cols * channels, n), channels last. Throws std::invalid_argument for bad sizes or channels other than 1, 3
// and 4, std::runtime_error on file errors.
SampleFiles WriteSampleSet(const std::filesystem::path& dir, const nn::MatrixF& images, const std::vector<int>& labels,
                           int rows, int cols, int channels);

} // namespace ll::io
