// The windowed app: the window's loop, in the shape of ImGui's example_glfw_opengl3 (set up in order; per frame poll
// -> NewFrame -> UI -> Render -> swap; clean up in reverse). Each job has its own piece: the options (gui_options.h),
// the window system, GL context and ImGui (gui_runtime.h), when to draw (frame_pacer.h), when to stop and what a
// screenshot waits for (loop_end.h), and --frame-stats (frame_stats.h). Everything here runs on the main thread, which
// owns the GL context; training runs on the session's thread and the loop only takes its snapshots (never waits on
// it).
#include "app/cli.h"
#include "app/frame_pacer.h"
#include "app/frame_stats.h"
#include "app/gui_options.h"
#include "app/gui_runtime.h"
#include "app/loop_end.h"
#include "core/io/run_folder.h"
#include "core/train/session.h"
#include "ui/gl/cached_region.h"
#include "ui/views/lab_window.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ll::app
{

namespace
{

using Clock = std::chrono::steady_clock;

// Parses argv into options; on --help or a mistake prints the usage and returns the exit code (0 or 2).
std::optional<int> ParseOrExplain(int argc, char** argv, GuiOptions& options)
{
    try
    {
        options = ParseGuiOptions(std::vector<std::string>(argv + 1, argv + argc));
    }
    catch (const std::invalid_argument& e)
    {
        std::fprintf(stderr, "latentlab: %s\n\n%s", e.what(), GuiUsage().c_str());
        return 2;
    }
    if (options.help)
    {
        std::fputs(GuiUsage().c_str(), stdout);
        return 0;
    }
    return std::nullopt;
}

// $XDG_CONFIG_HOME/latentlab/imgui.ini, else ~/.config/latentlab/imgui.ini (the folder is created); "" when
// neither can be used (then the layout is not saved).
std::string LayoutIniPath()
{
    std::filesystem::path dir;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && xdg[0] != '\0')
    {
        dir = xdg;
    }
    else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
    {
        dir = std::filesystem::path(home) / ".config";
    }
    else
    {
        return "";
    }
    dir /= "latentlab";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
    {
        std::fprintf(stderr, "latentlab: cannot create %s (%s); the window layout will not be saved\n",
                     dir.string().c_str(), ec.message().c_str());
        return "";
    }
    return (dir / "imgui.ini").string();
}

WindowOptions WindowOptionsFor(const GuiOptions& options)
{
    WindowOptions window;
    window.width = options.width;
    window.height = options.height;
    window.for_screenshot = !options.screenshot.empty();
    if (options.pointer_x >= 0)
    {
        window.screenshot_pointer =
            ImVec2(static_cast<float>(options.pointer_x), static_cast<float>(options.pointer_y));
    }
    window.ini_file = window.for_screenshot ? std::string() : LayoutIniPath(); // screenshots: the default layout
    window.imgui_renderer = options.imgui_renderer;
    return window;
}

std::string RunsDirFor(const GuiOptions& options)
{
    return options.runs_dir.empty() ? io::DefaultRunsDir().string() : options.runs_dir;
}

train::SessionOptions SessionOptionsFor(const GuiOptions& options)
{
    train::SessionOptions session;
    session.threads = options.threads;
    session.background_priority = true;
    session.data_dir = options.data_dir;
    session.runs_dir = options.record ? RunsDirFor(options) : std::string();
    return session;
}

ui::LabOptions LabOptionsFor(const GuiOptions& options)
{
    ui::LabOptions lab;
    lab.data_dir = options.data_dir;
    lab.dataset = options.dataset;
    lab.seed = options.seed;
    lab.runs_dir = RunsDirFor(options);
    return lab;
}

// Loads the preset, brings --view forward and starts --train-steps; false (with the message on stderr) when the
// preset does not load.
bool OpenExperiment(const GuiOptions& options, train::Session& session, ui::LabWindow& lab)
{
    if (!lab.Controls().LoadPreset(session, options.preset))
    {
        std::fprintf(stderr, "latentlab: %s\n", lab.Controls().PresetError().c_str());
        return false;
    }
    for (const std::string& path : options.open)
    {
        lab.Open(path);
    }
    if (options.draw)
    {
        lab.StartDrawing();
    }
    if (!options.view.empty())
    {
        lab.FocusView(options.view);
    }
    if (options.train_steps > 0)
    {
        session.RunUntil(options.train_steps);
    }
    if (lab.Runs() != nullptr)
    {
        lab.Runs()->group_seeds = options.group_seeds;
    }
    if (options.select_runs > 0)
    {
        lab.SelectRunsWhenListed(static_cast<std::size_t>(options.select_runs));
    }
    return true;
}

// Waits (on demand) until the window has a reason to draw; false when it is closing.
bool WaitForReasonToDraw(GuiRuntime& runtime, FramePacer& pacer, const train::Session& session)
{
    while (!runtime.ShouldClose())
    {
        if (pacer.NeedsFrame(runtime.InputEvents(), session.Latest(), Clock::now()))
        {
            return true;
        }
        runtime.WaitEvents(pacer.WaitSeconds()); // wakes at once on input
    }
    return false;
}

// A mouse button or key is held, or a text field takes typing: the next frame may change without a new event.
bool InputHeld()
{
    const ImGuiIO& io = ImGui::GetIO();
    return std::any_of(std::begin(io.MouseDown), std::end(io.MouseDown), [](bool down) { return down; }) ||
           io.WantTextInput;
}

void WriteScreenshot(const std::string& path, const GuiRuntime& runtime, int frames, const train::Snapshot& snap)
{
    const ui::RgbaImage image = runtime.ReadFrame();
    ui::WritePng(path, image);
    std::printf("latentlab: wrote %s (%dx%d) after %d frames at step %lld\n", path.c_str(), image.width, image.height,
                frames, static_cast<long long>(snap.step));
}

} // namespace

