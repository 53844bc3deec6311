// Caps on the config's free-text fields (see config_limits.h).
#include "core/io/config_limits.h"

#include <stdexcept>
#include <string>

namespace ll::io
{

namespace
{

void CheckLength(const char* key, const std::string& value, std::size_t cap)
{
    if (value.size() > cap)
    {
        throw std::invalid_argument(std::string(key) + ": " + std::to_string(value.size()) + " bytes, at most " +
                                    std::to_string(cap) + " allowed");
    }
}

} // namespace

void CheckConfigStrings(const models::ExperimentConfig& config)
{
    CheckLength("name", config.name, kMaxConfigNameBytes);
    for (const char c : config.name)
    {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
        {
            throw std::invalid_argument("name: holds a control character (code " +
                                        std::to_string(static_cast<unsigned char>(c)) +
                                        "); use letters, digits, "
                                        "'-' and '_'");
        }
    }
    CheckLength("description", config.description, kMaxConfigDescriptionBytes);
    CheckLength("data.dir", config.data.dir, kMaxConfigDirBytes);
}

} // namespace ll::io
