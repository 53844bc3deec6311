// The lab's renderer (ui::GlRenderer) against ImGui's OpenGL3 backend, pixel for pixel: the lab trains a preset,
// shows each view, and the last frame's draw data is drawn by both into the same framebuffer and read back. Solid
// fills go through a program without texture and blending; the pictures must still be the same. Run under Xvfb by
// ctest. Usage: renderer_compare PRESET STEPS VIEW... (views: plots samples toy2d latent data; "default" = the
// lab's own arrangement). Exit status 0 when every view matched and both solid runs and opaque images were drawn.
#include "core/train/session.h"
#include "ui/gl/gl_renderer.h"
#include "ui/views/lab_window.h"
#include "ui/gl/screenshot.h"
#include "ui/widgets/theme.h"

#include "gl_test_window.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include "ui/gl/gl.h"

#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    if (argc < 4)
    {
        std::fprintf(stderr, "usage: renderer_compare PRESET STEPS VIEW...\n");
        return 2;
    }
    const std::string preset = argv[1];
    const long long steps = std::atoll(argv[2]);
    const std::vector<std::string> views(argv + 3, argv + argc);

    constexpr int kWidth = 1280, kHeight = 800;
    const ll::test::GlTestWindow gl("renderer_compare", kWidth, kHeight);
    if (!gl.Ok())
    {
        return 1;
    }
    GLFWwindow* window = gl.Window();
    ImGui_ImplOpenGL3_NewFrame(); // ImGui's backend makes its objects (and a font texture) now...
    int status = 0;
    {
        // ...and ours makes its own font texture and takes over the atlas's id; both draw from it.
        ll::ui::GlRenderer renderer;
        ll::train::Session session;
        ll::ui::LabWindow lab(session, ll::ui::LabOptions{});
        const auto frame = [&] {
            glfwPollEvents();
            ImGui_ImplGlfw_NewFrame();
            ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX); // no hover effects from Xvfb's pointer
            ImGui::NewFrame();
            lab.Frame();
            ImGui::Render();
        };
        const auto draw = [&](bool ours) {
            const ImVec4 clear = ll::ui::ClearColor();
            glViewport(0, 0, kWidth, kHeight);
            glClearColor(clear.x, clear.y, clear.z, clear.w);
            glClear(GL_COLOR_BUFFER_BIT);
            ours ? renderer.Render(ImGui::GetDrawData()) : ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            glReadBuffer(GL_BACK);
            return ll::ui::ReadFramebuffer(kWidth, kHeight);
        };

        if (!lab.Controls().LoadPreset(session, preset))
        {
            std::fprintf(stderr, "renderer_compare: %s\n", lab.Controls().PresetError().c_str());
            return 1;
        }
        session.RunUntil(steps);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
        while (std::chrono::steady_clock::now() < deadline)
        {
            frame();
            const auto snap = session.Latest();
            if (snap->step >= steps && snap->status != ll::train::Status::Running)
            {
                break;
            }
            session.WaitFor([&](const ll::train::Snapshot& s) { return s.version > snap->version; },
                            std::chrono::milliseconds(50));
        }
        int solid_total = 0, opaque_total = 0;
        for (const std::string& view : views)
        {
            if (view != "default")
            {
                lab.FocusView(view);
            }
            for (int i = 0; i < 6; ++i) // the view comes forward, panels settle, textures upload
            {
                frame();
                draw(true);
            }
            const ll::ui::RgbaImage theirs = draw(false);
            const ll::ui::RgbaImage ours = draw(true);
            const ll::ui::GlRenderer::Stats stats = renderer.LastStats();
            long differing = 0;
            int max_diff = 0;
            for (std::size_t i = 0; i < ours.pixels.size(); i += 4)
            {
                int d = 0;
                for (int c = 0; c < 3; ++c)
                {
                    d = std::max(d, std::abs(int(ours.pixels[i + c]) - int(theirs.pixels[i + c])));
                }
                differing += d > 0 ? 1 : 0;
                max_diff = std::max(max_diff, d);
            }
            const bool ok = max_diff == 0; // x * 1.0 and blending at alpha 1 are exact: not one level of difference
            std::printf("renderer_compare: %s %s: %s, %ld pixels differ (max %d levels); %d draw calls, %d solid, "
                        "%d opaque images\n",
                        preset.c_str(), view.c_str(), ok ? "same picture" : "DIFFERENT", differing, max_diff,
                        stats.draw_calls, stats.solid_draw_calls, stats.opaque_image_draw_calls);
            status = ok ? status : 1;
            solid_total += stats.solid_draw_calls;
            opaque_total += stats.opaque_image_draw_calls;
            glfwSwapBuffers(window);
        }
        if (solid_total == 0 || opaque_total == 0)
        {
            std::printf("renderer_compare: FAILED: no solid runs or no opaque images, so nothing was compared that "
                        "differs\n");
            status = 1;
        }
        session.Stop();
    }
    return status;
}
