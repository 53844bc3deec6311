// 2-D toys: samples lie near their modes and cover all of them, the same seed gives the same samples, the
// continuous toys stay inside their view, and names parse both ways.
#include "core/data/toy2d.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

using namespace ll::data;

namespace
{

// For each sample: the index of the nearest mode and its distance in units of the mode sd (max of |dx|, |dy|).
void CheckNearModes(const ToySampler& toy, const ll::nn::MatrixF& x, std::size_t expected_modes)
{
    const auto& modes = toy.Modes();
    REQUIRE(modes.size() == expected_modes);
    std::vector<int> hits(modes.size(), 0);
    double worst = 0.0;
    for (Eigen::Index j = 0; j < x.cols(); ++j)
    {
        double best = std::numeric_limits<double>::max();
        std::size_t best_k = 0;
        for (std::size_t k = 0; k < modes.size(); ++k)
        {
            const double d = std::hypot(x(0, j) - modes[k].x, x(1, j) - modes[k].y);
            if (d < best)
            {
                best = d;
                best_k = k;
            }
        }
        const double dx = std::abs(x(0, j) - modes[best_k].x);
        const double dy = std::abs(x(1, j) - modes[best_k].y);
        worst = std::max({worst, dx, dy});
        ++hits[best_k];
    }
    // A 5 sd excursion has probability 5.7e-7 per coordinate; the seed is fixed, so these bounds are
    // deterministic and check the scale of the noise from both sides.
    CHECK(worst / toy.ModeSd() < 5.0);
    CHECK(worst / toy.ModeSd() > 2.0); // the noise is really there, at roughly the stated sd
    for (std::size_t k = 0; k < modes.size(); ++k)
    {
        INFO("mode " << k);
        CHECK(hits[k] > 0);
        // Uniform mode choice: each mode gets n / modes samples, within 25%.
        CHECK(hits[k] > 0.75 * x.cols() / static_cast<double>(modes.size()));
        CHECK(hits[k] < 1.25 * x.cols() / static_cast<double>(modes.size()));
    }
}

} // namespace

TEST_CASE("Toy ring8: 8 modes on the unit circle, samples within 5 sd of a mode, all modes sampled")
{
    const ToySampler toy(ToyKind::Ring8);
    CHECK(toy.HasModes());
    CHECK(toy.ModeSd() == doctest::Approx(0.01f));
    for (const Mode& m : toy.Modes())
    {
        CHECK(std::hypot(m.x, m.y) == doctest::Approx(1.0).epsilon(1e-6));
    }
    ll::Rng rng(42);
    ll::nn::MatrixF x;
    toy.Sample(rng, 20000, x);
    REQUIRE(x.rows() == 2);
    REQUIRE(x.cols() == 20000);
    CheckNearModes(toy, x, 8);
    CHECK(toy.Extent() > 1.0f);
}

TEST_CASE("Toy grid25: 25 modes at {-4,-2,0,2,4}^2, samples within 5 sd of a mode, all modes sampled")
{
    const ToySampler toy(ToyKind::Grid25);
    CHECK(toy.ModeSd() == doctest::Approx(0.05f));
    for (const Mode& m : toy.Modes())
    {
        CHECK(std::abs(m.x) <= 4.0f);
        CHECK(std::fmod(std::abs(m.x), 2.0f) == 0.0f);
        CHECK(std::fmod(std::abs(m.y), 2.0f) == 0.0f);
    }
    ll::Rng rng(7);
    ll::nn::MatrixF x;
    toy.Sample(rng, 25000, x);
    CheckNearModes(toy, x, 25);
    CHECK(toy.Extent() > 4.0f);
}

TEST_CASE("Toy samplers: the same seed gives the same samples, another seed different ones")
{
    for (const std::string& name : ToyNames())
    {
        INFO(name);
        const ToySampler toy(ParseToy(name));
        ll::Rng a(123), b(123), c(124);
        ll::nn::MatrixF xa, xb, xc;
        toy.Sample(a, 500, xa);
        toy.Sample(b, 500, xb);
        toy.Sample(c, 500, xc);
        CHECK(xa == xb);
        CHECK(xa != xc);
    }
}

