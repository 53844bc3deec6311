// Image decoding for the folder reader: PNG and BMP with stb_image (the one translation unit that compiles its
// implementation), JPEG with libjpeg-turbo. Every header is checked against the pixel and size caps before pixels
// are allocated. Pure functions, any thread (stb_image's failure reason is thread-local).
#include "core/data/image_decode.h"

#include <cstdio> // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
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
// Only PNG and BMP: a file that is really a PSD or a GIF is refused instead of reaching decoders nobody asked for.
// JPEG goes to libjpeg-turbo: fuzz_image found three bugs in stb_image 2.27's JPEG decoder (Debian 12's): a Huffman
// table of more than 256 symbols overflowing stbi__huffman, and shifts past 32 bits on corrupt entropy data.
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace ll::data
{

namespace
{

// Two more of stb_image 2.27's PNG habits, found by fuzz_image and refused here first, walking the chunks as stb_image
// does: it copies an empty first IDAT chunk with memcpy(NULL, src, 0) (undefined behaviour), and it grows its buffer
// to an IDAT chunk's declared length before reading it (a 112-byte file declaring 2 GiB allocated 2 GiB).
void CheckPngChunks(std::string_view bytes, const std::string& where)
{
    const auto be32 = [&](std::size_t at)
    {
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

// libjpeg reports errors through a callback that must not return: it jumps back to DecodeJpeg's setjmp, which
// then throws. Warnings (a truncated file, corrupt data libjpeg would paper over with grey) are errors here too.
struct JpegError
{
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void OnJpegError(j_common_ptr cinfo)
{
    auto* error = reinterpret_cast<JpegError*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, error->message);
    std::longjmp(error->jump, 1);
}

void OnJpegMessage(j_common_ptr cinfo, int level)
{
    if (level < 0) // a warning
    {
        OnJpegError(cinfo);
    }
}

// Decodes into out (resized here). No C++ object is created between setjmp and a possible longjmp, so the jump
// skips no destructor; out and the checks live in the caller.
bool DecodeJpegInto(const unsigned char* data, unsigned long size, int channels, std::uint64_t max_pixels,
                    DecodedImage& out, JpegError& error, std::uint64_t& claimed_w, std::uint64_t& claimed_h)
{
    jpeg_decompress_struct cinfo{};
    cinfo.err = jpeg_std_error(&error.mgr);
    error.mgr.error_exit = OnJpegError;
    error.mgr.emit_message = OnJpegMessage;
    error.message[0] = '\0';
    if (setjmp(error.jump) != 0)
    {
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    claimed_w = cinfo.image_width;
    claimed_h = cinfo.image_height;
    if (claimed_w < 1 || claimed_h < 1 || claimed_w * claimed_h > max_pixels || claimed_w * claimed_h / 1024 > size)
    {
        jpeg_destroy_decompress(&cinfo);
        return true; // the caller refuses it by its claimed size (out stays empty)
    }
    cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    if (static_cast<int>(cinfo.output_components) != channels)
    {
        std::snprintf(error.message, sizeof error.message, "%d components decoded, %d asked for",
                      static_cast<int>(cinfo.output_components), channels);
        jpeg_destroy_decompress(&cinfo);
        return false;
    }
    out.width = static_cast<int>(cinfo.output_width);
    out.height = static_cast<int>(cinfo.output_height);
    out.channels = channels;
    out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * channels);
    while (cinfo.output_scanline < cinfo.output_height)
    {
        JSAMPROW row = out.pixels.data() + static_cast<std::size_t>(cinfo.output_scanline) * out.width * channels;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return true;
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
    const auto check_pixels = [&](std::uint64_t width, std::uint64_t height)
    {
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
        const auto be32 = [&](std::size_t at)
        {
            return (std::uint64_t{data[at]} << 24) | (std::uint64_t{data[at + 1]} << 16) |
                   (std::uint64_t{data[at + 2]} << 8) | std::uint64_t{data[at + 3]};
        };
        check_pixels(be32(16), be32(20));
        CheckPngChunks(bytes, where);
    }
    // JPEG (SOI: FF D8, as libjpeg requires it at the start) goes to libjpeg-turbo.
    if (bytes.size() >= 2 && data[0] == 0xFF && data[1] == 0xD8)
    {
        DecodedImage out;
        JpegError error{};
        std::uint64_t claimed_w = 0, claimed_h = 0;
        const bool ok = DecodeJpegInto(data, static_cast<unsigned long>(bytes.size()), channels, kMaxImagePixels, out,
                                       error, claimed_w, claimed_h);
        if (!ok)
        {
            throw std::runtime_error(where + "cannot decode: corrupt or truncated JPEG (" + error.message + ")");
        }
        if (out.pixels.empty())
        {
            check_pixels(claimed_w, claimed_h);
            throw std::runtime_error(where + "truncated: " + std::to_string(bytes.size()) + " bytes cannot hold the " +
                                     std::to_string(claimed_w) + " x " + std::to_string(claimed_h) +
                                     " pixels its header claims");
        }
        return out;
    }
    // Then stb_image's own header reading (PNG, BMP): the size is checked before it allocates the pixels.
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

} // namespace ll::data
