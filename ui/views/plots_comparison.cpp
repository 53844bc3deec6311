// The Plots view's comparison (plots_view.h): the runs selected in the Runs view overlaid on the catalog's plots,
// a colour per run or per seed group (the group's mean over its min-max band), x by step or running time, each plot
// drawn once into a picture (CachedRegion) and shown from it until its data, limits or hidden lines change; the hover
// is drawn live over the picture.
// Main (ImGui) thread only.
#include "ui/views/plots_view.h"

#include "ui/gl/cached_region.h"
#include "ui/views/run_library.h"
#include "ui/widgets/plot.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

namespace ll::ui
{

namespace
{

// A colour per compared run or group: the plot palette's first ten, then hues a golden angle apart.
ImU32 RunColor(std::size_t i)
{
    static constexpr ImU32 kRunPalette[] = {
        IM_COL32(31, 119, 180, 255), IM_COL32(255, 127, 14, 255), IM_COL32(44, 160, 44, 255),
        IM_COL32(214, 39, 40, 255),  IM_COL32(148, 103, 189, 255), IM_COL32(140, 86, 75, 255),
        IM_COL32(227, 119, 194, 255), IM_COL32(127, 127, 127, 255), IM_COL32(188, 189, 34, 255),
        IM_COL32(23, 190, 207, 255),
    };
    if (i < std::size(kRunPalette))
    {
        return kRunPalette[i];
    }
    float r = 0, g = 0, b = 0;
    ImGui::ColorConvertHSVtoRGB(std::fmod(0.618034f * static_cast<float>(i), 1.0f), 0.65f, 0.95f, r, g, b);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(r, g, b, 1.0f));
}

constexpr int kBandPoints = 200; // x positions of a seed group's band
// Points per plot across all its lines: a software rasteriser (Xvfb's llvmpipe) pays per triangle, so 50 runs of
// 1,024 buckets each are drawn from coarser means (k neighbouring buckets averaged) to stay near this many.
constexpr std::size_t kPointsPerPlot = 4000;
// Up to this many lines each plot has its legend box; more would cover the plot (12 runs' names are taller than a
// plot at 1280x800), so one colour key above the plots names them all instead (the hover still names each run).
constexpr std::size_t kMaxLegendLines = 4;
constexpr int kMaxKeyRows = 3; // the shared key's rows shown at once (it scrolls beyond)

// The shared colour key: a coloured square and the name of each line, wrapped to the width.
void DrawColorKey(const std::vector<std::pair<std::string, ImU32>>& entries)
{
    const float line_h = ImGui::GetTextLineHeight();
    const float gap = ImGui::GetStyle().ItemSpacing.x * 2;
    const float inner = ImGui::GetStyle().ItemInnerSpacing.x;
    const float width = ImGui::GetContentRegionAvail().x;
    // Rows the key needs at this width, to size its box.
    int rows = 1;
    float x = 0;
    for (const auto& [label, color] : entries)
    {
        const float w = line_h + inner + ImGui::CalcTextSize(label.c_str()).x;
        if (x > 0 && x + gap + w > width)
        {
            ++rows;
            x = 0;
        }
        x += (x > 0 ? gap : 0) + w;
    }
    const float row_h = ImGui::GetTextLineHeightWithSpacing();
    ImGui::BeginChild("##compare_key", ImVec2(0, row_h * static_cast<float>(std::min(rows, kMaxKeyRows)) + 2), false);
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    bool first = true;
    for (const auto& [label, color] : entries)
    {
        const float w = line_h + inner + ImGui::CalcTextSize(label.c_str()).x;
        if (!first)
        {
            ImGui::SameLine(0, gap);
            if (ImGui::GetCursorScreenPos().x + w > right)
            {
                ImGui::NewLine();
            }
        }
        first = false;
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float pad = line_h * 0.15f;
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x + pad, p.y + pad),
                                                  ImVec2(p.x + line_h - pad, p.y + line_h - pad), color);
        ImGui::Dummy(ImVec2(line_h, line_h));
        ImGui::SameLine(0, inner);
        ImGui::TextUnformatted(label.c_str());
    }
    ImGui::EndChild();
}

} // namespace

