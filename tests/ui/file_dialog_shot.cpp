// Renders the lab with the File dialog open (in a folder it fills with sample entries) and writes a PNG: the
// screenshot test of the File menu's dialog, run under Xvfb by ctest. Usage: file_dialog_shot OUT.png FOLDER save|load
// Main thread only, like the app; the session stays idle.
#include "core/train/session.h"
#include "ui/lab_window.h"
#include "ui/screenshot.h"
#include "ui/theme.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include "ui/gl.h"

#include <cfloat>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    if (argc != 4 || (std::string(argv[3]) != "save" && std::string(argv[3]) != "load"))
    {
        std::fprintf(stderr, "usage: file_dialog_shot OUT.png FOLDER save|load\n");
        return 2;
    }
    const std::string png = argv[1];
    const fs::path folder = argv[2];
    const bool save = std::string(argv[3]) == "save";
    fs::create_directories(folder / "archive");
    fs::create_directories(folder / "runs");
    for (const char* name : {"gan-ring8-step200.ckpt", "vae-fashion-step100.ckpt", "notes.txt"})
    {
        std::ofstream(folder / name) << std::string(2048, 'x');
    }

    constexpr int kWidth = 1280, kHeight = 800;
    if (!glfwInit())
    {
        std::fprintf(stderr, "file_dialog_shot: no display (run under xvfb-run)\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
    GLFWwindow* window = glfwCreateWindow(kWidth, kHeight, "Latent Lab", nullptr, nullptr);
    if (window == nullptr)
    {
        std::fprintf(stderr, "file_dialog_shot: cannot create an OpenGL 3.3 window\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(0);
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ll::ui::ApplyLabTheme(static_cast<float>(kHeight));
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    int status = 0;
    {
        ll::train::Session session;
        ll::ui::LabWindow lab(session, ll::ui::LabOptions{});
        lab.Files().OpenDialog(save ? ll::ui::DialogMode::Save : ll::ui::DialogMode::Load, folder);
        for (int frame = 1; frame <= 6; ++frame)
        {
            glfwPollEvents();
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX); // no hover effects from Xvfb's pointer
            ImGui::NewFrame();
            lab.Frame();
            ImGui::Render();
            int fb_w = 0, fb_h = 0;
            glfwGetFramebufferSize(window, &fb_w, &fb_h);
            glViewport(0, 0, fb_w, fb_h);
            glClearColor(0.06f, 0.065f, 0.08f, 1.0f);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            if (frame == 6)
            {
                glReadBuffer(GL_BACK);
                ll::ui::WritePng(png, ll::ui::ReadFramebuffer(fb_w, fb_h));
                std::printf("file_dialog_shot: wrote %s (%dx%d), dialog %s\n", png.c_str(), fb_w, fb_h,
                            lab.Files().Modal() ? "open" : "closed");
                status = lab.Files().Modal() ? 0 : 1;
            }
            glfwSwapBuffers(window);
        }
        session.Stop();
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return status;
}