int RunGui(int argc, char** argv)
{
    GuiOptions options;
    if (const std::optional<int> exit_code = ParseOrExplain(argc, argv, options))
    {
        return *exit_code;
    }

    // Set up the window, its GL context and ImGui first: without a display we fail fast, before loading any data.
    GuiRuntime runtime(WindowOptionsFor(options));
    // Set up the lab: the training session, the window over it, and the experiment it opens with.
    train::Session session(SessionOptionsFor(options));
    ui::LabWindow lab(session, LabOptionsFor(options));
    if (!OpenExperiment(options, session, lab))
    {
        return 2;
    }
    FramePacer pacer(options);
    LoopEnd end(options, Clock::now());
    FrameStats stats;

    // Main loop
    while (WaitForReasonToDraw(runtime, pacer, session))
    {
        const Clock::time_point frame_start = Clock::now();
        stats.BeginFrame();
        // Poll events and start the Dear ImGui frame
        runtime.PollEvents();
        for (const std::string& path : runtime.TakeDroppedPaths())
        {
            lab.Open(path); // a folder, a preset or a checkpoint: the running experiment stays if it cannot be used
        }
        runtime.NewFrame();
        ImGui::NewFrame();

        // The lab: controls, menus and views
        lab.Frame();
        pacer.Drawn(lab.Context().snapshot, InputHeld() || lab.Settling(), Clock::now());

        // Rendering
        ImGui::Render();
        runtime.Render(ImGui::GetDrawData());
        const LoopEnd::Verdict verdict = end.AfterFrame(*lab.Context().snapshot, lab.Loading() || lab.Settling(), Clock::now());
        if (verdict == LoopEnd::Verdict::GiveUp)
        {
            break;
        }
        if (verdict == LoopEnd::Verdict::Last && !options.screenshot.empty())
        {
            WriteScreenshot(options.screenshot, runtime, end.Frames(), *lab.Context().snapshot);
        }
        runtime.SwapBuffers();
        stats.EndFrame();
        // Between frames: the pictures of regions that changed (ui/gl/cached_region.h), in the time the cap leaves.
        ui::CachedRegion::DrawPending();
        std::this_thread::sleep_until(pacer.NextStart(frame_start)); // at once when vsync already waited
        if (verdict == LoopEnd::Verdict::Last)
        {
            break;
        }
    }

    // Clean up: the statistics, the training thread; the lab, session and runtime go in reverse order of set-up.
    if (options.frame_stats)
    {
        stats.Print(stdout);
        if (ui::RunLibrary* runs = lab.Runs(); runs != nullptr)
        {
            const auto listing = runs->Listing();
            std::printf("latentlab: runs: %zu listed, the first listing in %.3f s, the last in %.3f s; %zu selected\n",
                        listing->runs.size(), listing->first_seconds, listing->seconds, runs->selected.size());
        }
    }
    session.Stop();
    return end.ExitCode();
}

} // namespace ll::app
