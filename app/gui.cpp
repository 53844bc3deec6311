// The windowed app: GLFW + OpenGL 3.3 core + Dear ImGui 1.86, following the linear loop of ImGui's
// example_glfw_opengl3 (init in order; per frame poll -> NewFrame -> UI -> Render -> swap; cleanup reversed).
// Everything here runs on the main thread, which owns the GL context; training runs on the session's thread and
// the loop only takes its snapshots (never waits on it).
#include "app/cli.h"
#include "app/gui_options.h"
#include "core/train/session.h"
#include "ui/gl/gl_renderer.h"
#include "ui/views/lab_window.h"
#include "ui/gl/screenshot.h"
#include "ui/widgets/theme.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include "ui/gl/gl.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cfloat>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ll::app
{

namespace
{

std::string g_glfw_error; // last GLFW error, for the message when init or window creation fails
// Counts input and window events (GLFW calls back on the UI thread, inside glfwPollEvents / glfwWaitEvents*).
unsigned g_input_events = 0;

void OnGlfwError(int code, const char* description)
{
    g_glfw_error = std::string(description) + " (GLFW error 0x" + [code] {
        char hex[16];
        std::snprintf(hex, sizeof(hex), "%x", code);
        return std::string(hex);
    }() + ")";
}

// Owns GLFW, the window and the ImGui context; tears them down in reverse order, also on exceptions.
class GuiRuntime
{
public:
    GuiRuntime(int width, int height, bool for_screenshot, const char* ini_file, bool imgui_renderer)
    {
        glfwSetErrorCallback(OnGlfwError);
        if (!glfwInit())
        {
            throw std::runtime_error("cannot start the window system: " + g_glfw_error +
                                     ".\nIs a display available? Set DISPLAY, or run under xvfb-run "
                                     "(scripts/run.sh does this when no display is set).");
        }
        m_glfw = true;
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
        if (for_screenshot)
        {
            glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE); // the PNG must have the requested size
        }
        m_window = glfwCreateWindow(width, height, "Latent Lab", nullptr, nullptr);
        if (m_window == nullptr)
        {
            throw std::runtime_error("cannot create a window with an OpenGL 3.3 core context: " + g_glfw_error +
                                     ".\nWithout a GPU driver, Mesa's llvmpipe (package libgl1-mesa-dri) provides "
                                     "one.");
        }
        glfwMakeContextCurrent(m_window);
        glfwSwapInterval(for_screenshot ? 0 : 1); // vsync when a person is watching
        // Installed before ImGui's backend, which calls the callbacks it finds installed after its own.
        glfwSetCursorPosCallback(m_window, [](GLFWwindow*, double, double) { ++g_input_events; });
        glfwSetMouseButtonCallback(m_window, [](GLFWwindow*, int, int, int) { ++g_input_events; });
        glfwSetScrollCallback(m_window, [](GLFWwindow*, double, double) { ++g_input_events; });
        glfwSetKeyCallback(m_window, [](GLFWwindow*, int, int, int, int) { ++g_input_events; });
        glfwSetCharCallback(m_window, [](GLFWwindow*, unsigned int) { ++g_input_events; });
        glfwSetWindowFocusCallback(m_window, [](GLFWwindow*, int) { ++g_input_events; });
        glfwSetCursorEnterCallback(m_window, [](GLFWwindow*, int) { ++g_input_events; });

        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        m_imgui = true;
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = ini_file; // null: no saved layout (screenshots are reproducible)
        ui::ApplyLabTheme(static_cast<float>(height));
        ImGui_ImplGlfw_InitForOpenGL(m_window, true);
        m_glfw_backend = true;
        if (imgui_renderer)
        {
            if (!ImGui_ImplOpenGL3_Init("#version 330 core"))
            {
                throw std::runtime_error("ImGui's OpenGL 3 renderer failed to initialise");
            }
            m_gl_backend = true;
        }
        else
        {
            m_renderer = std::make_unique<ui::GlRenderer>();
        }
        // ImGui's backend does not use these two.
        glfwSetFramebufferSizeCallback(m_window, [](GLFWwindow*, int, int) { ++g_input_events; });
        glfwSetWindowRefreshCallback(m_window, [](GLFWwindow*) { ++g_input_events; });
    }

    ~GuiRuntime()
    {
        m_renderer.reset();
        if (m_gl_backend)
        {
            ImGui_ImplOpenGL3_Shutdown();
        }
        if (m_glfw_backend)
        {
            ImGui_ImplGlfw_Shutdown();
        }
        if (m_imgui)
        {
            ImGui::DestroyContext();
        }
        if (m_window != nullptr)
        {
            glfwDestroyWindow(m_window);
        }
        if (m_glfw)
        {
            glfwTerminate();
        }
    }

    GuiRuntime(const GuiRuntime&) = delete;
    GuiRuntime& operator=(const GuiRuntime&) = delete;

    GLFWwindow* Window() const { return m_window; }

    // Per frame, before ImGui::NewFrame.
    void NewFrame()
    {
        if (m_gl_backend)
        {
            ImGui_ImplOpenGL3_NewFrame();
        }
        ImGui_ImplGlfw_NewFrame();
    }

    // Draws ImGui's draw data into the current framebuffer.
    void Render(ImDrawData* data)
    {
        if (m_renderer)
        {
            m_renderer->Render(data);
        }
        else
        {
            ImGui_ImplOpenGL3_RenderDrawData(data);
        }
    }

private:
    bool m_glfw = false, m_imgui = false, m_glfw_backend = false, m_gl_backend = false;
    GLFWwindow* m_window = nullptr;
    std::unique_ptr<ui::GlRenderer> m_renderer; // the lab's renderer, unless --renderer imgui
};

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

// CPU time consumed by the calling thread, in ms.
double ThreadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// Frame times in ms; prints mean, p50, p95 and max.
void PrintFrameStats(std::vector<double> ms, const char* label)
{
    if (ms.empty())
    {
        return;
    }
    double sum = 0;
    for (double v : ms)
    {
        sum += v;
    }
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * (ms.size() - 1) + 0.5))]; };
    std::printf("latentlab: frame time %s over %zu frames: mean %.2f ms, p50 %.2f ms, p95 %.2f ms, max %.2f ms\n",
                label, ms.size(), sum / static_cast<double>(ms.size()), pct(0.5), pct(0.95), ms.back());
}

} // namespace

