// The Plots view (see plots_view.h): the live run's plots laid out from the catalog's plot list, the objective's
// formula, the active-units bars; the selected runs' overlay is in plots_comparison.cpp.
#include "ui/views/plots_view.h"

#include "ui/views/run_library.h"
#include "ui/widgets/plot.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>

namespace ll::ui
{

namespace
{

constexpr double kActiveUnitNats = 0.01; // a latent dimension with KL above this carries information
constexpr double kDimensionEma = 0.05;   // weight of a new row in the per-dimension average
constexpr auto kLiveRefresh = std::chrono::milliseconds(100); // live plots: new points at most 10 times a second

bool Has(const LabContext& ctx, std::string_view name)
{
    return ctx.history && ctx.history->Find(std::string(name)) >= 0;
}

ImU32 ToImU32(eval::Rgba c) { return IM_COL32(c.r, c.g, c.b, c.a); }

// The per-dimension metric the active-units plot shows (the VAE's KL per latent dimension).
const eval::MetricInfo* ActiveUnitsMetric()
{
    static const eval::MetricInfo* const metric = [] {
        for (const eval::MetricInfo& m : eval::Metrics())
        {
            if (m.per_dimension && m.plot != eval::PlotId::None &&
                eval::FindPlot(m.plot).kind == eval::PlotKind::ActiveUnits)
            {
                return &m;
            }
        }
        throw std::logic_error("the metric catalog has no per-dimension metric for the active-units plot");
    }();
    return metric;
}

// The dimension j of a per-dimension series name (prefix + j), or -1 when the name is not of that metric.
int DimensionOf(const eval::MetricInfo& metric, const std::string& name)
{
    return eval::FindMetric(name) == &metric ? std::atoi(name.c_str() + std::strlen(metric.name)) : -1;
}

} // namespace

const PlotsView::Cached* PlotsView::Series(const LabContext& ctx, const std::string& name)
{
    if (!ctx.history)
    {
        return nullptr;
    }
    const int index = ctx.history->Find(name);
    if (index < 0)
    {
        return nullptr;
    }
    const train::MetricSeries& series = ctx.history->Series(static_cast<std::size_t>(index));
    Cached& cached = m_cache[name];
    if (cached.total != series.TotalAppended() && cached.serial != m_data_serial)
    {
        // Re-collected only when new points arrived (a few times a second while training).
        static thread_local std::vector<train::HistorySample> samples;
        series.Collect(samples);
        cached.xs.resize(samples.size());
        cached.ys.resize(samples.size());
        for (std::size_t i = 0; i < samples.size(); ++i)
        {
            cached.xs[i] = 0.5 * static_cast<double>(samples[i].step_first + samples[i].step_last);
            cached.ys[i] = samples[i].mean;
        }
        cached.total = series.TotalAppended();
        cached.serial = m_data_serial;
    }
    return &cached;
}

void PlotsView::PlanCells(const LabContext& ctx, bool toy)
{
    m_cells.clear();
    m_lines.clear();
    for (const eval::PlotInfo& plot : eval::Plots())
    {
        const std::size_t first = m_lines.size();
        bool logged = false;
        for (const eval::MetricInfo& metric : eval::Metrics())
        {
            if (metric.plot != plot.id)
            {
                continue;
            }
            if (metric.per_dimension)
            {
                logged = logged || !m_dims.empty();
            }
            else if (const Cached* points = Series(ctx, metric.name); points != nullptr && !points->xs.empty())
            {
                m_lines.push_back({&metric, points});
                logged = true;
            }
        }
        // Evaluation plots of 2-D data hold their place until the first evaluation, so the grid does not jump.
        if (logged || (toy && plot.pending[0] != '\0'))
        {
            m_cells.push_back({&plot, first, m_lines.size() - first});
        }
    }
}
void PlotsView::DrawFormula(const LabContext& ctx)
{
    const train::Snapshot& snap = *ctx.snapshot;
    if (snap.formula.empty())
    {
        return;
    }
    ImGui::TextDisabled("Objective in force (%s, %s)", snap.family ? util::NameOf(*snap.family).c_str() : "",
                        snap.objective.c_str());
    ImGui::PushFont(LargeFont());
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.93f, 0.75f, 1.0f));
    ImGui::TextWrapped("%s", snap.formula.c_str());
    ImGui::PopStyleColor();
    ImGui::PopFont();
    ImGui::Separator();
}

