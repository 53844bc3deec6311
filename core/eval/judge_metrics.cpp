// The image metrics in the judge's feature space (see judge_metrics.h).
#include "core/eval/judge_metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ll::eval
{

FeatureStats ComputeStats(const nn::MatrixF& features)
{
    if (features.cols() < 2)
    {
        throw std::invalid_argument("feature statistics need at least 2 samples, got " +
                                    std::to_string(features.cols()));
    }
    FeatureStats s;
    s.n = features.cols();
    const Eigen::MatrixXd x = features.cast<double>();
    s.mean = x.rowwise().mean();
    const Eigen::MatrixXd centred = x.colwise() - s.mean;
    s.cov = centred * centred.transpose() / static_cast<double>(s.n - 1);
    return s;
}

Eigen::MatrixXd SymmetricSqrt(const Eigen::MatrixXd& m)
{
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (m + m.transpose()));
    if (eig.info() != Eigen::Success)
    {
        throw std::runtime_error("SymmetricSqrt: the eigendecomposition did not converge");
    }
    const Eigen::VectorXd roots = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt();
    return eig.eigenvectors() * roots.asDiagonal() * eig.eigenvectors().transpose();
}

double FrechetDistance(const FeatureStats& a, const FeatureStats& b)
{
    if (a.mean.size() != b.mean.size())
    {
        throw std::invalid_argument("FrechetDistance: features of " + std::to_string(a.mean.size()) + " and " +
                                    std::to_string(b.mean.size()) + " dimensions");
    }
    const Eigen::MatrixXd root_a = SymmetricSqrt(a.cov);
    const Eigen::MatrixXd inner = root_a * b.cov * root_a;
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (inner + inner.transpose()), Eigen::EigenvaluesOnly);
    const double cross = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
    const double d = (a.mean - b.mean).squaredNorm() + a.cov.trace() + b.cov.trace() - 2.0 * cross;
    return std::max(0.0, d);
}

namespace
{

constexpr Eigen::Index kBlock = 256; // rows of the distance matrix held at once: (256, n) doubles

// Squared distances from the columns [begin, begin + rows) of a to every column of b: out (rows, b.cols()).
void SquaredDistances(const Eigen::MatrixXd& a, const Eigen::VectorXd& a_norms, const Eigen::MatrixXd& b,
                      const Eigen::VectorXd& b_norms, Eigen::Index begin, Eigen::Index rows, Eigen::MatrixXd& out)
{
    out.noalias() = -2.0 * a.middleCols(begin, rows).transpose() * b;
    out.colwise() += a_norms.segment(begin, rows);
    out.rowwise() += b_norms.transpose();
    out = out.cwiseMax(0.0);
}

// The squared distance of every column of x to its k-th nearest other column.
Eigen::VectorXd KthNeighbourRadii(const Eigen::MatrixXd& x, const Eigen::VectorXd& norms, int k)
{
    const Eigen::Index n = x.cols();
    Eigen::VectorXd radii(n);
    Eigen::MatrixXd d;
    std::vector<double> row(static_cast<std::size_t>(n));
    for (Eigen::Index begin = 0; begin < n; begin += kBlock)
    {
        const Eigen::Index rows = std::min(kBlock, n - begin);
        SquaredDistances(x, norms, x, norms, begin, rows, d);
        for (Eigen::Index i = 0; i < rows; ++i)
        {
            for (Eigen::Index j = 0; j < n; ++j)
            {
                row[static_cast<std::size_t>(j)] = d(i, j);
            }
            row[static_cast<std::size_t>(begin + i)] = -1.0; // itself: always first, then skipped
            std::nth_element(row.begin(), row.begin() + k, row.end());
            radii(begin + i) = row[static_cast<std::size_t>(k)];
        }
    }
    return radii;
}

// Share of the columns of q inside at least one ball (centre a column of p, squared radius p_radii).
double ShareInsideBalls(const Eigen::MatrixXd& q, const Eigen::VectorXd& q_norms, const Eigen::MatrixXd& p,
                        const Eigen::VectorXd& p_norms, const Eigen::VectorXd& p_radii)
{
    const Eigen::Index n = q.cols();
    std::int64_t inside = 0;
    Eigen::MatrixXd d;
    for (Eigen::Index begin = 0; begin < n; begin += kBlock)
    {
        const Eigen::Index rows = std::min(kBlock, n - begin);
        SquaredDistances(q, q_norms, p, p_norms, begin, rows, d);
        for (Eigen::Index i = 0; i < rows; ++i)
        {
            inside += ((d.row(i).transpose().array() <= p_radii.array()).any()) ? 1 : 0;
        }
    }
    return static_cast<double>(inside) / static_cast<double>(n);
}

} // namespace

