// The headless subcommands: `latentlab train`, `latentlab list-presets` and `latentlab eval` (a placeholder until
// checkpoints exist). Each returns the process exit code: 0 on success, non-zero with a message on stderr.
#pragma once

#include "core/io/checkpoint.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace ll::app
{

// Table entry points (argv[0] is the subcommand's name).
int RunTrain(int argc, char** argv);
int RunListPresets(int argc, char** argv);
int RunEval(int argc, char** argv);

// The same with arguments after the subcommand's name and explicit streams, for tests.
int RunTrainArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunListPresetsArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunEvalArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// A model's checkpoint (io::LoadCheckpointFile), refusing with a plain sentence a file that holds a judge's weights
// (which has no generator) instead of a model.
io::CheckpointData LoadModelCheckpoint(const std::string& path);

} // namespace ll::app
