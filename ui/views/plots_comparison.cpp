// The Plots view's comparison (plots_view.h): the runs selected in the Runs view overlaid on the catalog's plots,
// a colour per run or per seed group (the group's mean over its min-max band), x by step or running time, each plot
// drawn once into a picture (CachedRegion) and shown from it until its data, limits or hidden lines change.
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
constexpr int kMaxLegendLines = 12; // more lines than this: no legend box (the hover still names each run)

} // namespace

bool PlotsView::DrawComparison(LabContext& ctx)
{
    if (ctx.runs == nullptr || ctx.runs->selected.empty())
    {
        return false;
    }
    RunLibrary& library = *ctx.runs;
    const std::shared_ptr<const RunListing> listing = library.Listing();
    if (listing->version != m_compare_version || library.by_wall != m_compare_by_wall)
    {
        m_compare_version = listing->version;
        m_compare_by_wall = library.by_wall;
        m_run_lines.clear();
        m_bands.clear();
    }
    // The selected runs and their seed groups: made again only when the listing, the selection or the grouping
    // changes (grouping serialises every config).
    std::string selection = std::to_string(listing->version) + (library.group_seeds ? "g" : "-");
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
    // The catalog's metrics some selected run has logged, in catalog order.
    std::vector<const eval::MetricInfo*> metrics;
    for (const eval::MetricInfo& metric : eval::Metrics())
    {
        const bool logged = !metric.per_dimension && std::any_of(runs.begin(), runs.end(), [&](const RunEntry* r) {
            const io::CurveLod* c = r->curves->Find(metric.name);
            return c != nullptr && c->Total() > 0;
        });
        if (logged)
        {
            metrics.push_back(&metric);
        }
    }
    const bool by_wall = library.by_wall;
    const std::uint64_t data_key = MixKey(std::hash<std::string>{}(m_compare_key), by_wall ? 1 : 0);
    ImGui::BeginChild("##compare_scroll", ImVec2(0, 0), false);
    const float avail_w = ImGui::GetContentRegionAvail().x;
    const int columns = avail_w > 900 ? 2 : 1;
    const int rows = (static_cast<int>(metrics.size()) + columns - 1) / columns;
    const float title_h = ImGui::GetTextLineHeightWithSpacing() * 2;
    const float height = std::max(140.0f, (ImGui::GetContentRegionAvail().y - rows * title_h) /
                                              static_cast<float>(std::max(rows, 1)) - 4);
    if (ImGui::BeginTable("##compare_grid", columns, ImGuiTableFlags_SizingStretchSame))
    {
        for (const eval::MetricInfo* metric : metrics)
        {
            ImGui::TableNextColumn();
            const char* label = eval::MetricLabel(*metric, false);
            ImGui::TextUnformatted(label);
            char id[96];
            std::snprintf(id, sizeof id, "%s##compare_%s", label, m_log_y ? "log" : "lin");
            // Drawn once into a picture and shown from it until its data or view changes (a software rasteriser
            // pays for every triangle of every frame); drawn live while the mouse is over it (hover, pan, zoom).
            const ImVec2 min = ImGui::GetCursorScreenPos();
            const ImVec2 max(min.x + ImGui::GetContentRegionAvail().x, min.y + height);
            CachedRegion* region = nullptr;
            if (!ImGui::IsMouseHoveringRect(min, max, false) || !ImGui::IsWindowHovered())
            {
                std::unique_ptr<CachedRegion>& slot = m_regions[id];
                slot = slot ? std::move(slot) : std::make_unique<CachedRegion>();
                region = slot.get();
                const std::uint64_t key = MixKey(data_key, m_view_keys[id]);
                if (ImDrawList* list = region->Begin(min, max, key); list != nullptr)
                {
                    ImVec4 bg = ClearColor();
                    bg.w = 1.0f;
                    list->AddRectFilled(min, max, ImGui::ColorConvertFloat4ToU32(bg));
                    SetNextPlotDrawList(list);
                }
                else
                {
                    SetNextPlotSkipDraw();
                }
            }
            if (!BeginPlot(id, ImVec2(-1, height)))
            {
                if (region != nullptr)
                {
                    region->End();
                }
                continue;
            }
            PlotFlags flags = m_log_y ? PlotFlags_LogY : PlotFlags_None;
            flags |= groups.size() > kMaxLegendLines ? PlotFlags_NoLegend : PlotFlags_None;
            SetupAxes(by_wall ? "running time (s)" : "step", label, flags);
            for (std::size_t g = 0; g < groups.size(); ++g)
            {
                const std::vector<std::size_t>& group = groups[g];
                PlotLineStyle style;
                style.color = RunColor(g);
                style.thickness = 1.0f; // integer widths: 2 triangles a segment instead of 6
                if (group.size() == 1)
                {
                    const RunEntry& run = *runs[group[0]];
                    const io::CurveLod* curve = run.curves->Find(metric->name);
                    if (curve == nullptr)
                    {
                        continue;
                    }
                    RunLine& line = m_run_lines[run.info.dir.string() + "\n" + metric->name];
                    const std::size_t k = std::max<std::size_t>(
                        1, (curve->Buckets().size() * groups.size() + kPointsPerPlot - 1) / kPointsPerPlot);
                    if (line.xs.empty() || line.k != k)
                    {
                        // Means of k buckets at a time, weighted by their points.
                        line.k = k;
                        line.xs.clear();
                        line.ys.clear();
                        const std::vector<io::CurveBucket>& buckets = curve->Buckets();
                        for (std::size_t first = 0; first < buckets.size(); first += k)
                        {
                            double sum = 0, x = 0;
                            std::int64_t count = 0;
                            const std::size_t last = std::min(buckets.size(), first + k);
                            for (std::size_t j = first; j < last; ++j)
                            {
                                sum += buckets[j].sum;
                                count += buckets[j].count;
                            }
                            x = 0.5 * (io::BucketX(buckets[first], by_wall) + io::BucketX(buckets[last - 1], by_wall));
                            line.xs.push_back(x);
                            line.ys.push_back(count > 0 ? sum / static_cast<double>(count) : 0.0);
                        }
                    }
                    PlotLine(run.info.name.c_str(), line.xs.data(), line.ys.data(), static_cast<int>(line.xs.size()),
                             style);
                    continue;
                }
                std::string key;
                std::vector<const io::CurveLod*> curves;
                for (std::size_t i : group)
                {
                    key += runs[i]->info.dir.string() + "\n";
                    curves.push_back(runs[i]->curves->Find(metric->name));
                }
                key += metric->name;
                const auto it = m_bands.find(key);
                const io::CurveBand& band =
                    it != m_bands.end() ? it->second
                                        : m_bands.emplace(key, io::MeanBand(curves, by_wall, kBandPoints)).first->second;
                char name[256];
                std::snprintf(name, sizeof name, "%s: mean of %zu seeds##%zu", runs[group[0]]->info.name.c_str(),
                              group.size(), g);
                PlotBand(band.xs.data(), band.lo.data(), band.hi.data(), static_cast<int>(band.xs.size()),
                         style.color);
                PlotLine(name, band.xs.data(), band.mean.data(), static_cast<int>(band.xs.size()), style);
            }
            EndPlot();
            m_view_keys[id] = LastPlotViewKey();
            if (region != nullptr)
            {
                region->End();
            }
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    return true;
}

} // namespace ll::ui
