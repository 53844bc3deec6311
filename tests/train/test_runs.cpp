// Run folders read back (core/io/run_folder) and sweep grids (core/train/sweep): a real headless run reads as
// completed with its summary's metrics, a run killed before its summary as incomplete up to its last CSV row,
// corrupt files are said and the listing goes on, config differences name the keys; sweeps expand, validate and
// refuse as the README says, and the Slurm script maps array tasks to run folders.
#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "core/io/run_folder.h"
#include "core/train/headless.h"
#include "core/train/sweep.h"

#include "../data/data_test_util.h"
#include "../support/tiny_ring.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using ll::data::test::TempDir;

namespace
{

ll::models::ExperimentConfig TinyRing(std::uint64_t seed)
{
    ll::models::ExperimentConfig c = ll::test::TinyRing("test-runs");
    c.seed = seed;
    c.eval_samples = 200; // the summary's evaluation
    return c;
}

void WriteText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

double Metric(const ll::io::RunInfo& run, const std::string& name)
{
    for (const auto& [n, v] : run.final_metrics)
    {
        if (n == name)
        {
            return v;
        }
    }
    return std::nan("");
}

} // namespace

TEST_CASE("Runs: a headless run's folder reads back as completed, with its config, steps and summary metrics")
{
    TempDir tmp("runs_complete");
    ll::train::HeadlessOptions options;
    options.steps = 40;
    options.out_dir = (tmp.Path() / "a").string();
    options.threads = 1;
    REQUIRE(ll::train::RunHeadless(TinyRing(1), options).Ok());
    const ll::io::RunInfo run = ll::io::ReadRun(tmp.Path() / "a");
    CHECK(run.error == "");
    CHECK(run.status == "completed");
    CHECK(run.preset == "test-runs");
    CHECK(run.steps == 40);
    REQUIRE(run.config.has_value());
    CHECK(run.config->seed == 1);
    CHECK(Metric(run, "modes_covered") >= 0); // the summary's evaluation, not the last training row
    CHECK(std::isnan(Metric(run, "d_loss")));
}

TEST_CASE("Runs: a folder without summary.json is incomplete up to its last whole CSV row; a cut row is dropped")
{
    TempDir tmp("runs_incomplete");
    const fs::path dir = tmp.Path() / "killed";
    fs::create_directories(dir);
    WriteText(dir / "config.json", ll::io::ConfigToJson(TinyRing(2)));
    WriteText(dir / "metrics.csv", "step,wall_s,d_loss,g_loss\n1,0.010,1.5,0.7\n2,0.020,1.25,\n3,0.03");
    const ll::io::RunInfo run = ll::io::ReadRun(dir);
    CHECK(run.error == "");
    CHECK(run.status == "incomplete");
    CHECK(run.steps == 2);
    CHECK(run.wall_seconds == doctest::Approx(0.02));
    CHECK(Metric(run, "d_loss") == doctest::Approx(1.25));
    CHECK(Metric(run, "g_loss") == doctest::Approx(0.7)); // its last value, from the row before
}

