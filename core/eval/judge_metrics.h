// The image metrics, computed in the judge's feature space (judge.h): Frechet distance (Heusel et al. 2017, in
// double), k-NN precision and recall (Kynkaanniemi et al. 2019), the class histogram of the judge's verdicts and its
// accuracy on labelled samples. Pure functions of their inputs: the order of the samples changes nothing but the
// last bits of the sums.
#pragma once

#include "core/nn/tensor.h"

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace ll::eval
{

// Mean (d) and covariance (d, d, divided by n - 1) of features (d, n), in double.
struct FeatureStats
{
    Eigen::VectorXd mean;
    Eigen::MatrixXd cov;
    nn::Index n = 0;
};
// Throws std::invalid_argument for fewer than two columns.
FeatureStats ComputeStats(const nn::MatrixF& features);

// The square root of a symmetric positive semi-definite matrix through its eigendecomposition; eigenvalues below 0
// (rounding, near-singular covariances) count as 0.
Eigen::MatrixXd SymmetricSqrt(const Eigen::MatrixXd& m);

// |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)), with tr (S_a S_b)^(1/2) = tr (S_a^(1/2) S_b S_a^(1/2))^(1/2),
// a symmetric matrix, so both roots are symmetric eigendecompositions. Never below 0.
double FrechetDistance(const FeatureStats& a, const FeatureStats& b);

struct PrecisionRecall
{
    double precision = 0; // share of fakes inside some real's k-NN ball
    double recall = 0;    // share of reals inside some fake's k-NN ball
};
// One side of the k-NN comparison: its examples in double, their squared norms and each one's ball (the squared
// distance to its k-th nearest neighbour in the same set, itself excluded). The real side of an evaluation is the
// same set every time, so ImageJudgeEvaluator makes it once.
struct KnnSet
{
    Eigen::MatrixXd x;      // (d, n)
    Eigen::VectorXd norms;  // (n) squared norms
    Eigen::VectorXd radii;  // (n) squared ball radii
    int k = 0;
};
// features (d, n) with more than k columns (std::invalid_argument otherwise). The distances are computed in blocks of
// columns on the calling thread's pool (core/nn/parallel.h); each ball is found by one block, so the result does not
// depend on the thread count.
KnnSet MakeKnnSet(const nn::MatrixF& features, int k);

// real (d, n), fake (d, m), both with more than k columns. A ball is centred on an example with the distance to its
// k-th nearest neighbour in its own set (itself excluded) as radius; a point on the sphere is inside. Both shares come
// from one pass over the fake-to-real distances.
PrecisionRecall KnnPrecisionRecall(const KnnSet& real, const KnnSet& fake);
PrecisionRecall KnnPrecisionRecall(const nn::MatrixF& real, const nn::MatrixF& fake, int k = 3);

struct ClassHistogram
{
    std::vector<std::int64_t> counts; // samples per class the judge sees most probable
    int covered = 0;                  // classes with at least min_share of the samples
    double kl_bits = 0;               // KL(histogram || uniform) in bits: 0 when even, log2(classes) for one class
    double confidence = 0;            // mean of the judge's top probability
};
// probs (classes, n) from Judge::Classify.
ClassHistogram MeasureClasses(const nn::MatrixF& probs, double min_share = 0.02);

// Share of columns whose most probable class is labels[j]; labels.size() must be probs.cols().
double LabelAccuracy(const nn::MatrixF& probs, const std::vector<int>& labels);

} // namespace ll::eval