void PlotsView::MakeComparePlots(const std::vector<const RunEntry*>& runs,
                                 const std::vector<std::vector<std::size_t>>& groups, bool by_wall)
{
    m_compare_plots.clear();
    for (const eval::MetricInfo& metric : eval::Metrics())
    {
        const bool logged = !metric.per_dimension && std::any_of(runs.begin(), runs.end(), [&](const RunEntry* r) {
            const io::CurveLod* c = r->curves->Find(metric.name);
            return c != nullptr && c->Total() > 0;
        });
        if (!logged)
        {
            continue;
        }
        ComparePlot& plot = m_compare_plots.emplace_back();
        plot.metric = &metric;
        for (std::size_t g = 0; g < groups.size(); ++g)
        {
            const std::vector<std::size_t>& group = groups[g];
            CompareLine line;
            line.color = RunColor(g);
            if (group.size() == 1)
            {
                const RunEntry& run = *runs[group[0]];
                const io::CurveLod* curve = run.curves->Find(metric.name);
                if (curve == nullptr)
                {
                    continue;
                }
                line.label = run.info.name;
                // Means of k buckets at a time, weighted by their points.
                const std::vector<io::CurveBucket>& buckets = curve->Buckets();
                const std::size_t k =
                    std::max<std::size_t>(1, (buckets.size() * groups.size() + kPointsPerPlot - 1) / kPointsPerPlot);
                for (std::size_t first = 0; first < buckets.size(); first += k)
                {
                    double sum = 0;
                    std::int64_t count = 0;
                    const std::size_t last = std::min(buckets.size(), first + k);
                    for (std::size_t j = first; j < last; ++j)
                    {
                        sum += buckets[j].sum;
                        count += buckets[j].count;
                    }
                    line.xs.push_back(0.5 * (io::BucketX(buckets[first], by_wall) +
                                             io::BucketX(buckets[last - 1], by_wall)));
                    line.ys.push_back(count > 0 ? sum / static_cast<double>(count) : 0.0);
                }
            }
            else
            {
                std::vector<const io::CurveLod*> curves;
                for (std::size_t i : group)
                {
                    curves.push_back(runs[i]->curves->Find(metric.name));
                }
                line.band = io::MeanBand(curves, by_wall, kBandPoints);
                line.xs = line.band.xs;
                line.ys = line.band.mean;
                char name[256];
                std::snprintf(name, sizeof name, "%s: mean of %zu seeds##%zu", runs[group[0]]->info.name.c_str(),
                              group.size(), g);
                line.label = name;
            }
            plot.lines.push_back(std::move(line));
        }
    }
}

