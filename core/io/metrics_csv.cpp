// The metrics CSV reader (see metrics_csv.h): a fast path for the rows the lab writes, the general splitter for the
// rest.
#include "core/io/metrics_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace ll::io
{

namespace
{

// The fields of one CSV line (the lab's series names are plain words; a quoted field loses its quotes).
void SplitFields(std::string_view line, std::vector<std::string_view>& fields)
{
    fields.clear();
    std::size_t from = 0;
    while (true)
    {
        const std::size_t comma = line.find(',', from);
        std::string_view field = line.substr(from, comma == std::string_view::npos ? std::string_view::npos
                                                                                   : comma - from);
        if (field.size() >= 2 && field.front() == '"' && field.back() == '"')
        {
            field = field.substr(1, field.size() - 2);
        }
        fields.push_back(field);
        if (comma == std::string_view::npos)
        {
            return;
        }
        from = comma + 1;
    }
}

// A CSV number: what FormatValue writes (%.9g, nan, inf, -inf); empty is NaN (no value at that step).
bool ParseField(std::string_view text, double& value)
{
    if (text.empty() || text == "nan")
    {
        value = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (text == "inf" || text == "-inf")
    {
        value = text[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        return true;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

bool IsDigit(char c)
{
    return static_cast<unsigned>(c - '0') < 10u;
}

// A plain number at p (what %.9g writes) up to the first byte that cannot continue it: std::from_chars, which stops
// there itself (libstdc++'s is an exact, fast parser, so the row needs no search for its commas first); nullptr when
// the text at p is not a number. nan, inf and quoted fields are the general path's.
const char* ParseNumberFast(const char* p, const char* end, double& value)
{
    if (p == end || !(IsDigit(*p) || *p == '-'))
    {
        return nullptr; // from_chars would take "nan" / "inf"; leave them (and "+1") to ParseField's rules
    }
    const auto [stop, error] = std::from_chars(p, end, value);
    return error == std::errc() ? stop : nullptr;
}

// One row as the lab writes it (a plain step, a plain wall time, plain numbers or empty fields, no more fields than
// the header), parsed in one pass into step, wall and row (NaN where empty); false for anything else, which the
// general path then reads or refuses with its message.
bool ParseRowFast(std::string_view line, std::int64_t& step, double& wall, std::vector<double>& row)
{
    const char* p = line.data();
    const char* const end = p + line.size();
    std::int64_t s = 0;
    int step_digits = 0;
    for (; p != end && IsDigit(*p); ++p, ++step_digits)
    {
        if (step_digits == 18)
        {
            return false;
        }
        s = s * 10 + (*p - '0');
    }
    if (step_digits == 0 || p == end || *p != ',')
    {
        return false;
    }
    p = ParseNumberFast(p + 1, end, wall);
    if (p == nullptr || (p != end && *p != ','))
    {
        return false;
    }
    step = s;
    std::fill(row.begin(), row.end(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; p != end; ++i)
    {
        ++p; // the comma
        if (i == row.size())
        {
            return false; // more fields than the header
        }
        if (p == end || *p == ',')
        {
            continue; // empty: no value at this step
        }
        p = ParseNumberFast(p, end, row[i]);
        if (p == nullptr || (p != end && *p != ','))
        {
            return false;
        }
    }
    return true;
}

} // namespace

std::vector<std::pair<std::string, double>> MetricsTable::LastValues() const
{
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t s = 0; s < series.size(); ++s)
    {
        for (std::size_t r = values.size(); r-- > 0;)
        {
            if (!std::isnan(values[r][s]))
            {
                out.emplace_back(series[s], values[r][s]);
                break;
            }
        }
    }
    return out;
}

void ForEachMetricsRow(std::string_view text, const std::string& source_name,
                       const std::function<void(const std::vector<std::string>&)>& on_header,
                       const std::function<void(std::int64_t, double, const std::vector<double>&)>& on_row)
{
    std::size_t line_no = 0;
    const auto fail = [&](const std::string& reason) {
        return std::invalid_argument(source_name + ": line " + std::to_string(line_no) + ": " + reason);
    };
    std::vector<std::string> series;
    std::vector<std::string_view> fields; // reused: one row at a time
    std::vector<double> row;
    std::size_t from = 0;
    bool header = true;
    while (from < text.size())
    {
        const std::size_t newline = text.find('\n', from);
        ++line_no;
        if (newline == std::string_view::npos)
        {
            if (header)
            {
                throw fail("the header has no end of line");
            }
            break; // a row cut short by a kill: not a row
        }
        std::string_view line = text.substr(from, newline - from);
        from = newline + 1;
        if (!line.empty() && line.back() == '\r')
        {
            line.remove_suffix(1);
        }
        if (!header && line.empty())
        {
            continue;
        }
        if (!header)
        {
            std::int64_t step = 0;
            double wall = 0;
            row.resize(series.size());
            if (ParseRowFast(line, step, wall, row))
            {
                on_row(step, wall, row);
                continue;
            }
        }
        SplitFields(line, fields);
        if (header)
        {
            if (fields.size() < 2 || fields[0] != "step" || fields[1] != "wall_s")
            {
                throw fail("not a Latent Lab metrics CSV (the header must start with step,wall_s)");
            }
            if (fields.size() - 2 > kMaxMetricsColumns)
            {
                throw fail("more than " + std::to_string(kMaxMetricsColumns) + " series");
            }
            for (std::size_t i = 2; i < fields.size(); ++i)
            {
                series.emplace_back(fields[i]);
            }
            on_header(series);
            header = false;
            continue;
        }
        if (fields.size() > series.size() + 2)
        {
            throw fail(std::to_string(fields.size()) + " fields, the header has " + std::to_string(series.size() + 2));
        }
        std::int64_t step = 0;
        const auto [end, error] = std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), step);
        double wall = 0;
        if (error != std::errc() || end != fields[0].data() + fields[0].size() || step < 0 || fields.size() < 2 ||
            !ParseField(fields[1], wall))
        {
            throw fail("a row must start with a step and a wall time");
        }
        row.assign(series.size(), std::numeric_limits<double>::quiet_NaN());
        for (std::size_t i = 2; i < fields.size(); ++i)
        {
            if (!ParseField(fields[i], row[i - 2]))
            {
                throw fail("'" + std::string(fields[i].substr(0, 40)) + "' is not a number (series " + series[i - 2] +
                           ")");
            }
        }
        on_row(step, wall, row);
    }
    if (header)
    {
        throw fail("empty file");
    }
}

MetricsTable ParseMetricsCsv(std::string_view text, const std::string& source_name)
{
    MetricsTable table;
    ForEachMetricsRow(
        text, source_name, [&](const std::vector<std::string>& series) { table.series = series; },
        [&](std::int64_t step, double wall, const std::vector<double>& row) {
            if ((table.values.size() + 1) * std::max<std::size_t>(table.series.size(), 1) > kMaxMetricsCells)
            {
                throw std::invalid_argument(source_name + ": line " + std::to_string(table.values.size() + 2) +
                                            ": more than " + std::to_string(kMaxMetricsCells) +
                                            " values (rows x series)");
            }
            table.steps.push_back(step);
            table.wall_seconds.push_back(wall);
            table.values.push_back(row);
        });
    return table;
}

} // namespace ll::io
