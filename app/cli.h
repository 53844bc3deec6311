// Command-line dispatch: `latentlab <subcommand> ...` runs a headless tool; anything else opens the window.
// To add a subcommand, write app/cli_<name>.cpp with `int Run<Name>(int argc, char** argv)` (argv[0] is the
// subcommand's name), declare it below and add a row to the table in app/cli.cpp.
#pragma once

#include <span>
#include <string_view>

namespace ll::app
{

struct Subcommand
{
    const char* name;    // "train"
    const char* summary; // one line for --help
    int (*run)(int argc, char** argv);
};

// All subcommands, in the order --help lists them.
std::span<const Subcommand> Subcommands();
// The subcommand called `name`, or nullptr.
const Subcommand* FindSubcommand(std::string_view name);

// The window (app/gui.cpp): parses the GUI options in argv[1..] and runs the ImGui loop; returns the exit code.
int RunGui(int argc, char** argv);

} // namespace ll::app
