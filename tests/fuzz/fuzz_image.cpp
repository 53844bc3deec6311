// libFuzzer target: one image file as the folder reader sees it (DecodeImage: stbi_info, the pixel cap, stb_image's
// PNG / JPEG / BMP decoders) and the centre-crop + resize that follows. Exceptions are refusals (fine).
#include "core/data/image_folder.h"

#include <cstdint>
#include <exception>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const int channels = size % 2 == 0 ? 3 : 1; // both conversions, without running every input twice
    try
    {
        const ll::data::DecodedImage image = ll::data::DecodeImage(bytes, channels, "fuzz.png");
        std::vector<std::uint8_t> out(static_cast<std::size_t>(8 * 8 * channels));
        ll::data::CropAndResize(image, 8, out.data());
    }
    catch (const std::exception&)
    {
    }
    return 0;
}
