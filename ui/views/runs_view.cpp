// The Runs view (see runs_view.h).
#include "ui/views/runs_view.h"

#include "core/eval/metric_catalog.h"
#include "core/io/config_json.h"
#include "ui/widgets/theme.h"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace ll::ui
{

namespace
{

// While the session records, the runs are listed again this often: the recording run's row and curves as the
// window's rows have them (RunLibrary::AddRecordingRows), the others read again when their files changed.
constexpr double kLiveRefreshSeconds = 5.0;
constexpr int kMaxDiffRuns = 6;             // runs shown side by side in the differences table

ImVec4 RunStatusColor(const RunEntry& run, bool recording)
{
    if (run.Damaged())
    {
        return ImVec4(0.95f, 0.35f, 0.35f, 1.0f);
    }
    if (recording)
    {
        return ImVec4(0.35f, 0.85f, 0.45f, 1.0f);
    }
    const std::string& s = run.info.status;
    if (s == "completed")
    {
        return ImVec4(0.55f, 0.80f, 1.0f, 1.0f);
    }
    if (s == "diverged" || s == "error")
    {
        return ImVec4(1.0f, 0.6f, 0.25f, 1.0f);
    }
    if (s == "incomplete")
    {
        return ImVec4(0.95f, 0.80f, 0.35f, 1.0f);
    }
    return ImVec4(0.75f, 0.75f, 0.78f, 1.0f);
}

std::string FormatWall(double seconds)
{
    char text[32];
    if (seconds < 60)
    {
        std::snprintf(text, sizeof text, "%.1f s", seconds);
    }
    else if (seconds < 3600)
    {
        std::snprintf(text, sizeof text, "%d:%02d", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
    }
    else
    {
        std::snprintf(text, sizeof text, "%dh%02d", static_cast<int>(seconds) / 3600,
                      static_cast<int>(seconds) / 60 % 60);
    }
    return text;
}

const double* FinalValue(const RunEntry& run, const std::string& name)
{
    for (const auto& entry : run.info.final_metrics)
    {
        if (entry.first == name)
        {
            return &entry.second;
        }
    }
    return nullptr;
}

// The nearest sample step at or below step (else the first).
std::int64_t NearestStep(const std::vector<std::int64_t>& steps, std::int64_t step)
{
    const auto it = std::upper_bound(steps.begin(), steps.end(), step);
    return it == steps.begin() ? steps.front() : *(it - 1);
}

} // namespace

bool RunsView::Loading() const
{
    return m_library != nullptr && (m_library->Busy() || m_library->Listing()->version == 0);
}

void RunsView::ChooseMetricColumns(const RunListing& listing)
{
    m_columns.clear();
    for (const bool evaluations : {true, false})
    {
        for (const eval::MetricInfo& metric : eval::Metrics())
        {
            if (metric.per_dimension || metric.evaluation != evaluations || m_columns.size() >= 4)
            {
                continue;
            }
            const bool any = std::any_of(listing.runs.begin(), listing.runs.end(), [&](const RunEntry& run) {
                return FinalValue(run, metric.name) != nullptr;
            });
            if (any)
            {
                m_columns.emplace_back(metric.name);
            }
        }
    }
}

void RunsView::DrawToolbar(LabContext& ctx, RunLibrary& library, const RunListing& listing)
{
    if (ImGui::Button("Refresh"))
    {
        library.Refresh();
    }
    ItemTooltip("Read the runs directory again (runs whose files did not change are not read again).");
    ImGui::SameLine();
    int x_axis = library.by_wall ? 1 : 0;
    ImGui::TextUnformatted("x:");
    ImGui::SameLine();
    ImGui::RadioButton("step", &x_axis, 0);
    ImGui::SameLine();
    ImGui::RadioButton("wall time", &x_axis, 1);
    ItemTooltip("The x axis of the compared curves: the step, or seconds of running time since the run began.");
    library.by_wall = x_axis == 1;
    ImGui::SameLine();
    ImGui::Checkbox("group seeds", &library.group_seeds);
    ItemTooltip("Selected runs whose configs differ only in the seed are drawn as one line: their mean, with a band "
                "from the lowest to the highest.");
    ImGui::SameLine();
    if (ImGui::Button("Select all"))
    {
        library.SelectNewest(listing.runs.size());
    }
    ImGui::SameLine();
    if (ImGui::Button("Clear"))
    {
        library.selected.clear();
    }
    ImGui::SameLine();
    if (library.Busy())
    {
        ImGui::TextDisabled("reading...");
    }
    else
    {
        ImGui::TextDisabled("%zu runs in %s (read in %.2f s); %zu selected", listing.runs.size(),
                            library.Dir().string().c_str(), listing.seconds, library.selected.size());
    }
    if (!ctx.snapshot->run_error.empty())
    {
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.25f, 1.0f), "%s", ctx.snapshot->run_error.c_str());
    }
    if (!listing.error.empty())
    {
        ImGui::TextDisabled("%s", listing.error.c_str());
    }
}

