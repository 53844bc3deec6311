// Axis transforms, tick choice, min/max decimation and EMA for the plot widget (no GL, no ImGui).
#include "ui/widgets/plot_math.h"

#include <cstdio>
#include <limits>

namespace ll::ui::plot
{

void ZoomRange(double& lo, double& hi, double anchor, double factor)
{
    lo = anchor + (lo - anchor) * factor;
    hi = anchor + (hi - anchor) * factor;
}

void PadRange(double& lo, double& hi, double pad_fraction)
{
    if (!std::isfinite(lo) || !std::isfinite(hi))
    {
        lo = 0.0;
        hi = 1.0;
        return;
    }
    if (lo > hi)
    {
        std::swap(lo, hi);
    }
    double span = hi - lo;
    if (span <= std::max(std::abs(lo), std::abs(hi)) * 1e-12 || span == 0.0)
    {
        // A flat series: centre it in a band of +-0.5 or +-10% of its magnitude, whichever is larger.
        const double half = std::max(0.5, std::abs(lo) * 0.1);
        lo -= half;
        hi += half;
        return;
    }
    lo -= span * pad_fraction;
    hi += span * pad_fraction;
}

double NiceStep(double span, int target)
{
    if (!(span > 0.0) || !std::isfinite(span))
    {
        return 1.0;
    }
    const double raw = span / std::max(1, target);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / magnitude; // in [1, 10)
    double nice = 10.0;
    if (fraction < 1.5)
    {
        nice = 1.0;
    }
    else if (fraction < 3.5)
    {
        nice = 2.0;
    }
    else if (fraction < 7.5)
    {
        nice = 5.0;
    }
    return nice * magnitude;
}

std::string FormatTick(double value, double step)
{
    char buffer[32];
    const double magnitude = std::max(std::abs(value), step);
    if (step > 0.0 && (magnitude >= 1e6 || step < 1e-4))
    {
        std::snprintf(buffer, sizeof(buffer), "%.3g", value);
    }
    else
    {
        const int decimals = step >= 1.0 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
        std::snprintf(buffer, sizeof(buffer), "%.*f", std::clamp(decimals, 0, 6), value);
    }
    return buffer;
}

namespace
{

void LinearTicks(double lo, double hi, int target, bool log, std::vector<Tick>& out)
{
    // Nice values in data space; on a log axis they are placed at log10(value).
    const double v_lo = log ? std::pow(10.0, lo) : lo;
    const double v_hi = log ? std::pow(10.0, hi) : hi;
    const double step = NiceStep(v_hi - v_lo, target);
    const double first = std::ceil(v_lo / step);
    const double last = std::floor(v_hi / step);
    for (double k = first; k <= last && out.size() < 64; k += 1.0)
    {
        double value = k * step;
        if (std::abs(value) < step * 1e-9)
        {
            value = 0.0; // avoid "-0.00" from rounding
        }
        if (log && value <= 0.0)
        {
            continue;
        }
        out.push_back({log ? std::log10(value) : value, value, FormatTick(value, step)});
    }
}

} // namespace

std::vector<Tick> ComputeTicks(double lo, double hi, bool log, int target)
{
    std::vector<Tick> ticks;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo))
    {
        return ticks;
    }
    if (!log || hi - lo < 1.0)
    {
        LinearTicks(lo, hi, target, log, ticks);
        return ticks;
    }
    const double first = std::ceil(lo);
    const double last = std::floor(hi);
    if (hi - lo <= 2.5)
    {
        // Few decades: 1, 2 and 5 times each power of ten, so there are enough labelled lines to read values.
        for (double e = std::floor(lo); e <= last; e += 1.0)
        {
            for (double m : {1.0, 2.0, 5.0})
            {
                const double value = m * std::pow(10.0, e);
                const double a = std::log10(value);
                if (a >= lo && a <= hi)
                {
                    ticks.push_back({a, value, FormatTick(value, std::pow(10.0, e))});
                }
            }
        }
        if (ticks.size() >= 2)
        {
            return ticks;
        }
        ticks.clear();
    }
    const int decades = static_cast<int>(last - first) + 1;
    const int every = std::max(1, (decades + target - 1) / std::max(1, target));
    for (double e = first; e <= last; e += every)
    {
        const double value = std::pow(10.0, e);
        char buffer[32];
        if (e >= -3 && e <= 4)
        {
            std::snprintf(buffer, sizeof(buffer), "%g", value);
        }
        else
        {
            std::snprintf(buffer, sizeof(buffer), "1e%d", static_cast<int>(e));
        }
        ticks.push_back({e, value, buffer});
    }
    if (ticks.size() < 2)
    {
        ticks.clear();
        LinearTicks(lo, hi, target, log, ticks);
    }
    return ticks;
}

