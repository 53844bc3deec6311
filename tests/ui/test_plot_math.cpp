// Plot maths: min/max decimation keeps every column's extremes within a bounded output, axis transforms invert,
// ticks are nice and inside the range, EMA smoothing resumes exactly.
#include "ui/widgets/plot_math.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <vector>

using namespace ll::ui::plot;

namespace
{

// A noisy, spiky series on x = 0..n-1.
void MakeSeries(std::size_t n, std::vector<float>& xs, std::vector<float>& ys)
{
    xs.resize(n);
    ys.resize(n);
    std::uint64_t state = 12345;
    for (std::size_t i = 0; i < n; ++i)
    {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double noise = static_cast<double>(state >> 40) / static_cast<double>(1ull << 24) - 0.5;
        xs[i] = static_cast<float>(i);
        ys[i] = static_cast<float>(std::sin(i * 0.001) + noise + (i % 9973 == 0 ? 5.0 : 0.0));
    }
}

} // namespace

TEST_CASE("Decimation: output is bounded by two points per column plus the two neighbours")
{
    std::vector<float> xs, ys;
    MakeSeries(100000, xs, ys);
    Decimated out;
    for (int columns : {1, 7, 300, 1920})
    {
        DecimateMinMax(xs.data(), ys.data(), xs.size(), 1000.0, 90000.0, columns, out);
        CHECK(out.xs.size() == out.ys.size());
        CHECK(out.xs.size() <= static_cast<std::size_t>(2 * columns + 2));
        CHECK(out.xs.size() >= static_cast<std::size_t>(columns)); // every column holds data here
    }
}

TEST_CASE("Decimation: each pixel column keeps its exact minimum and maximum")
{
    std::vector<float> xs, ys;
    MakeSeries(50000, xs, ys);
    const double lo = 0.0, hi = 49999.0;
    const int columns = 250;
    Decimated out;
    DecimateMinMax(xs.data(), ys.data(), xs.size(), lo, hi, columns, out);
    const double width = (hi - lo) / columns;
    for (int c = 0; c < columns; ++c)
    {
        const double left = lo + c * width, right = lo + (c + 1) * width;
        double want_min = INFINITY, want_max = -INFINITY;
        for (std::size_t i = 0; i < xs.size(); ++i)
        {
            const bool inside = xs[i] >= left && (xs[i] < right || (c + 1 == columns && xs[i] <= hi));
            if (inside)
            {
                want_min = std::min(want_min, static_cast<double>(ys[i]));
                want_max = std::max(want_max, static_cast<double>(ys[i]));
            }
        }
        double got_min = INFINITY, got_max = -INFINITY;
        for (std::size_t k = 0; k < out.xs.size(); ++k)
        {
            if (out.xs[k] >= left && out.xs[k] < right)
            {
                got_min = std::min(got_min, out.ys[k]);
                got_max = std::max(got_max, out.ys[k]);
            }
        }
        CHECK(got_min == want_min);
        CHECK(got_max == want_max);
    }
    CHECK(out.y_max >= 5.0); // the spikes survive
}

TEST_CASE("Decimation: sparse data is kept exactly, with the neighbours outside the range")
{
    const std::vector<double> xs = {0, 1, 2, 3, 4, 5};
    const std::vector<double> ys = {10, 11, 12, 13, 14, 15};
    Decimated out;
    DecimateMinMax(xs.data(), ys.data(), xs.size(), 1.5, 3.5, 100, out);
    REQUIRE(out.xs.size() == 4);
    CHECK(out.xs == std::vector<double>{1, 2, 3, 4});
    CHECK(out.ys == std::vector<double>{11, 12, 13, 14});
    CHECK(out.y_min == 12);
    CHECK(out.y_max == 13);
}

TEST_CASE("Decimation: NaN values are skipped and an empty range gives nothing")
{
    const std::vector<double> xs = {0, 1, 2, 3, 4, 5, 6, 7};
    const std::vector<double> ys = {1, NAN, 3, NAN, NAN, 2, 8, NAN};
    Decimated out;
    DecimateMinMax(xs.data(), ys.data(), xs.size(), 0.0, 7.0, 1, out);
    CHECK(out.y_min == 1);
    CHECK(out.y_max == 8);
    for (double y : out.ys)
    {
        CHECK(std::isfinite(y));
    }
    DecimateMinMax(xs.data(), ys.data(), xs.size(), 20.0, 30.0, 10, out);
    CHECK(out.xs.empty());
}

TEST_CASE("Decimation: a million points reduce to 2000 in a few milliseconds")
{
    std::vector<float> xs, ys;
    MakeSeries(1000000, xs, ys);
    Decimated out;
    const auto start = std::chrono::steady_clock::now();
    DecimateMinMax(xs.data(), ys.data(), xs.size(), 0.0, 999999.0, 1000, out);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("decimating 1e6 points to " << out.xs.size() << " took " << ms << " ms");
    CHECK(out.xs.size() <= 2002);
    CHECK(ms < 100.0); // generous: sanitizer builds and a loaded 2-core machine share this test
}