bool PlotsView::DrawComparison(LabContext& ctx)
{
    if (ctx.runs == nullptr || ctx.runs->selected.empty())
    {
        return false;
    }
    RunLibrary& library = *ctx.runs;
    const std::shared_ptr<const RunListing> listing = library.Listing();
    // The selected runs, their seed groups and their plots: made again only when the listing, the selection, the
    // grouping or the x axis changes (grouping serialises every config).
    std::string selection = std::to_string(listing->version) + (library.group_seeds ? "g" : "-") +
                            (library.by_wall ? "w" : "s");
    for (const std::string& dir : library.selected)
    {
        selection += "\n" + dir;
    }
    if (selection != m_compare_key)
    {
        m_compare_key = selection;
        m_compare_listing = listing;
        m_compare_runs.clear();
        m_compare_groups.clear();
        std::vector<const models::ExperimentConfig*> configs;
        for (const std::string& dir : library.selected)
        {
            if (const RunEntry* run = listing->Find(dir); run != nullptr)
            {
                m_compare_runs.push_back(run);
                configs.push_back(run->info.config ? &*run->info.config : nullptr);
            }
        }
        if (library.group_seeds)
        {
            m_compare_groups = io::GroupBySeed(configs);
        }
        else
        {
            for (std::size_t i = 0; i < m_compare_runs.size(); ++i)
            {
                m_compare_groups.push_back({i});
            }
        }
        MakeComparePlots(m_compare_runs, m_compare_groups, library.by_wall);
    }
    const std::vector<const RunEntry*>& runs = m_compare_runs;
    const std::vector<std::vector<std::size_t>>& groups = m_compare_groups;
    ImGui::Text("Comparing %zu runs (%zu lines, x by %s).", runs.size(), groups.size(),
                library.by_wall ? "wall time" : "step");
    ImGui::SameLine();
    if (ImGui::SmallButton("Back to the live run"))
    {
        library.selected.clear();
        return true;
    }
    ItemTooltip("Clears the Runs view's selection: the plots show the run training in the window again.");
    if (runs.empty())
    {
        ImGui::TextDisabled("The selected runs are still being read.");
        return true;
    }
    if (groups.size() > kMaxLegendLines)
    {
        std::vector<std::pair<std::string, ImU32>> key;
        for (std::size_t g = 0; g < groups.size(); ++g)
        {
            std::string label = runs[groups[g][0]]->info.name;
            if (groups[g].size() > 1)
            {
                label += ": mean of " + std::to_string(groups[g].size()) + " seeds";
            }
            key.emplace_back(std::move(label), RunColor(g));
        }
        DrawColorKey(key);
    }
    const bool by_wall = library.by_wall;
    const std::uint64_t data_key = std::hash<std::string>{}(m_compare_key);
    ImGui::BeginChild("##compare_scroll", ImVec2(0, 0), false);
    const float avail_w = ImGui::GetContentRegionAvail().x;
    const int columns = avail_w > 900 ? 2 : 1;
    const int rows = (static_cast<int>(m_compare_plots.size()) + columns - 1) / columns;
    const float title_h = ImGui::GetTextLineHeightWithSpacing() * 2;
    const float height = std::max(140.0f, (ImGui::GetContentRegionAvail().y - rows * title_h) /
                                              static_cast<float>(std::max(rows, 1)) - 4);
    if (ImGui::BeginTable("##compare_grid", columns, ImGuiTableFlags_SizingStretchSame))
    {
        for (const ComparePlot& plot : m_compare_plots)
        {
            ImGui::TableNextColumn();
            const char* label = eval::MetricLabel(*plot.metric, false);
            ImGui::TextUnformatted(label);
            char id[96];
            std::snprintf(id, sizeof id, "%s##compare_%s", label, m_log_y ? "log" : "lin");
            // Drawn once into a picture and shown from it until its data or view changes (a software rasteriser
            // pays for every triangle of every frame), also with the mouse on it: the hover's line, dots and
            // tooltip are drawn live over the picture; panning and zooming change the view, so the picture.
            const ImVec2 min = ImGui::GetCursorScreenPos();
            const ImVec2 max(min.x + ImGui::GetContentRegionAvail().x, min.y + height);
            std::unique_ptr<CachedRegion>& region = m_regions[id];
            region = region ? std::move(region) : std::make_unique<CachedRegion>();
            BeginPicture(*region, min, max, MixKey(data_key, m_view_keys[id]));
            if (!BeginPlot(id, ImVec2(-1, height)))
            {
                region->End();
                continue;
            }
            PlotFlags flags = m_log_y ? PlotFlags_LogY : PlotFlags_None;
            flags |= groups.size() > kMaxLegendLines ? PlotFlags_NoLegend : PlotFlags_None;
            SetupAxes(by_wall ? "running time (s)" : "step", label, flags);
            for (const CompareLine& line : plot.lines)
            {
                PlotLineStyle style;
                style.color = line.color;
                style.thickness = 1.0f; // integer widths: 2 triangles a segment instead of 6
                if (!line.band.xs.empty())
                {
                    PlotBand(line.band.xs.data(), line.band.lo.data(), line.band.hi.data(),
                             static_cast<int>(line.band.xs.size()), style.color);
                }
                PlotLine(line.label.c_str(), line.xs.data(), line.ys.data(), static_cast<int>(line.xs.size()), style);
            }
            EndPlot();
            m_view_keys[id] = LastPlotViewKey();
            region->End();
            DrawLastPlotHover(); // over the picture
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    return true;
}

} // namespace ll::ui
