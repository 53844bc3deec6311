// An ImGui context for GL-free tests: a built font atlas, an 800x600 display, 60 frames a second, no ini file.
// Frames can be built and ended (NewFrame ... Render) without a renderer, so neither GL nor a display is needed.
#pragma once

#include <imgui.h>

namespace ll::test
{

struct ImGuiTestContext
{
    ImGuiTestContext()
    {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(800, 600);
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    ~ImGuiTestContext() { ImGui::DestroyContext(); }
    ImGuiTestContext(const ImGuiTestContext&) = delete;
    ImGuiTestContext& operator=(const ImGuiTestContext&) = delete;
};

} // namespace ll::test