void PlotsView::DrawToolbar()
{
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    ImGui::SliderFloat("smoothing", &m_smoothing, 0.0f, 0.99f, "%.2f");
    ItemTooltip("Exponential moving average of each line (0 = raw); the raw series stays faint behind it.");
    ImGui::SameLine();
    ImGui::Checkbox("log y", &m_log_y);
    ItemTooltip("Logarithmic y axis for every plot (values <= 0 are not drawn).");
    ImGui::SameLine();
    ImGui::TextDisabled("drag: pan  wheel: zoom  double-click: fit  right-click: menu");
}

void PlotsView::BetterTooltip(std::span<const Line> lines) const
{
    std::string text;
    for (const eval::Better better : {eval::Better::Higher, eval::Better::Lower})
    {
        const char* separator = better == eval::Better::Higher ? "Higher is better: " : "Lower is better: ";
        for (const Line& line : lines)
        {
            if (line.metric->better == better)
            {
                text += separator;
                text += eval::MetricLabel(*line.metric, m_critic);
                separator = ", ";
            }
        }
        text += text.empty() || text.back() == '\n' ? "" : "\n";
    }
    if (!text.empty())
    {
        text.pop_back();
        ImGui::SetTooltip("%s", text.c_str());
    }
}

void PlotsView::DrawLines(const LabContext& ctx, const eval::PlotInfo& plot, std::span<const Line> lines,
                          float height)
{
    const char* title = eval::PlotTitle(plot, m_critic);
    const bool log_y = m_log_y && plot.log_y;
    // The log toggle changes the plot's id so the initial-state flag applies afresh.
    char id[96];
    std::snprintf(id, sizeof(id), "%s##%s", title, log_y ? "log" : "lin");
    ImGui::TextUnformatted(title);
    if (ImGui::IsItemHovered())
    {
        BetterTooltip(lines);
    }
    // Drawn into a picture and shown from it until its data (at most every kLiveRefresh), its view, the smoothing or
    // the hyperparameter events change; the hover is drawn live over it.
    const ImVec2 min = ImGui::GetCursorScreenPos();
    const ImVec2 max(min.x + ImGui::GetContentRegionAvail().x, min.y + height);
    std::unique_ptr<CachedRegion>& region = m_live_regions[id];
    region = region ? std::move(region) : std::make_unique<CachedRegion>();
    std::uint64_t smoothing_bits = 0;
    std::memcpy(&smoothing_bits, &m_smoothing, sizeof m_smoothing);
    // A plot takes new points in two frames: the first only fits its limits to them (the widget's limits follow a
    // frame behind what it draws), the next draws its picture with them, once.
    const bool known = m_live_serials.count(id) > 0;
    std::uint64_t& serial = m_live_serials[id]; // the points its picture shows
    std::uint64_t& fitted = m_fit_serials[id];  // the points its limits are fitted to
    if (!known)
    {
        serial = fitted = m_data_serial; // a new plot shows the points at once
    }
    else if (fitted != serial)
    {
        serial = fitted;
    }
    else if (serial < m_data_serial && serial <= m_oldest_serial && !m_refresh_taken)
    {
        fitted = m_data_serial; // this plot's turn
        m_refresh_taken = true;
    }
    m_oldest_next = std::min(m_oldest_next, serial);
    const std::uint64_t events = ctx.snapshot->events ? ctx.snapshot->events->size() : 0;
    const std::uint64_t key = MixKey(MixKey(MixKey(serial, m_live_view_keys[id]), smoothing_bits), events);
    if (BeginPicture(*region, min, max, key, fitted != serial))
    {
        serial = fitted; // drawn now (moved, resized, or a view change): with what there is
    }
    if (!BeginPlot(id, ImVec2(-1, height)))
    {
        region->End();
        return;
    }
    {
        SetupAxes("step", eval::PlotYLabel(plot, m_critic), log_y ? PlotFlags_LogY : PlotFlags_None);
        for (const Line& line : lines)
        {
            PlotLineStyle style;
            style.color = ToImU32(line.metric->color);
            style.smoothing = line.metric->evaluation ? 0.0 : m_smoothing; // sparse evaluations are drawn as they are
            style.thickness = line.metric->evaluation ? 2.0f : 1.5f;
            PlotLine(eval::MetricLabel(*line.metric, m_critic), line.points->xs.data(), line.points->ys.data(),
                     static_cast<int>(line.points->xs.size()), style);
        }
        if (ctx.snapshot->events)
        {
            for (const train::HyperEvent& e : *ctx.snapshot->events)
            {
                char label[128];
                std::snprintf(label, sizeof(label), "%s %.4g -> %.4g", e.name.c_str(), e.old_value, e.new_value);
                PlotMarkerX(static_cast<double>(e.step), label);
            }
        }
        EndPlot();
        m_live_view_keys[id] = LastPlotViewKey();
    }
    region->End();
    DrawLastPlotHover(); // over the picture
}

