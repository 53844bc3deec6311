// Options of the windowed app (`latentlab [options]`), parsed without touching GLFW so they can be tested. The views
// and the Data view's sources they accept come from the window's own tables (ui/views/view_table.h, DataView).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ll::app
{

struct GuiOptions
{
    bool help = false;
    std::string data_dir;          // --data DIR ("" = $LATENTLAB_DATA or the Debian default)
    std::string dataset = "fashion-train"; // --dataset NAME
    std::string screenshot;        // --screenshot out.png ("" = interactive)
    int pointer_x = -1, pointer_y = -1; // --pointer X,Y: with --screenshot, the mouse there (-1: off the window)
    int frames = 0;                // --frames N: exit after N frames (default 10 with --screenshot)
    int width = 1280, height = 800; // --size WxH
    std::uint64_t seed = 1;        // --seed N
    std::string preset = "vae-fashion"; // --preset NAME: the experiment the lab opens with
    std::string view;              // --view ID: a view of ui::ViewTable() focused at start ("" = default)
    std::vector<std::string> open; // --open PATH (repeatable): opened after the preset, as a drop on the window would
    bool draw = false;             // --draw: the 2-D view's drawing tool on at start
    std::int64_t train_steps = 0;  // --train-steps K: train K steps at start (with --screenshot: then shoot)
    bool frame_stats = false;      // --frame-stats: print frame-time statistics at exit
    int threads = 0;               // --threads T: training threads (0 = automatic)
    std::string runs_dir;          // --runs DIR ("" = io::DefaultRunsDir())
    bool record = true;            // --no-record: the window's experiments are not kept as runs
    bool group_seeds = true;       // --no-group-seeds: the Runs view's "group seeds" starts off
    int select_runs = 0;           // --select-runs N|all (all = INT_MAX): runs selected for comparison at start
    bool continuous = false;       // --continuous: draw every frame, not only when something changed
    int fps = 60;                  // --fps N: frame-rate cap when vsync does not pace the loop (0 = uncapped)
    bool imgui_renderer = false;   // --renderer imgui: ImGui's OpenGL3 backend instead of ui::GlRenderer
};

// Parses argv[1..argc); throws std::invalid_argument with a message naming the bad option.
GuiOptions ParseGuiOptions(const std::vector<std::string>& args);

// The --help text (options and subcommands).
std::string GuiUsage();

} // namespace ll::app
