// The window the GUI test programs draw into under Xvfb: GLFW, an OpenGL 3.3 core context (not resizable, no
// vsync), an ImGui context without an ini file, the lab's theme, ImGui's GLFW and OpenGL3 backends. Torn down in
// reverse order. Main thread only.
#pragma once

#include "ui/widgets/theme.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cstdio>

namespace ll::test
{

class GlTestWindow
{
public:
    // `program` prefixes the message printed when there is no display or no OpenGL 3.3; Ok() then says false.
    GlTestWindow(const char* program, int width, int height)
    {
        if (!glfwInit())
        {
            std::fprintf(stderr, "%s: no display (run under xvfb-run)\n", program);
            return;
        }
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
        glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
        m_window = glfwCreateWindow(width, height, "Latent Lab", nullptr, nullptr);
        if (m_window == nullptr)
        {
            std::fprintf(stderr, "%s: cannot create an OpenGL 3.3 window\n", program);
            glfwTerminate();
            return;
        }
        glfwMakeContextCurrent(m_window);
        glfwSwapInterval(0);
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
        ll::ui::ApplyLabTheme(static_cast<float>(height));
        ImGui_ImplGlfw_InitForOpenGL(m_window, true);
        ImGui_ImplOpenGL3_Init("#version 330 core");
    }

    ~GlTestWindow()
    {
        if (m_window == nullptr)
        {
            return;
        }
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
        glfwDestroyWindow(m_window);
        glfwTerminate();
    }

    GlTestWindow(const GlTestWindow&) = delete;
    GlTestWindow& operator=(const GlTestWindow&) = delete;

    bool Ok() const { return m_window != nullptr; }
    GLFWwindow* Window() const { return m_window; }

private:
    GLFWwindow* m_window = nullptr;
};

} // namespace ll::test
