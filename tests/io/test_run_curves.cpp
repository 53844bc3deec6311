// Run curves (core/io/run_curves.h): the fixed level of detail stays within its bucket count and bounds every point
// it summarises; seed groups gather exactly the runs that differ only in seed; the band of a group is its mean and
// extremes; ReadRun reads the curves of a metrics.csv in the same pass as its last values.
#include "core/io/run_curves.h"
#include "core/io/run_folder.h"

#include "../data/data_test_util.h"

#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

TEST_CASE("Curves: 100,000 points keep at most 1,024 buckets whose min, max and mean bound and sum their points")
{
    ll::io::CurveLod lod;
    std::vector<double> values;
    for (int i = 0; i < 100000; ++i)
    {
        const double v = std::sin(0.001 * i) + ((i * 7919) % 101) * 0.01; // a wave with a deterministic jitter
        values.push_back(v);
        lod.Append(i + 1, 0.5 * i, v);
    }
    lod.Append(100001, 1.0, std::nan("")); // skipped
    const auto& buckets = lod.Buckets();
    CHECK(buckets.size() <= ll::io::kCurveBuckets);
    CHECK(buckets.size() > ll::io::kCurveBuckets / 2);
    CHECK(lod.Total() == 100000);
    std::int64_t counted = 0;
    std::int64_t next_step = 1;
    for (std::size_t k = 0; k < buckets.size(); ++k)
    {
        const ll::io::CurveBucket& b = buckets[k];
        if (k + 1 < buckets.size())
        {
            CHECK(b.count == lod.Width());
        }
        CHECK(b.step_first == next_step); // contiguous, in order
        CHECK(b.step_last == b.step_first + b.count - 1);
        double lo = 1e300, hi = -1e300, sum = 0;
        for (std::int64_t s = b.step_first; s <= b.step_last; ++s)
        {
            const double v = values[static_cast<std::size_t>(s - 1)];
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            sum += v;
        }
        CHECK(b.min == lo);
        CHECK(b.max == hi);
        CHECK(b.Mean() == doctest::Approx(sum / static_cast<double>(b.count)).epsilon(1e-12));
        CHECK(b.wall_first == doctest::Approx(0.5 * static_cast<double>(b.step_first - 1)));
        counted += b.count;
        next_step = b.step_last + 1;
    }
    CHECK(counted == 100000);
}

TEST_CASE("Curves: runs that differ only in seed group together; another change makes its own group")
{
    ll::models::ExperimentConfig a;
    a.name = "g";
    a.seed = 1;
    ll::models::ExperimentConfig b = a;
    b.seed = 2;
    ll::models::ExperimentConfig c = a;
    c.seed = 3;
    c.batch_size = a.batch_size * 2;
    ll::models::ExperimentConfig d = a;
    d.seed = 9;
    const auto groups = ll::io::GroupBySeed({&a, &b, &c, nullptr, &d});
    REQUIRE(groups.size() == 3);
    CHECK(groups[0] == std::vector<std::size_t>{0, 1, 4});
    CHECK(groups[1] == std::vector<std::size_t>{2});
    CHECK(groups[2] == std::vector<std::size_t>{3});
    CHECK(ll::io::SeedGroupKey(a) == ll::io::SeedGroupKey(d));
    CHECK(ll::io::SeedGroupKey(a) != ll::io::SeedGroupKey(c));
}

TEST_CASE("Curves: the band of three seeds is their mean with the lowest and highest at each step")
{
    ll::io::CurveLod one, two, six;
    for (int s = 1; s <= 100; ++s)
    {
        one.Append(s, s, 1.0);
        two.Append(s, s, 2.0 + 0.01 * s);
        if (s <= 50)
        {
            six.Append(s, s, 6.0); // a shorter run: it only counts where it exists
        }
    }
    const ll::io::CurveBand band = ll::io::MeanBand({&one, &two, &six}, false, 100);
    REQUIRE(band.xs.size() == 100);
    CHECK(band.xs.front() == 1.0);
    CHECK(band.xs.back() == 100.0);
    CHECK(band.count.front() == 3);
    CHECK(band.mean.front() == doctest::Approx((1.0 + 2.01 + 6.0) / 3));
    CHECK(band.lo.front() == 1.0);
    CHECK(band.hi.front() == 6.0);
    CHECK(band.count.back() == 2);
    CHECK(band.mean.back() == doctest::Approx((1.0 + 3.0) / 2));
    CHECK(band.hi.back() == doctest::Approx(3.0));
}

