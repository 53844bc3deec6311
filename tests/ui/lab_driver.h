// Drives the lab window frame by frame in a GUI test program under Xvfb, as a user would: the mouse (position, left
// button, wheel), a key held for one frame (with Ctrl and Shift), typed text; a frame written to the PNG on request;
// frames until a condition holds, waiting on the session's snapshots in between (never on a sleep); checks printed
// and counted into the exit status. Main thread only, like the app.
#pragma once

#include "core/train/session.h"
#include "ui/gl/screenshot.h"
#include "ui/views/lab_window.h"
#include "ui/widgets/theme.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include "ui/gl/gl.h"

#include <cfloat>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>

namespace ll::test
{

class LabDriver
{
public:
    // `program` prefixes every line printed; `until_limit` bounds each Until.
    LabDriver(const char* program, GLFWwindow* window, ui::LabWindow& lab, train::Session& session, std::string png,
              std::chrono::seconds until_limit)
        : m_program(program), m_window(window), m_lab(lab), m_session(session), m_png(std::move(png)),
          m_until_limit(until_limit)
    {
    }

    ImVec2 mouse{-FLT_MAX, -FLT_MAX}; // no hover effects from Xvfb's pointer
    bool mouse_down = false;
    float wheel = 0;    // taken by the next frame
    std::string typed;  // taken by the next frame

    // Draws one frame; with `shoot`, writes it to the PNG.
    void Draw(bool shoot)
    {
        ++m_frames;
        glfwPollEvents();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = mouse;
        io.MouseDown[0] = mouse_down;
        io.MouseWheel = wheel;
        wheel = 0;
        for (bool& down : io.KeysDown)
        {
            down = false;
        }
        if (m_held_key >= 0)
        {
            io.KeysDown[m_held_key] = true;
        }
        io.KeyCtrl = m_ctrl;
        io.KeyShift = m_shift;
        if (!typed.empty())
        {
            io.AddInputCharactersUTF8(typed.c_str());
            typed.clear();
        }
        ImGui::NewFrame();
        m_lab.Frame();
        ImGui::Render();
        int fb_w = 0, fb_h = 0;
        glfwGetFramebufferSize(m_window, &fb_w, &fb_h);
        glViewport(0, 0, fb_w, fb_h);
        const ImVec4 clear = ui::ClearColor();
        glClearColor(clear.x, clear.y, clear.z, clear.w);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (shoot)
        {
            glReadBuffer(GL_BACK);
            ui::WritePng(m_png, ui::ReadFramebuffer(fb_w, fb_h));
            std::printf("%s: wrote %s (%dx%d) after %d frames\n", m_program, m_png.c_str(), fb_w, fb_h, m_frames);
        }
        glfwSwapBuffers(m_window);
    }

    // Draws frames until done() (waiting on the session's snapshots in between), at most until_limit of them.
    bool Until(const std::function<bool()>& done)
    {
        const auto deadline = std::chrono::steady_clock::now() + m_until_limit;
        while (!done() && std::chrono::steady_clock::now() < deadline)
        {
            Draw(false);
            const auto version = m_session.Latest()->version;
            m_session.WaitFor([&](const train::Snapshot& s) { return s.version > version; },
                              std::chrono::milliseconds(50));
        }
        return done();
    }

    void Check(bool ok, const std::string& what)
    {
        std::printf("%s: %s: %s\n", m_program, ok ? "ok" : "FAILED", what.c_str());
        m_status = ok ? m_status : 1;
    }

    // One key press: down for a frame, up for the next, then a frame for the UI to react.
    void Press(int key, bool ctrl = false, bool shift = false)
    {
        m_held_key = key;
        m_ctrl = ctrl;
        m_shift = shift;
        Draw(false);
        m_held_key = -1;
        m_ctrl = m_shift = false;
        Draw(false);
        Draw(false);
    }

    // 0 when every check held.
    int Status() const { return m_status; }

private:
    const char* m_program;
    GLFWwindow* m_window;
    ui::LabWindow& m_lab;
    train::Session& m_session;
    std::string m_png;
    std::chrono::seconds m_until_limit;
    int m_frames = 0;
    int m_held_key = -1; // a key held down for the next frame (then released), as GLFW would report it
    bool m_ctrl = false, m_shift = false;
    int m_status = 0;
};

} // namespace ll::test
