// Run curves at a fixed level of detail, seed groups and their bands (see run_curves.h).
#include "core/io/run_curves.h"

#include "core/io/config_json.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>

namespace ll::io
{

CurveLod::CurveLod(std::size_t max_buckets) : m_max(std::max<std::size_t>(2, max_buckets & ~std::size_t{1})) {}

void CurveLod::Append(std::int64_t step, double wall, double value)
{
    if (!std::isfinite(value))
    {
        return;
    }
    ++m_total;
    if (m_buckets.empty() || m_buckets.back().count >= m_width)
    {
        if (m_buckets.size() == m_max)
        {
            MergePairs();
        }
    }
    if (m_buckets.empty() || m_buckets.back().count >= m_width)
    {
        CurveBucket b;
        b.step_first = b.step_last = step;
        b.wall_first = b.wall_last = wall;
        b.min = b.max = b.sum = value;
        b.count = 1;
        m_buckets.push_back(b);
        return;
    }
    CurveBucket& b = m_buckets.back();
    b.step_last = step;
    b.wall_last = wall;
    b.min = std::min(b.min, value);
    b.max = std::max(b.max, value);
    b.sum += value;
    ++b.count;
}

void CurveLod::MergePairs()
{
    // Called with m_max full buckets (m_max even): pairs of width w become buckets of width 2w.
    assert(m_buckets.size() % 2 == 0);
    std::size_t out = 0;
    for (std::size_t i = 0; i + 1 < m_buckets.size(); i += 2, ++out)
    {
        CurveBucket merged = m_buckets[i];
        const CurveBucket& next = m_buckets[i + 1];
        merged.step_last = next.step_last;
        merged.wall_last = next.wall_last;
        merged.min = std::min(merged.min, next.min);
        merged.max = std::max(merged.max, next.max);
        merged.sum += next.sum;
        merged.count += next.count;
        m_buckets[out] = merged;
    }
    m_buckets.resize(out);
    m_width *= 2;
}

const CurveLod* RunCurves::Find(const std::string& name) const
{
    for (std::size_t i = 0; i < names.size() && i < series.size(); ++i)
    {
        if (names[i] == name)
        {
            return &series[i];
        }
    }
    return nullptr;
}

std::string SeedGroupKey(const models::ExperimentConfig& config)
{
    models::ExperimentConfig c = config;
    c.seed = 0;
    return ConfigToJson(c);
}

std::vector<std::vector<std::size_t>> GroupBySeed(const std::vector<const models::ExperimentConfig*>& configs)
{
    std::vector<std::vector<std::size_t>> groups;
    std::map<std::string, std::size_t> group_of_key;
    for (std::size_t i = 0; i < configs.size(); ++i)
    {
        if (configs[i] == nullptr)
        {
            groups.push_back({i});
            continue;
        }
        const auto [it, added] = group_of_key.emplace(SeedGroupKey(*configs[i]), groups.size());
        if (added)
        {
            groups.emplace_back();
        }
        groups[it->second].push_back(i);
    }
    return groups;
}

namespace
{

// The curve's interpolated bucket mean at x, or NaN outside its span. `hint` walks forward with increasing x.
double ValueAt(const CurveLod& curve, bool by_wall, double x, std::size_t& hint)
{
    const std::vector<CurveBucket>& b = curve.Buckets();
    if (b.empty() || x < BucketX(b.front(), by_wall) || x > BucketX(b.back(), by_wall))
    {
        return std::numeric_limits<double>::quiet_NaN();
    }
    while (hint + 1 < b.size() && BucketX(b[hint + 1], by_wall) < x)
    {
        ++hint;
    }
    if (hint + 1 >= b.size())
    {
        return b[hint].Mean();
    }
    const double x0 = BucketX(b[hint], by_wall), x1 = BucketX(b[hint + 1], by_wall);
    const double t = x1 > x0 ? (x - x0) / (x1 - x0) : 0.0;
    return b[hint].Mean() + std::clamp(t, 0.0, 1.0) * (b[hint + 1].Mean() - b[hint].Mean());
}

} // namespace

CurveBand MeanBand(const std::vector<const CurveLod*>& curves, bool by_wall, int points)
{
    CurveBand band;
    double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
    for (const CurveLod* c : curves)
    {
        if (c != nullptr && !c->Buckets().empty())
        {
            x_min = std::min(x_min, BucketX(c->Buckets().front(), by_wall));
            x_max = std::max(x_max, BucketX(c->Buckets().back(), by_wall));
        }
    }
    if (!(x_min <= x_max) || points < 1)
    {
        return band;
    }
    std::vector<std::size_t> hints(curves.size(), 0);
    for (int i = 0; i < points; ++i)
    {
        const double x = points == 1 ? x_min : x_min + (x_max - x_min) * i / (points - 1);
        double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
        int n = 0;
        for (std::size_t k = 0; k < curves.size(); ++k)
        {
            if (curves[k] == nullptr)
            {
                continue;
            }
            const double v = ValueAt(*curves[k], by_wall, x, hints[k]);
            if (!std::isnan(v))
            {
                sum += v;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                ++n;
            }
        }
        if (n > 0)
        {
            band.xs.push_back(x);
            band.mean.push_back(sum / n);
            band.lo.push_back(lo);
            band.hi.push_back(hi);
            band.count.push_back(n);
        }
    }
    return band;
}

} // namespace ll::io