TEST_CASE("Runs: corrupt files are said per folder and the listing goes on; a folder without run files is no run")
{
    TempDir tmp("runs_corrupt");
    const fs::path good = tmp.Path() / "good";
    const fs::path bad_csv = tmp.Path() / "bad_csv";
    const fs::path bad_summary = tmp.Path() / "bad_summary";
    const fs::path deep = tmp.Path() / "deep_summary";
    for (const fs::path& d : {good, bad_csv, bad_summary, deep})
    {
        fs::create_directories(d);
        WriteText(d / "config.json", ll::io::ConfigToJson(TinyRing(3)));
    }
    fs::create_directories(tmp.Path() / "not_a_run");
    WriteText(good / "metrics.csv", "step,wall_s,d_loss\n1,0.5,2\n");
    WriteText(bad_csv / "metrics.csv", "step,wall_s,d_loss\n1,0.5,banana\n");
    WriteText(bad_summary / "summary.json", "{\"status\": \"completed\", ");
    WriteText(deep / "summary.json", std::string(100000, '[') + std::string(100000, ']'));
    const auto runs = ll::io::ListRuns(tmp.Path());
    REQUIRE(runs.size() == 4);
    for (const auto& run : runs)
    {
        if (run.name == "good")
        {
            CHECK(run.error == "");
            CHECK(run.steps == 1);
        }
        else if (run.name == "bad_csv")
        {
            CHECK(run.error.find("line 2") != std::string::npos);
            CHECK(run.error.find("banana") != std::string::npos);
        }
        else
        {
            CHECK(run.error.find("summary.json") != std::string::npos);
            CHECK(run.status == "incomplete");
            CHECK(run.config.has_value()); // what could be read still is
        }
    }
    CHECK_THROWS_WITH_AS(ll::io::ListRuns(tmp.Path() / "missing"), doctest::Contains("not a folder"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(ll::io::ParseMetricsCsv("a,b\n", "m.csv"), doctest::Contains("m.csv: line 1"),
                         std::invalid_argument);
    std::string wide = "step,wall_s";
    for (int i = 0; i < 4096; ++i)
    {
        wide += ",s" + std::to_string(i);
    }
    wide += "\n";
    for (int r = 0; r < 4097; ++r)
    {
        wide += std::to_string(r) + ",0\n"; // 4097 rows of 4096 empty values: over 2^24 cells
    }
    CHECK_THROWS_WITH_AS(ll::io::ParseMetricsCsv(wide, "wide.csv"), doctest::Contains("more than 16777216 values"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::io::ParseMetricsCsv("step,wall_s,x\n1,2,3,4\n", "m.csv"),
                         doctest::Contains("4 fields, the header has 3"), std::invalid_argument);
}

TEST_CASE("Runs: DiffConfigs names exactly the keys that differ, with both values")
{
    auto a = TinyRing(1);
    auto b = TinyRing(5);
    b.gan.gp_lambda = 1.0;
    const auto diff = ll::io::DiffConfigs(a, b);
    REQUIRE(diff.size() == 2);
    CHECK(diff[0].key != diff[1].key);
    for (const auto& d : diff)
    {
        if (d.key == "seed")
        {
            CHECK(d.a == "1");
            CHECK(d.b == "5");
        }
        else
        {
            CHECK(d.key == "gan.gp_lambda");
            CHECK(d.b == "1.0");
        }
    }
    CHECK(ll::io::DiffConfigs(a, a).empty());
}

TEST_CASE("Sweep: --set values and ranges parse; a bad --set is refused with the reason")
{
    const auto axis = ll::train::ParseSweepAxis("gan.objective=hinge,wgan-gp");
    CHECK(axis.key == "gan.objective");
    REQUIRE(axis.values.size() == 2);
    CHECK(axis.values[0] == "\"hinge\"");
    const auto range = ll::train::ParseSweepAxis("seed=1..5");
    CHECK(range.values == std::vector<std::string>{"1", "2", "3", "4", "5"});
    CHECK(ll::train::ParseSweepAxis("gan.gp_lambda=1, 10").values == std::vector<std::string>{"1", "10"});
    CHECK_THROWS_WITH_AS(ll::train::ParseSweepAxis("seed"), doctest::Contains("KEY=V1"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::train::ParseSweepAxis("seed=5..1"), doctest::Contains("LO <= HI"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::train::ParseSweepAxis("seed=1..100000"), doctest::Contains("more than 10000"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::train::ParseSweepAxis("seed=1,,2"), doctest::Contains("empty value"),
                         std::invalid_argument);
}

TEST_CASE("Sweep: the grid is the product of the axes, last fastest, each point validated and named")
{
    const std::string base = ll::io::ConfigToJson(TinyRing(1));
    const auto points = ll::train::ExpandSweep(
        base, {ll::train::ParseSweepAxis("gan.gp_lambda=1,10"), ll::train::ParseSweepAxis("seed=1..3")}, "base");
    REQUIRE(points.size() == 6);
    CHECK(points[0].name == "test-runs-gp_lambda=1-seed=1");
    CHECK(points[1].name == "test-runs-gp_lambda=1-seed=2");
    CHECK(points[3].name == "test-runs-gp_lambda=10-seed=1");
    const auto c = ll::io::ParseConfig(points[5].config_json, "p5");
    CHECK(c.seed == 3);
    CHECK(c.gan.gp_lambda == doctest::Approx(10.0));
    CHECK(c.name == "test-runs"); // the preset's name; the point's is the folder's

    CHECK_THROWS_WITH_AS(ll::train::ExpandSweep(base, {ll::train::ParseSweepAxis("gan.gp_lambdaa=1")}, "base"),
                         doctest::Contains("no key 'gan.gp_lambdaa'"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::train::ExpandSweep(base, {ll::train::ParseSweepAxis("batch_size=-4")}, "base"),
                         doctest::Contains("batch_size"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::train::ExpandSweep(base, {ll::train::ParseSweepAxis("seed=1"),
                                                       ll::train::ParseSweepAxis("seed=2")}, "base"),
                         doctest::Contains("given twice"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ll::train::ExpandSweep(base, {ll::train::ParseSweepAxis("seed=1..200"),
                                                       ll::train::ParseSweepAxis("batch_size=1..100")}, "base"),
                         doctest::Contains("more than 10000 points"), std::invalid_argument);
}

TEST_CASE("Sweep: the Slurm script has one array task per run and trains each config into its folder")
{
    const std::vector<fs::path> dirs{"/srv/runs/s/a-seed=1", "/srv/runs/s/a-seed=2", "/srv/runs/s/it's"};
    const std::string s = ll::train::SlurmArrayScript("/usr/bin/latentlab", dirs, 2, 500, "s");
    CHECK(s.rfind("#!/bin/bash\n", 0) == 0);
    CHECK(s.find("#SBATCH --array=0-2\n") != std::string::npos);
    CHECK(s.find("#SBATCH --cpus-per-task=2\n") != std::string::npos);
    CHECK(s.find("    '/srv/runs/s/a-seed=2'\n") != std::string::npos);
    CHECK(s.find("    '/srv/runs/s/it'\\''s'\n") != std::string::npos); // quoted for the shell
    CHECK(s.find("run=\"${runs[$SLURM_ARRAY_TASK_ID]}\"") != std::string::npos);
    CHECK(s.find("exec '/usr/bin/latentlab' train --config \"$run/config.json\" --out \"$run\" --threads 2 "
                 "--steps 500\n") != std::string::npos);
    CHECK_THROWS_AS(ll::train::SlurmArrayScript("latentlab", {}, 1, -1, "s"), std::invalid_argument);
}
