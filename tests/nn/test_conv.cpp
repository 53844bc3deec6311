// Conv2d and ConvTranspose2d: forward against direct nested-loop references, the adjoint relation between them,
// output shapes, backward and double backward against central finite differences (double), on odd sizes with
// strides 1-2, padding 0-2 and batches 1 and 3; a small conv critic through Sequential's double backward.
#include "core/nn/batch_norm.h"
#include "core/nn/conv.h"
#include "core/nn/sequential.h"
#include "core/nn/shape_layers.h"
#include "nn_test_util.h"

#include <Eigen/SVD>
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

struct ConvCase
{
    Index stride, pad, batch;
};

std::vector<ConvCase> Grid()
{
    std::vector<ConvCase> cases;
    for (Index stride : {1, 2})
    {
        for (Index pad : {0, 1, 2})
        {
            for (Index batch : {1, 3})
            {
                cases.push_back({stride, pad, batch});
            }
        }
    }
    return cases;
}

// Feature index of (y, x, c) in a channels-last example.
Index At(const Shape& s, Index y, Index x, Index c)
{
    return (y * s.w + x) * s.c + c;
}

// Direct convolution: y(oy, ox, co) = b(co) + sum_{ky, kx, ci} x(oy s - p + ky, ox s - p + kx, ci) w(co, ky, kx, ci).
MatrixD DirectConv(const MatrixD& x, const Shape& in, const MatrixD& w, const MatrixD& b, Index k, Index s, Index p)
{
    const Index cout = w.rows();
    const Shape out{cout, (in.h + 2 * p - k) / s + 1, (in.w + 2 * p - k) / s + 1};
    MatrixD y = MatrixD::Zero(out.Size(), x.cols());
    for (Index n = 0; n < x.cols(); ++n)
        for (Index oy = 0; oy < out.h; ++oy)
            for (Index ox = 0; ox < out.w; ++ox)
                for (Index co = 0; co < cout; ++co)
                {
                    double sum = b.size() > 0 ? b(co, 0) : 0.0;
                    for (Index ky = 0; ky < k; ++ky)
                        for (Index kx = 0; kx < k; ++kx)
                        {
                            const Index iy = oy * s - p + ky, ix = ox * s - p + kx;
                            if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w)
                                continue;
                            for (Index ci = 0; ci < in.c; ++ci)
                                sum += x(At(in, iy, ix, ci), n) * w(co, (ky * k + kx) * in.c + ci);
                        }
                    y(At(out, oy, ox, co), n) = sum;
                }
    return y;
}

// Direct transposed convolution, as PyTorch defines it: every input pixel scatters its kernel-weighted values,
// y(iy s - p + ky, ix s - p + kx, co) += x(iy, ix, ci) w(ci, ky, kx, co).
MatrixD DirectConvTranspose(const MatrixD& x, const Shape& in, const MatrixD& w, const MatrixD& b, Index cout,
                            Index k, Index s, Index p, Index op)
{
    const Shape out{cout, (in.h - 1) * s - 2 * p + k + op, (in.w - 1) * s - 2 * p + k + op};
    MatrixD y = MatrixD::Zero(out.Size(), x.cols());
    for (Index n = 0; n < x.cols(); ++n)
    {
        for (Index oy = 0; oy < out.h; ++oy)
            for (Index ox = 0; ox < out.w; ++ox)
                for (Index co = 0; co < cout; ++co)
                    y(At(out, oy, ox, co), n) = b.size() > 0 ? b(co, 0) : 0.0;
        for (Index iy = 0; iy < in.h; ++iy)
            for (Index ix = 0; ix < in.w; ++ix)
                for (Index ky = 0; ky < k; ++ky)
                    for (Index kx = 0; kx < k; ++kx)
                    {
                        const Index oy = iy * s - p + ky, ox = ix * s - p + kx;
                        if (oy < 0 || oy >= out.h || ox < 0 || ox >= out.w)
                            continue;
                        for (Index ci = 0; ci < in.c; ++ci)
                            for (Index co = 0; co < cout; ++co)
                                y(At(out, oy, ox, co), n) += x(At(in, iy, ix, ci), n) * w(ci, (ky * k + kx) * cout + co);
                    }
    }
    return y;
}

