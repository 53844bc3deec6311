// The Runs view's library (ui/views/run_library.h) on a real runs directory: the worker lists runs with their
// curves, sample steps and checkpoints, says why a damaged one is damaged, keeps an unchanged run's curves on a
// re-list, renames and deletes only inside the runs directory, and decodes a run's sample picture. No GL.
#include "core/io/image_io.h"
#include "core/io/run_folder.h"
#include "core/train/run_recorder.h"
#include "ui/views/run_library.h"

#include "../data/data_test_util.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;

namespace
{

constexpr auto kWait = std::chrono::seconds(30);

void WriteRun(const fs::path& dir, std::uint64_t seed, int steps)
{
    ll::models::ExperimentConfig config;
    config.name = "lib";
    config.seed = seed;
    ll::train::RunRecorder recorder;
    recorder.Begin(dir, config);
    ll::train::MetricBlock block;
    for (int s = 1; s <= steps; ++s)
    {
        block.AppendRow(s, 0.1 * s, {{"d_loss", 1.0 + 0.001 * s}});
    }
    recorder.AppendRows(block);
    ll::io::RgbaImage img;
    img.width = 4;
    img.height = 2;
    img.pixels.assign(4 * 2 * 4, 200);
    ll::io::WritePng(dir / "samples_000010.png", img);
    recorder.Close(); // killed: no summary
}

} // namespace

TEST_CASE("Run library: lists runs with curves and pictures, says why one is damaged, renames, deletes, decodes")
{
    ll::data::test::TempDir tmp("run_library");
    WriteRun(tmp.Path() / "a", 1, 300);
    WriteRun(tmp.Path() / "b", 2, 40);
    fs::create_directories(tmp.Path() / "bad");
    std::ofstream(tmp.Path() / "bad" / ll::io::kRunMetricsFile) << "time,loss\n1,2\n";
    fs::create_directories(tmp.Path() / "not-a-run");

    ll::ui::RunLibrary library(tmp.Path());
    REQUIRE(library.WaitIdle(kWait));
    auto listing = library.Listing();
    REQUIRE(listing->runs.size() == 3);
    const ll::ui::RunEntry* a = listing->Find((tmp.Path() / "a").string());
    REQUIRE(a != nullptr);
    CHECK(a->info.status == "incomplete");
    CHECK(a->info.steps == 300);
    REQUIRE(a->curves->Find("d_loss") != nullptr);
    CHECK(a->curves->Find("d_loss")->Total() == 300);
    CHECK(a->sample_stem == "samples");
    CHECK(a->sample_steps == std::vector<std::int64_t>{10});
    CHECK(a->checkpoint.empty());
    const ll::ui::RunEntry* bad = listing->Find((tmp.Path() / "bad").string());
    REQUIRE(bad != nullptr);
    CHECK(bad->Damaged());
    CHECK(bad->info.error.find("step,wall_s") != std::string::npos);

    // A re-list keeps the curves of runs whose files did not change (the same object).
    const auto curves_a = a->curves;
    library.Refresh();
    REQUIRE(library.WaitIdle(kWait));
    listing = library.Listing();
    CHECK(listing->Find((tmp.Path() / "a").string())->curves == curves_a);

    // Selection helpers.
    library.SelectNewest(10);
    CHECK(library.selected.size() == 2); // the damaged run is not selected
    library.Toggle((tmp.Path() / "a").string());
    CHECK_FALSE(library.IsSelected((tmp.Path() / "a").string()));

    // Rename and delete, inside the runs directory only.
    library.Rename(tmp.Path() / "b", "b renamed");
    REQUIRE(library.WaitIdle(kWait));
    CHECK(fs::exists(tmp.Path() / "b renamed" / ll::io::kRunConfigFile));
    library.Rename(tmp.Path() / "a", "x/y");
    REQUIRE(library.WaitIdle(kWait));
    CHECK(library.TakeMessage().find("'/'") != std::string::npos);
    library.Delete(tmp.Path() / "not-a-run");
    REQUIRE(library.WaitIdle(kWait));
    CHECK(library.TakeMessage().find("is not a run") != std::string::npos);
    CHECK(fs::exists(tmp.Path() / "not-a-run"));
    library.Delete(tmp.Path() / "a");
    REQUIRE(library.WaitIdle(kWait));
    CHECK_FALSE(fs::exists(tmp.Path() / "a"));
    CHECK(library.Listing()->runs.size() == 2);

    // A sample picture: asked for, decoded on the worker, then handed out.
    const fs::path picture = tmp.Path() / "b renamed" / "samples_000010.png";
    CHECK(library.Image(picture) == nullptr);
    REQUIRE(library.WaitIdle(kWait));
    const auto image = library.Image(picture);
    REQUIRE(image != nullptr);
    CHECK(image->width == 4);
    CHECK(image->height == 2);
    CHECK(image->pixels[3] == 255);
    CHECK(image->pixels[0] == 200);
}

