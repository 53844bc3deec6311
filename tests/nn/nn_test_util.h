// Helpers shared by the nn tests: random matrices (optionally kept away from ReLU kinks), central finite
// differences and a relative error measure. Double precision only.
#pragma once

#include "core/nn/tensor.h"
#include "core/util/rng.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace ll::nn::test
{

using MatrixD = Matrix<double>;

inline MatrixD RandomMatrix(Index rows, Index cols, Rng& rng, double scale = 1.0)
{
    MatrixD m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
    {
        m.data()[i] = rng.Normal(0.0, scale);
    }
    return m;
}

// Entries with |value| in [margin, margin + spread], random sign: keeps inputs off the ReLU kink at 0.
inline MatrixD RandomAwayFromZero(Index rows, Index cols, Rng& rng, double margin = 0.1, double spread = 1.5)
{
    MatrixD m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
    {
        const double mag = margin + spread * rng.Uniform();
        m.data()[i] = rng.Uniform() < 0.5 ? -mag : mag;
    }
    return m;
}

// Central differences of f with respect to every entry of p (p is restored afterwards).
inline MatrixD NumericGradient(MatrixD& p, const std::function<double()>& f, double h = 1e-6)
{
    MatrixD g(p.rows(), p.cols());
    for (Index i = 0; i < p.size(); ++i)
    {
        const double saved = p.data()[i];
        p.data()[i] = saved + h;
        const double fp = f();
        p.data()[i] = saved - h;
        const double fm = f();
        p.data()[i] = saved;
        g.data()[i] = (fp - fm) / (2.0 * h);
    }
    return g;
}

// max |a - b| / max(max |a|, max |b|, floor): relative to the gradient's scale, robust to tiny entries.
inline double RelativeError(const MatrixD& a, const MatrixD& b, double floor = 1e-8)
{
    const double scale = std::max({a.cwiseAbs().maxCoeff(), b.cwiseAbs().maxCoeff(), floor});
    return (a - b).cwiseAbs().maxCoeff() / scale;
}

} // namespace ll::nn::test
