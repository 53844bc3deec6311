// Reshape / Flatten (metadata only: the batch passes through untouched) and nearest Upsample: hand-checked values,
// backward and double backward against finite differences, shape errors.
#include "core/nn/shape_layers.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

TEST_CASE("Shape: size and text")
{
    CHECK(Shape{64, 7, 7}.Size() == 3136);
    CHECK(Shape{64, 7, 7}.Text() == "64x7x7");
    CHECK(Shape::Flat(784).Text() == "784");
    CHECK(Shape::Flat(784).IsFlat());
    CHECK_FALSE(Shape{1, 28, 28}.IsFlat());
    CHECK_FALSE(Shape{0, 1, 1}.Valid());
}

TEST_CASE("Reshape and Flatten: pass the batch through without copying")
{
    Reshape<float> reshape(Shape::Flat(12), Shape{3, 2, 2});
    Reshape<float> flatten(Shape{3, 2, 2}, Shape::Flat(12), true);
    CHECK(reshape.Kind() == "reshape");
    CHECK(flatten.Kind() == "flatten");
    CHECK(reshape.OutputShape(Shape::Flat(12)) == Shape{3, 2, 2});
    CHECK(flatten.OutputShape(Shape{3, 2, 2}) == Shape::Flat(12));
    const MatrixF x = MatrixF::Random(12, 5);
    CHECK(&reshape.Forward(x) == &x);
    const MatrixF dy = MatrixF::Random(12, 5);
    CHECK(&reshape.Backward(dy) == &dy);
    MatrixF dp_dx;
    CHECK(&reshape.BackwardOfBackward(dy, dp_dx) == &dy);
    CHECK(dp_dx.cwiseAbs().maxCoeff() == 0.0f);
    CHECK_THROWS_AS(Reshape<float>(Shape::Flat(12), Shape{3, 2, 3}), std::invalid_argument);
    CHECK_THROWS_AS(Reshape<float>(Shape::Flat(12), Shape{3, 2, 2}, true), std::invalid_argument); // not flat
    CHECK_THROWS_AS(reshape.Forward(MatrixF::Zero(11, 2)), std::invalid_argument);
    CHECK(reshape.Clone()->OutputShape({}) == Shape{3, 2, 2});
    CHECK(flatten.Clone()->Kind() == "flatten");
}

TEST_CASE("Upsample: repeats every pixel factor x factor times, channels last")
{
    // One example, 2 channels, 1x2 pixels: (a0, a1) at x = 0 and (b0, b1) at x = 1.
    Upsample<double> up(Shape{2, 1, 2}, 2);
    CHECK(up.OutputShape({}) == Shape{2, 2, 4});
    MatrixD x(4, 1);
    x << 1, 2, 3, 4;
    const MatrixD& y = up.Forward(x);
    MatrixD expect(16, 1);
    expect << 1, 2, 1, 2, 3, 4, 3, 4, // row 0: a a b b
        1, 2, 1, 2, 3, 4, 3, 4;       // row 1
    CHECK(y == expect);
    const MatrixD dx = up.Backward(MatrixD::Ones(16, 1));
    CHECK(dx == MatrixD::Constant(4, 1, 4.0)); // each input feeds 4 outputs
    CHECK_THROWS_AS(Upsample<double>(Shape{2, 1, 2}, 0), std::invalid_argument);
}

TEST_CASE("Upsample: backward and double backward match finite differences")
{
    for (Index factor : {1, 2, 3})
    {
        CAPTURE(factor);
        Rng rng(static_cast<std::uint64_t>(factor));
        Upsample<double> up(Shape{3, 2, 3}, factor);
        CheckLayerGradients(up, RandomMatrix(18, 2, rng), rng);
        CheckLayerDoubleBackward(up, RandomMatrix(18, 2, rng), rng);
        Reshape<double> flatten(Shape{3, 2, 3}, Shape::Flat(18), true);
        CheckLayerGradients(flatten, RandomMatrix(18, 2, rng), rng);
        CheckLayerDoubleBackward(flatten, RandomMatrix(18, 2, rng), rng);
    }
}

TEST_CASE("Label planes: every pixel gets its example's labels after its channels, and the gradient drops them")
{
    const Shape image{2, 1, 2}; // 2 channels, 2 pixels
    MatrixD x(4, 2);
    x << 1, 5, 2, 6, 3, 7, 4, 8; // example 0: pixels (1, 2), (3, 4); example 1: (5, 6), (7, 8)
    MatrixD labels(3, 2);
    labels << 1, 0, 0, 1, 0, 0; // example 0: class 0, example 1: class 1
    MatrixD out;
    AppendLabelPlanes(x, image, labels, out);
    MatrixD expect(10, 2);
    expect.col(0) << 1, 2, 1, 0, 0, 3, 4, 1, 0, 0;
    expect.col(1) << 5, 6, 0, 1, 0, 7, 8, 0, 1, 0;
    CHECK(out == expect);
    MatrixD back;
    DropLabelPlanes(out, image, 3, back);
    CHECK(back == x);
    CHECK_THROWS_AS(DropLabelPlanes(out, image, 2, back), std::invalid_argument);
    CHECK_THROWS_AS(AppendLabelPlanes(x, Shape{3, 1, 2}, labels, out), std::invalid_argument);
}
