// The run recorder (core/train/run_recorder.h) and the window's recording session: a run written batch by batch
// reads back up to its last flush when the writer is killed mid-row; a session with a runs directory keeps every
// experiment as a run (Reset starts a new one, the old one closed with its summary and final checkpoint), continues a
// run from its checkpoint without duplicating rows, and renames the run it records.
#include "core/io/config_json.h"
#include "core/io/run_folder.h"
#include "core/train/run_recorder.h"
#include "core/train/session.h"

#include "../data/data_test_util.h"
#include "../support/tiny_ring.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using ll::data::test::TempDir;

namespace
{

constexpr auto kWait = std::chrono::seconds(60);

ll::models::ExperimentConfig TinyRing()
{
    ll::models::ExperimentConfig c = ll::test::TinyRing("rec-ring");
    c.sample_every = 10; // sample grids for the run folder
    return c;
}

ll::train::MetricBlock Rows(std::int64_t from, std::int64_t to)
{
    ll::train::MetricBlock block;
    for (std::int64_t step = from; step <= to; ++step)
    {
        block.AppendRow(step, 0.01 * static_cast<double>(step), {{"d_loss", 1.0 / static_cast<double>(step)}});
    }
    return block;
}

std::vector<fs::path> RunDirs(const fs::path& root)
{
    std::vector<fs::path> dirs;
    for (const ll::io::RunInfo& run : ll::io::ListRuns(root))
    {
        dirs.push_back(run.dir);
    }
    return dirs;
}

ll::io::MetricsTable Csv(const fs::path& dir)
{
    std::ifstream in(dir / ll::io::kRunMetricsFile, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ll::io::ParseMetricsCsv(text, "metrics.csv");
}

} // namespace

TEST_CASE("Recorder: a run killed mid-row reads back as incomplete up to its last flushed batch")
{
    TempDir tmp("recorder_kill");
    const fs::path dir = tmp.Path() / "run";
    {
        ll::train::RunRecorder recorder;
        recorder.Begin(dir, TinyRing());
        recorder.AppendRows(Rows(1, 5));
        recorder.AppendRows(Rows(6, 9));
        // The kill: the recorder never closes, and a half-written row is the file's last bytes.
        std::ofstream cut(dir / ll::io::kRunMetricsFile, std::ios::binary | std::ios::app);
        cut << "10,0.1,0.0";
        cut.flush();
        const ll::io::RunInfo run = ll::io::ReadRun(dir);
        CHECK(run.error == "");
        CHECK(run.status == "incomplete");
        CHECK(run.preset == "rec-ring");
        CHECK(run.steps == 9);
        CHECK(run.wall_seconds == doctest::Approx(0.09));
        REQUIRE(run.final_metrics.size() == 1);
        CHECK(run.final_metrics[0].second == doctest::Approx(1.0 / 9.0));
    }
    // Continued at step 7 (a checkpoint there): rows after it and the cut row are gone, new rows follow.
    ll::train::RunRecorder again;
    again.Continue(dir, 7);
    again.AppendRows(Rows(8, 12));
    ll::train::RunSummary summary;
    summary.name = "rec-ring";
    summary.status = "stopped";
    summary.steps = 12;
    summary.metrics = {{"d_loss", 0.5}};
    again.Finish(summary);
    const ll::io::MetricsTable table = Csv(dir);
    REQUIRE(table.steps.size() == 12);
    for (std::size_t r = 0; r < table.steps.size(); ++r)
    {
        CHECK(table.steps[r] == static_cast<std::int64_t>(r + 1));
    }
    const ll::io::RunInfo run = ll::io::ReadRun(dir);
    CHECK(run.status == "stopped");
    CHECK(run.steps == 12);
}

TEST_CASE("Recorder: rows wait while an evaluation runs, and its late row joins its step's row in the CSV")
{
    TempDir tmp("recorder_hold");
    const fs::path dir = tmp.Path() / "run";
    ll::train::RunRecorder recorder;
    recorder.Begin(dir, TinyRing());
    ll::train::MetricBlock first = Rows(1, 5);
    first.hold_from = 3; // the evaluation of step 3 is still running
    recorder.AppendRows(first);
    CHECK(Csv(dir).steps == std::vector<std::int64_t>{1, 2}); // written so far: the rows before it
    ll::train::MetricBlock second;
    second.AppendRow(6, 0.06, {{"d_loss", 1.0 / 6.0}});
    second.AppendRow(3, 0.03, {{"judge_fd", 42.0}}); // its late row
    second.AppendRow(7, 0.07, {{"d_loss", 1.0 / 7.0}});
    recorder.AppendRows(second);
    const ll::io::MetricsTable csv = Csv(dir);
    CHECK(csv.steps == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7});
    REQUIRE(csv.series == std::vector<std::string>{"d_loss", "judge_fd"});
    CHECK(csv.values[2][0] == doctest::Approx(1.0 / 3.0));
    CHECK(csv.values[2][1] == 42.0);
    CHECK(std::isnan(csv.values[3][1]));
    // Held rows are not lost when the run ends before the evaluation comes.
    ll::train::MetricBlock third = Rows(8, 9);
    third.hold_from = 8;
    recorder.AppendRows(third);
    CHECK(Csv(dir).steps.size() == 7);
    recorder.Close();
    CHECK(Csv(dir).steps.size() == 9);
}

