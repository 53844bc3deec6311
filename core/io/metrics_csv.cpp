// The metrics CSV reader (see metrics_csv.h): a fast path for the rows the lab writes, the general splitter for the
// rest.
#include "core/io/metrics_csv.h"

#include <algorithm>
#include <bit>
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

// 10^0 .. 10^22: every one exact in a double.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

bool IsDigit(char c)
{
    return static_cast<unsigned>(c - '0') < 10u;
}

// Powers of ten up to 10^8 for TakeDigits.
constexpr std::uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

// The decimal digits at p (up to the first other byte) appended to mantissa, eight bytes at a time where the line has
// eight left: the bytes that are digits are found and converted together (SWAR: one subtraction flags every byte
// outside '0'..'9', three multiplications combine up to eight digits), instead of one dependent multiply-add per digit.
// count gets the digits taken; exact turns false when mantissa would pass 2^64 (from_chars then reads the number).
// Inlined (as ParseNumberFast): called for every number of every row, its by-reference results then live in registers.
[[gnu::always_inline]] inline const char* TakeDigits(const char* p, const char* end, std::uint64_t& mantissa,
                                                     int& count, bool& exact)
{
    count = 0;
    constexpr std::uint64_t kZeros = 0x3030303030303030ull, kHigh = 0x8080808080808080ull;
    while (end - p >= 8)
    {
        std::uint64_t bytes = 0;
        std::memcpy(&bytes, p, 8); // little-endian: the first character is the lowest byte
        const std::uint64_t digits = bytes - kZeros;
        // A byte's high bit is set when it is below '0' (the subtraction wraps) or above '9' (adding 0x46 passes
        // 0x80); borrows and carries only run towards later bytes, so the lowest flagged byte is the first non-digit.
        const std::uint64_t other = ((bytes + 0x4646464646464646ull) | digits) & kHigh;
        const int n = other == 0 ? 8 : std::countr_zero(other) / 8;
        if (n > 0)
        {
            // The n digits moved to the top bytes (zeros, i.e. leading '0's, below), then combined in pairs, fours
            // and the eight: d7*10+d6 in each byte pair, then 100 and 10^4 / 10^6 weights (each byte holds 0..9).
            std::uint64_t v = digits << (8 * (8 - n));
            v = v * 10 + (v >> 8);
            v = (((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
                 (((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
            if (mantissa > 180000000000ull) // times 10^8 plus 10^8 must stay below 2^64
            {
                exact = false;
            }
            mantissa = mantissa * kPow10Int[n] + static_cast<std::uint32_t>(v);
            count += n;
            p += n;
        }
        if (n < 8)
        {
            return p;
        }
    }
    for (; p != end && IsDigit(*p); ++p, ++count)
    {
        if (mantissa > 180000000000ull)
        {
            exact = false;
        }
        mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    }
    return p;
}

// A number of the plain form [-]digits[.digits][(e|E)[+|-]digits] at p (what %.9g writes), up to the first byte that
// cannot continue it; returns that byte's position, or nullptr when the text at p is not of that form. The value is
// exactly from_chars's: with at most 2^53 as the digits' integer and a power of ten up to 10^22 both are exact doubles,
// so the one multiplication or division rounds correctly (Clinger's fast path); other numbers go to from_chars.
[[gnu::always_inline]] inline const char* ParseNumberFast(const char* p, const char* end, double& value)
{
    const char* const start = p;
    const bool negative = p != end && *p == '-';
    p += negative ? 1 : 0;
    std::uint64_t mantissa = 0;
    bool exact = true;
    int count = 0;
    p = TakeDigits(p, end, mantissa, count, exact);
    if (count == 0)
    {
        return nullptr;
    }
    int exponent = 0; // of ten, for the fraction's digits
    if (p != end && *p == '.')
    {
        p = TakeDigits(p + 1, end, mantissa, count, exact);
        if (count == 0)
        {
            return nullptr;
        }
        exponent = -count;
    }
    if (p != end && (*p == 'e' || *p == 'E'))
    {
        ++p;
        const bool exp_negative = p != end && *p == '-';
        p += p != end && (*p == '-' || *p == '+') ? 1 : 0;
        if (p == end || !IsDigit(*p))
        {
            return nullptr;
        }
        int e = 0;
        for (int n = 0; p != end && IsDigit(*p); ++p, ++n)
        {
            if (n == 4)
            {
                return nullptr; // an exponent this long is the general path's
            }
            e = e * 10 + (*p - '0');
        }
        exponent += exp_negative ? -e : e;
    }
    if (exact && mantissa == 0)
    {
        value = negative ? -0.0 : 0.0;
    }
    else if (exact && mantissa <= (std::uint64_t{1} << 53) && exponent >= -22 && exponent <= 22)
    {
        const auto m = static_cast<double>(mantissa);
        value = exponent >= 0 ? m * kPow10[exponent] : m / kPow10[-exponent];
        value = negative ? -value : value;
    }
    else
    {
        const auto [stop, error] = std::from_chars(start, p, value);
        if (error != std::errc() || stop != p)
        {
            return nullptr;
        }
    }
    return p;
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