const Shape kInput{3, 5, 7}; // odd, rectangular, 3 channels

} // namespace

TEST_CASE("Conv2d: forward matches a direct convolution on 5x7 inputs for strides 1-2, padding 0-2, batch 1 and 3")
{
    Rng rng(1);
    for (Index k : {1, 2, 3})
    {
        for (const ConvCase& cc : Grid())
        {
            CAPTURE(k);
            CAPTURE(cc.stride);
            CAPTURE(cc.pad);
            CAPTURE(cc.batch);
            Conv2d<double> conv(kInput, 4, k, cc.stride, cc.pad, true, InitKind::He, rng);
            conv.Bias() = RandomMatrix(4, 1, rng);
            const MatrixD x = RandomMatrix(kInput.Size(), cc.batch, rng);
            const MatrixD expect = DirectConv(x, kInput, conv.Weight(), conv.Bias(), k, cc.stride, cc.pad);
            const MatrixD& y = conv.Forward(x);
            REQUIRE(y.rows() == expect.rows());
            CHECK(RelativeError(y, expect) < 1e-13);
            CHECK(conv.OutputShape(kInput).Size() == y.rows());
        }
    }
}

TEST_CASE("ConvTranspose2d: forward matches a direct scatter reference, output padding included")
{
    Rng rng(2);
    for (Index k : {1, 3, 4})
    {
        for (const ConvCase& cc : Grid())
        {
            for (Index op = 0; op < cc.stride; ++op)
            {
                if (ConvTransposeExtent(kInput.h, k, cc.stride, cc.pad, op) < 1)
                {
                    continue;
                }
                CAPTURE(k);
                CAPTURE(cc.stride);
                CAPTURE(cc.pad);
                CAPTURE(cc.batch);
                CAPTURE(op);
                ConvTranspose2d<double> convt(kInput, 2, k, cc.stride, cc.pad, op, true, InitKind::He, rng);
                convt.Bias() = RandomMatrix(2, 1, rng);
                const MatrixD x = RandomMatrix(kInput.Size(), cc.batch, rng);
                const MatrixD expect =
                    DirectConvTranspose(x, kInput, convt.Weight(), convt.Bias(), 2, k, cc.stride, cc.pad, op);
                const MatrixD& y = convt.Forward(x);
                REQUIRE(y.rows() == expect.rows());
                CHECK(RelativeError(y, expect) < 1e-13);
            }
        }
    }
}

TEST_CASE("ConvTranspose2d is the adjoint of Conv2d with the same weights")
{
    // <conv(x), y> = <x, convT(y)> without bias; output padding restores the input size after a stride-2 conv.
    Rng rng(3);
    for (const Shape& in : {Shape{3, 5, 7}, Shape{2, 6, 8}, Shape{1, 9, 5}})
    {
        for (const ConvCase& cc : Grid())
        {
            const Index k = 3;
            CAPTURE(in.Text());
            CAPTURE(cc.stride);
            CAPTURE(cc.pad);
            Conv2d<double> conv(in, 4, k, cc.stride, cc.pad, false, InitKind::He, rng);
            const Shape mid = conv.OutputShape(in);
            const Index op = in.h - ConvTransposeExtent(mid.h, k, cc.stride, cc.pad, 0);
            REQUIRE(op == in.w - ConvTransposeExtent(mid.w, k, cc.stride, cc.pad, 0)); // the same on both axes here
            REQUIRE(op >= 0);
            REQUIRE(op < cc.stride);
            ConvTranspose2d<double> convt(mid, in.c, k, cc.stride, cc.pad, op, false, InitKind::He, rng);
            CHECK(convt.OutputShape(mid) == in);
            REQUIRE(convt.Weight().rows() == conv.Weight().rows());
            REQUIRE(convt.Weight().cols() == conv.Weight().cols());
            convt.Weight() = conv.Weight();
            const MatrixD x = RandomMatrix(in.Size(), cc.batch, rng);
            const MatrixD y = RandomMatrix(mid.Size(), cc.batch, rng);
            const double lhs = conv.Forward(x).cwiseProduct(y).sum();
            const double rhs = x.cwiseProduct(convt.Forward(y)).sum();
            CHECK(lhs == doctest::Approx(rhs).epsilon(1e-12));
        }
    }
}

