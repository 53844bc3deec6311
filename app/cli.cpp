// The subcommand table (see cli.h for how to add one).
#include "app/cli.h"

#include <array>

namespace ll::app
{

namespace
{

// Future rows: {"train", "train a model headless, writing CSV/PNG/checkpoints", &RunTrain},
//              {"bench", "time training steps", &RunBench}, {"list-presets", ...}, {"eval", ...}.
const std::array<Subcommand, 0> kSubcommands{};

} // namespace

std::span<const Subcommand> Subcommands() { return kSubcommands; }

const Subcommand* FindSubcommand(std::string_view name)
{
    for (const Subcommand& sub : kSubcommands)
    {
        if (name == sub.name)
        {
            return &sub;
        }
    }
    return nullptr;
}

} // namespace ll::app
