// Splitting ImGui's triangles into solid and blended runs (ui/draw_runs.h), on draw lists a real ImGui context builds.
#include "ui/gl/draw_runs.h"

#include "imgui_test_context.h"

#include <doctest/doctest.h>
#include <imgui.h>

#include <string>
#include <vector>

using namespace ll::ui;

namespace
{

// A frame with one full-display window whose draw list the test fills.
struct Frame : ll::test::ImGuiTestContext
{
    Frame()
    {
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(800, 600));
        ImGui::Begin("canvas");
        list = ImGui::GetWindowDrawList();
        first = static_cast<unsigned>(list->IdxBuffer.Size);
    }
    ~Frame()
    {
        ImGui::End();
        ImGui::Render();
    }
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;

    // Runs of what was added since construction (one draw command: same texture, same clip rectangle).
    std::vector<DrawRun> Split(float min_area = 1600.0f) const
    {
        std::vector<DrawRun> runs;
        const unsigned count = static_cast<unsigned>(list->IdxBuffer.Size) - first;
        SplitDrawRuns(*list, first, count, 0, ImGui::GetIO().Fonts->TexUvWhitePixel, min_area, runs);
        return runs;
    }

    ImDrawList* list = nullptr;
    unsigned first = 0;
};

// "S6 B120 ..." for the runs: S(olid) or B(lended) and the number of indices.
std::string Describe(const std::vector<DrawRun>& runs)
{
    std::string out;
    for (const DrawRun& r : runs)
    {
        if (!out.empty())
        {
            out += ' ';
        }
        out += r.solid ? 'S' : 'B';
        out += std::to_string(r.count);
    }
    return out;
}

// The runs cover [first, first + count) in order, without gaps or overlaps.
void CheckPartition(const std::vector<DrawRun>& runs, unsigned first, unsigned count)
{
    unsigned next = first;
    for (const DrawRun& r : runs)
    {
        CHECK(r.first == next);
        CHECK(r.count % 3 == 0);
        CHECK(r.count > 0);
        next = r.first + r.count;
    }
    CHECK(next == first + count);
}

} // namespace

TEST_CASE("draw runs: large opaque fills are solid; text, translucent, small and anti-aliased edges stay blended")
{
    Frame f;
    const ImU32 opaque = IM_COL32(40, 50, 60, 255);
    f.list->AddRectFilled(ImVec2(10, 10), ImVec2(110, 110), opaque); // 2 triangles, 10000 px
    f.list->AddText(ImVec2(10, 120), IM_COL32_WHITE, "text samples the glyphs");
    f.list->AddRectFilled(ImVec2(10, 140), ImVec2(20, 150), opaque);                   // 100 px: not worth a switch
    f.list->AddRectFilled(ImVec2(10, 160), ImVec2(210, 360), IM_COL32(40, 50, 60, 128)); // translucent
    f.list->AddRectFilled(ImVec2(300, 10), ImVec2(500, 210), opaque, 8.0f);              // rounded: fan + AA fringe
    const std::vector<DrawRun> runs = f.Split();
    const unsigned count = static_cast<unsigned>(f.list->IdxBuffer.Size) - f.first;
    CheckPartition(runs, f.first, count);
    INFO("runs: " << Describe(runs));
    REQUIRE(runs.size() == 4);
    CHECK(runs[0].solid);
    CHECK(runs[0].count == 6);
    CHECK_FALSE(runs[1].solid);
    CHECK(runs[2].solid); // the rounded rectangle's inside
    CHECK_FALSE(runs[3].solid); // its fringe fades to alpha 0
}

TEST_CASE("draw runs: the area threshold decides whether a solid stretch gets its own run")
{
    Frame f;
    f.list->AddText(ImVec2(10, 10), IM_COL32_WHITE, "before");
    f.list->AddRectFilled(ImVec2(10, 30), ImVec2(50, 70), IM_COL32(90, 90, 90, 255)); // 1600 px
    f.list->AddText(ImVec2(10, 80), IM_COL32_WHITE, "after");
    const unsigned count = static_cast<unsigned>(f.list->IdxBuffer.Size) - f.first;
    const std::vector<DrawRun> at = f.Split(1600.0f);
    CheckPartition(at, f.first, count);
    INFO("runs: " << Describe(at));
    REQUIRE(at.size() == 3);
    CHECK_FALSE(at[0].solid);
    CHECK(at[1].solid);
    CHECK(at[1].count == 6);
    CHECK_FALSE(at[2].solid);
    const std::vector<DrawRun> above = f.Split(1601.0f);
    CheckPartition(above, f.first, count);
    REQUIRE(above.size() == 1);
    CHECK_FALSE(above[0].solid);
}

TEST_CASE("draw runs: nothing to draw gives no runs, only solid gives one solid run")
{
    Frame f;
    CHECK(f.Split().empty());
    f.list->AddRectFilled(ImVec2(0, 0), ImVec2(100, 100), IM_COL32(1, 2, 3, 255));
    f.list->AddRectFilled(ImVec2(0, 100), ImVec2(100, 200), IM_COL32(4, 5, 6, 255));
    const std::vector<DrawRun> runs = f.Split();
    CHECK(Describe(runs) == "S12");
}
