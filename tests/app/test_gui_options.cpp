// The app's command line: options parse into GuiOptions, mistakes are reported, the subcommand table is sane.
#include "app/cli.h"
#include "app/cli_args.h"
#include "app/gui_options.h"
#include "ui/views/data_view.h"
#include "ui/views/view_table.h"

#include <doctest/doctest.h>

#include <limits>
#include <set>
#include <stdexcept>
#include <string>

using ll::app::GuiOptions;
using ll::app::ParseGuiOptions;

TEST_CASE("GuiOptions: defaults are an interactive 1280x800 window on Fashion-MNIST")
{
    const GuiOptions o = ParseGuiOptions({});
    CHECK(o.width == 1280);
    CHECK(o.height == 800);
    CHECK(o.screenshot.empty());
    CHECK(o.frames == 0);
    CHECK(o.dataset == "fashion-train");
    CHECK_FALSE(o.help);
}

TEST_CASE("GuiOptions: every option is parsed, and --screenshot implies 10 frames")
{
    const GuiOptions o = ParseGuiOptions(
        {"--data", "some/dir", "--size", "640x480", "--screenshot", "a.png", "--seed", "42", "--dataset", "ring8"});
    CHECK(o.data_dir == "some/dir");
    CHECK(o.width == 640);
    CHECK(o.height == 480);
    CHECK(o.screenshot == "a.png");
    CHECK(o.frames == 10);
    CHECK(o.seed == 42);
    CHECK(o.dataset == "ring8");
    CHECK(ParseGuiOptions({"--screenshot", "b.png", "--frames", "3"}).frames == 3);
    CHECK(ParseGuiOptions({"-h"}).help);
}

TEST_CASE("GuiOptions: --pointer places the screenshot's mouse at X,Y and refuses anything else")
{
    CHECK(ParseGuiOptions({}).pointer_x == -1);
    const GuiOptions o = ParseGuiOptions({"--screenshot", "a.png", "--pointer", "640,400"});
    CHECK(o.pointer_x == 640);
    CHECK(o.pointer_y == 400);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--pointer", "640"}), doctest::Contains("--pointer: expected X,Y"),
                         std::invalid_argument);
    CHECK_THROWS_AS(ParseGuiOptions({"--pointer", "-5,3"}), std::invalid_argument);
}

TEST_CASE("GuiOptions: --dataset accepts the Data view's sources, which --help lists, and names them when refused")
{
    for (const std::string& source : ll::ui::DataView::SourceNames())
    {
        CHECK(ParseGuiOptions({"--dataset", source}).dataset == source);
        CHECK(ll::app::GuiUsage().find(source) != std::string::npos);
    }
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--dataset", "cifar"}), doctest::Contains("fashion-test, ring8"),
                         std::invalid_argument);
}

TEST_CASE("GuiOptions: bad values and unknown words are errors naming them")
{
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--size", "big"}), doctest::Contains("--size"), std::invalid_argument);
    CHECK_THROWS_AS(ParseGuiOptions({"--size", "10x10"}), std::invalid_argument); // below 64
    CHECK_THROWS_AS(ParseGuiOptions({"--frames", "0"}), std::invalid_argument);
    CHECK_THROWS_AS(ParseGuiOptions({"--frames", "3x"}), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--data"}), doctest::Contains("missing value"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--bogus"}), doctest::Contains("--bogus"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"trian"}), doctest::Contains("unknown subcommand"), std::invalid_argument);
}

TEST_CASE("Subcommands: names are unique, each has a summary and a function, and lookup finds them")
{
    std::set<std::string> names;
    for (const ll::app::Subcommand& sub : ll::app::Subcommands())
    {
        CHECK(static_cast<bool>(sub.run));
        CHECK(std::string(sub.summary).size() > 0);
        CHECK(names.insert(sub.name).second);
        CHECK(ll::app::FindSubcommand(sub.name) == &sub);
    }
    CHECK(ll::app::FindSubcommand("no-such-subcommand") == nullptr);
    CHECK(ll::app::GuiUsage().find("--screenshot") != std::string::npos);
}

TEST_CASE("GuiOptions: the lab's options select a preset, a view, steps to train, threads and frame stats")
{
    const GuiOptions d = ParseGuiOptions({});
    CHECK(d.preset == "vae-fashion");
    CHECK(d.view.empty());
    CHECK(d.train_steps == 0);
    CHECK_FALSE(d.frame_stats);
    CHECK(d.threads == 0);
    const GuiOptions o = ParseGuiOptions({"--preset", "gan-ring8", "--view", "toy2d", "--train-steps", "150",
                                          "--threads", "2", "--frame-stats"});
    CHECK(o.preset == "gan-ring8");
    CHECK(o.view == "toy2d");
    CHECK(o.train_steps == 150);
    CHECK(o.threads == 2);
    CHECK(o.frame_stats);
    for (const ll::ui::ViewRow& view : ll::ui::ViewTable())
    {
        CHECK(ParseGuiOptions({"--view", view.id}).view == view.id);
        CHECK(ll::app::GuiUsage().find(view.id) != std::string::npos);
    }
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--view", "graphs"}),
                         doctest::Contains("expected one of plots, samples, toy2d, latent, data, runs, got 'graphs'"),
                         std::invalid_argument);
    CHECK_THROWS_AS(ParseGuiOptions({"--train-steps", "-5"}), std::invalid_argument);
}

