// The window system, the GL context and Dear ImGui, set up in the order of ImGui's example_glfw_opengl3 (GLFW, a
// window with an OpenGL 3.3 core context, ImGui's context and style, its GLFW backend, a renderer) and torn down in
// reverse, also on exceptions; and the per-frame calls around ImGui's own (events, NewFrame, render, swap). It counts
// the window's input events for the frame pacer. Main thread only: it owns the GL context.
#pragma once

#include "ui/gl/screenshot.h"

#include <imgui.h>

#include <cfloat>

#include <memory>
#include <string>
#include <vector>

struct GLFWwindow;
struct ImDrawData;

namespace ll::ui
{
class GlRenderer;
}

namespace ll::app
{

struct WindowOptions
{
    int width = 1280, height = 800;
    bool for_screenshot = false; // a fixed size, no vsync, no hover from the pointer: reproducible pictures
    ImVec2 screenshot_pointer{-FLT_MAX, -FLT_MAX}; // ...unless placed here (--pointer)
    std::string ini_file;        // where ImGui keeps the layout ("" = not kept)
    bool imgui_renderer = false; // ImGui's OpenGL3 backend instead of ui::GlRenderer
};

class GuiRuntime
{
public:
    // Throws std::runtime_error, with what to try, when there is no display or no OpenGL 3.3 core context.
    explicit GuiRuntime(const WindowOptions& options);
    ~GuiRuntime();
    GuiRuntime(const GuiRuntime&) = delete;
    GuiRuntime& operator=(const GuiRuntime&) = delete;

    bool ShouldClose() const;
    // Input and window events so far (GLFW reports them inside PollEvents and WaitEvents).
    unsigned InputEvents() const;
    // Sleeps until an event arrives or `seconds` pass.
    void WaitEvents(double seconds);
    void PollEvents();
    // The backends' part of a new frame; ImGui::NewFrame comes next.
    void NewFrame();
    // Clears the framebuffer to the lab's background and draws ImGui's draw data over it.
    void Render(ImDrawData* data);
    // Paths dropped on the window since the last call (GLFW's drop callback, inside PollEvents / WaitEvents).
    std::vector<std::string> TakeDroppedPaths();
    // The frame just rendered, read back before the swap (for --screenshot).
    ui::RgbaImage ReadFrame() const;
    void SwapBuffers();

private:
    WindowOptions m_options; // ImGui keeps a pointer to m_options.ini_file
    bool m_glfw = false, m_imgui = false, m_glfw_backend = false, m_gl_backend = false;
    GLFWwindow* m_window = nullptr;
    std::unique_ptr<ui::GlRenderer> m_renderer; // the lab's renderer, unless imgui_renderer
};

} // namespace ll::app
