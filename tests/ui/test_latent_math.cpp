// Latent explorer maths: slerp keeps endpoints and unit norm, lerp halves, PCA finds the long axis of an elongated
// cloud, colour maps hit their end colours, latent grids put each value where the image expects it.
#include "ui/views/latent_math.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

using namespace ll;
using namespace ll::ui;

namespace
{

nn::VectorF Vec(std::initializer_list<float> values)
{
    nn::VectorF v(static_cast<nn::Index>(values.size()));
    int i = 0;
    for (float x : values)
    {
        v(i++) = x;
    }
    return v;
}

} // namespace

TEST_CASE("Slerp: returns the endpoints at t = 0 and t = 1")
{
    const nn::VectorF a = Vec({1, 2, -0.5f});
    const nn::VectorF b = Vec({-1, 0.3f, 2});
    CHECK((Slerp(a, b, 0.0f) - a).norm() < 1e-5f);
    CHECK((Slerp(a, b, 1.0f) - b).norm() < 1e-5f);
}

TEST_CASE("Slerp: unit vectors stay on the unit sphere, where lerp dips inside")
{
    const nn::VectorF a = Vec({1, 0, 0, 0});
    const nn::VectorF b = Vec({0, 0.6f, 0.8f, 0});
    for (float t : {0.1f, 0.25f, 0.5f, 0.75f, 0.9f})
    {
        CHECK(Slerp(a, b, t).norm() == doctest::Approx(1.0).epsilon(1e-5));
    }
    CHECK(Lerp(a, b, 0.5f).norm() < 0.75f); // sqrt(0.5) ~ 0.707: the reason slerp exists
    // The midpoint lies halfway in angle: equal angle to both ends.
    const nn::VectorF m = Slerp(a, b, 0.5f);
    CHECK(m.dot(a) == doctest::Approx(m.dot(b)).epsilon(1e-5));
}

TEST_CASE("Slerp: falls back to lerp for parallel and zero codes")
{
    const nn::VectorF a = Vec({1, 1});
    CHECK((Slerp(a, 2.0f * a, 0.5f) - 1.5f * a).norm() < 1e-5f);
    const nn::VectorF zero = Vec({0, 0});
    CHECK((Slerp(zero, a, 0.25f) - 0.25f * a).norm() < 1e-6f);
}

TEST_CASE("Lerp: the midpoint is the average, and the path has both ends")
{
    const nn::VectorF a = Vec({2, -4, 6});
    const nn::VectorF b = Vec({4, 0, -2});
    CHECK((Lerp(a, b, 0.5f) - Vec({3, -2, 2})).norm() < 1e-6f);
    const nn::MatrixF path = InterpolationPath(a, b, 5, false);
    REQUIRE(path.cols() == 5);
    CHECK((path.col(0) - a).norm() < 1e-6f);
    CHECK((path.col(4) - b).norm() < 1e-6f);
    CHECK((path.col(2) - Vec({3, -2, 2})).norm() < 1e-6f);
    CHECK_THROWS_AS(InterpolationPath(a, b, 1, true), std::invalid_argument);
}

TEST_CASE("PCA: an elongated cloud's first axis is its long direction")
{
    // 3-D points: sd 3 along u = (1, 1, 0)/sqrt 2, sd 0.5 along v = (0, 0, 1), sd 0.1 along w, mean (5, -2, 1).
    const nn::VectorF u = Vec({0.70710678f, 0.70710678f, 0});
    const nn::VectorF v = Vec({0, 0, 1});
    const nn::VectorF w = Vec({0.70710678f, -0.70710678f, 0});
    const int n = 4000;
    nn::MatrixF points(3, n);
    std::uint64_t state = 42;
    const auto gauss = [&state]() {
        double s = 0;
        for (int k = 0; k < 12; ++k) // Irwin-Hall: close enough to normal for this test
        {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            s += static_cast<double>(state >> 11) * 0x1.0p-53;
        }
        return static_cast<float>(s - 6.0);
    };
    for (int i = 0; i < n; ++i)
    {
        points.col(i) = Vec({5, -2, 1}) + 3.0f * gauss() * u + 0.5f * gauss() * v + 0.1f * gauss() * w;
    }
    const Pca pca = FitPca(points, 2);
    CHECK(std::abs(pca.axes.col(0).dot(u)) > 0.999f);
    CHECK(std::abs(pca.axes.col(1).dot(v)) > 0.99f);
    CHECK(pca.variances(0) == doctest::Approx(9.0).epsilon(0.08));
    CHECK(pca.variances(1) == doctest::Approx(0.25).epsilon(0.08));
    CHECK(pca.mean(0) == doctest::Approx(5.0).epsilon(0.05));
    // Projected coordinates are centred and have the fitted variances.
    const nn::MatrixF projected = Project(pca, points);
    REQUIRE(projected.rows() == 2);
    CHECK(std::abs(projected.row(0).mean()) < 1e-3f);
    CHECK(projected.row(0).squaredNorm() / (n - 1) == doctest::Approx(pca.variances(0)).epsilon(1e-3));
    CHECK_THROWS_AS(FitPca(points, 4), std::invalid_argument);
}

