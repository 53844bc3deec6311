// The IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed, and the Fashion-MNIST loader.
// Every violation (magic, dimension count, sizes, truncation, count mismatch) throws std::runtime_error naming
// the file and the reason.
#pragma once

#include "core/data/dataset.h"

#include <string>
#include <vector>

namespace ll::data
{

// Reads a whole file (at most 2 GiB, a regular file), inflating it when it is gzip (by its magic bytes, whatever its
// name; at most 2 GiB inflated). Throws on error.
std::vector<std::uint8_t> ReadMaybeGzip(const std::string& path);

// Parses IDX bytes (already inflated): an unsigned-byte tensor of rank 1 (labels), 3 (grey images: count, rows,
// cols) or 4 (images with channels last: count, rows, cols, channels; 1 to 4 channels). Sides at most 16,384.
struct IdxTensor
{
    std::vector<std::int64_t> dims;
    std::vector<std::uint8_t> data;
};
// Sizes are checked against the bytes present before anything is copied.
IdxTensor ParseIdx(const std::vector<std::uint8_t>& bytes, const std::string& name_for_errors);

// Reads and parses one IDX file, plain or gzip (at most 2 GiB on disk or inflated). A .gz is inflated header first
// and then only up to the size its header announces, so a small file claiming or inflating to a huge size is refused
// with the file name and the sizes, and memory grows only with data actually present.
IdxTensor ReadIdxFile(const std::string& path);

// Images from an IDX3 (grey) or IDX4 (channels last) file and labels from an IDX1 file; counts must agree. Labels
// must be < 256; num_classes is max label + 1 and class_names are "0", "1", ...
ImageDataset LoadIdxPair(const std::string& images_path, const std::string& labels_path, const std::string& name);
// The images of an IDX3 or IDX4 file alone, unlabelled (num_classes 0).
ImageDataset LoadIdxImages(const std::string& images_path, const std::string& name);

// Where the Fashion-MNIST files are: --data DIR, else $LATENTLAB_DATA, else /usr/share/datasets/fashion-mnist.
std::string ResolveDataDir(const std::string& cli_dir);

// The ten Fashion-MNIST class names, label order ("T-shirt/top", "Trouser", ..., "Ankle boot").
const std::vector<std::string>& FashionMnistClassNames();

// Loads "train" or "t10k" from any folder of MNIST-format files named as below: numbered classes ("0", "1", ...,
// num_classes = max label + 1), name "<folder>/<split>". The images are <split>-images-idx3-ubyte or, with a channel
// axis, <split>-images-idx4-ubyte; without <split>-labels-idx1-ubyte the set is unlabelled (num_classes 0). Throws
// with the folder and what is missing.
ImageDataset LoadIdxFolder(const std::string& dir, const std::string& split);

// Loads "train" or "t10k" from a folder holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] (the
// "train-images.idx3-ubyte" spelling is accepted too). num_classes is 10 and class names are Fashion-MNIST's
// (T-shirt/top, Trouser, ...). The labels are required here. Throws with the folder and what is missing.
ImageDataset LoadFashionMnist(const std::string& dir, const std::string& split);

} // namespace ll::data
