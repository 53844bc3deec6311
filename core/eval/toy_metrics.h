// Sample-quality metrics for 2-D data (and MMD in any dimension): mode coverage, high-quality fraction and the
// reverse KL of the mode histogram (PacGAN / VEEGAN protocol), the 30x30-grid KL and JS divergences GAN Lab shows, and a Gaussian-kernel MMD.
// Pure functions of their inputs: safe to call from any thread on data it owns.
#pragma once

#include "core/data/toy2d.h"
#include "core/nn/tensor.h"

#include <vector>

namespace ll::eval
{

// Mode coverage of generated 2-D samples against the data's modes.
struct ModeCoverage
{
    int modes_covered = 0;        // modes with at least min_samples samples within radius_sds * sd
    int modes_total = 0;          // number of modes of the data
    double high_quality = 0.0;    // fraction of samples within radius_sds * sd of their nearest mode, in [0, 1]
    std::vector<int> mode_counts; // per mode: high-quality samples whose nearest mode it is (modes_total entries)
    // PacGAN's reverse KL, in nats: KL(q || uniform) = sum_k q_k ln(K q_k), q the histogram of mode_counts
    // normalised, K = modes_total. 0 when the high-quality samples spread evenly, ln K when they sit on one mode
    // (and when no sample is high quality: nothing covered counts as the worst case).
    double reverse_kl = 0.0;
};

// KL(q || uniform) in nats of a histogram of counts over K bins (see ModeCoverage::reverse_kl). Throws
// std::invalid_argument for no bins or a negative count.
double ReverseKlToUniform(const std::vector<int>& counts);

// samples (2, N); modes and sd as in data::ToySampler (sd > 0). A sample counts for the mode nearest to it, and
// only when it lies within radius_sds * sd of that mode (3 sd in PacGAN). Non-finite samples count as low
// quality. N = 0 gives zero coverage and high_quality 0. Throws std::invalid_argument on bad shapes or sd <= 0.
ModeCoverage MeasureModeCoverage(const nn::MatrixF& samples, const std::vector<data::Mode>& modes, float sd,
                                 float radius_sds = 3.0f, int min_samples = 1);

// Convenience for a toy with modes (ring8, grid25, custom); throws if the sampler has none.
ModeCoverage MeasureModeCoverage(const nn::MatrixF& samples, const data::ToySampler& toy);

// Divergences between the histograms of two 2-D point sets, in bits.
struct GridDivergence
{
    double kl_bits = 0.0; // KL(real || generated), >= 0, unbounded above (about 13 bits at most with 1e-4)
    double js_bits = 0.0; // Jensen-Shannon divergence, in [0, 1]; 0.916 for fully disjoint sets at 30x30 / 1e-4
};

// Histograms real (2, N) and generated (2, M) on a bins x bins grid over [-extent, extent]^2 (points outside are
// clamped into the border bins, so mass sent far away still counts against the generator; non-finite points
// are dropped), turns counts into probabilities, adds `smoothing` to every bin and renormalises, then takes
// KL(real || generated) and JS in log base 2. O(N + M + bins^2). As GAN Lab shows it: bins 30, smoothing 1e-4.
GridDivergence MeasureGridDivergence(const nn::MatrixF& real, const nn::MatrixF& generated, float extent,
                                     int bins = 30, double smoothing = 1e-4);

enum class MmdEstimator
{
    Unbiased, // U-statistic: mean over i != j within each set; ~0 in expectation for equal distributions, can be < 0
    Biased,   // V-statistic: includes the diagonal; >= 0, exactly 0 for identical sets, biased upwards by ~2/N
};

struct MmdOptions
{
    double bandwidth = 1.0;       // sigma of k(x, y) = exp(-|x - y|^2 / (2 sigma^2)), > 0
    MmdEstimator estimator = MmdEstimator::Unbiased;
    int max_points = 500;         // each set is subsampled to at most this many columns (evenly strided, no RNG)
};

// Squared maximum mean discrepancy MMD^2 between x (D, N) and y (D, M) with a Gaussian kernel, accumulated in
// double. Cost O(max_points^2 * D). Needs N, M >= 2 (unbiased) or >= 1 (biased); throws std::invalid_argument
// on mismatched feature counts, too few points or bandwidth <= 0.
double Mmd2(const nn::MatrixF& x, const nn::MatrixF& y, const MmdOptions& options = {});

} // namespace ll::eval
