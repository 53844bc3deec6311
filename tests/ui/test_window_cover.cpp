// What a window draws over (ui/window_cover.h), on a real ImGui context without a renderer: frames are built and
// ended, never drawn, so the tests need neither GL nor a display.
#include "ui/gl/window_cover.h"

#include "imgui_test_context.h"

#include <doctest/doctest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <cmath>
#include <functional>
#include <vector>

using namespace ll::ui;

namespace
{

// An ImGui context (imgui_test_context.h) that runs frames.
struct Context : ll::test::ImGuiTestContext
{
    // One frame: `body` runs between NewFrame and Render, like the lab's frame (queries there see last frame's state).
    void Frame(const std::function<void()>& body)
    {
        ImGui::NewFrame();
        body();
        ImGui::Render();
    }
};

// A window with some text, placed and sized every frame.
void Window(const char* title, ImVec2 pos, ImVec2 size)
{
    ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
    ImGui::SetNextWindowSize(size, ImGuiCond_Always);
    ImGui::Begin(title);
    ImGui::TextUnformatted("contents");
    ImGui::End();
}

std::vector<const ImGuiWindow*> Blank(std::initializer_list<const char*> titles)
{
    std::vector<const ImGuiWindow*> out;
    for (const char* t : titles)
    {
        out.push_back(ImGui::FindWindowByName(t));
    }
    return out;
}

} // namespace

TEST_CASE("window cover: tiled windows have nothing drawn under them and hide nothing")
{
    Context ctx;
    const auto tiles = [] {
        Window("A", ImVec2(0, 0), ImVec2(300, 400));
        Window("B", ImVec2(300, 0), ImVec2(300, 400)); // touches A's right edge
    };
    ctx.Frame(tiles);
    ctx.Frame([&] {
        CHECK_FALSE(DrawnUnder("A", {}));
        CHECK_FALSE(DrawnUnder("B", {}));
        CHECK_FALSE(HiddenBehindOthers("A"));
        CHECK_FALSE(HiddenBehindOthers("B"));
        tiles();
    });
}

TEST_CASE("window cover: a window in front of an overlapped one needs its background, the one behind does not")
{
    Context ctx;
    const auto overlap = [] {
        Window("A", ImVec2(0, 0), ImVec2(300, 400));
        Window("B", ImVec2(200, 100), ImVec2(300, 400)); // submitted last, so in front on the first frame
    };
    ctx.Frame(overlap);
    ctx.Frame([&] {
        CHECK(DrawnUnder("B", {}));
        CHECK_FALSE(DrawnUnder("A", {}));
        CHECK_FALSE(HiddenBehindOthers("A")); // partly visible
        overlap();
    });
    // Brought to the front, A has B under it instead.
    ctx.Frame([&] {
        ImGui::FocusWindow(ImGui::FindWindowByName("A"));
        overlap();
    });
    ctx.Frame([&] {
        CHECK(DrawnUnder("A", {}));
        CHECK_FALSE(DrawnUnder("B", {}));
        overlap();
    });
}

TEST_CASE("window cover: a window entirely covered is hidden, and once blank it does not count as drawn under")
{
    Context ctx;
    const auto stack = [] {
        Window("Behind", ImVec2(100, 100), ImVec2(200, 200));
        Window("Front", ImVec2(50, 50), ImVec2(400, 400));
    };
    ctx.Frame(stack);
    ctx.Frame([&] {
        CHECK(HiddenBehindOthers("Behind"));
        CHECK_FALSE(HiddenBehindOthers("Front"));
        CHECK(DrawnUnder("Front", {}));
        const std::vector<const ImGuiWindow*> blank = Blank({"Behind"});
        CHECK_FALSE(DrawnUnder("Front", blank));
        stack();
    });
}

TEST_CASE("window cover: windows not submitted last frame and child windows do not count")
{
    Context ctx;
    ctx.Frame([] {
        Window("Gone", ImVec2(0, 0), ImVec2(400, 400));
        ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
        ImGui::SetNextWindowSize(ImVec2(600, 500), ImGuiCond_Always);
        ImGui::Begin("Parent");
        ImGui::BeginChild("child", ImVec2(200, 200), true);
        ImGui::EndChild();
        ImGui::End();
        Window("Top", ImVec2(100, 100), ImVec2(300, 300));
    });
    ctx.Frame([] {
        CHECK(DrawnUnder("Top", {})); // Gone and Parent are both under it
        ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
        ImGui::SetNextWindowSize(ImVec2(600, 500), ImGuiCond_Always);
        ImGui::Begin("Parent"); // "Gone" is not submitted this frame
        ImGui::BeginChild("child", ImVec2(200, 200), true);
        ImGui::EndChild();
        ImGui::End();
        Window("Top", ImVec2(100, 100), ImVec2(300, 300));
    });
    ctx.Frame([] {
        // Parent's child overlaps Top too, but only Parent (still under Top) makes it true.
        CHECK(DrawnUnder("Top", {}));
        const std::vector<const ImGuiWindow*> blank = Blank({"Parent"});
        CHECK_FALSE(DrawnUnder("Top", blank)); // not the vanished "Gone", not Parent's child
    });
}

TEST_CASE("window cover: the menu bar's sub-pixel sliver over a window below it does not count, a real overlap does")
{
    Context ctx;
    ImGui::GetStyle().FramePadding.y = 3.05f; // a menu bar 19.1 px high
    float bar_bottom = 0;
    const auto frame = [&](float y) {
        if (ImGui::BeginMainMenuBar())
        {
            bar_bottom = ImGui::GetWindowPos().y + ImGui::GetWindowSize().y;
            ImGui::EndMainMenuBar();
        }
        Window("Below", ImVec2(0, y), ImVec2(300, 300));
    };
    ctx.Frame([&] { frame(ImGui::GetFrameHeight()); });
    ctx.Frame([&] {
        CHECK_FALSE(DrawnUnder("Below", {}));
        frame(ImGui::GetFrameHeight());
    });
    REQUIRE(bar_bottom > std::floor(bar_bottom)); // the bar really ends inside a pixel row the window starts on
    ctx.Frame([&] { frame(ImGui::GetFrameHeight() - 3); });
    ctx.Frame([&] {
        CHECK(DrawnUnder("Below", {}));
        frame(ImGui::GetFrameHeight() - 3);
    });
}

TEST_CASE("window cover: an unknown window is taken to have something under it and to hide nothing")
{
    Context ctx;
    ctx.Frame([] {
        CHECK(DrawnUnder("never submitted", {}));
        CHECK_FALSE(HiddenBehindOthers("never submitted"));
    });
}
