// libFuzzer target: a run's curves.lod (ll::io::DecodeCurves, core/io/run_curves.h), read when the Runs view or
// `latentlab runs` opens a finished run. A refusal is `false`; a file it accepts must encode back to the same bytes.
#include "core/io/run_curves.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    ll::io::CurvesCache cache;
    if (ll::io::DecodeCurves(bytes, cache))
    {
        const std::string again = ll::io::EncodeCurves(cache);
        if (again.size() != size || again != bytes)
        {
            std::abort(); // accepted but not what EncodeCurves writes: the reader and writer disagree
        }
    }
    return 0;
}