int RunGui(int argc, char** argv)
{
    GuiOptions options;
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

    const bool shooting = !options.screenshot.empty();
    // The window first: without a display we fail fast, before loading any data.
    static std::string ini_path; // ImGui keeps the pointer
    ini_path = shooting ? std::string() : LayoutIniPath();
    GuiRuntime runtime(options.width, options.height, shooting, ini_path.empty() ? nullptr : ini_path.c_str(),
                       options.imgui_renderer);

    train::SessionOptions session_options;
    session_options.threads = options.threads;
    session_options.background_priority = true;
    session_options.data_dir = options.data_dir;
    train::Session session(session_options);
    ui::LabOptions lab_options;
    lab_options.data_dir = options.data_dir;
    lab_options.dataset = options.dataset;
    lab_options.seed = options.seed;
    ui::LabWindow lab(session, lab_options);
    if (!lab.Controls().LoadPreset(session, options.preset))
    {
        std::fprintf(stderr, "latentlab: %s\n", lab.Controls().PresetError().c_str());
        return 2;
    }
    if (!options.view.empty())
    {
        lab.FocusView(options.view);
    }
    if (options.train_steps > 0)
    {
        session.RunUntil(options.train_steps);
    }

    GLFWwindow* window = runtime.Window();
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const auto deadline = started + std::chrono::minutes(5);
    // Per frame: the interval from one frame's start to the next (what a viewer sees), the wall time spent making it
    // (before any pacing wait), and this thread's CPU time for it.
    std::vector<double> frame_ms, work_ms, frame_cpu_ms;
    frame_ms.reserve(4096);
    work_ms.reserve(4096);
    frame_cpu_ms.reserve(4096);
    // Without vsync (Xvfb, some drivers) an unpaced loop would redraw as fast as the CPU allows and take the cycles
    // training needs; screenshots are not paced, so tests stay fast.
    const bool paced = options.fps > 0 && !shooting;
    const auto frame_period = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / std::max(1, options.fps)));
    bool trained = false;  // the preset has loaded and the --train-steps target has been reached (or failed)
    int frames_after = 0;  // frames rendered since then
    int exit_code = 0;

    // On demand, a frame is drawn only when what the window shows could change: after input (a few frames, for ImGui
    // to settle), when the session publishes a new snapshot, while a mouse button or key is held, and at a heartbeat
    // (text cursors, the odd late update). A paused lab then costs almost nothing, and training keeps the cycles a
    // software rasteriser would spend redrawing the same picture.
    const bool on_demand = !options.continuous && !shooting;
    constexpr int kFramesAfterInput = 3;
    const auto heartbeat = std::chrono::milliseconds(250);
    const double wait_seconds = 1.0 / std::max(1, options.fps > 0 ? options.fps : 60);
    int frames_owed = kFramesAfterInput;
    unsigned input_seen = g_input_events;
    std::shared_ptr<const train::Snapshot> drawn; // the snapshot the last frame showed
    auto last_drawn = Clock::now();
    auto previous_start = Clock::now();

    for (int frame = 1; !glfwWindowShouldClose(window); ++frame)
    {
        while (on_demand && !glfwWindowShouldClose(window))
        {
            if (g_input_events != input_seen)
            {
                input_seen = g_input_events;
                frames_owed = kFramesAfterInput;
            }
            if (frames_owed > 0 || session.Latest() != drawn || Clock::now() - last_drawn >= heartbeat)
            {
                break;
            }
            glfwWaitEventsTimeout(wait_seconds); // wakes at once on input
        }
        if (glfwWindowShouldClose(window))
        {
            break;
        }
        frames_owed = std::max(0, frames_owed - 1);
        const auto frame_start = Clock::now();
        const double cpu_start = ThreadCpuMs();
        glfwPollEvents();
        runtime.NewFrame();
        if (shooting)
        {
            // Xvfb's pointer sits mid-screen; keep hover tooltips out of reproducible screenshots.
            ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
        }
        ImGui::NewFrame();

        lab.Frame();
        drawn = lab.Context().snapshot;
        last_drawn = Clock::now();
        const ImGuiIO& io = ImGui::GetIO();
        const bool held = std::any_of(std::begin(io.MouseDown), std::end(io.MouseDown), [](bool d) { return d; }) ||
                          io.WantTextInput;
        if (held)
        {
            frames_owed = std::max(frames_owed, 1); // drags, repeat buttons and typing animate without new events
        }

        ImGui::Render();
        int fb_width = 0, fb_height = 0;
        glfwGetFramebufferSize(window, &fb_width, &fb_height);
        glViewport(0, 0, fb_width, fb_height);
        const ImVec4 clear_color = ui::ClearColor(); // the windows' background (they leave theirs out)
        glClearColor(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
        glClear(GL_COLOR_BUFFER_BIT);
        runtime.Render(ImGui::GetDrawData());

        const train::Snapshot& snap = *lab.Context().snapshot;
        if (!trained)
        {
            const bool failed = snap.status == train::Status::Error || snap.status == train::Status::Diverged;
            if ((snap.config && snap.step >= options.train_steps && snap.status != train::Status::Running) || failed)
            {
                trained = true;
                if (snap.status == train::Status::Error)
                {
                    std::fprintf(stderr, "latentlab: stopped with an error: %s\n", snap.message.c_str());
                    exit_code = 1;
                }
            }
            else if (shooting && Clock::now() > deadline)
            {
                std::fprintf(stderr, "latentlab: %lld of %lld steps after 5 minutes; giving up\n",
                             static_cast<long long>(snap.step), static_cast<long long>(options.train_steps));
                return 1;
            }
        }
        // --frames counts from the start; with --screenshot it counts the frames after training (and loading).
        frames_after += trained && !lab.Loading() ? 1 : 0;
        const bool last = options.frames > 0 && (shooting ? frames_after >= options.frames : frame >= options.frames);
        if (last && shooting)
        {
            glReadBuffer(GL_BACK); // read the frame just drawn, before the swap leaves the back buffer undefined
            ui::WritePng(options.screenshot, ui::ReadFramebuffer(fb_width, fb_height));
            std::printf("latentlab: wrote %s (%dx%d) after %d frames at step %lld\n", options.screenshot.c_str(),
                        fb_width, fb_height, frame, static_cast<long long>(snap.step));
        }
        glfwSwapBuffers(window);
        work_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - frame_start).count());
        frame_cpu_ms.push_back(ThreadCpuMs() - cpu_start);
        if (paced)
        {
            std::this_thread::sleep_until(frame_start + frame_period); // returns at once when vsync already waited
        }
        if (frame > 1)
        {
            frame_ms.push_back(std::chrono::duration<double, std::milli>(frame_start - previous_start).count());
        }
        previous_start = frame_start;
        if (last)
        {
            break;
        }
    }
    if (options.frame_stats)
    {
        // The first frames build fonts and load data: left out.
        const std::size_t skip = std::min<std::size_t>(frame_ms.size() / 10, 30);
        const auto from = static_cast<std::ptrdiff_t>(skip);
        // On demand (the default), the interval includes the time nothing needed drawing; --continuous measures the
        // frame rate itself.
        PrintFrameStats(std::vector<double>(frame_ms.begin() + from, frame_ms.end()), "(interval)");
        // The wall time to make a frame, before pacing: how much headroom the frame rate has.
        PrintFrameStats(std::vector<double>(work_ms.begin() + from, work_ms.end()), "(work)");
        // The UI thread's own CPU time: what the frame costs, without the waits for a busy machine's other work.
        PrintFrameStats(std::vector<double>(frame_cpu_ms.begin() + from, frame_cpu_ms.end()), "(UI thread CPU)");
    }
    session.Stop();
    return exit_code;
}

} // namespace ll::app
