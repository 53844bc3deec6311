// `latentlab export`: one network of a checkpoint written for other tools (safetensors with PyTorch's nn.Sequential
// names and layouts; see README.md "Exporting models"). Returns the process exit code.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ll::app
{

int RunExport(int argc, char** argv); // table entry point (argv[0] is the subcommand's name)
// The same with the arguments after the subcommand's name and explicit streams, for tests.
int RunExportArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace ll::app
