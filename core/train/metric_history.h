// Bounded metric history: full resolution for the most recent points of each series, min/mean/max buckets for
// older ones, so a run of millions of steps keeps flat memory. Not thread-safe: one owner (the training thread
// keeps one for checkpoints; the UI keeps its own copy fed from Session::DrainMetrics).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ll::train
{

// One plotted sample: a single point (min == mean == max, count 1) or a bucket of older points.
struct HistorySample
{
    std::int64_t step_first = 0; // first step the sample covers
    std::int64_t step_last = 0;  // last step the sample covers (== step_first for a single point)
    double min = 0, mean = 0, max = 0;
    std::int64_t count = 0; // points summarised
};

struct HistoryOptions
{
    std::size_t recent_points = 20000; // full-resolution points kept per series
    std::size_t max_buckets = 4096;    // above this, neighbouring buckets merge and the bucket width doubles
};

// One series. Appended in increasing step order. Non-finite values are kept in the recent points (the plot
// shows the gap) but skipped when summarised into buckets, so one NaN never poisons a bucket's mean.
class MetricSeries
{
public:
    explicit MetricSeries(HistoryOptions options = {});

    void Append(std::int64_t step, double value);
    void Clear();

    // Every sample, oldest first: the buckets, then the recent points. out is overwritten.
    void Collect(std::vector<HistorySample>& out) const;

    std::size_t RecentCount() const { return m_recent_size; }
    std::size_t BucketCount() const { return m_buckets.size(); }
    std::int64_t BucketWidth() const { return m_bucket_width; } // points per full bucket
    std::int64_t TotalAppended() const { return m_total; }
    // The latest value (NaN when empty).
    double Last() const;

private:
    struct Point
    {
        std::int64_t step;
        double value;
    };
    void PushToBuckets(const Point& p);
    void MergeBuckets();

    HistoryOptions m_options;
    std::vector<Point> m_recent; // ring buffer of capacity recent_points
    std::size_t m_recent_head = 0; // index of the oldest point
    std::size_t m_recent_size = 0;
    std::vector<HistorySample> m_buckets; // oldest first; the last may be partially filled
    std::vector<double> m_bucket_sums;         // sum of the finite values of each bucket
    std::vector<std::int64_t> m_bucket_points; // points (finite or not) in each bucket
    std::int64_t m_bucket_width = 1;
    std::int64_t m_total = 0;
};

// Named series, indexed in the order they first appear.
class MetricHistory
{
public:
    explicit MetricHistory(HistoryOptions options = {}) : m_options(options) {}

    // Index of the series (created when new).
    std::size_t IndexOf(const std::string& name);
    // Index, or -1 when the series does not exist.
    int Find(const std::string& name) const;
    void Append(std::size_t index, std::int64_t step, double value) { m_series[index].Append(step, value); }
    void Append(const std::string& name, std::int64_t step, double value) { Append(IndexOf(name), step, value); }

    std::size_t Size() const { return m_series.size(); }
    const std::string& Name(std::size_t index) const { return m_names[index]; }
    const std::vector<std::string>& Names() const { return m_names; }
    const MetricSeries& Series(std::size_t index) const { return m_series[index]; }
    void Clear();

private:
    HistoryOptions m_options;
    std::vector<std::string> m_names;
    std::vector<MetricSeries> m_series;
};

} // namespace ll::train
