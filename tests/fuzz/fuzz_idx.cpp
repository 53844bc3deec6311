// libFuzzer target: the IDX parser on raw bytes, and ReadIdxFile (the loader's reader: plain, or gzip inflated header
// first and then only to the announced size) through an in-memory file. ReadMaybeGzip is left out: it inflates up
// to its 2 GiB cap by design (no header to bound it), which a 1 MB input can reach.
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
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) // plain bytes take the ParseIdx path above
    {
        // ReadIdxFile takes a path: hand it an anonymous memory file.
        const int fd = ::memfd_create("fuzz_idx", MFD_CLOEXEC);
        if (fd >= 0)
        {
            if (::write(fd, data, size) == static_cast<ssize_t>(size))
            {
                const std::string path = "/proc/self/fd/" + std::to_string(fd);
                try
                {
                    (void)ll::data::ReadIdxFile(path);
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
