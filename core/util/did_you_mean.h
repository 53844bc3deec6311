// "Did you mean": the known name most like a misspelt one, for the messages of the config reader (unknown keys)
// and of the enum tables (unknown values).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ll::util
{

// Levenshtein distance (insertions, deletions, substitutions).
std::size_t EditDistance(const std::string& a, const std::string& b);

// The known name most like `unknown`, or "" when none is close: first by typo distance, then by every token of a
// known name matching a token of the unknown one ("optimiser_g" -> "g_opt"; tokens split at '_', '-', '.', ' ').
std::string Suggest(const std::string& unknown, const std::vector<std::string>& known);

} // namespace ll::util