TEST_CASE("Conv layers: output shapes follow the PyTorch formulas, bad geometry is refused")
{
    Rng rng(4);
    CHECK(Conv2d<float>(Shape{1, 28, 28}, 64, 4, 2, 1, true, InitKind::Torch, rng).OutputShape({}) ==
          Shape{64, 14, 14});
    CHECK(Conv2d<float>(Shape{64, 14, 14}, 128, 4, 2, 1, true, InitKind::Torch, rng).OutputShape({}) ==
          Shape{128, 7, 7});
    CHECK(Conv2d<float>(Shape{3, 5, 7}, 2, 3, 2, 0, true, InitKind::Torch, rng).OutputShape({}) == Shape{2, 2, 3});
    CHECK(ConvTranspose2d<float>(Shape{128, 7, 7}, 64, 4, 2, 1, 0, true, InitKind::Torch, rng).OutputShape({}) ==
          Shape{64, 14, 14});
    // (3 - 1) 2 - 2 + 3 + 1 = 6, and (5 - 1) 2 - 2 + 3 + 1 = 10
    CHECK(ConvTranspose2d<float>(Shape{8, 3, 5}, 4, 3, 2, 1, 1, true, InitKind::Torch, rng).OutputShape({}) ==
          Shape{4, 6, 10});
    CHECK(ConvExtent(3, 4, 2, 0) == 0);
    CHECK_THROWS_AS(Conv2d<float>(Shape{64, 3, 3}, 8, 4, 2, 0, true, InitKind::Torch, rng), std::invalid_argument);
    CHECK_NOTHROW(Conv2d<float>(Shape{64, 3, 3}, 8, 4, 2, 1, true, InitKind::Torch, rng)); // 3 + 2 >= 4
    CHECK_THROWS_AS(ConvTranspose2d<float>(Shape{8, 3, 3}, 4, 3, 2, 1, 2, true, InitKind::Torch, rng),
                    std::invalid_argument); // output padding must be < stride
    CHECK_THROWS_AS(Conv2d<float>(Shape{1, 5, 5}, 0, 3, 1, 0, true, InitKind::Torch, rng), std::invalid_argument);
    CHECK_THROWS_AS(Conv2d<float>(Shape{1, 5, 5}, 2, 3, 0, 0, true, InitKind::Torch, rng), std::invalid_argument);
    Conv2d<float> conv(Shape{1, 5, 5}, 2, 3, 1, 0, true, InitKind::Torch, rng);
    CHECK_THROWS_AS(conv.Forward(MatrixF::Zero(24, 2)), std::invalid_argument);
    CHECK_THROWS_AS(conv.Backward(MatrixF::Zero(18, 2)), std::runtime_error); // before Forward
}

TEST_CASE("Conv2d: backward matches finite differences for strides 1-2, padding 0-2, batch 1 and 3")
{
    Rng rng(5);
    for (Index k : {1, 3})
    {
        for (const ConvCase& cc : Grid())
        {
            CAPTURE(k);
            CAPTURE(cc.stride);
            CAPTURE(cc.pad);
            CAPTURE(cc.batch);
            Conv2d<double> conv(kInput, 4, k, cc.stride, cc.pad, true, InitKind::He, rng);
            CheckLayerGradients(conv, RandomMatrix(kInput.Size(), cc.batch, rng), rng);
        }
    }
}

