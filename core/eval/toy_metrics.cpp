// Mode coverage, grid KL/JS and Gaussian-kernel MMD for generated samples (see toy_metrics.h).
#include "core/eval/toy_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace ll::eval
{

namespace
{

void RequireTwoRows(const nn::MatrixF& points, const char* what)
{
    if (points.rows() != 2)
    {
        throw std::invalid_argument(std::string(what) + ": expected 2-D points (2, N), got " +
                                    std::to_string(points.rows()) + " rows");
    }
}

// Bin index of coordinate v on [-extent, extent] split into bins cells; outside values clamp to the border.
int BinOf(float v, float extent, int bins)
{
    const double t = (static_cast<double>(v) + extent) / (2.0 * extent); // 0 .. 1 inside the square
    const int b = static_cast<int>(std::floor(t * bins));
    return std::clamp(b, 0, bins - 1);
}

// Probabilities of the points over the grid, smoothed: (count / n + smoothing) / sum.
std::vector<double> SmoothedHistogram(const nn::MatrixF& points, float extent, int bins, double smoothing)
{
    std::vector<double> hist(static_cast<std::size_t>(bins) * bins, 0.0);
    double n = 0.0;
    for (Eigen::Index i = 0; i < points.cols(); ++i)
    {
        const float x = points(0, i), y = points(1, i);
        if (!std::isfinite(x) || !std::isfinite(y))
        {
            continue;
        }
        hist[static_cast<std::size_t>(BinOf(y, extent, bins)) * bins + BinOf(x, extent, bins)] += 1.0;
        n += 1.0;
    }
    double total = 0.0;
    for (double& h : hist)
    {
        h = (n > 0.0 ? h / n : 0.0) + smoothing;
        total += h;
    }
    for (double& h : hist)
    {
        h /= total;
    }
    return hist;
}

double KlBits(const std::vector<double>& p, const std::vector<double>& q)
{
    double kl = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i)
    {
        if (p[i] > 0.0)
        {
            kl += p[i] * std::log2(p[i] / q[i]);
        }
    }
    return std::max(kl, 0.0); // rounding can leave -1e-17 for identical histograms
}

// At most max_points evenly strided columns of m, as doubles.
Eigen::MatrixXd Subsample(const nn::MatrixF& m, int max_points)
{
    const Eigen::Index n = m.cols();
    if (n <= max_points)
    {
        return m.cast<double>();
    }
    Eigen::MatrixXd out(m.rows(), max_points);
    for (Eigen::Index j = 0; j < max_points; ++j)
    {
        out.col(j) = m.col(j * n / max_points).cast<double>();
    }
    return out;
}

// Kernel matrix K(i, j) = exp(-|a_i - b_j|^2 / (2 sigma^2)) for columns of a and b.
Eigen::MatrixXd GaussianGram(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double sigma)
{
    const Eigen::VectorXd a2 = a.colwise().squaredNorm().transpose(); // (Na)
    const Eigen::VectorXd b2 = b.colwise().squaredNorm().transpose(); // (Nb)
    Eigen::MatrixXd d2 = -2.0 * (a.transpose() * b);                  // (Na, Nb)
    d2.colwise() += a2;
    d2.rowwise() += b2.transpose();
    const double scale = -1.0 / (2.0 * sigma * sigma);
    return (d2.cwiseMax(0.0) * scale).array().exp().matrix();
}

} // namespace

ModeCoverage MeasureModeCoverage(const nn::MatrixF& samples, const std::vector<data::Mode>& modes, float sd,
                                 float radius_sds, int min_samples)
{
    RequireTwoRows(samples, "mode coverage");
    if (modes.empty())
    {
        throw std::invalid_argument("mode coverage: the data has no modes");
    }
    if (!(sd > 0.0f) || !(radius_sds > 0.0f))
    {
        throw std::invalid_argument("mode coverage: sd and radius must be > 0, got sd " + std::to_string(sd));
    }
    ModeCoverage result;
    result.modes_total = static_cast<int>(modes.size());
    result.mode_counts.assign(modes.size(), 0);
    const double radius2 = static_cast<double>(radius_sds) * sd * radius_sds * sd;
    std::int64_t good = 0;
    for (Eigen::Index i = 0; i < samples.cols(); ++i)
    {
        const double x = samples(0, i), y = samples(1, i);
        if (!std::isfinite(x) || !std::isfinite(y))
        {
            continue;
        }
        double best = std::numeric_limits<double>::infinity();
        std::size_t best_mode = 0;
        for (std::size_t m = 0; m < modes.size(); ++m)
        {
            const double dx = x - modes[m].x, dy = y - modes[m].y;
            const double d2 = dx * dx + dy * dy;
            if (d2 < best)
            {
                best = d2;
                best_mode = m;
            }
        }
        if (best <= radius2)
        {
            ++result.mode_counts[best_mode];
            ++good;
        }
    }
    for (int count : result.mode_counts)
    {
        result.modes_covered += count >= std::max(min_samples, 1) ? 1 : 0;
    }
    result.high_quality = samples.cols() > 0 ? static_cast<double>(good) / static_cast<double>(samples.cols()) : 0.0;
    result.reverse_kl = ReverseKlToUniform(result.mode_counts);
    return result;
}