TEST_CASE("Curves: ReadRun reads a CSV's curves and last values in one pass, sparse series without their gaps")
{
    ll::data::test::TempDir tmp("run_curves_read");
    {
        std::ofstream out(tmp.Path() / ll::io::kRunMetricsFile, std::ios::binary);
        out << "step,wall_s,d_loss,mmd\n";
        for (int s = 1; s <= 3000; ++s)
        {
            out << s << "," << 0.01 * s << "," << 1.0 / s << "," << (s % 1000 == 0 ? "0.5" : "") << "\n";
        }
        out << "3001,30.01,0.1"; // cut by a kill
    }
    ll::io::RunCurves curves;
    const ll::io::RunInfo run = ll::io::ReadRun(tmp.Path(), &curves);
    CHECK(run.steps == 3000);
    REQUIRE(curves.names == std::vector<std::string>{"d_loss", "mmd"});
    REQUIRE(curves.Find("d_loss") != nullptr);
    CHECK(curves.Find("d_loss")->Total() == 3000);
    CHECK(curves.Find("mmd")->Total() == 3);
    CHECK(curves.Find("mmd")->Buckets().back().step_last == 3000);
    CHECK(curves.Find("nothing") == nullptr);
    REQUIRE(run.final_metrics.size() == 2);
    CHECK(run.final_metrics[0].second == doctest::Approx(1.0 / 3000));
}

TEST_CASE("Curves: the CSV reader's numbers are bit for bit what strtod reads, for the lab's %.9g and others")
{
    std::string csv = "step,wall_s,v\n";
    std::vector<double> expected;
    const char* extra[] = {"0", "-0", "1e-300", "123456789012345678", "1.5E+3", "2.5e-22", "7e22", "3e23", "0.1"};
    for (const char* text : extra)
    {
        csv += "1,0," + std::string(text) + "\n";
        expected.push_back(std::strtod(text, nullptr));
    }
    double x = 1.0;
    for (int i = 0; i < 2000; ++i)
    {
        x = std::sin(x * 12.9898 + i) * std::pow(10.0, (i % 41) - 20); // signs and magnitudes 1e-20 .. 1e20
        char text[64];
        std::snprintf(text, sizeof text, i % 2 ? "%.9g" : "%.17g", x);
        csv += "1,0," + std::string(text) + "\n";
        expected.push_back(std::strtod(text, nullptr));
    }
    const ll::io::MetricsTable table = ll::io::ParseMetricsCsv(csv, "numbers.csv");
    REQUIRE(table.values.size() == expected.size());
    int differ = 0;
    for (std::size_t r = 0; r < expected.size(); ++r)
    {
        differ += std::memcmp(&table.values[r][0], &expected[r], sizeof(double)) != 0 ? 1 : 0;
    }
    CHECK(differ == 0);
}

