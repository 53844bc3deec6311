// CachedRegion under Xvfb: a region is drawn again only when its key or its place changes, and what the screen shows
// from its picture is what drawing it straight into the window shows (within 2 levels of 255 on a few pixels: an
// off-screen target blends with other rounding than the window's framebuffer), for a test pattern of translucent
// shapes, for the lab's live plots of gan-ring8 and vae-ring8 after a run (refreshed a plot a frame) and for their 2-D
// views. Exit status 0 when all holds.
#include "core/train/session.h"
#include "ui/gl/cached_region.h"
#include "ui/gl/gl_renderer.h"
#include "ui/gl/screenshot.h"
#include "ui/views/lab_window.h"
#include "ui/widgets/theme.h"

#include "gl_test_window.h"

#include <backends/imgui_impl_glfw.h>
#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include "ui/gl/gl.h"

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace
{

constexpr int kWidth = 1280, kHeight = 800;
int g_failures = 0;

void Check(bool ok, const char* what)
{
    std::printf("cached_region_check: %s: %s\n", ok ? "ok" : "FAILED", what);
    g_failures += ok ? 0 : 1;
}

// Builds and draws one frame with `ui` between NewFrame and Render and returns the picture; then, as the window's
// loop does after the swap, draws the pictures that changed in place.
ll::ui::RgbaImage Frame(ll::ui::GlRenderer& renderer, const std::function<void()>& ui)
{
    glfwPollEvents();
    ImGui_ImplGlfw_NewFrame();
    ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui::NewFrame();
    ui();
    ImGui::Render();
    const ImVec4 clear = ll::ui::ClearColor();
    glViewport(0, 0, kWidth, kHeight);
    glClearColor(clear.x, clear.y, clear.z, clear.w);
    glClear(GL_COLOR_BUFFER_BIT);
    renderer.Render(ImGui::GetDrawData());
    glReadBuffer(GL_BACK);
    ll::ui::RgbaImage picture = ll::ui::ReadFramebuffer(kWidth, kHeight);
    ll::ui::CachedRegion::DrawPending();
    return picture;
}

// Pixels whose colour differs, and the largest difference in levels.
void Compare(const ll::ui::RgbaImage& a, const ll::ui::RgbaImage& b, long& differing, int& max_diff)
{
    differing = 0;
    max_diff = 0;
    for (std::size_t i = 0; i < a.pixels.size(); i += 4)
    {
        int d = 0;
        for (int c = 0; c < 3; ++c)
        {
            d = std::max(d, std::abs(int(a.pixels[i + c]) - int(b.pixels[i + c])));
        }
        differing += d > 0 ? 1 : 0;
        max_diff = std::max(max_diff, d);
    }
}

void CheckSame(const ll::ui::RgbaImage& direct, const ll::ui::RgbaImage& cached, const char* what)
{
    long differing = 0;
    int max_diff = 0;
    Compare(direct, cached, differing, max_diff);
    std::printf("cached_region_check: %s: %ld pixels differ, by at most %d levels\n", what, differing, max_diff);
    Check(max_diff <= 2 && differing < kWidth * kHeight / 1000, what);
}

// Overlapping translucent shapes in a region at a fractional position, like a canvas after a line of text.
struct Pattern
{
    ll::ui::CachedRegion region;
    std::uint64_t key = 1;
    float offset = 0.4f;

    void Draw()
    {
        ImGui::SetNextWindowPos(ImVec2(20, 20));
        ImGui::SetNextWindowSize(ImVec2(600, 500));
        ImGui::Begin("pattern");
        const ImVec2 min(ImGui::GetCursorScreenPos().x + offset, ImGui::GetCursorScreenPos().y + 0.6f);
        const ImVec2 max(min.x + 500.3f, min.y + 400.2f);
        ImGui::Dummy(ImVec2(501, 401));
        if (ImDrawList* list = region.Begin(min, max, key))
        {
            list->PushClipRect(min, max, true);
            list->AddRectFilled(min, max, IM_COL32(24, 24, 28, 255));
            for (int i = 0; i < 40; ++i)
            {
                const float t = static_cast<float>(i) / 40.0f;
                const ImVec2 c(min.x + 20 + 460 * t, min.y + 200 + 150 * std::sin(7 * t + static_cast<float>(key)));
                list->AddCircleFilled(c, 9.5f, IM_COL32(200, 80 + 4 * i, 255, 140));
                list->AddLine(min, c, IM_COL32(235, 235, 255, 80), 1.0f);
            }
            list->AddText(ImVec2(min.x + 10, min.y + 10), IM_COL32(230, 230, 235, 255), "cached region");
            list->PopClipRect();
        }
        region.End();
        ImGui::End();
    }
};

void CheckPattern(ll::ui::GlRenderer& renderer)
{
    Pattern pattern;
    ll::ui::CachedRegion::SetEnabled(false);
    Frame(renderer, [&] { pattern.Draw(); }); // ImGui places the window on its first frame
    const ll::ui::RgbaImage direct = Frame(renderer, [&] { pattern.Draw(); });
    ll::ui::CachedRegion::SetEnabled(true);
    const ll::ui::RgbaImage first = Frame(renderer, [&] { pattern.Draw(); });
    const int after_first = pattern.region.Redraws();
    const ll::ui::RgbaImage again = Frame(renderer, [&] { pattern.Draw(); });
    CheckSame(direct, first, "the pattern drawn from its picture is the pattern drawn into the window");
    CheckSame(direct, again, "...and stays so from the kept picture");
    Check(after_first == 1 && pattern.region.Redraws() == 1, "an unchanged region is drawn once");
    pattern.key = 2;
    const ll::ui::RgbaImage old_picture = Frame(renderer, [&] { pattern.Draw(); });
    CheckSame(first, old_picture, "a new key shows the picture there is for that frame");
    Check(pattern.region.Redraws() == 2, "...and draws the new one after it");
    const ll::ui::RgbaImage new_picture = Frame(renderer, [&] { pattern.Draw(); });
    ll::ui::CachedRegion::SetEnabled(false);
    const ll::ui::RgbaImage new_direct = Frame(renderer, [&] { pattern.Draw(); });
    ll::ui::CachedRegion::SetEnabled(true);
    CheckSame(new_direct, new_picture, "...which the next frame shows");
    Check(pattern.region.Redraws() == 2, "...without drawing it again");
    pattern.offset = 3.4f;
    ll::ui::CachedRegion::SetEnabled(false);
    const ll::ui::RgbaImage moved_direct = Frame(renderer, [&] { pattern.Draw(); });
    ll::ui::CachedRegion::SetEnabled(true);
    const int before_move = pattern.region.Redraws();
    const ll::ui::RgbaImage moved = Frame(renderer, [&] { pattern.Draw(); });
    Check(pattern.region.Redraws() == before_move + 1, "a moved region is drawn again at once");
    CheckSame(moved_direct, moved, "...in its new place");
}

// A toy preset after a short run: its live plots and its 2-D view (the GAN's one canvas, the VAE's data and latent
// canvases), each from its pictures against drawn straight into the window.
void CheckLab(ll::ui::GlRenderer& renderer, const std::string& preset)
{
    ll::train::Session session;
    ll::ui::LabWindow lab(session, ll::ui::LabOptions{});
    if (!lab.Controls().LoadPreset(session, preset))
    {
        Check(false, lab.Controls().PresetError().c_str());
        return;
    }
    constexpr std::int64_t kSteps = 200;
    lab.FocusView("plots"); // its live plots are pictures while the run trains
    session.RunUntil(kSteps);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    const auto ui = [&] { lab.Frame(); };
    while (std::chrono::steady_clock::now() < deadline)
    {
        Frame(renderer, ui);
        const auto snap = session.Latest();
        if (snap->step >= kSteps && snap->status != ll::train::Status::Running && snap->view2d)
        {
            break;
        }
        session.WaitFor([&](const ll::train::Snapshot& s) { return s.version > snap->version; },
                        std::chrono::milliseconds(50));
    }
    // The run paused: the plots take its last points a plot a frame (fitting their limits first), then settle; what
    // they show from their pictures is then what drawing them straight into the window shows.
    int settle = 0;
    while (settle < 200 && (settle < 3 || lab.Settling()))
    {
        Frame(renderer, ui);
        ++settle;
    }
    Check(settle < 200, "the live plots settle after the run pauses");
    const ll::ui::RgbaImage plots_cached = Frame(renderer, ui);
    ll::ui::CachedRegion::SetEnabled(false);
    Frame(renderer, ui);
    const ll::ui::RgbaImage plots_direct = Frame(renderer, ui);
    ll::ui::CachedRegion::SetEnabled(true);
    CheckSame(plots_direct, plots_cached,
              (preset + "'s live plots shown from their pictures after a run are the plots drawn into the window").c_str());
    lab.FocusView("toy2d");
    ll::ui::CachedRegion::SetEnabled(false);
    for (int i = 0; i < 6; ++i) // the view comes forward, panels settle, textures upload
    {
        Frame(renderer, ui);
    }
    const ll::ui::RgbaImage direct = Frame(renderer, ui);
    ll::ui::CachedRegion::SetEnabled(true);
    Frame(renderer, ui);
    const ll::ui::RgbaImage cached = Frame(renderer, ui);
    CheckSame(direct, cached,
              (preset + "'s 2-D view drawn from its pictures is the view drawn into the window").c_str());
    session.Stop();
}

} // namespace

int main()
{
    const ll::test::GlTestWindow gl("cached_region_check", kWidth, kHeight);
    if (!gl.Ok())
    {
        return 1;
    }
    {
        ll::ui::GlRenderer renderer; // the active renderer: CachedRegion draws its pictures with it
        CheckPattern(renderer);
        CheckLab(renderer, "gan-ring8");
        CheckLab(renderer, "vae-ring8");
        glfwSwapBuffers(gl.Window());
    }
    return g_failures == 0 ? 0 : 1;
}