double ReverseKlToUniform(const std::vector<int>& counts)
{
    if (counts.empty())
    {
        throw std::invalid_argument("reverse KL: the histogram has no bins");
    }
    double total = 0;
    for (int c : counts)
    {
        if (c < 0)
        {
            throw std::invalid_argument("reverse KL: negative count " + std::to_string(c));
        }
        total += c;
    }
    const double k = static_cast<double>(counts.size());
    if (total == 0)
    {
        return std::log(k);
    }
    double kl = 0;
    for (int c : counts)
    {
        if (c > 0)
        {
            const double q = c / total;
            kl += q * std::log(k * q);
        }
    }
    return std::max(kl, 0.0); // rounding can leave -1e-17 for an even histogram
}

ModeCoverage MeasureModeCoverage(const nn::MatrixF& samples, const data::ToySampler& toy)
{
    if (!toy.HasModes())
    {
        throw std::invalid_argument("mode coverage: this toy distribution has no modes");
    }
    return MeasureModeCoverage(samples, toy.Modes(), toy.ModeSd());
}

GridDivergence MeasureGridDivergence(const nn::MatrixF& real, const nn::MatrixF& generated, float extent, int bins,
                                     double smoothing)
{
    RequireTwoRows(real, "grid divergence (real)");
    RequireTwoRows(generated, "grid divergence (generated)");
    if (!(extent > 0.0f) || bins < 1 || !(smoothing > 0.0))
    {
        throw std::invalid_argument("grid divergence: extent, bins and smoothing must be > 0");
    }
    const std::vector<double> p = SmoothedHistogram(real, extent, bins, smoothing);
    const std::vector<double> q = SmoothedHistogram(generated, extent, bins, smoothing);
    std::vector<double> m(p.size());
    for (std::size_t i = 0; i < p.size(); ++i)
    {
        m[i] = 0.5 * (p[i] + q[i]);
    }
    GridDivergence result;
    result.kl_bits = KlBits(p, q);
    result.js_bits = std::min(0.5 * KlBits(p, m) + 0.5 * KlBits(q, m), 1.0);
    return result;
}

double Mmd2(const nn::MatrixF& x, const nn::MatrixF& y, const MmdOptions& options)
{
    if (x.rows() != y.rows())
    {
        throw std::invalid_argument("MMD: the point sets have different feature counts (" + std::to_string(x.rows()) +
                                    " vs " + std::to_string(y.rows()) + ")");
    }
    if (!(options.bandwidth > 0.0))
    {
        throw std::invalid_argument("MMD: bandwidth must be > 0");
    }
    const bool unbiased = options.estimator == MmdEstimator::Unbiased;
    const Eigen::Index min_points = unbiased ? 2 : 1;
    if (x.cols() < min_points || y.cols() < min_points || options.max_points < min_points)
    {
        throw std::invalid_argument("MMD: need at least " + std::to_string(min_points) + " points in each set");
    }
    const Eigen::MatrixXd a = Subsample(x, options.max_points);
    const Eigen::MatrixXd b = Subsample(y, options.max_points);
    const double n = static_cast<double>(a.cols()), m = static_cast<double>(b.cols());
    const Eigen::MatrixXd kxx = GaussianGram(a, a, options.bandwidth);
    const Eigen::MatrixXd kyy = GaussianGram(b, b, options.bandwidth);
    const Eigen::MatrixXd kxy = GaussianGram(a, b, options.bandwidth);
    double term_xx = 0.0, term_yy = 0.0;
    if (unbiased)
    {
        term_xx = (kxx.sum() - kxx.trace()) / (n * (n - 1.0));
        term_yy = (kyy.sum() - kyy.trace()) / (m * (m - 1.0));
    }
    else
    {
        term_xx = kxx.sum() / (n * n);
        term_yy = kyy.sum() / (m * m);
    }
    const double mmd2 = term_xx + term_yy - 2.0 * kxy.sum() / (n * m);
    return unbiased ? mmd2 : std::max(mmd2, 0.0);
}

} // namespace ll::eval