TEST_CASE("ConvTranspose2d: backward matches finite differences for strides 1-2, padding 0-2, batch 1 and 3")
{
    Rng rng(6);
    for (Index k : {1, 3})
    {
        for (const ConvCase& cc : Grid())
        {
            const Index op = cc.stride - 1; // exercise output padding whenever the stride allows it
            CAPTURE(k);
            CAPTURE(cc.stride);
            CAPTURE(cc.pad);
            CAPTURE(cc.batch);
            if (ConvTransposeExtent(kInput.h, k, cc.stride, cc.pad, op) < 1)
            {
                continue;
            }
            ConvTranspose2d<double> convt(kInput, 2, k, cc.stride, cc.pad, op, true, InitKind::He, rng);
            CheckLayerGradients(convt, RandomMatrix(kInput.Size(), cc.batch, rng), rng);
        }
    }
}

TEST_CASE("Conv layers: double backward matches finite differences of P = <q, dx>")
{
    Rng rng(7);
    for (Index k : {1, 3})
    {
        for (const ConvCase& cc : Grid())
        {
            CAPTURE(k);
            CAPTURE(cc.stride);
            CAPTURE(cc.pad);
            CAPTURE(cc.batch);
            Conv2d<double> conv(kInput, 4, k, cc.stride, cc.pad, true, InitKind::He, rng);
            CheckLayerDoubleBackward(conv, RandomMatrix(kInput.Size(), cc.batch, rng), rng);
            if (ConvTransposeExtent(kInput.h, k, cc.stride, cc.pad, 0) >= 1)
            {
                ConvTranspose2d<double> convt(kInput, 2, k, cc.stride, cc.pad, 0, true, InitKind::He, rng);
                CheckLayerDoubleBackward(convt, RandomMatrix(kInput.Size(), cc.batch, rng), rng);
            }
        }
    }
}

TEST_CASE("Sequential: a conv critic's double backward matches finite differences (WGAN-GP and a weighted norm)")
{
    // conv, activation, conv, flatten, linear: the shape of a DCGAN critic. Tanh and softplus make the forward-path
    // pass run Backward through the convs again (after their patch buffers held other things).
    for (auto act : {ActivationKind::LeakyReLU, ActivationKind::Tanh, ActivationKind::Softplus})
    {
        for (Penalty penalty : {Penalty::WganGp, Penalty::WeightedSquaredNorm})
        {
            CAPTURE(ActivationName(act));
            CAPTURE(penalty == Penalty::WganGp);
            Rng rng(8);
            const Shape in{2, 7, 6};
            Sequential<double> d;
            d.SetInputShape(in);
            auto c1 = std::make_unique<Conv2d<double>>(in, 3, 3, 2, 1, true, InitKind::He, rng);
            const Shape s1 = c1->OutputShape(in); // 3x4x3
            c1->Bias() = RandomMatrix(3, 1, rng, 0.5);
            d.Add(std::move(c1));
            d.Add(std::make_unique<Activation<double>>(act, 0.2));
            auto c2 = std::make_unique<Conv2d<double>>(s1, 4, 3, 1, 1, true, InitKind::He, rng);
            const Shape s2 = c2->OutputShape(s1);
            c2->Bias() = RandomMatrix(4, 1, rng, 0.5);
            d.Add(std::move(c2));
            d.Add(std::make_unique<Activation<double>>(act, 0.2));
            d.Add(std::make_unique<Reshape<double>>(s2, Shape::Flat(s2.Size()), true));
            d.Add(std::make_unique<Linear<double>>(s2.Size(), penalty == Penalty::WganGp ? 1 : 2, true,
                                                   InitKind::Xavier, rng));
            CHECK(d.OutputShape() == Shape::Flat(penalty == Penalty::WganGp ? 1 : 2));
            MatrixD x = RandomMatrix(in.Size(), 3, rng);
            for (int tries = 0; tries < 50 && MinKinkDistance(d, x) < 1e-2; ++tries)
            {
                x = RandomMatrix(in.Size(), 3, rng); // keep the finite differences off LeakyReLU's kink
            }
            CheckNetDoubleBackward(d, x, penalty, rng);
        }
    }
}

