// libFuzzer target: the strict config parser (JSON with comments, key paths, Validate). Exceptions are refusals.
#include "core/io/config_json.h"

#include <cstdint>
#include <exception>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try
    {
        const auto config = ll::io::ParseConfig(text, "fuzz.json");
        (void)ll::io::ConfigToJson(config); // what parsed must print
    }
    catch (const std::exception&)
    {
    }
    return 0;
}
