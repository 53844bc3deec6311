// `latentlab judge train | test`: makes and checks the image judge's weights (core/eval/judge_train.h). Each returns
// the process exit code: 0 on success, non-zero with a message on stderr.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace ll::app
{

int RunJudge(int argc, char** argv);
// Arguments after "judge", explicit streams, for tests.
int RunJudgeArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace ll::app