TEST_CASE("Toy samplers: every toy's samples are finite, inside its view, and spread out")
{
    for (const std::string& name : ToyNames())
    {
        INFO(name);
        const ToySampler toy(ParseToy(name));
        ll::Rng rng(5);
        ll::nn::MatrixF x;
        toy.Sample(rng, 5000, x);
        CHECK(x.allFinite());
        CHECK(x.cwiseAbs().maxCoeff() < toy.Extent());
        // Not collapsed to a point: the spread along each axis is a sizeable part of the view.
        const Eigen::Vector2f mean = x.rowwise().mean();
        const Eigen::Vector2f sd = ((x.colwise() - mean).array().square().rowwise().mean()).sqrt();
        CHECK(sd.minCoeff() > 0.15f * toy.Extent());
        CHECK(std::abs(mean.x()) < 0.2f * toy.Extent());
        CHECK(std::abs(mean.y()) < 0.2f * toy.Extent());
    }
}

TEST_CASE("Toy checkerboard: samples fall only on the dark squares")
{
    const ToySampler toy(ToyKind::Checkerboard);
    ll::Rng rng(9);
    ll::nn::MatrixF x;
    toy.Sample(rng, 4000, x);
    for (Eigen::Index j = 0; j < x.cols(); ++j)
    {
        const int cx = static_cast<int>(std::floor(x(0, j) + 2.0f));
        const int cy = static_cast<int>(std::floor(x(1, j) + 2.0f));
        REQUIRE(cx >= 0);
        REQUIRE(cx < 4);
        REQUIRE(cy >= 0);
        REQUIRE(cy < 4);
        REQUIRE((cx + cy) % 2 == 0);
    }
}

TEST_CASE("Toy custom: drawn points are sampled with jitter and refuse bad input")
{
    const ToySampler toy({{0.5f, 0.5f}, {-1.0f, 2.0f}}, 0.02f);
    CHECK(toy.Kind() == ToyKind::Custom);
    CHECK_FALSE(toy.HasModes());
    ll::Rng rng(11);
    ll::nn::MatrixF x;
    toy.Sample(rng, 2000, x);
    int near_first = 0;
    for (Eigen::Index j = 0; j < x.cols(); ++j)
    {
        const double d0 = std::hypot(x(0, j) - 0.5, x(1, j) - 0.5);
        const double d1 = std::hypot(x(0, j) + 1.0, x(1, j) - 2.0);
        REQUIRE(std::min(d0, d1) < 0.02 * 6);
        near_first += d0 < d1;
    }
    CHECK(near_first > 800);
    CHECK(near_first < 1200);
    CHECK(toy.Extent() > 2.0f);
    CHECK_THROWS_AS(ToySampler(std::vector<Mode>{}, 0.1f), std::invalid_argument);
    CHECK_THROWS_AS(ToySampler({{0.0f, 0.0f}}, -1.0f), std::invalid_argument);
    CHECK_THROWS_AS(ToySampler(ToyKind::Custom), std::invalid_argument);
}

TEST_CASE("Toy names: parse and print round trip, aliases accepted, unknown names listed in the error")
{
    const auto names = ToyNames();
    CHECK(names.size() == 6);
    for (const std::string& name : names)
    {
        CHECK(ToyName(ParseToy(name)) == name);
    }
    CHECK(ParseToy("two_moons") == ToyKind::TwoMoons);
    CHECK(ParseToy("Swiss-Roll") == ToyKind::SwissRoll);
    CHECK(ParseToy("custom") == ToyKind::Custom);
    CHECK(ToyName(ToyKind::Custom) == "custom");
    try
    {
        ParseToy("donut");
        FAIL("ParseToy accepted 'donut'");
    }
    catch (const std::invalid_argument& e)
    {
        const std::string msg = e.what();
        CHECK(msg.find("\"donut\"") != std::string::npos);
        CHECK(msg.find("ring8") != std::string::npos);
    }
}