TEST_CASE("Sequential: a conv generator's double backward matches finite differences")
{
    // linear, reshape, transposed conv, tanh, conv: checks the transposed conv inside a chain that needs the
    // forward-path pass.
    Rng rng(9);
    Sequential<double> net;
    net.SetInputSize(5);
    net.Add(std::make_unique<Linear<double>>(5, 2 * 3 * 2, true, InitKind::Xavier, rng));
    const Shape s0{2, 3, 2};
    net.Add(std::make_unique<Reshape<double>>(Shape::Flat(12), s0));
    auto ct = std::make_unique<ConvTranspose2d<double>>(s0, 3, 3, 2, 1, 1, true, InitKind::He, rng);
    const Shape s1 = ct->OutputShape(s0);
    net.Add(std::move(ct));
    net.Add(std::make_unique<Activation<double>>(ActivationKind::Tanh));
    net.Add(std::make_unique<Conv2d<double>>(s1, 1, 3, 2, 0, true, InitKind::He, rng));
    net.Add(std::make_unique<Reshape<double>>(net.At(4).OutputShape(s1), Shape::Flat(net.At(4).OutputSize(0)), true));
    net.Add(std::make_unique<Linear<double>>(net.At(5).OutputSize(0), 1, true, InitKind::Xavier, rng));
    CheckNetDoubleBackward(net, RandomMatrix(5, 4, rng), Penalty::WganGp, rng);
}

TEST_CASE("Conv layers: skipping dx leaves the same parameter gradients")
{
    Rng rng(10);
    const Shape in{3, 6, 5};
    for (bool transpose : {false, true})
    {
        CAPTURE(transpose);
        Sequential<double> a;
        a.SetInputShape(in);
        a.Add(std::make_unique<Reshape<double>>(in, in)); // parameterless layers below the first conv are skipped
        if (transpose)
        {
            a.Add(std::make_unique<ConvTranspose2d<double>>(in, 2, 4, 2, 1, 0, true, InitKind::He, rng));
        }
        else
        {
            a.Add(std::make_unique<Conv2d<double>>(in, 2, 3, 2, 1, true, InitKind::He, rng));
        }
        a.Add(std::make_unique<Activation<double>>(ActivationKind::Tanh));
        const Shape out = a.OutputShape();
        a.Add(std::make_unique<Conv2d<double>>(out, 2, 1, 1, 0, true, InitKind::He, rng)); // pointwise
        Sequential<double> b = a;
        const MatrixD x = RandomMatrix(in.Size(), 3, rng);
        const MatrixD dy = RandomMatrix(a.OutputSize(), 3, rng);
        a.ZeroGrad();
        b.ZeroGrad();
        a.Forward(x);
        const MatrixD dx = a.Backward(dy);
        b.Forward(x);
        CHECK(b.Backward(dy, true, false).size() == 0);
        CHECK(dx.rows() == in.Size());
        const auto pa = a.Params("N.");
        const auto pb = b.Params("N.");
        REQUIRE(pa.size() == pb.size());
        REQUIRE(pa.size() == 4);
        CHECK(pa[0].name == "N.1.weight"); // the reshape at 0 has none
        for (std::size_t i = 0; i < pa.size(); ++i)
        {
            CAPTURE(pa[i].name);
            CHECK((*pa[i].grad - *pb[i].grad).cwiseAbs().maxCoeff() < 1e-12);
        }
    }
}