TEST_CASE("Curves: every field form reads as from_chars reads it, or is refused, on the fast path and off it")
{
    // Forms the lab writes (the fast path) and forms it does not (the general path): each must be what ParseField's
    // from_chars makes of it, accepted or refused alike, alone on a row and between other fields.
    const char* forms[] = {"1",     "-1",   "0.5",   "1.",     ".5",    "+1",    "1e5",    "1E-5",  "1e+05",
                           "1e",    "1e-",  "-",     "1.5.2",  "0x10",  "1e400", "1e-400", "5e-324", "1e22",
                           "1e23",  "9007199254740993", "12345678901234567890123", "00012", "-0.0", "1,5",
                           "nan",   "inf",  "-inf",  "\"2.5\"", "abc",  "1 ",    " 1",     "1e00001"};
    for (const char* form : forms)
    {
        CAPTURE(form);
        const std::string text = form;
        double expected = 0;
        bool accepted = true;
        std::size_t fields = 1;
        if (text == "nan" || text == "inf" || text == "-inf")
        {
            expected = text == "nan" ? NAN : text == "inf" ? INFINITY : -INFINITY;
        }
        else if (text == "1,5")
        {
            expected = 1;
            fields = 2; // two fields: 1 and 5
        }
        else
        {
            const std::string bare = text.size() >= 2 && text.front() == '"' ? text.substr(1, text.size() - 2) : text;
            const auto [end, error] = std::from_chars(bare.data(), bare.data() + bare.size(), expected);
            accepted = error == std::errc() && end == bare.data() + bare.size();
        }
        for (const std::string& row : {"7,0.25," + text + "\n", "7,0.25," + text + ",3\n"})
        {
            const std::string csv = "step,wall_s,a,b,c\n" + row;
            if (!accepted)
            {
                CHECK_THROWS_WITH_AS(ll::io::ParseMetricsCsv(csv, "forms.csv"),
                                     doctest::Contains("forms.csv: line 2: '"), std::invalid_argument);
                continue;
            }
            const ll::io::MetricsTable table = ll::io::ParseMetricsCsv(csv, "forms.csv");
            REQUIRE(table.values.size() == 1);
            CHECK(table.steps[0] == 7);
            CHECK(table.wall_seconds[0] == 0.25);
            const double got = table.values[0][0];
            CHECK((std::isnan(expected) ? std::isnan(got) : std::memcmp(&got, &expected, sizeof got) == 0));
            if (row.find(",3\n") != std::string::npos)
            {
                CHECK(table.values[0][fields] == 3.0);
            }
            else
            {
                CHECK(std::isnan(table.values[0][2]));
            }
        }
    }
    // The row's own bounds on the fast path: a negative or non-numeric step, too many fields, a step of 19 digits.
    CHECK_THROWS_WITH_AS(ll::io::ParseMetricsCsv("step,wall_s,a\n-1,0,2\n", "m.csv"),
                         doctest::Contains("m.csv: line 2: a row must start with a step and a wall time"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::io::ParseMetricsCsv("step,wall_s,a\n1\n", "m.csv"),
                         doctest::Contains("m.csv: line 2: a row must start with a step and a wall time"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::io::ParseMetricsCsv("step,wall_s,a\n1,0,2,\n", "m.csv"),
                         doctest::Contains("m.csv: line 2: 4 fields, the header has 3"), std::invalid_argument);
    CHECK(ll::io::ParseMetricsCsv("step,wall_s,a\n1234567890123456789,0,2\n", "m.csv").steps[0] ==
          1234567890123456789);
    const ll::io::MetricsTable empty = ll::io::ParseMetricsCsv("step,wall_s,a,b\n3,1.5,,\n4,2\n", "m.csv");
    REQUIRE(empty.values.size() == 2);
    CHECK((std::isnan(empty.values[0][0]) && std::isnan(empty.values[0][1]) && std::isnan(empty.values[1][1])));
}

TEST_CASE("Curves: a curves file whose bucket counts add past an int64 is refused, a written one reads back the same")
{
    // fuzz_curves found it: 1,024 full buckets of 2^62 points summed into a signed overflow before being compared
    // with the total (tests/fuzz/corpus/curves/counts_past_int64.lod is the input).
    constexpr std::int64_t kHuge = std::int64_t{1} << 62;
    std::vector<ll::io::CurveBucket> buckets(1024);
    for (ll::io::CurveBucket& b : buckets)
    {
        b.count = kHuge;
    }
    ll::io::CurveLod lod;
    CHECK_FALSE(lod.Restore(kHuge, kHuge, buckets));
    CHECK(lod.Total() == 0);
    CHECK_FALSE(lod.Restore(1, 3, std::vector<ll::io::CurveBucket>(2, ll::io::CurveBucket{0, 0, 0, 0, 0, 0, 0, 1})));
    CHECK(lod.Restore(1, 2, std::vector<ll::io::CurveBucket>(2, ll::io::CurveBucket{0, 0, 0, 0, 0, 0, 0, 1})));

    ll::io::CurvesCache cache;
    cache.csv_bytes = 77;
    cache.last_step = 499;
    cache.curves.names = {"d_loss", "g_loss"};
    cache.curves.series.assign(2, ll::io::CurveLod(64));
    for (int i = 0; i < 500; ++i)
    {
        cache.curves.series[0].Append(i, 0.1 * i, std::sin(0.1 * i));
        cache.curves.series[1].Append(i, 0.1 * i, 1.0 / (1 + i));
    }
    cache.last_values = {0.25, 0.5};
    const std::string bytes = ll::io::EncodeCurves(cache);
    ll::io::CurvesCache back;
    REQUIRE(ll::io::DecodeCurves(bytes, back));
    CHECK(ll::io::EncodeCurves(back) == bytes);
    CHECK(back.curves.series[0].Width() == cache.curves.series[0].Width());
    CHECK_FALSE(ll::io::DecodeCurves(bytes.substr(0, bytes.size() - 1), back));

    // The same overflow through the file reader: one series of 1,024 buckets of 2^62 points.
    std::string file(bytes.data(), 8 + 8 + 8 + 8); // magic, csv_bytes, last_step, last_wall
    const auto put = [&](auto v) { file.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(std::uint32_t{1});
    put(std::uint32_t{1});
    file += "x";
    put(0.0);
    put(kHuge);
    put(kHuge);
    put(std::uint32_t{1024});
    for (int b = 0; b < 1024; ++b)
    {
        for (int f = 0; f < 7; ++f)
        {
            put(1.0);
        }
        put(kHuge);
    }
    CHECK_FALSE(ll::io::DecodeCurves(file, back));
}