bool PlotsView::BeginPicture(CachedRegion& region, ImVec2 min, ImVec2 max, std::uint64_t key, bool fit_only)
{
    ImDrawList* const list = region.Begin(min, max, key);
    if (list == nullptr)
    {
        fit_only ? SetNextPlotFitOnly() : SetNextPlotSkipDraw();
        return false;
    }
    ImVec4 bg = ClearColor();
    bg.w = 1.0f;
    list->AddRectFilled(min, max, ImGui::ColorConvertFloat4ToU32(bg));
    SetNextPlotDrawList(list);
    return true;
}

void PlotsView::UpdateDimensions(const LabContext& ctx, const eval::MetricInfo& metric)
{
    const train::MetricBlock* rows = ctx.new_rows;
    if (!rows || rows->Rows() == 0)
    {
        // Rows drained while the view was not drawn are not seen here: start from the history's last values.
        if (m_dims.empty() && ctx.history)
        {
            for (std::size_t i = 0; i < ctx.history->Size(); ++i)
            {
                if (const int j = DimensionOf(metric, ctx.history->Name(i)); j >= 0)
                {
                    m_dims.resize(std::max(m_dims.size(), static_cast<std::size_t>(j) + 1), std::nan(""));
                    m_dims[static_cast<std::size_t>(j)] = ctx.history->Series(i).Last();
                }
            }
        }
        return;
    }
    if (m_dim_index.size() != rows->names.size())
    {
        m_dim_index.resize(rows->names.size());
        for (std::size_t i = 0; i < rows->names.size(); ++i)
        {
            m_dim_index[i] = DimensionOf(metric, rows->names[i]);
        }
    }
    for (std::size_t i = 0; i < m_dim_index.size(); ++i)
    {
        const int j = m_dim_index[i];
        if (j < 0)
        {
            continue;
        }
        if (static_cast<int>(m_dims.size()) <= j)
        {
            m_dims.resize(static_cast<std::size_t>(j) + 1, std::nan(""));
        }
        double& avg = m_dims[static_cast<std::size_t>(j)];
        for (double v : rows->columns[i])
        {
            if (std::isfinite(v))
            {
                avg = std::isnan(avg) ? v : avg + kDimensionEma * (v - avg);
            }
        }
    }
}

void PlotsView::DrawActiveUnits(const eval::PlotInfo& plot, const eval::MetricInfo& metric, float height)
{
    if (m_dims.empty())
    {
        return;
    }
    int active = 0;
    double top = 0.05;
    for (double v : m_dims)
    {
        active += v > kActiveUnitNats ? 1 : 0;
        top = std::max(top, std::isfinite(v) ? v : 0.0);
    }
    ImGui::Text("%s: %d of %zu active (KL > %.2g nats)", plot.title, active, m_dims.size(), kActiveUnitNats);
    ItemTooltip("Each bar is one latent dimension's KL to the prior (recent average); a collapsed dimension sits at 0 "
                "and carries no information.");
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = std::max(100.0f, ImGui::GetContentRegionAvail().x);
    ImGui::InvisibleButton("##kl_bars", ImVec2(width, height));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float label_h = ImGui::GetTextLineHeight();
    const float bar_area = height - label_h - 4;
    draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + height), IM_COL32(22, 24, 30, 255), 3.0f);
    const float slot = width / static_cast<float>(m_dims.size());
    const float base_y = origin.y + bar_area;
    // The active-unit threshold as a faint line.
    const float thr_y = base_y - static_cast<float>(kActiveUnitNats / top) * (bar_area - 6);
    draw->AddLine(ImVec2(origin.x, thr_y), ImVec2(origin.x + width, thr_y), IM_COL32(255, 255, 255, 50));
    int hovered = -1;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (std::size_t j = 0; j < m_dims.size(); ++j)
    {
        const double v = std::isfinite(m_dims[j]) ? m_dims[j] : 0.0;
        const float x0 = origin.x + slot * static_cast<float>(j) + slot * 0.15f;
        const float x1 = origin.x + slot * static_cast<float>(j + 1) - slot * 0.15f;
        const float y0 = base_y - static_cast<float>(v / top) * (bar_area - 6);
        const bool is_active = v > kActiveUnitNats;
        const ImU32 color = is_active ? ToImU32(metric.color) : IM_COL32(90, 90, 100, 255);
        draw->AddRectFilled(ImVec2(x0, std::min(y0, base_y - 1)), ImVec2(x1, base_y), color, 2.0f);
        if (slot >= ImGui::CalcTextSize("00").x)
        {
            char label[24];
            std::snprintf(label, sizeof(label), "%zu", j);
            const float tw = ImGui::CalcTextSize(label).x;
            draw->AddText(ImVec2(0.5f * (x0 + x1) - 0.5f * tw, base_y + 2), IM_COL32(170, 170, 180, 255), label);
        }
        if (ImGui::IsItemHovered() && mouse.x >= origin.x + slot * j && mouse.x < origin.x + slot * (j + 1))
        {
            hovered = static_cast<int>(j);
        }
    }
    if (hovered >= 0)
    {
        ImGui::SetTooltip("z%d: KL = %.4f nats%s", hovered, m_dims[static_cast<std::size_t>(hovered)],
                          m_dims[static_cast<std::size_t>(hovered)] > kActiveUnitNats ? "" : " (inactive)");
    }
}

