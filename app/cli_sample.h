// `latentlab sample`: draws samples from a checkpoint's generator and writes them as IDX files and a PNG grid
// (core/io/sample_export.h), a synthetic data set any MNIST loader reads.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ll::app
{

int RunSample(int argc, char** argv);
// Arguments after "sample", explicit streams, for tests.
int RunSampleArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace ll::app
