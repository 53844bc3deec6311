// `latentlab runs list | diff` (run folders read back) and `latentlab sweep` (a grid of configs trained into run
// folders here, or written out as a Slurm job array). Each returns the process exit code.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ll::app
{

int RunRuns(int argc, char** argv);
int RunSweep(int argc, char** argv);

// The same with arguments after the subcommand's name and explicit streams, for tests.
int RunRunsArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunSweepArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace ll::app