void RunsView::DrawTable(LabContext& ctx, RunLibrary& library, const RunListing& listing)
{
    const int columns = 6 + static_cast<int>(m_columns.size());
    const float row_h = ImGui::GetFrameHeightWithSpacing();
    const float height = std::min(ImGui::GetContentRegionAvail().y * 0.45f,
                                  row_h * static_cast<float>(listing.runs.size() + 1) + 8.0f);
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("##runs", columns, flags, ImVec2(0, std::max(height, row_h * 2))))
    {
        return;
    }
    // Fixed widths from the font (the list is empty on the first frames, so auto-fit would find nothing to fit).
    const float em = ImGui::GetFontSize();
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFrameHeight());
    ImGui::TableSetupColumn("run", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("status", ImGuiTableColumnFlags_WidthFixed, em * 6.5f);
    ImGui::TableSetupColumn("preset", ImGuiTableColumnFlags_WidthFixed, em * 7.5f);
    ImGui::TableSetupColumn("steps", ImGuiTableColumnFlags_WidthFixed, em * 4.0f);
    ImGui::TableSetupColumn("wall", ImGuiTableColumnFlags_WidthFixed, em * 3.5f);
    for (const std::string& name : m_columns)
    {
        const eval::MetricInfo* metric = eval::FindMetric(name);
        ImGui::TableSetupColumn(metric ? eval::MetricLabel(*metric, false) : name.c_str(),
                                ImGuiTableColumnFlags_WidthFixed, em * 5.0f);
    }
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(listing.runs.size()));
    while (clipper.Step())
    {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row)
        {
            // Newest first.
            const RunEntry& run = listing.runs[listing.runs.size() - 1 - static_cast<std::size_t>(row)];
            const std::string dir = run.info.dir.string();
            const bool recording = dir == m_recording;
            ImGui::PushID(dir.c_str());
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            bool selected = library.IsSelected(dir);
            ImGui::BeginDisabled(run.Damaged());
            if (ImGui::Checkbox("##sel", &selected))
            {
                library.Toggle(dir);
            }
            ImGui::EndDisabled();
            ImGui::TableNextColumn();
            if (ImGui::Selectable(run.info.name.c_str(), m_focus == dir, ImGuiSelectableFlags_SpanAllColumns |
                                                                              ImGuiSelectableFlags_AllowItemOverlap))
            {
                m_focus = dir;
                std::snprintf(m_rename, sizeof m_rename, "%s", run.info.name.c_str());
            }
            if (run.Damaged())
            {
                // The reason in the row itself (the status column says "damaged"; the hover has it whole).
                ImGui::SameLine();
                ImGui::TextColored(RunStatusColor(run, false), "%.80s%s", run.info.error.c_str(),
                                   run.info.error.size() > 80 ? "..." : "");
            }
            ImGui::TableNextColumn();
            if (run.Damaged())
            {
                const std::string reason = "damaged: " + run.info.error;
                ImGui::TextColored(RunStatusColor(run, false), "damaged");
                if (ImGui::IsItemHovered())
                {
                    ImGui::SetTooltip("%s", reason.c_str());
                }
            }
            else
            {
                ImGui::TextColored(RunStatusColor(run, recording), "%s",
                                   recording ? "recording" : run.info.status.c_str());
            }
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(run.info.preset.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%lld", static_cast<long long>(run.info.steps));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(FormatWall(run.info.wall_seconds).c_str());
            for (const std::string& name : m_columns)
            {
                ImGui::TableNextColumn();
                if (const double* v = FinalValue(run, name))
                {
                    ImGui::Text("%.4g", *v);
                }
            }
            ImGui::PopID();
        }
    }
    ImGui::EndTable();
    (void)ctx;
}