TEST_CASE("Run library: the recording run's row and curves follow the window's rows, not its CSV read again")
{
    ll::data::test::TempDir tmp("run_library_live");
    const fs::path dir = tmp.Path() / "live";
    ll::models::ExperimentConfig config;
    config.name = "live";
    ll::train::RunRecorder recorder; // the session's, still recording: 50 rows so far
    recorder.Begin(dir, config);
    ll::train::MetricBlock written;
    for (int s = 1; s <= 50; ++s)
    {
        written.AppendRow(s, 0.1 * s, {{"d_loss", 1.0 + 0.001 * s}});
    }
    recorder.AppendRows(written);

    ll::ui::RunLibrary library(tmp.Path());
    REQUIRE(library.WaitIdle(kWait));
    // The window's rows, drained before its snapshot names the folder: a continued run's history as the checkpoint
    // gives it back (coarse: 7.0 at steps 1-50), then the steps trained since (51-80, with a new series).
    ll::train::MetricBlock drained;
    for (int s = 1; s <= 80; ++s)
    {
        ll::models::Metrics row = {{"d_loss", s <= 50 ? 7.0 : 2.0 + 0.001 * s}};
        if (s > 50)
        {
            row.emplace_back("g_loss", 0.5);
        }
        drained.AppendRow(s, s <= 50 ? 0.0 : 0.1 * s, row);
    }
    library.AddRecordingRows(drained);
    library.SetRecording(dir, 0);
    REQUIRE(library.WaitIdle(kWait));                 // the folder read once, as the recording run
    library.AddRecordingRows(ll::train::MetricBlock{}); // the next frame takes that read as the run's base

    // Meanwhile its CSV grows to 60 rows of values no drained row has: a re-read would show them.
    ll::train::MetricBlock on_disk;
    for (int s = 51; s <= 60; ++s)
    {
        on_disk.AppendRow(s, 0.1 * s, {{"d_loss", 99.0}});
    }
    recorder.AppendRows(on_disk);
    library.Refresh();
    REQUIRE(library.WaitIdle(kWait));
    const ll::ui::RunEntry* live = library.Listing()->Find(dir.string());
    REQUIRE(live != nullptr);
    CHECK(live->info.steps == 80);
    CHECK(live->info.wall_seconds == doctest::Approx(8.0));
    const ll::io::CurveLod* d_loss = live->curves->Find("d_loss");
    REQUIRE(d_loss != nullptr);
    CHECK(d_loss->Total() == 80);
    REQUIRE(!d_loss->Buckets().empty());
    CHECK(d_loss->Buckets().front().min == doctest::Approx(1.001)); // step 1 as the folder has it, not 7.0
    for (const ll::io::CurveBucket& b : d_loss->Buckets())
    {
        CHECK(b.max < 3.0); // neither the coarse history (7) nor the CSV's new rows (99)
    }
    REQUIRE(live->curves->Find("g_loss") != nullptr);
    CHECK(live->curves->Find("g_loss")->Total() == 30);
    std::map<std::string, double> last(live->info.final_metrics.begin(), live->info.final_metrics.end());
    CHECK(last["d_loss"] == doctest::Approx(2.08));
    CHECK(last["g_loss"] == doctest::Approx(0.5));

    // Rows drained later show from the next listing on.
    ll::train::MetricBlock later;
    later.AppendRow(81, 8.1, {{"d_loss", 2.5}});
    library.AddRecordingRows(later);
    CHECK(library.Listing()->Find(dir.string())->info.steps == 80);
    library.Refresh();
    REQUIRE(library.WaitIdle(kWait));
    CHECK(library.Listing()->Find(dir.string())->info.steps == 81);
    CHECK(library.Listing()->Find(dir.string())->curves->Find("d_loss")->Total() == 81);

    // Recording stops: the folder is read again, as its files are.
    library.SetRecording("", 0);
    REQUIRE(library.WaitIdle(kWait));
    live = library.Listing()->Find(dir.string());
    REQUIRE(live != nullptr);
    CHECK(live->info.steps == 60);
    CHECK(live->curves->Find("d_loss")->Total() == 60);
    recorder.Close();
}