TEST_CASE("Recording session: with the evaluation on its own thread the run's CSV has one row per step, in order")
{
    TempDir tmp("recorder_background_eval");
    ll::train::SessionOptions options;
    options.threads = 1;
    options.background_evaluation = 1;
    options.runs_dir = tmp.Path().string();
    options.publish_interval = std::chrono::milliseconds(0);
    ll::models::ExperimentConfig config = TinyRing();
    config.eval_every = 20;
    config.eval_samples = 400;
    fs::path dir;
    {
        ll::train::Session session(options);
        REQUIRE(session.WaitForCommand(session.Load(config), kWait) != nullptr);
        const auto trained = session.WaitForCommand(session.RunUntil(100), kWait);
        REQUIRE(trained != nullptr);
        dir = trained->run_dir;
        session.Stop();
    }
    const ll::io::MetricsTable csv = Csv(dir);
    REQUIRE(csv.steps.size() == 100);
    const auto modes = std::find(csv.series.begin(), csv.series.end(), "modes_covered");
    REQUIRE(modes != csv.series.end());
    const auto column = static_cast<std::size_t>(modes - csv.series.begin());
    for (std::size_t r = 0; r < csv.steps.size(); ++r)
    {
        CHECK(csv.steps[r] == static_cast<std::int64_t>(r) + 1);
        CHECK(std::isnan(csv.values[r][column]) == (csv.steps[r] % 20 != 0));
    }
}

TEST_CASE("Recorder: folder names hold the preset and the time, stay unique, and bad new names are refused")
{
    TempDir tmp("recorder_names");
    const auto t = std::chrono::system_clock::from_time_t(1700000000); // 2023-11-14 22:13:20 UTC
    CHECK(ll::train::RunFolderName("gan ring/8", t) == "gan_ring_8-20231114-221320");
    const fs::path first = ll::train::NewRunDir(tmp.Path(), "p", t);
    fs::create_directories(first);
    CHECK(ll::train::NewRunDir(tmp.Path(), "p", t).filename() == "p-20231114-221320-2");
    CHECK_THROWS_AS(ll::train::CheckRunName(""), std::invalid_argument);
    CHECK_THROWS_AS(ll::train::CheckRunName("a/b"), std::invalid_argument);
    CHECK_THROWS_AS(ll::train::CheckRunName(".."), std::invalid_argument);
    CHECK_NOTHROW(ll::train::CheckRunName("wgan-gp seed 2"));
}

