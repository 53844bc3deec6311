// libFuzzer target: the run folders' metrics CSV reader (core/io/run_folder.h). Exceptions are refusals.
#include "core/io/run_folder.h"

#include <cstdint>
#include <exception>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try
    {
        const auto table = ll::io::ParseMetricsCsv(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
        (void)table.LastValues();
    }
    catch (const std::exception&)
    {
    }
    return 0;
}
