// Decoding one image file for the folder reader: PNG and BMP (stb_image), JPEG (libjpeg-turbo), with every header
// checked against the caps below before pixels are allocated. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ll::data
{

inline constexpr std::uint64_t kMaxImagePixels = 4096 * 4096;                // one image, from its header
inline constexpr std::uint64_t kMaxImageFileBytes = std::uint64_t{64} << 20; // one image file

// One decoded image: (height, width, channels) bytes, row-major, channels last.
struct DecodedImage
{
    int width = 0, height = 0, channels = 0;
    std::vector<std::uint8_t> pixels;
};

// Decodes a PNG, JPEG or BMP held in bytes to 1 (luma) or 3 (RGB) channels. The header is read first: an image of
// more than kMaxImagePixels, or claiming more pixels than its bytes can hold, is refused before its pixels are
// allocated; so are the malformed PNG chunks stb_image 2.27 mishandles. A truncated or corrupt JPEG is refused (not
// filled with grey). Throws std::runtime_error "image '<name>': <reason>" for anything that is not a whole image of
// those formats.
DecodedImage DecodeImage(std::string_view bytes, int channels, const std::string& name);

} // namespace ll::data
