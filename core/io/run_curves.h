// A run's metric curves at a fixed level of detail, for overlaying many runs: each series keeps at most
// kCurveBuckets buckets (min, max, mean over consecutive logged points, with their step and wall-time span), so 50
// runs of 100,000 points cost what 50 x 1,024 buckets cost. Seed groups: runs whose configs differ only in the seed,
// drawn as one mean line with a min-max band. Pure data and functions: any thread; a CurveLod has one writer.
#pragma once

#include "core/models/config.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ll::io
{

inline constexpr std::size_t kCurveBuckets = 1024; // per series; even, so full buckets merge in pairs

struct CurveBucket
{
    std::int64_t step_first = 0, step_last = 0;
    double wall_first = 0, wall_last = 0; // seconds of running time
    double min = 0, max = 0, sum = 0;
    std::int64_t count = 0;               // finite points summarised
    double Mean() const { return count > 0 ? sum / static_cast<double>(count) : 0.0; }
};

// One series, appended in step order. Every bucket but the last holds exactly Width() points; when the buckets would
// exceed max_buckets, neighbours merge in pairs and the width doubles. Non-finite values are skipped.
class CurveLod
{
public:
    explicit CurveLod(std::size_t max_buckets = kCurveBuckets);
    void Append(std::int64_t step, double wall, double value);
    const std::vector<CurveBucket>& Buckets() const { return m_buckets; }
    std::int64_t Width() const { return m_width; }
    std::int64_t Total() const { return m_total; } // finite points appended
    // The step of the last point appended (-1 when empty).
    std::int64_t LastStep() const { return m_buckets.empty() ? -1 : m_buckets.back().step_last; }
    // A curve restored from its parts (a curves file); false when they are inconsistent.
    bool Restore(std::int64_t width, std::int64_t total, std::vector<CurveBucket> buckets);

private:
    void MergePairs();

    std::size_t m_max;
    std::vector<CurveBucket> m_buckets;
    std::int64_t m_width = 1;
    std::int64_t m_total = 0;
};

// Every series of a run's metrics.csv, in column order.
struct RunCurves
{
    std::vector<std::string> names;
    std::vector<CurveLod> series;
    const CurveLod* Find(const std::string& name) const;
};

// What a run's curves.lod holds: the curves of its metrics.csv as it was when csv_bytes long, with the last row's step
// and time and each series' last value (NaN: none). The recorder writes it when a run ends, ReadRun after reading a
// CSV; ReadRun uses it instead of the CSV while the CSV is still csv_bytes long, so opening a finished run reads its
// buckets, not its rows.
struct CurvesCache
{
    std::uint64_t csv_bytes = 0;
    std::int64_t last_step = 0;
    double last_wall = 0;
    RunCurves curves;
    std::vector<double> last_values; // one per series
};
std::string EncodeCurves(const CurvesCache& cache);
// False (out unspecified) for anything that is not a whole, consistent curves file.
bool DecodeCurves(std::string_view bytes, CurvesCache& out);

// The config with its seed set to 0, as JSON text: equal keys = runs that differ only in seed.
std::string SeedGroupKey(const models::ExperimentConfig& config);

// Groups of indices into configs whose SeedGroupKey is equal, in order of first appearance; a null config (a damaged
// run) is a group of its own.
std::vector<std::vector<std::size_t>> GroupBySeed(const std::vector<const models::ExperimentConfig*>& configs);

// The mean and min-max band of several curves on `points` x positions spread over their joint x range (step, or wall
// time when by_wall): at each x, every curve that spans it contributes its bucket means linearly interpolated.
struct CurveBand
{
    std::vector<double> xs, mean, lo, hi;
    std::vector<int> count; // curves that span each x
};
CurveBand MeanBand(const std::vector<const CurveLod*>& curves, bool by_wall, int points);

// A bucket's x: the middle of its steps, or of its wall-time span.
inline double BucketX(const CurveBucket& b, bool by_wall)
{
    return by_wall ? 0.5 * (b.wall_first + b.wall_last) : 0.5 * static_cast<double>(b.step_first + b.step_last);
}

} // namespace ll::io
