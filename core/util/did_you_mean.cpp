// "Did you mean" (see did_you_mean.h).
#include "core/util/did_you_mean.h"

#include <algorithm>
#include <cctype>

namespace ll::util
{

namespace
{

std::vector<std::string> Tokens(const std::string& key)
{
    std::vector<std::string> tokens;
    std::string current;
    for (char ch : key)
    {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (c == '_' || c == '-' || c == '.' || c == ' ')
        {
            if (!current.empty())
            {
                tokens.push_back(current);
            }
            current.clear();
        }
        else
        {
            current += c;
        }
    }
    if (!current.empty())
    {
        tokens.push_back(current);
    }
    return tokens;
}

// Tokens match when equal, when one abbreviates the other ("opt" / "optimiser"), or when spelled alike
// ("optimizer" / "optimiser").
bool TokensMatch(const std::string& a, const std::string& b)
{
    if (a == b)
    {
        return true;
    }
    const std::string& shorter = a.size() < b.size() ? a : b;
    const std::string& longer = a.size() < b.size() ? b : a;
    if (shorter.size() >= 2 && longer.compare(0, shorter.size(), shorter) == 0)
    {
        return true;
    }
    return shorter.size() >= 4 && EditDistance(a, b) <= 2;
}

} // namespace

std::size_t EditDistance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
    {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i)
    {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
        {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string Suggest(const std::string& unknown, const std::vector<std::string>& known)
{
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, unknown.size() / 3) + 1;
    for (const std::string& k : known)
    {
        const std::size_t d = EditDistance(unknown, k);
        if (d < best_distance)
        {
            best_distance = d;
            best = k;
        }
    }
    if (!best.empty())
    {
        return best;
    }
    const std::vector<std::string> unknown_tokens = Tokens(unknown);
    for (const std::string& k : known)
    {
        const std::vector<std::string> known_tokens = Tokens(k);
        const bool all = std::all_of(known_tokens.begin(), known_tokens.end(),
                                     [&](const std::string& kt)
                                     {
                                         return std::any_of(unknown_tokens.begin(), unknown_tokens.end(),
                                                            [&](const std::string& ut) { return TokensMatch(kt, ut); });
                                     });
        if (all && !known_tokens.empty() && known_tokens.size() == unknown_tokens.size())
        {
            return k;
        }
    }
    return "";
}

} // namespace ll::util
