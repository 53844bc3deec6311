// The image metrics in the judge's feature space (see judge_metrics.h).
#include "core/eval/judge_metrics.h"

#include "core/nn/parallel.h"

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

constexpr Eigen::Index kBlock = 256; // query columns per block: a (n, 256) block of doubles at once

// Squared distances from every column of p to the columns [begin, begin + rows) of q: out (p.cols(), rows), so the
// distances of one query are one contiguous column.
void SquaredDistances(const Eigen::MatrixXd& p, const Eigen::VectorXd& p_norms, const Eigen::MatrixXd& q,
                      const Eigen::VectorXd& q_norms, Eigen::Index begin, Eigen::Index rows, Eigen::MatrixXd& out)
{
    out.noalias() = p.transpose() * q.middleCols(begin, rows);
    for (Eigen::Index i = 0; i < rows; ++i)
    {
        const double qn = q_norms(begin + i);
        double* col = out.col(i).data();
        for (Eigen::Index j = 0; j < p.cols(); ++j)
        {
            col[j] = std::max(0.0, p_norms(j) + qn - 2.0 * col[j]);
        }
    }
}

// The (k + 1)-th smallest of d[0, n) (index k of the sorted values): with the query's own distance set to -1 first,
// its k-th nearest other example. One pass keeping the k + 1 smallest in order; k is small (3).
double KthSmallest(const double* d, Eigen::Index n, int k)
{
    constexpr int kMaxKeep = 64;
    double keep[kMaxKeep];
    const int m = k + 1;
    int filled = 0;
    for (Eigen::Index j = 0; j < n; ++j)
    {
        const double v = d[j];
        if (filled == m && v >= keep[m - 1])
        {
            continue;
        }
        int i = filled < m ? filled++ : m - 1;
        while (i > 0 && keep[i - 1] > v)
        {
            keep[i] = keep[i - 1];
            --i;
        }
        keep[i] = v;
    }
    return keep[m - 1];
}

Eigen::Index Blocks(Eigen::Index n) { return (n + kBlock - 1) / kBlock; }

void CheckK(int k, Eigen::Index n, const char* what)
{
    if (k < 1 || k > 63 || n <= k)
    {
        throw std::invalid_argument(std::string("KnnPrecisionRecall: need more than k = ") + std::to_string(k) +
                                    " examples (k from 1 to 63) on the " + what + " side, got " + std::to_string(n));
    }
}

} // namespace

KnnSet MakeKnnSet(const nn::MatrixF& features, int k)
{
    CheckK(k, features.cols(), "one");
    KnnSet s;
    s.k = k;
    s.x = features.cast<double>();
    s.norms = s.x.colwise().squaredNorm().transpose();
    const Eigen::Index n = s.x.cols();
    s.radii.resize(n);
    nn::ParallelFor(Blocks(n), 1, [&](nn::Index first, nn::Index last) {
        Eigen::MatrixXd d;
        for (nn::Index b = first; b < last; ++b)
        {
            const Eigen::Index begin = b * kBlock;
            const Eigen::Index rows = std::min(kBlock, n - begin);
            SquaredDistances(s.x, s.norms, s.x, s.norms, begin, rows, d);
            for (Eigen::Index i = 0; i < rows; ++i)
            {
                d(begin + i, i) = -1.0; // itself: always first, then skipped
                s.radii(begin + i) = KthSmallest(d.col(i).data(), n, k);
            }
        }
    });
    return s;
}

PrecisionRecall KnnPrecisionRecall(const KnnSet& real, const KnnSet& fake)
{
    if (real.x.rows() != fake.x.rows())
    {
        throw std::invalid_argument("KnnPrecisionRecall: real examples have " + std::to_string(real.x.rows()) +
                                    " dimensions, fake ones " + std::to_string(fake.x.rows()));
    }
    const Eigen::Index n_real = real.x.cols();
    const Eigen::Index n_fake = fake.x.cols();
    const Eigen::Index blocks = Blocks(n_fake);
    // Per fake: inside some real ball (precision). Per block and real: inside some fake ball of that block (recall),
    // merged after the pass, so no two blocks write the same byte.
    std::vector<char> fake_inside(static_cast<std::size_t>(n_fake), 0);
    std::vector<char> real_inside(static_cast<std::size_t>(blocks * n_real), 0);
    nn::ParallelFor(blocks, 1, [&](nn::Index first, nn::Index last) {
        Eigen::MatrixXd d;
        for (nn::Index b = first; b < last; ++b)
        {
            const Eigen::Index begin = b * kBlock;
            const Eigen::Index rows = std::min(kBlock, n_fake - begin);
            SquaredDistances(real.x, real.norms, fake.x, fake.norms, begin, rows, d);
            char* covered = real_inside.data() + b * n_real;
            const double* r_radii = real.radii.data();
            for (Eigen::Index i = 0; i < rows; ++i)
            {
                const double* col = d.col(i).data();
                const double f_radius = fake.radii(begin + i);
                bool inside = false;
                for (Eigen::Index j = 0; j < n_real; ++j)
                {
                    inside |= col[j] <= r_radii[j];
                    covered[j] |= static_cast<char>(col[j] <= f_radius);
                }
                fake_inside[static_cast<std::size_t>(begin + i)] = inside ? 1 : 0;
            }
        }
    });
    std::int64_t precise = 0, recalled = 0;
    for (const char c : fake_inside)
    {
        precise += c;
    }
    for (Eigen::Index j = 0; j < n_real; ++j)
    {
        char any = 0;
        for (Eigen::Index b = 0; b < blocks; ++b)
        {
            any |= real_inside[static_cast<std::size_t>(b * n_real + j)];
        }
        recalled += any;
    }
    PrecisionRecall out;
    out.precision = static_cast<double>(precise) / static_cast<double>(n_fake);
    out.recall = static_cast<double>(recalled) / static_cast<double>(n_real);
    return out;
}

PrecisionRecall KnnPrecisionRecall(const nn::MatrixF& real, const nn::MatrixF& fake, int k)
{
    if (k < 1 || real.cols() <= k || fake.cols() <= k || real.rows() != fake.rows())
    {
        throw std::invalid_argument("KnnPrecisionRecall: need more than k = " + std::to_string(k) +
                                    " examples of the same dimension on both sides, got " +
                                    std::to_string(real.cols()) + " x " + std::to_string(real.rows()) + " and " +
                                    std::to_string(fake.cols()) + " x " + std::to_string(fake.rows()));
    }
    return KnnPrecisionRecall(MakeKnnSet(real, k), MakeKnnSet(fake, k));
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
