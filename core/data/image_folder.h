// A folder of PNG/JPEG/BMP images as an ImageDataset: decoded by DecodeImage, centre-cropped to a square and
// resized to size x size (area average when shrinking, bilinear when enlarging). Pure function, any thread.
#pragma once

#include "core/data/dataset.h"
#include "core/data/image_decode.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ll::data
{

inline constexpr std::size_t kMaxImageFiles = 50000;                     // images in one folder (all classes)
inline constexpr std::uint64_t kMaxDatasetBytes = std::uint64_t{1} << 30; // the resized folder, resident

// Centre-crops image to a square and resizes it to (size, size) into out (size * size * channels bytes).
void CropAndResize(const DecodedImage& image, int size, std::uint8_t* out);

// Loads every image in dir, in sorted file-name order. When dir holds subfolders with images (and no loose
// images), each subfolder is a class: labels follow the sorted subfolder names, which become class_names.
// grayscale: 1 channel (luma), else 3 channels RGB (alpha dropped). Files with other extensions and hidden
// files are skipped. At most kMaxImageFiles images (the message gives the count) and kMaxDatasetBytes once resized;
// every file is read through io::ReadFileBounded and DecodeImage, so a huge, truncated, unreadable or mislabelled
// file is refused with its name. Throws std::invalid_argument for a size outside [1, 1024] and std::runtime_error for a
// missing or empty folder, a mix of loose images and class subfolders, or an image that cannot be decoded
// (naming the file).
ImageDataset LoadImageFolder(const std::string& dir, int size, bool grayscale);

// Resizes one image (h, w, channels; row-major, channels last) to (out_h, out_w): area average per axis when
// shrinking, bilinear (pixel-centre aligned) when enlarging. Exposed for tests and for the UI's thumbnails.
std::vector<std::uint8_t> ResizeImage(const std::uint8_t* pixels, int w, int h, int channels, int out_w, int out_h);

} // namespace ll::data
