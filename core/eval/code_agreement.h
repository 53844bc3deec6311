// How well an InfoGAN's categorical code agrees with a labelling of its samples (the nearest mode of a 2-D toy, the
// class the image judge reads): purity (each code value's share of samples on its majority label) and the best
// one-to-one matching of code values to labels (the accuracy of the best assignment, as clustering is scored).
// Pure functions: safe from any thread.
#pragma once

#include "core/data/toy2d.h"
#include "core/nn/tensor.h"

#include <vector>

namespace ll::eval
{

struct CodeAgreement
{
    double purity = 0; // sum over code values of the count on its majority label / all samples, in [0, 1]
    double match = 0;  // the best one-to-one assignment of code values to labels: share of samples it gets right
    int distinct = 0;  // how many different labels are some code value's majority label
};

// codes[j] in [0, k), labels[j] in [0, classes) or -1 (the sample has no label; it counts against both scores).
// The matching is exact (dynamic programming over subsets of the smaller side, which must have at most 16 values).
// Throws std::invalid_argument on different lengths, values out of range or both sides above 16.
CodeAgreement MeasureCodeAgreement(const std::vector<int>& codes, int k, const std::vector<int>& labels,
                                   int classes);

// The nearest mode of every column of samples (2, n); -1 for a non-finite sample.
std::vector<int> NearestModes(const nn::MatrixF& samples, const std::vector<data::Mode>& modes);

} // namespace ll::eval
