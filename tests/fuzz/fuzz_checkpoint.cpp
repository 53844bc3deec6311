// libFuzzer target: the checkpoint decoder on raw bytes, and again with the CRC32 trailer recomputed so that
// mutations of the header and the tensor table get past the checksum. Exceptions are refusals (fine).
#include "core/io/checkpoint.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string bytes(reinterpret_cast<const char*>(data), size);
    try
    {
        ll::io::DecodeCheckpoint(bytes, "fuzz.ckpt");
    }
    catch (const std::exception&)
    {
    }
    if (size >= 4)
    {
        const auto crc = static_cast<std::uint32_t>(
            crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(size - 4)));
        std::memcpy(bytes.data() + size - 4, &crc, 4);
        try
        {
            const ll::io::CheckpointData d = ll::io::DecodeCheckpoint(bytes, "fuzz.ckpt");
            for (const auto& t : d.tensors) // the typed views must agree with the table
            {
                if (t.type == ll::io::TensorType::F32)
                {
                    ll::nn::MatrixF m;
                    t.ToMatrix(m);
                }
                else if (t.type == ll::io::TensorType::F64)
                {
                    (void)t.ToDoubles();
                }
                else
                {
                    (void)t.ToInts();
                }
            }
        }
        catch (const std::exception&)
        {
        }
    }
    return 0;
}