TEST_CASE("Sequential: a frozen critic's backward (accumulate false) gives the full backward's dx and no gradients")
{
    // A small DCGAN critic: conv, LeakyReLU, conv, BatchNorm over channels, flatten, linear, BatchNorm, linear. G's
    // update backpropagates through D with accumulate = false: only dx, D's gradients untouched.
    Rng rng(12);
    const Shape in{1, 8, 8};
    Sequential<double> d;
    d.SetInputShape(in);
    d.Add(std::make_unique<Conv2d<double>>(in, 3, 4, 2, 1, true, InitKind::Torch, rng)); // 3x4x4
    d.Add(std::make_unique<Activation<double>>(ActivationKind::LeakyReLU));
    d.Add(std::make_unique<Conv2d<double>>(Shape{3, 4, 4}, 4, 4, 2, 1, true, InitKind::Torch, rng)); // 4x2x2
    d.Add(std::make_unique<BatchNorm<double>>(Shape{4, 2, 2}));
    d.Add(std::make_unique<Reshape<double>>(Shape{4, 2, 2}, Shape::Flat(16), true));
    d.Add(std::make_unique<Linear<double>>(16, 5, true, InitKind::Torch, rng));
    d.Add(std::make_unique<BatchNorm<double>>(Shape::Flat(5)));
    d.Add(std::make_unique<Linear<double>>(5, 1, true, InitKind::Torch, rng));
    Sequential<double> frozen = d;
    const MatrixD x = RandomMatrix(in.Size(), 3, rng);
    const MatrixD dy = RandomMatrix(1, 3, rng);
    d.ZeroGrad();
    d.Forward(x);
    const MatrixD dx_full = d.Backward(dy, true);
    // Gradients left by an earlier pass must survive the frozen one unchanged.
    auto params = frozen.Params("D.");
    for (auto& p : params)
    {
        p.grad->setConstant(0.25);
    }
    frozen.Forward(x);
    const MatrixD dx_frozen = frozen.Backward(dy, false);
    REQUIRE(dx_frozen.rows() == in.Size());
    CHECK((dx_frozen - dx_full).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(dx_full.cwiseAbs().maxCoeff() > 1e-6); // a real gradient, not zeros on both sides
    for (const auto& p : params)
    {
        CAPTURE(p.name);
        CHECK((p.grad->array() == 0.25).all());
    }
}

TEST_CASE("Conv layers: Clone gives an independent deep copy")
{
    Rng rng(11);
    const Shape in{2, 5, 4};
    Conv2d<double> conv(in, 3, 3, 1, 1, true, InitKind::Torch, rng);
    ConvTranspose2d<double> convt(in, 3, 3, 2, 1, 1, true, InitKind::Torch, rng);
    const MatrixD x = RandomMatrix(in.Size(), 2, rng);
    for (Layer<double>* layer : {static_cast<Layer<double>*>(&conv), static_cast<Layer<double>*>(&convt)})
    {
        CAPTURE(layer->Kind());
        const MatrixD before = layer->Forward(x);
        std::unique_ptr<Layer<double>> copy = layer->Clone();
        CHECK(copy->Kind() == layer->Kind());
        CHECK(copy->OutputShape(in) == layer->OutputShape(in));
        CHECK(RelativeError(copy->Forward(x), before) == 0.0);
        std::vector<ParamRef<double>> params;
        layer->CollectParams("", params);
        REQUIRE(params.size() == 2);
        params[0].value->array() += 1.0; // change the original's weights
        CHECK(RelativeError(copy->Forward(x), before) == 0.0);
        CHECK(RelativeError(layer->Forward(x), before) > 1e-3);
    }
}

TEST_CASE("Conv layers: Torch init draws weights and biases within 1/sqrt(fan_in) as PyTorch computes it")
{
    Rng rng(12);
    Conv2d<double> conv(Shape{16, 8, 8}, 32, 3, 1, 1, true, InitKind::Torch, rng);
    const double bound = 1.0 / std::sqrt(16.0 * 9.0);
    CHECK(conv.Weight().cwiseAbs().maxCoeff() <= bound);
    CHECK(conv.Weight().cwiseAbs().maxCoeff() > 0.9 * bound);
    CHECK(conv.Bias().cwiseAbs().maxCoeff() <= bound);
    CHECK(conv.Bias().cwiseAbs().maxCoeff() > 0.0);
    // PyTorch's fan_in of a transposed conv's weight (Cin, Cout, k, k) is Cout k k: the weight's columns here.
    ConvTranspose2d<double> convt(Shape{16, 4, 4}, 8, 4, 2, 1, 0, true, InitKind::Torch, rng);
    const double bound_t = 1.0 / std::sqrt(8.0 * 16.0);
    CHECK(convt.Weight().cwiseAbs().maxCoeff() <= bound_t);
    CHECK(convt.Weight().cwiseAbs().maxCoeff() > 0.9 * bound_t);
    // He: sd sqrt(2 / fan_in), biases zero; Normal002: sd 0.02.
    Conv2d<double> he(Shape{16, 8, 8}, 64, 3, 1, 1, true, InitKind::He, rng);
    const double sd = std::sqrt(he.Weight().array().square().mean());
    CHECK(sd == doctest::Approx(std::sqrt(2.0 / 144.0)).epsilon(0.05));
    CHECK(he.Bias().cwiseAbs().maxCoeff() == 0.0);
    Conv2d<double> dcgan(Shape{16, 8, 8}, 64, 3, 1, 1, true, InitKind::Normal002, rng);
    CHECK(std::sqrt(dcgan.Weight().array().square().mean()) == doctest::Approx(0.02).epsilon(0.05));
}

TEST_CASE("Conv2d: spectral normalisation, backward and double backward match finite differences with u, v frozen")
{
    for (const ConvCase& cc : Grid())
    {
        CAPTURE(cc.stride);
        CAPTURE(cc.pad);
        CAPTURE(cc.batch);
        Rng rng(13);
        Conv2d<double> conv(kInput, 4, 3, cc.stride, cc.pad, true, InitKind::He, rng);
        conv.EnableSpectralNorm(rng);
        MatrixD x = RandomMatrix(kInput.Size(), cc.batch, rng);
        conv.Forward(x); // one power-iteration step, then frozen: the loss is a fixed function of W
        conv.SetTraining(false);
        CheckLayerGradients(conv, x, rng);
        CheckLayerDoubleBackward(conv, x, rng);
    }
}

TEST_CASE("Conv2d: spectral normalisation divides by the largest singular value of the (Cout, k*k*Cin) weight")
{
    Rng rng(14);
    Conv2d<double> conv(Shape{3, 6, 6}, 5, 3, 1, 1, false, InitKind::He, rng);
    conv.EnableSpectralNorm(rng);
    const MatrixD x = RandomMatrix(3 * 36, 2, rng);
    for (int i = 0; i < 200; ++i)
    {
        conv.Forward(x);
    }
    Eigen::JacobiSVD<MatrixD> svd(conv.Weight());
    CHECK(conv.Sigma() == doctest::Approx(svd.singularValues()(0)).epsilon(1e-6));
    // The layer's output is the plain conv with W / sigma.
    Conv2d<double> plain(Shape{3, 6, 6}, 5, 3, 1, 1, false, InitKind::He, rng);
    plain.Weight() = conv.Weight() / conv.Sigma();
    conv.SetTraining(false);
    CHECK(RelativeError(conv.Forward(x), plain.Forward(x)) < 1e-12);
    std::vector<ParamRef<double>> state;
    conv.CollectState("D.0.", state);
    REQUIRE(state.size() == 2);
    CHECK(state[0].name == "D.0.sn_u");
    CHECK(state[1].value->rows() == 27);
    // A clone keeps u and v: the same evaluation output.
    auto copy = conv.Clone();
    CHECK(RelativeError(copy->Forward(x), plain.Forward(x)) < 1e-12);
}

TEST_CASE("Sequential: a spectral-normalised conv critic's WGAN-GP double backward matches finite differences")
{
    Rng rng(15);
    const Shape in{2, 6, 5};
    Sequential<double> d;
    d.SetInputShape(in);
    auto c1 = std::make_unique<Conv2d<double>>(in, 3, 3, 2, 1, true, InitKind::He, rng);
    c1->EnableSpectralNorm(rng);
    const Shape s1 = c1->OutputShape(in);
    d.Add(std::move(c1));
    d.Add(std::make_unique<Activation<double>>(ActivationKind::Tanh));
    d.Add(std::make_unique<Reshape<double>>(s1, Shape::Flat(s1.Size()), true));
    auto l = std::make_unique<Linear<double>>(s1.Size(), 1, true, InitKind::Xavier, rng);
    l->EnableSpectralNorm(rng);
    d.Add(std::move(l));
    MatrixD x = RandomMatrix(in.Size(), 3, rng);
    d.Forward(x);
    d.SetTraining(false);
    CheckNetDoubleBackward(d, x, Penalty::WganGp, rng);
}
