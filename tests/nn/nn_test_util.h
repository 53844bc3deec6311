// Helpers shared by the nn tests: random matrices (optionally kept away from ReLU kinks), central finite
// differences, a relative error measure, and the per-layer gradient and double-backward checks. Double precision.
#pragma once

#include "core/nn/layer.h"
#include "core/nn/sequential.h"
#include "core/util/rng.h"

#include <doctest/doctest.h>

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

// L = sum(r .* layer(x)) so that dL/dy = r. Checks dx and every parameter gradient against finite differences.
inline void CheckLayerGradients(Layer<double>& layer, MatrixD x, Rng& rng, double tol = 1e-6)
{
    const Index out = layer.OutputSize(x.rows());
    const MatrixD r = RandomMatrix(out, x.cols(), rng);
    auto loss = [&]() { return layer.Forward(x).cwiseProduct(r).sum(); };

    std::vector<ParamRef<double>> params;
    layer.CollectParams("", params);
    for (auto& p : params)
    {
        p.grad->setZero();
    }
    layer.Forward(x);
    const MatrixD dx = layer.Backward(r);
    CHECK(RelativeError(dx, NumericGradient(x, loss)) < tol);
    for (auto& p : params)
    {
        const MatrixD analytic = *p.grad;
        CAPTURE(p.name);
        CHECK(RelativeError(analytic, NumericGradient(*p.value, loss)) < tol);
    }
}

// P = sum(q .* dx) with dx = layer's Backward(dy) at x: checks dP/dx, dP/d(dy) and dP/dparams.
inline void CheckLayerDoubleBackward(Layer<double>& layer, MatrixD x, Rng& rng, double tol = 1e-6)
{
    const Index out = layer.OutputSize(x.rows());
    MatrixD dy = RandomMatrix(out, x.cols(), rng);
    const MatrixD q = RandomMatrix(x.rows(), x.cols(), rng);
    auto penalty = [&]()
    {
        layer.Forward(x);
        return layer.Backward(dy, false).cwiseProduct(q).sum();
    };
    std::vector<ParamRef<double>> params;
    layer.CollectParams("", params);
    for (auto& p : params)
    {
        p.grad->setZero();
    }
    layer.Forward(x);
    layer.Backward(dy, false);
    MatrixD dp_dx;
    const MatrixD dp_ddy = layer.BackwardOfBackward(q, dp_dx);

    CHECK(RelativeError(dp_dx, NumericGradient(x, penalty), 1e-3) < tol);
    CHECK(RelativeError(dp_ddy, NumericGradient(dy, penalty)) < tol);
    for (auto& p : params)
    {
        CAPTURE(p.name);
        const MatrixD analytic = *p.grad;
        CHECK(RelativeError(analytic, NumericGradient(*p.value, penalty)) < tol);
    }
}

// Smallest |pre-activation| feeding a kinked activation (ReLU / LeakyReLU) for input x: the finite-difference
// step must not cross a kink.
inline double MinKinkDistance(Sequential<double>& net, const MatrixD& x)
{
    double closest = 1e300;
    MatrixD a = x;
    for (std::size_t i = 0; i < net.Size(); ++i)
    {
        const std::string kind = net.At(i).Kind();
        if (kind == "relu" || kind == "leaky_relu")
        {
            closest = std::min(closest, a.cwiseAbs().minCoeff());
        }
        a = net.At(i).Forward(a);
    }
    return closest;
}

enum class Penalty
{
    WeightedSquaredNorm, // P = 0.5 sum_b c_b |dx_b|^2, dy random
    WganGp,              // P = mean_b (|dx_b| - 1)^2, dy = ones (the critic's output is a scalar per example)
};

// Checks Sequential::BackwardOfBackward's dP/dparams and dP/dx for a penalty of the input gradient dx at x
// against finite differences (WganGp wants a net with one output).
inline void CheckNetDoubleBackward(Sequential<double>& net, MatrixD x, Penalty kind, Rng& rng, double tol = 1e-6)
{
    const Index batch = x.cols();
    const Index out = net.OutputSize();
    const MatrixD dy = kind == Penalty::WganGp ? MatrixD::Ones(out, batch) : RandomMatrix(out, batch, rng);
    const MatrixD c = RandomMatrix(1, batch, rng).cwiseAbs();
    REQUIRE(MinKinkDistance(net, x) > 1e-3);

    auto penalty_and_u = [&](MatrixD* u)
    {
        net.Forward(x);
        const MatrixD& dx = kind == Penalty::WganGp ? net.Backward(MatrixD::Ones(out, batch), false) // temporary
                                                    : net.Backward(dy, false);
        double p = 0.0;
        if (u != nullptr)
        {
            u->resize(dx.rows(), dx.cols());
        }
        for (Index b = 0; b < batch; ++b)
        {
            const double norm = dx.col(b).norm();
            if (kind == Penalty::WganGp)
            {
                p += (norm - 1.0) * (norm - 1.0) / static_cast<double>(batch);
                if (u != nullptr)
                {
                    u->col(b) = dx.col(b) * (2.0 * (norm - 1.0) / (static_cast<double>(batch) * norm));
                }
            }
            else
            {
                p += 0.5 * c(0, b) * norm * norm;
                if (u != nullptr)
                {
                    u->col(b) = c(0, b) * dx.col(b);
                }
            }
        }
        return p;
    };
    auto penalty = [&]() { return penalty_and_u(nullptr); };

    net.ZeroGrad();
    MatrixD u;
    penalty_and_u(&u);
    const MatrixD dp_dx = net.BackwardOfBackward(u);
    CHECK(RelativeError(dp_dx, NumericGradient(x, penalty), 1e-3) < tol);
    for (auto& p : net.Params("D."))
    {
        CAPTURE(p.name);
        const MatrixD analytic = *p.grad;
        CHECK(RelativeError(analytic, NumericGradient(*p.value, penalty)) < tol);
    }
}

} // namespace ll::nn::test
