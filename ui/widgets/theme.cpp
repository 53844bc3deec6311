// Fonts, style and the series colours (see theme.h).
#include "ui/widgets/theme.h"

#include "core/eval/metric_catalog.h"
#include "core/train/session.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <string>

namespace ll::ui
{

namespace
{

ImFont* g_large_font = nullptr;

// For series the catalog does not know (a stable colour per name).
constexpr ImU32 kFallback[] = {
    IM_COL32(31, 190, 207, 255), IM_COL32(188, 189, 34, 255), IM_COL32(227, 119, 194, 255),
    IM_COL32(140, 160, 255, 255), IM_COL32(255, 110, 90, 255), IM_COL32(160, 220, 120, 255),
};

} // namespace

ImU32 SeriesColor(std::string_view name)
{
    if (const eval::MetricInfo* metric = eval::FindMetric(name))
    {
        return IM_COL32(metric->color.r, metric->color.g, metric->color.b, metric->color.a);
    }
    const std::size_t h = std::hash<std::string_view>{}(name);
    return kFallback[h % IM_ARRAYSIZE(kFallback)];
}

ImVec4 StatusColor(int status)
{
    switch (static_cast<train::Status>(status))
    {
    case train::Status::Running: return ImVec4(0.35f, 0.85f, 0.45f, 1.0f);
    case train::Status::Paused: return ImVec4(1.0f, 0.78f, 0.3f, 1.0f);
    case train::Status::Diverged: return ImVec4(1.0f, 0.5f, 0.15f, 1.0f);
    case train::Status::Error: return ImVec4(1.0f, 0.3f, 0.3f, 1.0f);
    case train::Status::Idle: break;
    }
    return ImVec4(0.7f, 0.7f, 0.75f, 1.0f);
}

void ApplyLabTheme(float display_height)
{
    ImGuiIO& io = ImGui::GetIO();
    const float base = std::clamp(display_height / 53.0f, 14.0f, 20.0f); // 15 px at 800, 20 at 1080+
    const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    std::error_code ec;
    if (std::filesystem::exists(kFontPath, ec))
    {
        io.Fonts->AddFontFromFileTTF(kFontPath, base);
        g_large_font = io.Fonts->AddFontFromFileTTF(kFontPath, base * 1.6f);
    }
    else
    {
        io.Fonts->AddFontDefault();
        io.FontGlobalScale = base / 13.0f;
        g_large_font = nullptr;
    }

    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 4.0f;
    style.FrameRounding = 3.0f;
    style.GrabRounding = 3.0f;
    style.WindowPadding = ImVec2(10, 10);
    style.FramePadding = ImVec2(6, 4);
    style.ItemSpacing = ImVec2(8, 6);
    style.WindowBorderSize = 1.0f;
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.105f, 0.11f, 0.13f, 1.0f);
    c[ImGuiCol_TitleBg] = ImVec4(0.13f, 0.14f, 0.17f, 1.0f);
    c[ImGuiCol_TitleBgActive] = ImVec4(0.18f, 0.26f, 0.40f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(0.17f, 0.18f, 0.22f, 1.0f);
    c[ImGuiCol_Header] = ImVec4(0.20f, 0.30f, 0.45f, 0.8f);
}

void ItemTooltip(const char* text)
{
    if (ImGui::IsItemHovered())
    {
        ImGui::SetTooltip("%s", text);
    }
}

ImVec4 ClearColor()
{
    const ImVec4 c = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    return ImVec4(c.x, c.y, c.z, 1.0f);
}

ImFont* LargeFont() { return g_large_font != nullptr ? g_large_font : ImGui::GetFont(); }

} // namespace ll::ui