TEST_CASE("GuiOptions: --fps caps the frame rate at 60 by default, 0 uncaps it, and nonsense is refused with the range")
{
    CHECK(ParseGuiOptions({}).fps == 60);
    CHECK_FALSE(ParseGuiOptions({}).continuous);
    CHECK(ParseGuiOptions({"--continuous"}).continuous);
    CHECK(ParseGuiOptions({"--fps", "30"}).fps == 30);
    CHECK(ParseGuiOptions({"--fps", "0"}).fps == 0);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--fps", "-1"}), doctest::Contains("in [0, 1000]"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--fps", "5000"}), doctest::Contains("got '5000'"), std::invalid_argument);
}

TEST_CASE("GuiOptions: --renderer picks the lab's renderer by default or ImGui's backend, and names what it accepts")
{
    CHECK_FALSE(ParseGuiOptions({}).imgui_renderer);
    CHECK_FALSE(ParseGuiOptions({"--renderer", "lab"}).imgui_renderer);
    CHECK(ParseGuiOptions({"--renderer", "imgui"}).imgui_renderer);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--renderer", "vulkan"}), doctest::Contains("expected lab or imgui, got 'vulkan'"),
                         std::invalid_argument);
}

TEST_CASE("CLI args: numbers are parsed whole or real within their range, with one message shape for every command")
{
    using ll::app::ParseNumber;
    CHECK(ParseNumber<int>("--threads", "4", 1, 256) == 4);
    CHECK(ParseNumber<double>("--seconds", "0.5", 0.1, 3600) == 0.5);
    CHECK(ParseNumber<std::int64_t>("--steps", "1099511627776", 0, std::int64_t(1) << 40) == (std::int64_t(1) << 40));
    CHECK_THROWS_WITH_AS(ParseNumber<int>("--threads", "300", 1, 256),
                         "--threads: expected a whole number in [1, 256], got '300'", ll::app::UsageError);
    CHECK_THROWS_WITH_AS(ParseNumber<int>("--frames", "3x", 1), "--frames: expected a whole number >= 1, got '3x'",
                         ll::app::UsageError);
    CHECK_THROWS_WITH_AS(ParseNumber<double>("--seconds", "fast", 0.1, 3600),
                         "--seconds: expected a number in [0.1, 3600], got 'fast'", ll::app::UsageError);
    CHECK_THROWS_AS(ParseNumber<int>("--n", "", 0), ll::app::UsageError);
    const std::vector<std::string> args{"--data", "dir", "--size"};
    std::size_t i = 0;
    CHECK(ll::app::OptionValue(args, i) == "dir");
    CHECK(i == 1);
    i = 2;
    CHECK_THROWS_WITH_AS(ll::app::OptionValue(args, i), "--size: missing value", ll::app::UsageError);
}

TEST_CASE("GuiOptions: --open is repeatable, --draw is a flag, and --preset takes a file as well as a name")
{
    const GuiOptions o = ParseGuiOptions({"--open", "data/mnist", "--draw", "--open", "run.ckpt", "--preset",
                                          "my/drawn.json"});
    CHECK(o.open == std::vector<std::string>{"data/mnist", "run.ckpt"});
    CHECK(o.draw);
    CHECK(o.preset == "my/drawn.json");
    CHECK(ll::app::GuiUsage().find("--open PATH") != std::string::npos);
    CHECK_FALSE(ParseGuiOptions({}).draw);
}

TEST_CASE("GuiOptions: --runs names the runs directory, --no-record keeps none, --select-runs takes a count or all")
{
    const GuiOptions defaults = ParseGuiOptions({});
    CHECK(defaults.runs_dir == "");
    CHECK(defaults.record);
    CHECK(defaults.select_runs == 0);
    const GuiOptions o = ParseGuiOptions({"--runs", "/tmp/r", "--no-record", "--select-runs", "3"});
    CHECK(o.runs_dir == "/tmp/r");
    CHECK_FALSE(o.record);
    CHECK(o.select_runs == 3);
    CHECK(ParseGuiOptions({"--select-runs", "all"}).select_runs == std::numeric_limits<int>::max());
    CHECK(defaults.group_seeds);
    CHECK_FALSE(ParseGuiOptions({"--no-group-seeds"}).group_seeds);
    CHECK_THROWS_AS(ParseGuiOptions({"--select-runs", "0"}), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ParseGuiOptions({"--runs", ""}), doctest::Contains("--runs: expected a folder"),
                         std::invalid_argument);
}