TEST_CASE("Recording session: each experiment trained is a run; Reset closes it with a summary and starts another")
{
    TempDir tmp("recorder_session");
    ll::train::SessionOptions options;
    options.threads = 1;
    options.runs_dir = tmp.Path().string();
    options.render_interval = std::chrono::milliseconds(0);
    fs::path first_dir;
    {
        ll::train::Session session(options);
        REQUIRE(session.WaitForCommand(session.Load(TinyRing()), kWait) != nullptr);
        CHECK(RunDirs(tmp.Path()).empty()); // loading alone records nothing
        const auto trained = session.WaitForCommand(session.RunUntil(30), kWait);
        REQUIRE(trained != nullptr);
        REQUIRE(trained->run_dir != "");
        first_dir = trained->run_dir;
        CHECK(first_dir.parent_path() == tmp.Path());
        CHECK(first_dir.filename().string().rfind("rec-ring-", 0) == 0);
        REQUIRE(session.WaitForCommand(session.Reset(), kWait) != nullptr);
        REQUIRE(session.WaitForCommand(session.RunUntil(12), kWait) != nullptr);
        session.Stop();
    }
    const std::vector<fs::path> dirs = RunDirs(tmp.Path());
    REQUIRE(dirs.size() == 2);
    const ll::io::RunInfo first = ll::io::ReadRun(first_dir);
    CHECK(first.error == "");
    CHECK(first.status == "stopped");
    CHECK(first.steps == 30);
    CHECK(Csv(first_dir).steps.size() == 30);
    CHECK(fs::exists(first_dir / "final.ckpt"));
    // Toys draw the 2-D view: at most one picture per sample_every (10) steps, always the one at the pause.
    const std::vector<std::int64_t> pictures = ll::io::SampleSteps(first_dir, "view2d");
    REQUIRE_FALSE(pictures.empty());
    CHECK(pictures.back() == 30);
    for (std::size_t i = 1; i < pictures.size(); ++i)
    {
        CHECK(pictures[i] / 10 > pictures[i - 1] / 10);
    }
    CHECK(ll::io::SampleSteps(first_dir, "samples").empty());
    const fs::path second_dir = dirs[0] == first_dir ? dirs[1] : dirs[0];
    const ll::io::RunInfo second = ll::io::ReadRun(second_dir);
    CHECK(second.status == "stopped");
    CHECK(second.steps == 12);

    // The first run's checkpoint continues the first run: rows 31.. follow its 30, none twice.
    {
        ll::train::Session session(options);
        const auto loaded = session.WaitForCommand(session.LoadCheckpoint((first_dir / "final.ckpt").string()), kWait);
        REQUIRE(loaded != nullptr);
        REQUIRE(loaded->checkpoint_error == "");
        const auto trained = session.WaitForCommand(session.RunUntil(45), kWait);
        REQUIRE(trained != nullptr);
        CHECK(fs::path(trained->run_dir) == first_dir);
        const auto renamed = session.WaitForCommand(session.RenameRun("ring kept"), kWait);
        REQUIRE(renamed != nullptr);
        CHECK(renamed->command_error == "");
        CHECK(fs::path(renamed->run_dir) == tmp.Path() / "ring kept");
        REQUIRE(session.WaitForCommand(session.RunUntil(50), kWait) != nullptr);
        const auto refused = session.WaitForCommand(session.RenameRun("a/b"), kWait);
        REQUIRE(refused != nullptr);
        CHECK(refused->command_error.find("'/'") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(first_dir));
    const ll::io::MetricsTable table = Csv(tmp.Path() / "ring kept");
    REQUIRE(table.steps.size() == 50);
    for (std::size_t r = 0; r < table.steps.size(); ++r)
    {
        CHECK(table.steps[r] == static_cast<std::int64_t>(r + 1));
    }
    CHECK(ll::io::ReadRun(tmp.Path() / "ring kept").status == "stopped");
}

TEST_CASE("Recorder: the curves.lod it leaves is what a pass over the CSV reads, and a CSV that grew is read again")
{
    TempDir tmp("recorder_curves");
    const fs::path dir = tmp.Path() / "run";
    ll::train::RunRecorder recorder;
    recorder.Begin(dir, TinyRing());
    ll::train::MetricBlock block;
    for (std::int64_t step = 1; step <= 5000; ++step)
    {
        ll::models::Metrics m = {{"d_loss", std::sin(0.01 * static_cast<double>(step))}};
        if (step % 500 == 0)
        {
            m.emplace_back("mmd", 1.0 / static_cast<double>(step));
        }
        block.AppendRow(step, 0.001 * static_cast<double>(step), m);
    }
    recorder.AppendRows(block);
    ll::train::RunSummary summary;
    summary.status = "stopped";
    summary.steps = 5000;
    recorder.Finish(summary);
    REQUIRE(fs::exists(dir / ll::io::kRunCurvesFile));
    fs::remove(dir / ll::io::kRunSummaryFile); // steps and last values from the curves, not the summary

    ll::io::RunCurves cached, parsed;
    const ll::io::RunInfo from_cache = ll::io::ReadRun(dir, &cached);
    fs::remove(dir / ll::io::kRunCurvesFile);
    const ll::io::RunInfo from_csv = ll::io::ReadRun(dir, &parsed); // and writes curves.lod again
    CHECK(fs::exists(dir / ll::io::kRunCurvesFile));
    CHECK(from_cache.steps == 5000);
    CHECK(from_csv.steps == 5000);
    REQUIRE(cached.names == parsed.names);
    for (std::size_t s = 0; s < cached.names.size(); ++s)
    {
        const auto& a = cached.series[s].Buckets();
        const auto& b = parsed.series[s].Buckets();
        REQUIRE(a.size() == b.size());
        CHECK(cached.series[s].Total() == parsed.series[s].Total());
        for (std::size_t k = 0; k < a.size(); ++k)
        {
            CHECK(a[k].step_first == b[k].step_first);
            CHECK(a[k].count == b[k].count);
            // The recorder keeps the exact values, the CSV their %.9g text.
            CHECK(a[k].min == doctest::Approx(b[k].min).epsilon(1e-8));
            CHECK(a[k].Mean() == doctest::Approx(b[k].Mean()).epsilon(1e-8));
        }
    }
    REQUIRE(from_cache.final_metrics.size() == 2);
    CHECK(from_cache.final_metrics[1].second == doctest::Approx(1.0 / 5000));

    // Rows added after (a resumed run): the cache no longer matches the CSV's length, the CSV is read.
    {
        std::ofstream more(dir / ll::io::kRunMetricsFile, std::ios::binary | std::ios::app);
        more << "5001,5.001,0.25,\n";
    }
    ll::io::RunCurves again;
    CHECK(ll::io::ReadRun(dir, &again).steps == 5001);
    CHECK(again.Find("d_loss")->Total() == 5001);
    // A damaged curves file is ignored, never believed.
    {
        std::ofstream bad(dir / ll::io::kRunCurvesFile, std::ios::binary | std::ios::trunc);
        bad << "LLCURVE1 and then nonsense";
    }
    ll::io::RunCurves after_bad;
    CHECK(ll::io::ReadRun(dir, &after_bad).steps == 5001);
    CHECK(after_bad.Find("d_loss")->Total() == 5001);
}
