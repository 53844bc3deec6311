// `latentlab bench`: trains the standard models of the performance issue through the same Session as the app and
// `latentlab train`, and prints one BENCH line per model (steps/s, GEMM throughput and share, peak RSS).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ll::app
{

// Table entry point (argv[0] is the subcommand's name).
int RunBench(int argc, char** argv);
// The same with arguments after the subcommand's name and explicit streams, for tests.
int RunBenchArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace ll::app
