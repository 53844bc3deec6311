// The windowed app: GLFW + OpenGL 3.3 core + Dear ImGui 1.86, following the linear loop of ImGui's
// example_glfw_opengl3 (init in order; per frame poll -> NewFrame -> UI -> Render -> swap; cleanup reversed).
// Everything here runs on the main thread, which owns the GL context.
#include "app/cli.h"
#include "app/gui_options.h"
#include "ui/data_browser.h"
#include "ui/screenshot.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include "ui/gl.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace ll::app
{

namespace
{

std::string g_glfw_error; // last GLFW error, for the message when init or window creation fails

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
    GuiRuntime(int width, int height, bool for_screenshot)
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

        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        m_imgui = true;
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr; // the layout is fixed; do not drop imgui.ini into the working directory
        ImGui::StyleColorsDark();
        ImGui::GetStyle().WindowRounding = 0.0f;
        ImGui_ImplGlfw_InitForOpenGL(m_window, true);
        m_glfw_backend = true;
        if (!ImGui_ImplOpenGL3_Init("#version 330 core"))
        {
            throw std::runtime_error("ImGui's OpenGL 3 renderer failed to initialise");
        }
        m_gl_backend = true;
    }

    ~GuiRuntime()
    {
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

private:
    bool m_glfw = false, m_imgui = false, m_glfw_backend = false, m_gl_backend = false;
    GLFWwindow* m_window = nullptr;
};

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

    const std::vector<std::string> sources = ui::DataBrowser::SourceNames();
    if (std::find(sources.begin(), sources.end(), options.dataset) == sources.end())
    {
        std::fprintf(stderr, "latentlab: unknown --dataset '%s' (see --help)\n", options.dataset.c_str());
        return 2;
    }
    // The window first: without a display we fail fast, before loading any data.
    GuiRuntime runtime(options.width, options.height, !options.screenshot.empty());
    ui::DataBrowser browser(options.data_dir, options.seed);
    browser.Select(options.dataset);
    GLFWwindow* window = runtime.Window();
    const ImVec4 clear_color(0.08f, 0.09f, 0.11f, 1.0f);

    for (int frame = 1; !glfwWindowShouldClose(window); ++frame)
    {
        glfwPollEvents();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();

        browser.Draw();

        ImGui::Render();
        int fb_width = 0, fb_height = 0;
        glfwGetFramebufferSize(window, &fb_width, &fb_height);
        glViewport(0, 0, fb_width, fb_height);
        glClearColor(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

        const bool last = options.frames > 0 && frame >= options.frames;
        if (last && !options.screenshot.empty())
        {
            glReadBuffer(GL_BACK); // read the frame just drawn, before the swap leaves the back buffer undefined
            ui::WritePng(options.screenshot, ui::ReadFramebuffer(fb_width, fb_height));
            std::printf("latentlab: wrote %s (%dx%d) after %d frames\n", options.screenshot.c_str(), fb_width,
                        fb_height, frame);
        }
        glfwSwapBuffers(window);
        if (last)
        {
            break;
        }
    }
    return 0;
}

} // namespace ll::app