TEST_CASE("Colour maps: endpoints are the documented colours, and values outside [0, 1] clamp")
{
    CHECK(SequentialColor(0.0f) == PackRgba(68, 1, 84));
    CHECK(SequentialColor(1.0f) == PackRgba(253, 231, 37));
    CHECK(SequentialColor(-3.0f) == SequentialColor(0.0f));
    CHECK(SequentialColor(7.0f) == SequentialColor(1.0f));
    CHECK(DivergingColor(0.0f) == PackRgba(118, 42, 131));
    CHECK(DivergingColor(0.5f) == PackRgba(38, 38, 44)); // dark centre
    CHECK(DivergingColor(1.0f) == PackRgba(27, 140, 70));
    CHECK(PackRgba(1, 2, 3, 4) == 0x04030201u); // IM_COL32 layout
    CHECK(ClassColor(3) == ClassColor(13));
    CHECK(ClassColor(0) != ClassColor(1));
}

TEST_CASE("FieldImage: the top image row is the largest y, values map through the colour map")
{
    // res 2: field index ix + 2 * iy; put the high value at (ix 0, iy 1) = top-left of the image.
    const std::vector<float> field = {0.0f, 0.0f, 1.0f, 0.0f};
    const RgbaImage image = FieldImage(field, 2, 0.0f, 1.0f, false);
    REQUIRE(image.width == 2);
    const std::uint32_t top_left = PackRgba(image.pixels[0], image.pixels[1], image.pixels[2], image.pixels[3]);
    const std::uint32_t bottom_left = PackRgba(image.pixels[8], image.pixels[9], image.pixels[10], image.pixels[11]);
    CHECK(top_left == SequentialColor(1.0f));
    CHECK(bottom_left == SequentialColor(0.0f));
    CHECK_THROWS_AS(FieldImage(field, 3, 0, 1, false), std::invalid_argument);
}

TEST_CASE("SweepGrid and TraversalCodes: each column holds the value its tile shows")
{
    const nn::VectorF base = Vec({0.5f, 0.5f, 0.5f});
    const nn::MatrixF grid = SweepGrid(base, 2, 0, 3, 3.0f);
    REQUIRE(grid.cols() == 9);
    CHECK(grid(2, 0) == doctest::Approx(-3.0)); // top-left: x low...
    CHECK(grid(0, 0) == doctest::Approx(3.0));  // ...y high
    CHECK(grid(2, 8) == doctest::Approx(3.0));
    CHECK(grid(0, 8) == doctest::Approx(-3.0));
    CHECK(grid(1, 4) == doctest::Approx(0.5)); // untouched dim keeps the base value
    const nn::MatrixF rows = TraversalCodes(base, 2, 5, 2.0f);
    REQUIRE(rows.cols() == 10);
    CHECK(rows(1, 5) == doctest::Approx(-2.0)); // row 1 starts at -extent in dim 1
    CHECK(rows(0, 5) == doctest::Approx(0.5));
    CHECK(rows(0, 4) == doctest::Approx(2.0));
}

TEST_CASE("InfoGAN code grid: row v sets the block to one-hot(v), each column keeps its own z")
{
    nn::MatrixF bases(5, 2); // rows 0-1: z, rows 2-4: a block of 3
    bases << 0.5f, -0.5f, //
        1.0f, 2.0f,       //
        1.0f, 0.0f,       //
        0.0f, 1.0f,       //
        0.0f, 0.0f;
    const nn::MatrixF grid = CodeValueGrid(bases, 2, 3);
    REQUIRE(grid.cols() == 6);
    for (int v = 0; v < 3; ++v)
    {
        for (int j = 0; j < 2; ++j)
        {
            const auto col = grid.col(j + 2 * v);
            CHECK(col.head(2) == bases.col(j).head(2));
            CHECK(col.segment(2, 3).sum() == 1.0f);
            CHECK(col(2 + v) == 1.0f);
        }
    }
    CHECK_THROWS_AS(CodeValueGrid(bases, 3, 3), std::invalid_argument);
    nn::VectorF code = bases.col(0);
    SetOneHot(code, 2, 3, 2);
    CHECK(code(2) == 0.0f);
    CHECK(code(4) == 1.0f);
    CHECK_THROWS_AS(SetOneHot(code, 2, 3, 3), std::invalid_argument);
}

TEST_CASE("Traversal of chosen dims: row r varies dims[r] alone over the range")
{
    const nn::VectorF base = Vec({0.1f, 0.2f, 0.3f});
    const nn::MatrixF t = TraversalOf(base, {2, 0}, 3, 1.0f);
    REQUIRE(t.cols() == 6);
    CHECK(t(2, 0) == -1.0f);
    CHECK(t(2, 2) == 1.0f);
    CHECK(t(0, 1) == doctest::Approx(0.1f));
    CHECK(t(0, 3) == -1.0f);
    CHECK(t(2, 3) == doctest::Approx(0.3f));
    CHECK_THROWS_AS(TraversalOf(base, {3}, 3, 1.0f), std::invalid_argument);
}
