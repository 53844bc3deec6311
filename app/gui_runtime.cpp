// The window system, GL context and ImGui (see gui_runtime.h).
#include "app/gui_runtime.h"

#include "ui/gl/gl_renderer.h"
#include "ui/widgets/theme.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include "ui/gl/gl.h"

#include <cfloat>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace ll::app
{

namespace
{

std::string g_glfw_error; // last GLFW error, for the message when init or window creation fails
// Counts input and window events (GLFW calls back on the UI thread, inside glfwPollEvents / glfwWaitEvents*).
unsigned g_input_events = 0;
std::vector<std::string> g_dropped; // paths dropped on the window, taken by TakeDroppedPaths

void OnGlfwError(int code, const char* description)
{
    char hex[16];
    std::snprintf(hex, sizeof(hex), "%x", code);
    g_glfw_error = std::string(description) + " (GLFW error 0x" + hex + ")";
}

// Installed before ImGui's backend, which calls the callbacks it finds installed after its own.
void CountInputEvents(GLFWwindow* window)
{
    glfwSetCursorPosCallback(window, [](GLFWwindow*, double, double) { ++g_input_events; });
    glfwSetMouseButtonCallback(window, [](GLFWwindow*, int, int, int) { ++g_input_events; });
    glfwSetScrollCallback(window, [](GLFWwindow*, double, double) { ++g_input_events; });
    glfwSetKeyCallback(window, [](GLFWwindow*, int, int, int, int) { ++g_input_events; });
    glfwSetCharCallback(window, [](GLFWwindow*, unsigned int) { ++g_input_events; });
    glfwSetWindowFocusCallback(window, [](GLFWwindow*, int) { ++g_input_events; });
    glfwSetCursorEnterCallback(window, [](GLFWwindow*, int) { ++g_input_events; });
}

// The two events ImGui's backend does not use.
void CountWindowEvents(GLFWwindow* window)
{
    glfwSetFramebufferSizeCallback(window, [](GLFWwindow*, int, int) { ++g_input_events; });
    glfwSetWindowRefreshCallback(window, [](GLFWwindow*) { ++g_input_events; });
    glfwSetDropCallback(window, [](GLFWwindow*, int count, const char** paths) {
        for (int i = 0; i < count; ++i)
        {
            g_dropped.emplace_back(paths[i]);
        }
        ++g_input_events;
    });
}

} // namespace

GuiRuntime::GuiRuntime(const WindowOptions& options) : m_options(options)
{
    // Window system and a window with a GL 3.3 core context
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
    if (options.for_screenshot)
    {
        glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE); // the PNG must have the requested size
    }
    m_window = glfwCreateWindow(options.width, options.height, "Latent Lab", nullptr, nullptr);
    if (m_window == nullptr)
    {
        throw std::runtime_error("cannot create a window with an OpenGL 3.3 core context: " + g_glfw_error +
                                 ".\nWithout a GPU driver, Mesa's llvmpipe (package libgl1-mesa-dri) provides one.");
    }
    glfwMakeContextCurrent(m_window);
    glfwSwapInterval(options.for_screenshot ? 0 : 1); // vsync when a person is watching
    CountInputEvents(m_window);

    // Dear ImGui: context, style and fonts, the GLFW backend, a renderer
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    m_imgui = true;
    ImGui::GetIO().IniFilename = m_options.ini_file.empty() ? nullptr : m_options.ini_file.c_str();
    ui::ApplyLabTheme(static_cast<float>(options.height));
    ImGui_ImplGlfw_InitForOpenGL(m_window, true);
    m_glfw_backend = true;
    if (options.imgui_renderer)
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
    CountWindowEvents(m_window);
}

GuiRuntime::~GuiRuntime()
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

bool GuiRuntime::ShouldClose() const { return glfwWindowShouldClose(m_window) != 0; }

unsigned GuiRuntime::InputEvents() const { return g_input_events; }

void GuiRuntime::WaitEvents(double seconds) { glfwWaitEventsTimeout(seconds); }

void GuiRuntime::PollEvents() { glfwPollEvents(); }

void GuiRuntime::NewFrame()
{
    if (m_gl_backend)
    {
        ImGui_ImplOpenGL3_NewFrame();
    }
    ImGui_ImplGlfw_NewFrame();
    if (m_options.for_screenshot)
    {
        // Xvfb's pointer sits mid-screen; keep hover tooltips out of reproducible screenshots.
        ImGui::GetIO().MousePos = m_options.screenshot_pointer;
    }
}

void GuiRuntime::Render(ImDrawData* data)
{
    int width = 0, height = 0;
    glfwGetFramebufferSize(m_window, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 clear = ui::ClearColor(); // the windows' background (they leave theirs out)
    glClearColor(clear.x, clear.y, clear.z, clear.w);
    glClear(GL_COLOR_BUFFER_BIT);
    if (m_renderer)
    {
        m_renderer->Render(data);
    }
    else
    {
        ImGui_ImplOpenGL3_RenderDrawData(data);
    }
}

std::vector<std::string> GuiRuntime::TakeDroppedPaths()
{
    return std::exchange(g_dropped, {});
}

ui::RgbaImage GuiRuntime::ReadFrame() const
{
    int width = 0, height = 0;
    glfwGetFramebufferSize(m_window, &width, &height);
    glReadBuffer(GL_BACK); // the frame just drawn, before the swap leaves the back buffer undefined
    return ui::ReadFramebuffer(width, height);
}

void GuiRuntime::SwapBuffers() { glfwSwapBuffers(m_window); }

} // namespace ll::app