PrecisionRecall KnnPrecisionRecall(const nn::MatrixF& real, const nn::MatrixF& fake, int k)
{
    if (k < 1 || real.cols() <= k || fake.cols() <= k || real.rows() != fake.rows())
    {
        throw std::invalid_argument("KnnPrecisionRecall: need more than k = " + std::to_string(k) +
                                    " examples of the same dimension on both sides, got " +
                                    std::to_string(real.cols()) + " x " + std::to_string(real.rows()) + " and " +
                                    std::to_string(fake.cols()) + " x " + std::to_string(fake.rows()));
    }
    const Eigen::MatrixXd r = real.cast<double>();
    const Eigen::MatrixXd f = fake.cast<double>();
    const Eigen::VectorXd r_norms = r.colwise().squaredNorm().transpose();
    const Eigen::VectorXd f_norms = f.colwise().squaredNorm().transpose();
    const Eigen::VectorXd r_radii = KthNeighbourRadii(r, r_norms, k);
    const Eigen::VectorXd f_radii = KthNeighbourRadii(f, f_norms, k);
    PrecisionRecall out;
    out.precision = ShareInsideBalls(f, f_norms, r, r_norms, r_radii);
    out.recall = ShareInsideBalls(r, r_norms, f, f_norms, f_radii);
    return out;
}

ClassHistogram MeasureClasses(const nn::MatrixF& probs, double min_share)
{
    ClassHistogram h;
    const nn::Index classes = probs.rows();
    const nn::Index n = probs.cols();
    h.counts.assign(static_cast<std::size_t>(classes), 0);
    double confidence = 0;
    for (nn::Index j = 0; j < n; ++j)
    {
        nn::Index best = 0;
        confidence += probs.col(j).maxCoeff(&best);
        ++h.counts[static_cast<std::size_t>(best)];
    }
    if (n == 0)
    {
        return h;
    }
    h.confidence = confidence / static_cast<double>(n);
    for (const std::int64_t c : h.counts)
    {
        const double p = static_cast<double>(c) / static_cast<double>(n);
        h.covered += p >= min_share ? 1 : 0;
        h.kl_bits += p > 0 ? p * std::log2(p * static_cast<double>(classes)) : 0.0;
    }
    h.kl_bits = std::max(0.0, h.kl_bits);
    return h;
}

double LabelAccuracy(const nn::MatrixF& probs, const std::vector<int>& labels)
{
    if (static_cast<nn::Index>(labels.size()) != probs.cols())
    {
        throw std::invalid_argument("LabelAccuracy: " + std::to_string(labels.size()) + " labels for " +
                                    std::to_string(probs.cols()) + " samples");
    }
    std::int64_t right = 0;
    for (nn::Index j = 0; j < probs.cols(); ++j)
    {
        nn::Index best = 0;
        probs.col(j).maxCoeff(&best);
        right += best == labels[static_cast<std::size_t>(j)] ? 1 : 0;
    }
    return probs.cols() > 0 ? static_cast<double>(right) / static_cast<double>(probs.cols()) : 0.0;
}

} // namespace ll::eval
