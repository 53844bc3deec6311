// Run curves at a fixed level of detail, seed groups and their bands (see run_curves.h).
#include "core/io/run_curves.h"

#include "core/io/config_json.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
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

bool CurveLod::Restore(std::int64_t width, std::int64_t total, std::vector<CurveBucket> buckets)
{
    if (width < 1 || (width & (width - 1)) != 0 || buckets.size() > m_max || total < 0)
    {
        return false;
    }
    std::int64_t counted = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i)
    {
        const bool last = i + 1 == buckets.size();
        // counted <= total throughout, so the sum cannot overflow (1,024 buckets of 2^62 points would).
        if (buckets[i].count < 1 || buckets[i].count > width || (!last && buckets[i].count != width) ||
            buckets[i].count > total - counted)
        {
            return false;
        }
        counted += buckets[i].count;
    }
    if (counted != total)
    {
        return false;
    }
    m_width = width;
    m_total = total;
    m_buckets = std::move(buckets);
    return true;
}

namespace
{

constexpr char kCurvesMagic[8] = {'L', 'L', 'C', 'U', 'R', 'V', 'E', '1'};
constexpr std::size_t kMaxCachedSeries = 4096;

template <class T>
void Put(std::string& out, const T& v)
{
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Reads from bytes at pos, or fails (bounds checked).
struct Reader
{
    std::string_view bytes;
    std::size_t pos = 0;
    bool ok = true;
    template <class T>
    T Get()
    {
        T v{};
        if (!ok || bytes.size() - pos < sizeof v)
        {
            ok = false;
            return v;
        }
        std::memcpy(&v, bytes.data() + pos, sizeof v);
        pos += sizeof v;
        return v;
    }
};

} // namespace

std::string EncodeCurves(const CurvesCache& cache)
{
    std::string out(kCurvesMagic, sizeof kCurvesMagic);
    Put(out, cache.csv_bytes);
    Put(out, cache.last_step);
    Put(out, cache.last_wall);
    Put(out, static_cast<std::uint32_t>(cache.curves.names.size()));
    for (std::size_t i = 0; i < cache.curves.names.size(); ++i)
    {
        const std::string& name = cache.curves.names[i];
        const CurveLod& lod = cache.curves.series[i];
        Put(out, static_cast<std::uint32_t>(name.size()));
        out += name;
        Put(out, i < cache.last_values.size() ? cache.last_values[i] : std::numeric_limits<double>::quiet_NaN());
        Put(out, lod.Width());
        Put(out, lod.Total());
        Put(out, static_cast<std::uint32_t>(lod.Buckets().size()));
        for (const CurveBucket& b : lod.Buckets())
        {
            Put(out, b.step_first);
            Put(out, b.step_last);
            Put(out, b.wall_first);
            Put(out, b.wall_last);
            Put(out, b.min);
            Put(out, b.max);
            Put(out, b.sum);
            Put(out, b.count);
        }
    }
    return out;
}

bool DecodeCurves(std::string_view bytes, CurvesCache& out)
{
    if (bytes.size() < sizeof kCurvesMagic || std::memcmp(bytes.data(), kCurvesMagic, sizeof kCurvesMagic) != 0)
    {
        return false;
    }
    Reader r{bytes, sizeof kCurvesMagic};
    out = CurvesCache();
    out.csv_bytes = r.Get<std::uint64_t>();
    out.last_step = r.Get<std::int64_t>();
    out.last_wall = r.Get<double>();
    const auto series = r.Get<std::uint32_t>();
    if (!r.ok || series > kMaxCachedSeries)
    {
        return false;
    }
    for (std::uint32_t i = 0; i < series && r.ok; ++i)
    {
        const auto length = r.Get<std::uint32_t>();
        if (!r.ok || length > 1024 || bytes.size() - r.pos < length)
        {
            return false;
        }
        out.curves.names.emplace_back(bytes.substr(r.pos, length));
        r.pos += length;
        out.last_values.push_back(r.Get<double>());
        const auto width = r.Get<std::int64_t>();
        const auto total = r.Get<std::int64_t>();
        const auto count = r.Get<std::uint32_t>();
        if (!r.ok || count > kCurveBuckets)
        {
            return false;
        }
        std::vector<CurveBucket> buckets(count);
        for (CurveBucket& b : buckets)
        {
            b.step_first = r.Get<std::int64_t>();
            b.step_last = r.Get<std::int64_t>();
            b.wall_first = r.Get<double>();
            b.wall_last = r.Get<double>();
            b.min = r.Get<double>();
            b.max = r.Get<double>();
            b.sum = r.Get<double>();
            b.count = r.Get<std::int64_t>();
        }
        CurveLod lod;
        if (!r.ok || !lod.Restore(width, total, std::move(buckets)))
        {
            return false;
        }
        out.curves.series.push_back(std::move(lod));
    }
    return r.ok && r.pos == bytes.size();
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
