// Generated samples as a data set others can read: IDX files (MNIST's format, so the lab's own reader and any MNIST
// loader take them) and a PNG grid. Free functions, reentrant.
#pragma once

#include "core/nn/tensor.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ll::io
{

// IDX bytes: unsigned-byte images (magic 0x00000803, dims count, rows, cols, then count * rows * cols bytes) and
// labels (0x00000801, count, then count bytes). Throws std::invalid_argument on a size mismatch.
std::string EncodeIdxImages(const std::vector<std::uint8_t>& pixels, std::int64_t count, int rows, int cols);
std::string EncodeIdxLabels(const std::vector<int>& labels);

// Images (rows * cols, n) in [0, 1] rounded to bytes, example-major (what IDX and data::ImageDataset hold).
std::vector<std::uint8_t> ToBytes(const nn::MatrixF& images);

struct SampleFiles
{
    std::filesystem::path images, labels, grid; // labels empty for unconditional samples
};

// Writes dir/train-images-idx3-ubyte, dir/train-labels-idx1-ubyte (when labels are given: one per column) and
// dir/samples.png (the first 100 in a grid of 10 columns), creating dir. The names are MNIST's, so dir is a data
// folder `latentlab --data dir` and data::LoadIdxFolder(dir, "train") read. Grey images only (channels 1): IDX3
// has no channel axis. Throws std::invalid_argument for other channels or sizes, std::runtime_error on file errors.
SampleFiles WriteSampleSet(const std::filesystem::path& dir, const nn::MatrixF& images, const std::vector<int>& labels,
                           int rows, int cols, int channels);

} // namespace ll::io
