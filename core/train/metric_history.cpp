// Bounded metric history: a ring buffer of recent points in front of min/mean/max buckets that double in width.
#include "core/train/metric_history.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ll::train
{

namespace
{
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

MetricSeries::MetricSeries(HistoryOptions options) : m_options(options)
{
    if (m_options.recent_points < 1 || m_options.max_buckets < 2)
    {
        throw std::invalid_argument("MetricSeries: recent_points must be >= 1 and max_buckets >= 2");
    }
}

void MetricSeries::Clear()
{
    m_recent.clear();
    m_recent_head = 0;
    m_recent_size = 0;
    m_buckets.clear();
    m_bucket_sums.clear();
    m_bucket_points.clear();
    m_bucket_width = 1;
    m_total = 0;
}

void MetricSeries::Append(std::int64_t step, double value)
{
    const std::size_t cap = m_options.recent_points;
    if (m_recent.size() < cap)
    {
        // Grow lazily up to the cap: a short series costs only what it holds.
        m_recent.push_back({step, value});
        ++m_recent_size;
    }
    else
    {
        // Full: the oldest point moves into the buckets and its slot takes the new point.
        PushToBuckets(m_recent[m_recent_head]);
        m_recent[m_recent_head] = {step, value};
        m_recent_head = (m_recent_head + 1) % cap;
    }
    ++m_total;
}

void MetricSeries::PushToBuckets(const Point& p)
{
    if (m_buckets.empty() || m_bucket_points.back() >= m_bucket_width)
    {
        HistorySample b;
        b.step_first = p.step;
        b.min = kNaN;
        b.mean = kNaN;
        b.max = kNaN;
        m_buckets.push_back(b);
        m_bucket_sums.push_back(0.0);
        m_bucket_points.push_back(0);
    }
    HistorySample& b = m_buckets.back();
    b.step_last = p.step;
    ++m_bucket_points.back();
    if (std::isfinite(p.value))
    {
        // NaN compares false, so the first finite value replaces the NaN placeholders.
        b.min = b.count == 0 ? p.value : std::min(b.min, p.value);
        b.max = b.count == 0 ? p.value : std::max(b.max, p.value);
        m_bucket_sums.back() += p.value;
        ++b.count;
        b.mean = m_bucket_sums.back() / static_cast<double>(b.count);
    }
    if (m_buckets.size() > m_options.max_buckets)
    {
        MergeBuckets();
    }
}

void MetricSeries::MergeBuckets()
{
    // Pairs (0,1), (2,3), ... merge; an odd last bucket stays as it is (partially filled at the new width).
    std::size_t out = 0;
    for (std::size_t i = 0; i < m_buckets.size(); i += 2, ++out)
    {
        HistorySample a = m_buckets[i];
        double sum = m_bucket_sums[i];
        std::int64_t points = m_bucket_points[i];
        if (i + 1 < m_buckets.size())
        {
            const HistorySample& b = m_buckets[i + 1];
            a.step_last = b.step_last;
            if (b.count > 0)
            {
                a.min = a.count == 0 ? b.min : std::min(a.min, b.min);
                a.max = a.count == 0 ? b.max : std::max(a.max, b.max);
            }
            a.count += b.count;
            sum += m_bucket_sums[i + 1];
            points += m_bucket_points[i + 1];
            a.mean = a.count > 0 ? sum / static_cast<double>(a.count) : kNaN;
        }
        m_buckets[out] = a;
        m_bucket_sums[out] = sum;
        m_bucket_points[out] = points;
    }
    m_buckets.resize(out);
    m_bucket_sums.resize(out);
    m_bucket_points.resize(out);
    m_bucket_width *= 2;
}

void MetricSeries::Collect(std::vector<HistorySample>& out) const
{
    out.clear();
    out.reserve(m_buckets.size() + m_recent_size);
    out.insert(out.end(), m_buckets.begin(), m_buckets.end());
    for (std::size_t i = 0; i < m_recent_size; ++i)
    {
        const Point& p = m_recent[(m_recent_head + i) % m_recent.size()];
        out.push_back({p.step, p.step, p.value, p.value, p.value, 1});
    }
}

double MetricSeries::Last() const
{
    if (m_recent_size == 0)
    {
        return kNaN;
    }
    const std::size_t newest = (m_recent_head + m_recent_size - 1) % m_recent.size();
    return m_recent[newest].value;
}

std::size_t MetricHistory::IndexOf(const std::string& name)
{
    const int found = Find(name);
    if (found >= 0)
    {
        return static_cast<std::size_t>(found);
    }
    m_names.push_back(name);
    m_series.emplace_back(m_options);
    return m_names.size() - 1;
}

int MetricHistory::Find(const std::string& name) const
{
    for (std::size_t i = 0; i < m_names.size(); ++i)
    {
        if (m_names[i] == name)
        {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void MetricHistory::Clear()
{
    m_names.clear();
    m_series.clear();
}

} // namespace ll::train
