// `latentlab runs list | diff` (run folders read back) and `latentlab sweep` (a grid of configs trained into run
// folders here, or written out as a Slurm job array). Each returns the process exit code.
#pragma once

#include <cstdint>
#include <filesystem>
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

// cli_runs_bench.cpp: `latentlab runs synth DIR` (count synthetic runs of `points` steps, written by the run
// recorder) and `latentlab runs time-open DIR` (read as the window's listing reads them, timed).
int RunsSynthCommand(const std::filesystem::path& dir, int count, std::int64_t points, std::ostream& out);
int RunsTimeOpenCommand(const std::filesystem::path& dir, int threads, std::ostream& out);

} // namespace ll::app
