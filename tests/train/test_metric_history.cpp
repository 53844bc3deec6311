// Tests of the bounded metric history: flat memory over millions of points, extremes of old data preserved.
#include "core/train/metric_history.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using ll::train::HistoryOptions;
using ll::train::HistorySample;
using ll::train::MetricHistory;
using ll::train::MetricSeries;

TEST_CASE("MetricSeries: memory stays bounded after 2,000,000 appends and old extremes are preserved")
{
    HistoryOptions options;
    options.recent_points = 20000;
    options.max_buckets = 1024;
    MetricSeries series(options);
    const std::int64_t n = 2000000;
    for (std::int64_t step = 0; step < n; ++step)
    {
        double value = std::sin(static_cast<double>(step) * 1e-3);
        if (step == 12345)
        {
            value = 1000.0; // a spike far in the past
        }
        if (step == 777777)
        {
            value = -500.0;
        }
        series.Append(step, value);
    }
    CHECK(series.TotalAppended() == n);
    CHECK(series.RecentCount() == options.recent_points);
    CHECK(series.BucketCount() <= options.max_buckets);
    CHECK(series.RecentCount() + series.BucketCount() <= options.recent_points + options.max_buckets);

    std::vector<HistorySample> samples;
    series.Collect(samples);
    REQUIRE(!samples.empty());
    double max_seen = -1e300, min_seen = 1e300;
    std::int64_t covered = 0;
    std::int64_t previous_last = -1;
    for (const HistorySample& s : samples)
    {
        CHECK(s.step_first > previous_last); // oldest first, no overlap
        previous_last = s.step_last;
        max_seen = std::max(max_seen, s.max);
        min_seen = std::min(min_seen, s.min);
        covered += s.count;
    }
    CHECK(max_seen == 1000.0);
    CHECK(min_seen == -500.0);
    CHECK(covered == n); // every point is counted exactly once
    CHECK(samples.front().step_first == 0);
    CHECK(samples.back().step_last == n - 1);
    CHECK(series.Last() == doctest::Approx(std::sin((n - 1) * 1e-3)).epsilon(1e-12));
}

TEST_CASE("MetricSeries: bucket means equal the means of the points they summarise")
{
    HistoryOptions options;
    options.recent_points = 4;
    options.max_buckets = 4;
    MetricSeries series(options);
    for (int step = 0; step < 100; ++step)
    {
        series.Append(step, step);
    }
    std::vector<HistorySample> samples;
    series.Collect(samples);
    for (const HistorySample& s : samples)
    {
        // Values equal steps, so each bucket's mean is the middle of its step range.
        CHECK(s.mean == doctest::Approx(0.5 * static_cast<double>(s.step_first + s.step_last)));
        CHECK(s.min == static_cast<double>(s.step_first));
        CHECK(s.max == static_cast<double>(s.step_last));
        CHECK(s.count == s.step_last - s.step_first + 1);
    }
    CHECK(samples.size() <= 8);
}

TEST_CASE("MetricSeries: a NaN does not poison the bucket it falls into")
{
    HistoryOptions options;
    options.recent_points = 2;
    options.max_buckets = 2;
    MetricSeries series(options);
    series.Append(0, 1.0);
    series.Append(1, std::numeric_limits<double>::quiet_NaN());
    series.Append(2, 3.0);
    for (int step = 3; step < 10; ++step)
    {
        series.Append(step, 2.0);
    }
    std::vector<HistorySample> samples;
    series.Collect(samples);
    REQUIRE(samples.size() >= 2);
    CHECK(std::isfinite(samples.front().mean));
    CHECK(samples.front().min == 1.0);
}

TEST_CASE("MetricHistory: series are indexed in the order they first appear")
{
    MetricHistory history;
    CHECK(history.IndexOf("d_loss") == 0);
    CHECK(history.IndexOf("g_loss") == 1);
    CHECK(history.IndexOf("d_loss") == 0);
    CHECK(history.Find("g_loss") == 1);
    CHECK(history.Find("missing") == -1);
    history.Append("g_loss", 5, 0.25);
    CHECK(history.Series(1).Last() == 0.25);
    CHECK(history.Size() == 2);
}