void PlotsView::DrawCell(const LabContext& ctx, const Cell& cell, float height)
{
    const std::span<const Line> lines(m_lines.data() + cell.first_line, cell.line_count);
    if (cell.plot->kind == eval::PlotKind::ActiveUnits)
    {
        DrawActiveUnits(*cell.plot, *ActiveUnitsMetric(), height);
    }
    else if (lines.empty())
    {
        ImGui::TextDisabled("%s: after the first evaluation (every %d steps).", cell.plot->pending,
                            ctx.snapshot->config ? ctx.snapshot->config->eval_every : 0);
    }
    else
    {
        DrawLines(ctx, *cell.plot, lines, height);
    }
}

void PlotsView::Draw(LabContext& ctx)
{
    if (ctx.history_generation != m_generation)
    {
        m_generation = ctx.history_generation;
        m_cache.clear();
        m_dims.clear();
        m_dim_index.clear();
        m_data_dirty = true;
    }
    // New points (also ones that arrived while the view was hidden) make the live plots' data stale; they take it at
    // most every kLiveRefresh.
    std::int64_t total = 0;
    for (std::size_t i = 0; ctx.history && i < ctx.history->Size(); ++i)
    {
        total += ctx.history->Series(i).TotalAppended();
    }
    m_data_dirty = m_data_dirty || total != m_history_total;
    m_history_total = total;
    if (const auto now = std::chrono::steady_clock::now(); m_data_dirty && now - m_last_refresh >= kLiveRefresh)
    {
        ++m_data_serial;
        m_data_dirty = false;
        m_last_refresh = now;
    }
    UpdateDimensions(ctx, *ActiveUnitsMetric());
    if (ctx.runs != nullptr && !ctx.runs->selected.empty())
    {
        DrawToolbar();
        DrawComparison(ctx);
        return;
    }
    DrawFormula(ctx);
    DrawToolbar();
    const train::Snapshot& snap = *ctx.snapshot;
    if (!ctx.history || ctx.history->Size() == 0)
    {
        ImGui::Spacing();
        ImGui::TextDisabled("No metrics yet: press Start (Space) or Step (S) in the controls.");
        return;
    }
    m_critic = Has(ctx, eval::kCriticSeries);
    m_oldest_serial = m_oldest_next;
    m_oldest_next = m_data_serial;
    m_refresh_taken = false;
    PlanCells(ctx, ShowsToyData(snap) && snap.config && snap.config->eval_every > 0);

    ImGui::BeginChild("##plots_scroll", ImVec2(0, 0), false);
    const float avail_h = ImGui::GetContentRegionAvail().y;
    const float avail_w = ImGui::GetContentRegionAvail().x;
    const int columns = avail_w > 900 ? 2 : 1;
    const int rows = (static_cast<int>(m_cells.size()) + columns - 1) / columns;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float title_h = ImGui::GetTextLineHeightWithSpacing() + 2 * style.ItemSpacing.y + 2 * style.CellPadding.y;
    const float height = std::max(110.0f, (avail_h - rows * title_h) / static_cast<float>(std::max(rows, 1)) - 4);
    if (ImGui::BeginTable("##plot_grid", columns, ImGuiTableFlags_SizingStretchSame))
    {
        for (const Cell& cell : m_cells)
        {
            ImGui::TableNextColumn();
            DrawCell(ctx, cell, height);
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    // Also the frame after a plot fitted its limits to new points: it draws its picture with them then.
    if (m_data_dirty || m_oldest_next < m_data_serial || m_refresh_taken)
    {
        m_settling_frame = ImGui::GetFrameCount();
    }
}

bool PlotsView::Settling() const
{
    return m_settling_frame == ImGui::GetFrameCount();
}

} // namespace ll::ui
