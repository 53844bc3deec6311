// A run's metrics.csv read back: "step,wall_s,<series>..." then one row per logged step, empty fields where a series
// has no value at that step (what core/train's recorder and `latentlab train --out` write). Every row as the lab
// writes it takes a fast path (one pass over its bytes, the numbers converted exactly); anything else goes through the
// general field splitter, which also words every refusal. Pure functions, no shared state: safe on any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll::io
{

inline constexpr std::size_t kMaxMetricsColumns = 4096;
inline constexpr std::size_t kMaxMetricsCells = std::size_t{1} << 24; // rows x series held (128 MiB of doubles)

struct MetricsTable
{
    std::vector<std::string> series;                 // without step and wall_s
    std::vector<std::int64_t> steps;                 // one per row
    std::vector<double> wall_seconds;                // one per row
    std::vector<std::vector<double>> values;         // [row][series], NaN where the field is empty
    // The last value each series has (its name and value), in column order.
    std::vector<std::pair<std::string, double>> LastValues() const;
};

// Parses the CSV text. Throws std::invalid_argument "<source>: line N: ..." for a missing or bad header, a row with
// more fields than the header, a field that is not a number, or more than kMaxMetricsCells values in all. A last line
// without its newline (a run killed while writing it) is dropped, not refused.
MetricsTable ParseMetricsCsv(std::string_view text, const std::string& source_name);
// The same parser one row at a time (nothing held): on_header gets the series, on_row each row's step, wall time and
// values (NaN where empty). Same errors, except that no cap on cells applies.
void ForEachMetricsRow(std::string_view text, const std::string& source_name,
                       const std::function<void(const std::vector<std::string>&)>& on_header,
                       const std::function<void(std::int64_t, double, const std::vector<double>&)>& on_row);

} // namespace ll::io