void RunsView::DrawActions(LabContext& ctx, RunLibrary& library, const RunListing& listing)
{
    const RunEntry* run = listing.Find(m_focus);
    if (run == nullptr)
    {
        ImGui::TextDisabled("Click a run to open, resume, rename or delete it; tick runs to compare them in Plots.");
        return;
    }
    const bool recording = m_focus == m_recording;
    ImGui::Text("%s", run->info.name.c_str());
    ImGui::SameLine();
    ImGui::BeginDisabled(run->checkpoint.empty() || recording);
    if (ImGui::Button("Open"))
    {
        ctx.session->LoadCheckpoint(run->checkpoint.string());
        library.selected.clear(); // the Plots view shows the opened run itself
    }
    ItemTooltip("Load the run's last checkpoint, paused: its plots and samples come back without retraining.");
    ImGui::SameLine();
    if (ImGui::Button("Resume"))
    {
        ctx.session->LoadCheckpoint(run->checkpoint.string());
        ctx.session->Start();
        library.selected.clear();
    }
    ItemTooltip("Load the run's last checkpoint and train on: the run goes on in its own folder (rows after the "
                "checkpoint's step are replaced).");
    ImGui::EndDisabled();
    if (run->checkpoint.empty())
    {
        ImGui::SameLine();
        ImGui::TextDisabled("(no checkpoint)");
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    ImGui::InputText("##rename", m_rename, sizeof m_rename);
    ImGui::SameLine();
    if (ImGui::Button("Rename"))
    {
        if (recording)
        {
            ctx.session->RenameRun(m_rename);
        }
        else
        {
            library.Rename(run->info.dir, m_rename);
        }
        m_focus = (run->info.dir.parent_path() / m_rename).string();
        library.selected.erase(std::remove(library.selected.begin(), library.selected.end(), run->info.dir.string()),
                               library.selected.end());
        library.Refresh();
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(recording);
    if (ImGui::Button("Delete..."))
    {
        m_delete = m_focus;
        ImGui::OpenPopup("Delete run?");
    }
    ImGui::EndDisabled();
    DrawDeleteModal(library);
}

void RunsView::DrawDeleteModal(RunLibrary& library)
{
    if (!ImGui::BeginPopupModal("Delete run?", nullptr, ImGuiWindowFlags_AlwaysAutoResize))
    {
        return;
    }
    ImGui::Text("Delete the run folder\n  %s\nwith its metrics, samples and checkpoints? This cannot be undone.",
                m_delete.c_str());
    if (ImGui::Button("Delete"))
    {
        library.Delete(m_delete);
        library.selected.erase(std::remove(library.selected.begin(), library.selected.end(), m_delete),
                               library.selected.end());
        m_focus.clear();
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
    {
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void RunsView::DrawDifferences(const RunLibrary& library, const RunListing& listing)
{
    // Made again only when the listing or the selection changes (each difference serialises two configs).
    std::string key = std::to_string(listing.version);
    for (const std::string& dir : library.selected)
    {
        key += "\n" + dir;
    }
    if (key != m_diff_key)
    {
        m_diff_key = key;
        m_diff_runs.clear();
        m_diff_keys.clear();
        m_diff_values.clear();
        std::vector<const RunEntry*> runs;
        for (const std::string& dir : library.selected)
        {
            const RunEntry* run = listing.Find(dir);
            if (run != nullptr && run->info.config && static_cast<int>(runs.size()) < kMaxDiffRuns)
            {
                runs.push_back(run);
            }
        }
        if (runs.size() >= 2)
        {
            std::vector<std::vector<io::ConfigDifference>> diffs;
            for (std::size_t i = 1; i < runs.size(); ++i)
            {
                diffs.push_back(io::DiffConfigs(*runs[0]->info.config, *runs[i]->info.config));
                for (const io::ConfigDifference& d : diffs.back())
                {
                    if (std::find(m_diff_keys.begin(), m_diff_keys.end(), d.key) == m_diff_keys.end())
                    {
                        m_diff_keys.push_back(d.key);
                    }
                }
            }
            // values[k][r]: key k in run r; a run that does not differ from the first has the first's value.
            for (const std::string& k : m_diff_keys)
            {
                std::vector<std::string> row(runs.size());
                for (std::size_t i = 0; i < diffs.size(); ++i)
                {
                    for (const io::ConfigDifference& d : diffs[i])
                    {
                        if (d.key == k)
                        {
                            row[0] = d.a;
                            row[i + 1] = d.b;
                        }
                    }
                }
                for (std::size_t r = 1; r < row.size(); ++r)
                {
                    bool differs = false;
                    for (const io::ConfigDifference& d : diffs[r - 1])
                    {
                        differs = differs || d.key == k;
                    }
                    row[r] = differs ? row[r] : row[0];
                }
                m_diff_values.push_back(std::move(row));
            }
            for (const RunEntry* run : runs)
            {
                m_diff_runs.push_back(run->info.name);
            }
        }
    }
    if (m_diff_runs.size() < 2)
    {
        return;
    }
    ImGui::Separator();
    ImGui::Text("Config keys that differ between the selected runs (%zu)", m_diff_keys.size());
    if (m_diff_keys.empty())
    {
        ImGui::TextDisabled("none: the selected runs share one config.");
        return;
    }
    const int columns = 1 + static_cast<int>(m_diff_runs.size());
    if (ImGui::BeginTable("##diff", columns, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                                 ImGuiTableFlags_SizingStretchProp))
    {
        ImGui::TableSetupColumn("key");
        for (const std::string& name : m_diff_runs)
        {
            ImGui::TableSetupColumn(name.c_str());
        }
        ImGui::TableHeadersRow();
        for (std::size_t k = 0; k < m_diff_keys.size(); ++k)
        {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(m_diff_keys[k].c_str());
            for (const std::string& value : m_diff_values[k])
            {
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(value.c_str());
            }
        }
        ImGui::EndTable();
    }
}

void RunsView::DrawSideBySide(RunLibrary& library, const RunListing& listing)
{
    const RunEntry* pair[2] = {nullptr, nullptr};
    int found = 0;
    for (const std::string& dir : library.selected)
    {
        const RunEntry* run = listing.Find(dir);
        if (run != nullptr && !run->sample_steps.empty() && found < 2)
        {
            pair[found++] = run;
        }
    }
    if (found < 2)
    {
        return;
    }
    ImGui::Separator();
    const std::int64_t last = std::max(pair[0]->sample_steps.back(), pair[1]->sample_steps.back());
    const std::int64_t first = std::min(pair[0]->sample_steps.front(), pair[1]->sample_steps.front());
    if (m_side_step < 0 || m_side_step > last)
    {
        m_side_step = std::min(pair[0]->sample_steps.back(), pair[1]->sample_steps.back());
    }
    int step = static_cast<int>(m_side_step);
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 14);
    if (ImGui::SliderInt("##side_step", &step, static_cast<int>(first), static_cast<int>(last), "step %d"))
    {
        m_side_step = step;
    }
    ImGui::SameLine();
    ImGui::TextUnformatted("samples side by side");
    const float width = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    for (int k = 0; k < 2; ++k)
    {
        const std::int64_t at = NearestStep(pair[k]->sample_steps, m_side_step);
        const auto image = library.Image(io::SampleFile(pair[k]->info.dir, pair[k]->sample_stem, at));
        if (k == 1)
        {
            ImGui::SameLine();
        }
        ImGui::BeginGroup();
        ImGui::Text("%s, step %lld", pair[k]->info.name.c_str(), static_cast<long long>(at));
        if (image != nullptr && image != m_side_uploaded[k])
        {
            m_side[k].Upload(image->pixels.data(), image->width, image->height);
            m_side_uploaded[k] = image;
        }
        if (m_side[k].Valid() && m_side_uploaded[k] != nullptr)
        {
            const float h = ImGui::GetContentRegionAvail().y - 4;
            const float scale = std::max(0.1f, std::min(width / static_cast<float>(m_side[k].Width()),
                                                        h / static_cast<float>(m_side[k].Height())));
            ImGui::Image(m_side[k].ImId(), ImVec2(m_side[k].Width() * scale, m_side[k].Height() * scale));
        }
        else
        {
            ImGui::Dummy(ImVec2(width, 20));
        }
        ImGui::EndGroup();
    }
}

void RunsView::Draw(LabContext& ctx)
{
    m_library = ctx.runs;
    if (m_library == nullptr)
    {
        ImGui::TextDisabled("No runs directory.");
        return;
    }
    RunLibrary& library = *m_library;
    const auto now = std::chrono::steady_clock::now();
    const std::string& recording = ctx.snapshot->run_dir;
    if (m_first || recording != m_recording ||
        (!recording.empty() && std::chrono::duration<double>(now - m_live_refresh).count() > kLiveRefreshSeconds))
    {
        m_first = false;
        m_recording = recording;
        m_live_refresh = now;
        library.Refresh();
    }
    const std::string message = library.TakeMessage();
    if (!message.empty())
    {
        m_message = message;
    }
    const std::shared_ptr<const RunListing> listing = library.Listing();
    if (listing->version != m_listed)
    {
        m_listed = listing->version;
        ChooseMetricColumns(*listing);
    }
    DrawToolbar(ctx, library, *listing);
    if (!m_message.empty())
    {
        ImGui::TextColored(ImVec4(0.95f, 0.35f, 0.35f, 1.0f), "%s", m_message.c_str());
        ImGui::SameLine();
        if (ImGui::SmallButton("ok"))
        {
            m_message.clear();
        }
    }
    DrawTable(ctx, library, *listing);
    DrawActions(ctx, library, *listing);
    DrawDifferences(library, *listing);
    DrawSideBySide(library, *listing);
}

} // namespace ll::ui
