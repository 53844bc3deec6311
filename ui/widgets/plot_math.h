// The GL-free half of the plot widget: axis transforms (linear / log10), "nice" tick choice, min/max decimation
// to one pair per pixel column, and EMA smoothing. Pure functions on plain arrays, tested in tests/ui.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace ll::ui::plot
{

// Maps data values to pixels along one axis. Limits lo/hi are in axis space: the value itself, or log10 of it on
// a log axis. Pixel coordinates may run backwards (p0 > p1), as they do for y on screen.
struct AxisTransform
{
    double lo = 0.0, hi = 1.0; // visible range in axis space
    double p0 = 0.0, p1 = 1.0; // pixels of lo and hi
    bool log = false;

    // Data value -> axis space (NaN for v <= 0 on a log axis).
    double ToAxis(double v) const { return log ? (v > 0.0 ? std::log10(v) : std::nan("")) : v; }
    double FromAxis(double a) const { return log ? std::pow(10.0, a) : a; }
    double AxisToPixel(double a) const { return p0 + (a - lo) / (hi - lo) * (p1 - p0); }
    double PixelToAxis(double p) const { return lo + (p - p0) / (p1 - p0) * (hi - lo); }
    double ToPixel(double v) const { return AxisToPixel(ToAxis(v)); }
    double ToData(double p) const { return FromAxis(PixelToAxis(p)); }
};

// Zooms [lo, hi] by factor (< 1 zooms in) keeping the axis-space point `anchor` fixed on screen.
void ZoomRange(double& lo, double& hi, double anchor, double factor);

// Widens a degenerate or reversed range so it can be drawn, and pads it by `pad_fraction` of its width per side.
void PadRange(double& lo, double& hi, double pad_fraction);

struct Tick
{
    double axis = 0.0; // position in axis space
    double value = 0.0; // data value (10^axis on a log axis)
    std::string label;
};

// Steps of 1, 2 or 5 times a power of ten so that [lo, hi] holds about `target` ticks.
double NiceStep(double span, int target);

// Ticks inside the axis-space range [lo, hi]. Linear axes get multiples of NiceStep; log axes get powers of ten
// (every k-th decade when there are many) or, when the range is under about a decade, nice linear values.
std::vector<Tick> ComputeTicks(double lo, double hi, bool log, int target);

// A tick label with just enough decimals for `step` ("0.25", "1500", "1e-05").
std::string FormatTick(double value, double step);

// Index of the first element >= x in ascending xs[0..n) (n when none).
template <class T>
std::size_t LowerBound(const T* xs, std::size_t n, double x)
{
    return static_cast<std::size_t>(std::lower_bound(xs, xs + n, x, [](T a, double b) { return a < b; }) - xs);
}

// Index of the element of ascending xs nearest to x (n must be > 0).
template <class T>
std::size_t NearestIndex(const T* xs, std::size_t n, double x)
{
    const std::size_t i = LowerBound(xs, n, x);
    if (i == 0)
    {
        return 0;
    }
    if (i >= n)
    {
        return n - 1;
    }
    return (x - static_cast<double>(xs[i - 1]) <= static_cast<double>(xs[i]) - x) ? i - 1 : i;
}

// Decimated points of one series, in data space.
struct Decimated
{
    std::vector<double> xs, ys;
    double y_min = INFINITY, y_max = -INFINITY; // over the points inside [x_lo, x_hi] (for auto-fit)
    void Clear()
    {
        xs.clear();
        ys.clear();
        y_min = INFINITY;
        y_max = -INFINITY;
    }
};

// Reduces the points of ascending xs that fall in [x_lo, x_hi] (data space) to at most 2 per pixel column, plus
// the one neighbour on each side so lines leave the plot edge correctly. A column holding more than two points
// becomes its minimum and maximum (in the order the series visits them) at the column's centre x; columns with
// one or two points keep them exactly. Column bounds are found by binary search and each column is one
// vectorisable min/max pass, so a million points cost one linear scan and the output is <= 2 * columns + 2.
// Non-finite ys are skipped. `log_x` places the columns evenly in log10(x).
template <class TX, class TY>
void DecimateMinMax(const TX* xs, const TY* ys, std::size_t n, double x_lo, double x_hi, int columns, Decimated& out,
                    bool log_x = false);

// Exponential moving average with TensorBoard-style debiasing: s_t = w s_{t-1} + (1 - w) y_t, reported as
// s_t / (1 - w^t) so the start is not pulled towards zero. weight in [0, 1); non-finite ys are carried over.
// Resumes from `state`, so a series that only grows costs O(new points) per call; a shorter series or another
// weight restarts it. Callers whose data changes in place must reset the state themselves.
struct EmaState
{
    double biased = 0.0; // s_t before debiasing
    double decay = 1.0;  // w^t
    double weight = -1.0;
    std::size_t done = 0; // entries of out already valid
};
template <class T>
void EmaSmooth(const T* ys, std::size_t n, double weight, EmaState& state, std::vector<double>& out);

} // namespace ll::ui::plot
