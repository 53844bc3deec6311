// libFuzzer target: the IDX parser on raw bytes, and the gzip path of ReadMaybeGzip (through an in-memory file).
// Any exception is a refusal (fine); a crash, hang or sanitizer report is a bug.
#include "core/data/idx.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <exception>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::vector<std::uint8_t> bytes(data, data + size);
    try
    {
        ll::data::ParseIdx(bytes, "fuzz.idx");
    }
    catch (const std::exception&)
    {
    }
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
        // ReadMaybeGzip takes a path: hand it an anonymous memory file.
        const int fd = ::memfd_create("fuzz_idx", MFD_CLOEXEC);
        if (fd >= 0)
        {
            if (::write(fd, data, size) == static_cast<ssize_t>(size))
            {
                try
                {
                    const auto inflated = ll::data::ReadMaybeGzip("/proc/self/fd/" + std::to_string(fd));
                    ll::data::ParseIdx(inflated, "fuzz.idx.gz");
                }
                catch (const std::exception&)
                {
                }
            }
            ::close(fd);
        }
    }
    return 0;
}