template <class TX, class TY>
void DecimateMinMax(const TX* xs, const TY* ys, std::size_t n, double x_lo, double x_hi, int columns, Decimated& out,
                    bool log_x)
{
    out.Clear();
    if (n == 0 || !(x_hi > x_lo) || columns <= 0)
    {
        return;
    }
    const std::size_t begin = LowerBound(xs, n, x_lo);
    std::size_t end = begin;
    auto push = [&out](double x, double y) {
        out.xs.push_back(x);
        out.ys.push_back(y);
    };
    auto track = [&out](double y) {
        out.y_min = std::min(out.y_min, y);
        out.y_max = std::max(out.y_max, y);
    };
    // The neighbour left of the range, so the line enters from the plot edge.
    if (begin > 0 && std::isfinite(static_cast<double>(ys[begin - 1])))
    {
        push(xs[begin - 1], ys[begin - 1]);
    }
    const double a_lo = log_x ? std::log10(std::max(x_lo, std::numeric_limits<double>::min())) : x_lo;
    const double a_hi = log_x ? std::log10(std::max(x_hi, std::numeric_limits<double>::min())) : x_hi;
    const double column_width = (a_hi - a_lo) / columns;
    for (int c = 0; c < columns; ++c)
    {
        const double a_right = (c + 1 == columns) ? a_hi : a_lo + column_width * (c + 1);
        const double x_right = log_x ? std::pow(10.0, a_right) : a_right;
        const std::size_t start = end;
        // The last column is closed on the right so x == x_hi is kept.
        end = (c + 1 == columns) ? static_cast<std::size_t>(std::upper_bound(xs + start, xs + n, x_hi,
                                                                             [](double b, TX a) { return b < a; }) -
                                                            xs)
                                 : start + LowerBound(xs + start, n - start, x_right);
        const std::size_t count = end - start;
        if (count == 0)
        {
            continue;
        }
        if (count <= 2)
        {
            for (std::size_t i = start; i < end; ++i)
            {
                const double y = ys[i];
                if (std::isfinite(y))
                {
                    push(xs[i], y);
                    track(y);
                }
            }
            continue;
        }
        // One pass for the extremes (no index bookkeeping, so the compiler can vectorise it).
        TY lo_value = std::numeric_limits<TY>::infinity();
        TY hi_value = -std::numeric_limits<TY>::infinity();
        for (std::size_t i = start; i < end; ++i)
        {
            const TY y = ys[i];
            lo_value = y < lo_value ? y : lo_value; // NaN compares false and is skipped
            hi_value = y > hi_value ? y : hi_value;
        }
        if (!(lo_value <= hi_value))
        {
            continue; // every y in the column is NaN
        }
        const double a_centre = a_lo + column_width * (c + 0.5);
        const double x_centre = log_x ? std::pow(10.0, a_centre) : a_centre;
        // Falling columns draw max then min, rising ones min then max, so the polyline keeps its shape.
        const bool falling = static_cast<double>(ys[start]) > static_cast<double>(ys[end - 1]);
        push(x_centre, falling ? hi_value : lo_value);
        push(x_centre, falling ? lo_value : hi_value);
        track(lo_value);
        track(hi_value);
    }
    // The neighbour right of the range.
    if (end < n && std::isfinite(static_cast<double>(ys[end])))
    {
        push(xs[end], ys[end]);
    }
}

template <class T>
void EmaSmooth(const T* ys, std::size_t n, double weight, EmaState& state, std::vector<double>& out)
{
    weight = std::clamp(weight, 0.0, 0.999999);
    if (n < state.done || weight != state.weight)
    {
        state = EmaState{};
        state.weight = weight;
    }
    out.resize(n);
    for (std::size_t i = state.done; i < n; ++i)
    {
        const double y = ys[i];
        if (std::isfinite(y))
        {
            state.biased = weight * state.biased + (1.0 - weight) * y;
            state.decay *= weight;
        }
        out[i] = state.decay < 1.0 ? state.biased / (1.0 - state.decay) : y;
    }
    state.done = n;
}

template void DecimateMinMax<float, float>(const float*, const float*, std::size_t, double, double, int,
                                           Decimated&, bool);
template void DecimateMinMax<float, double>(const float*, const double*, std::size_t, double, double, int,
                                            Decimated&, bool);
template void DecimateMinMax<double, double>(const double*, const double*, std::size_t, double, double, int,
                                             Decimated&, bool);
template void EmaSmooth<float>(const float*, std::size_t, double, EmaState&, std::vector<double>&);
template void EmaSmooth<double>(const double*, std::size_t, double, EmaState&, std::vector<double>&);

} // namespace ll::ui::plot
