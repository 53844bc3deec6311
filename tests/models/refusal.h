// Test helper shared by the config and hyperparameter suites: what Validate says about a configuration.
#pragma once

#include "core/models/config.h"

#include <stdexcept>
#include <string>

namespace ll::test
{

// The message Validate throws (std::invalid_argument), or "" when it accepts the configuration.
inline std::string Refusal(const models::ExperimentConfig& config)
{
    try
    {
        models::Validate(config);
    }
    catch (const std::invalid_argument& e)
    {
        return e.what();
    }
    return "";
}

} // namespace ll::test
