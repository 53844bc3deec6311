// Code / label agreement: purity and the best one-to-one matching (see code_agreement.h).
#include "core/eval/code_agreement.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ll::eval
{

namespace
{

constexpr int kMaxMatchSide = 16;

// The largest total of counts[a][b] over one-to-one assignments of rows to columns (rows <= columns <= 2^16
// states): best[mask] = the best total using the columns in mask for the first popcount(mask) rows.
double BestAssignment(const std::vector<std::vector<double>>& counts, int rows, int cols)
{
    const std::size_t states = std::size_t{1} << cols;
    std::vector<double> best(states, -1.0);
    best[0] = 0.0;
    double answer = 0.0;
    for (std::size_t mask = 0; mask < states; ++mask)
    {
        if (best[mask] < 0.0)
        {
            continue;
        }
        const int row = static_cast<int>(__builtin_popcountll(mask));
        if (row == rows)
        {
            answer = std::max(answer, best[mask]);
            continue;
        }
        for (int c = 0; c < cols; ++c)
        {
            if ((mask & (std::size_t{1} << c)) == 0)
            {
                const std::size_t next = mask | (std::size_t{1} << c);
                best[next] = std::max(best[next], best[mask] + counts[row][c]);
            }
        }
    }
    return answer;
}

} // namespace

CodeAgreement MeasureCodeAgreement(const std::vector<int>& codes, int k, const std::vector<int>& labels,
                                   int classes)
{
    if (codes.size() != labels.size() || k < 1 || classes < 1)
    {
        throw std::invalid_argument("code agreement: " + std::to_string(codes.size()) + " codes and " +
                                    std::to_string(labels.size()) + " labels, k = " + std::to_string(k) +
                                    ", classes = " + std::to_string(classes) + " (need equal counts, k, classes >= 1)");
    }
    if (std::min(k, classes) > kMaxMatchSide)
    {
        throw std::invalid_argument("code agreement: the matching takes at most " + std::to_string(kMaxMatchSide) +
                                    " code values or labels on one side, got " + std::to_string(k) + " and " +
                                    std::to_string(classes));
    }
    std::vector<std::vector<double>> counts(static_cast<std::size_t>(k), std::vector<double>(classes, 0.0));
    for (std::size_t j = 0; j < codes.size(); ++j)
    {
        if (codes[j] < 0 || codes[j] >= k || labels[j] < -1 || labels[j] >= classes)
        {
            throw std::invalid_argument("code agreement: sample " + std::to_string(j) + " has code " +
                                        std::to_string(codes[j]) + " and label " + std::to_string(labels[j]));
        }
        if (labels[j] >= 0)
        {
            counts[codes[j]][labels[j]] += 1.0;
        }
    }
    CodeAgreement out;
    if (codes.empty())
    {
        return out;
    }
    const double n = static_cast<double>(codes.size());
    std::vector<bool> majority(static_cast<std::size_t>(classes), false);
    double on_majority = 0;
    for (int a = 0; a < k; ++a)
    {
        const auto top = std::max_element(counts[a].begin(), counts[a].end());
        if (*top > 0.0)
        {
            on_majority += *top;
            majority[static_cast<std::size_t>(top - counts[a].begin())] = true;
        }
    }
    out.purity = on_majority / n;
    out.distinct = static_cast<int>(std::count(majority.begin(), majority.end(), true));
    if (k <= classes)
    {
        out.match = BestAssignment(counts, k, classes) / n;
    }
    else
    {
        std::vector<std::vector<double>> transposed(static_cast<std::size_t>(classes), std::vector<double>(k, 0.0));
        for (int a = 0; a < k; ++a)
        {
            for (int b = 0; b < classes; ++b)
            {
                transposed[b][a] = counts[a][b];
            }
        }
        out.match = BestAssignment(transposed, classes, k) / n;
    }
    return out;
}

std::vector<int> NearestModes(const nn::MatrixF& samples, const std::vector<data::Mode>& modes)
{
    if (samples.rows() != 2 || modes.empty())
    {
        throw std::invalid_argument("NearestModes: samples must be (2, n) and there must be modes, got (" +
                                    std::to_string(samples.rows()) + ", n) and " + std::to_string(modes.size()) +
                                    " modes");
    }
    std::vector<int> out(static_cast<std::size_t>(samples.cols()), -1);
    for (nn::Index j = 0; j < samples.cols(); ++j)
    {
        const float x = samples(0, j);
        const float y = samples(1, j);
        if (!std::isfinite(x) || !std::isfinite(y))
        {
            continue;
        }
        float best = std::numeric_limits<float>::infinity();
        for (std::size_t m = 0; m < modes.size(); ++m)
        {
            const float dx = x - modes[m].x;
            const float dy = y - modes[m].y;
            const float d2 = dx * dx + dy * dy;
            if (d2 < best)
            {
                best = d2;
                out[static_cast<std::size_t>(j)] = static_cast<int>(m);
            }
        }
    }
    return out;
}

} // namespace ll::eval
