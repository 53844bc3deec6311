// libFuzzer target: the safetensors reader on raw bytes; a file it accepts must encode again to a file that decodes
// to the same tensors (the writer and the reader agree). Exceptions are refusals (fine).
#include "core/io/safetensors.h"

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    ll::io::SafetensorsFile file;
    try
    {
        file = ll::io::DecodeSafetensors(bytes, "fuzz.safetensors");
    }
    catch (const std::exception&)
    {
        return 0;
    }
    for (const auto& t : file.tensors)
    {
        if (t.dtype == ll::io::SafeDtype::F32)
        {
            (void)t.ToFloats();
        }
    }
    // Names nlohmann accepted as keys are unique and never "__metadata__": the writer takes them all back.
    const ll::io::SafetensorsFile again = ll::io::DecodeSafetensors(ll::io::EncodeSafetensors(file), "again");
    if (again.tensors.size() != file.tensors.size())
    {
        std::abort();
    }
    for (std::size_t i = 0; i < file.tensors.size(); ++i)
    {
        if (again.tensors[i].name != file.tensors[i].name || again.tensors[i].bytes != file.tensors[i].bytes ||
            again.tensors[i].shape != file.tensors[i].shape)
        {
            std::abort();
        }
    }
    return 0;
}