TEST_CASE("AxisTransform: data and pixels map both ways, on linear and log axes")
{
    AxisTransform lin{-2.0, 6.0, 100.0, 500.0, false};
    CHECK(lin.ToPixel(-2.0) == doctest::Approx(100.0));
    CHECK(lin.ToPixel(6.0) == doctest::Approx(500.0));
    CHECK(lin.ToPixel(2.0) == doctest::Approx(300.0));
    CHECK(lin.ToData(lin.ToPixel(1.234)) == doctest::Approx(1.234).epsilon(1e-12));

    AxisTransform y_log{-3.0, 1.0, 400.0, 0.0, true}; // 1e-3 at the bottom (pixel 400), 10 at the top
    CHECK(y_log.ToPixel(1e-3) == doctest::Approx(400.0));
    CHECK(y_log.ToPixel(10.0) == doctest::Approx(0.0));
    CHECK(y_log.ToPixel(0.1) == doctest::Approx(200.0));
    CHECK(y_log.ToData(y_log.ToPixel(0.037)) == doctest::Approx(0.037).epsilon(1e-12));
    CHECK(std::isnan(y_log.ToAxis(0.0)));
    CHECK(std::isnan(y_log.ToAxis(-1.0)));
}

TEST_CASE("ZoomRange and PadRange: the anchor stays put and flat ranges get a height")
{
    double lo = 0, hi = 10;
    ZoomRange(lo, hi, 2.0, 0.5);
    CHECK(lo == doctest::Approx(1.0));
    CHECK(hi == doctest::Approx(6.0));
    double a = 3, b = 3;
    PadRange(a, b, 0.05);
    CHECK(a < 3.0);
    CHECK(b > 3.0);
    double c = 0, d = 10;
    PadRange(c, d, 0.1);
    CHECK(c == doctest::Approx(-1.0));
    CHECK(d == doctest::Approx(11.0));
}

TEST_CASE("Ticks: linear ticks are 1/2/5 steps inside the range, near the target count")
{
    CHECK(NiceStep(10.0, 5) == doctest::Approx(2.0));
    CHECK(NiceStep(1.0, 4) == doctest::Approx(0.2));
    CHECK(NiceStep(0.03, 3) == doctest::Approx(0.01));
    CHECK(NiceStep(7000.0, 6) == doctest::Approx(1000.0));

    const std::vector<Tick> ticks = ComputeTicks(-0.37, 2.91, false, 6);
    REQUIRE(ticks.size() >= 4);
    REQUIRE(ticks.size() <= 12);
    const double step = ticks[1].value - ticks[0].value;
    CHECK(step == doctest::Approx(0.5));
    for (const Tick& t : ticks)
    {
        CHECK(t.value >= -0.37);
        CHECK(t.value <= 2.91);
        CHECK(std::fmod(std::abs(t.value) + 1e-9, step) < 1e-6);
    }
    CHECK(ticks[0].label == "0.0");
    CHECK(ticks[1].label == "0.5");
}

TEST_CASE("Ticks: log axes use powers of ten, thinned when there are many decades")
{
    const std::vector<Tick> wide = ComputeTicks(-6.2, 3.5, true, 5); // 1e-6 .. 1e3
    REQUIRE(wide.size() >= 3);
    REQUIRE(wide.size() <= 6);
    for (const Tick& t : wide)
    {
        CHECK(t.axis == doctest::Approx(std::round(t.axis))); // integer exponents only
        CHECK(t.value == doctest::Approx(std::pow(10.0, t.axis)));
    }
    const std::vector<Tick> narrow = ComputeTicks(std::log10(0.3), std::log10(30.0), true, 5);
    std::vector<double> values;
    for (const Tick& t : narrow)
    {
        values.push_back(t.value);
    }
    CHECK(values == std::vector<double>{0.5, 1, 2, 5, 10, 20});
}

TEST_CASE("FormatTick: as many decimals as the step needs")
{
    CHECK(FormatTick(0.25, 0.05) == "0.25");
    CHECK(FormatTick(1500.0, 500.0) == "1500");
    CHECK(FormatTick(2e-5, 1e-5) == "2e-05");
    CHECK(FormatTick(3e7, 1e7) == "3e+07");
}

TEST_CASE("EMA: matches the debiased definition and resumes on appended data")
{
    const std::vector<double> ys = {1, 2, 3, 4, 5, 6};
    const double w = 0.5;
    EmaState state;
    std::vector<double> out;
    EmaSmooth(ys.data(), 3, w, state, out);
    EmaSmooth(ys.data(), ys.size(), w, state, out); // resumes at index 3
    double s = 0, decay = 1;
    for (std::size_t i = 0; i < ys.size(); ++i)
    {
        s = w * s + (1 - w) * ys[i];
        decay *= w;
        CHECK(out[i] == doctest::Approx(s / (1 - decay)).epsilon(1e-12));
    }
    CHECK(out[0] == doctest::Approx(1.0)); // debiased: the first value is the data itself

    EmaState fresh;
    std::vector<double> again;
    EmaSmooth(ys.data(), ys.size(), w, fresh, again);
    CHECK(again == out);
}
