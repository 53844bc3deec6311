// The Plots view (see plots_view.h).
#include "ui/views/plots_view.h"

#include "ui/widgets/plot.h"
#include "ui/widgets/theme.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ll::ui
{

namespace
{

constexpr double kActiveUnitNats = 0.01; // a latent dimension with KL above this carries information
constexpr double kKlEma = 0.05;          // weight of a new row in the per-dimension KL average

bool Has(const LabContext& ctx, const char* name) { return ctx.history && ctx.history->Find(name) >= 0; }

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
    if (cached.total != series.TotalAppended())
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
    }
    return &cached;
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

bool PlotsView::DrawPlot(LabContext& ctx, const char* title, const char* y_label, const std::vector<Line>& lines,
                          float height, bool allow_log)
{
    std::vector<std::pair<const Line*, const Cached*>> present;
    for (const Line& line : lines)
    {
        if (const Cached* c = Series(ctx, line.series))
        {
            if (!c->xs.empty())
            {
                present.emplace_back(&line, c);
            }
        }
    }
    if (present.empty())
    {
        return false;
    }
    const bool log_y = m_log_y && allow_log;
    // The log toggle changes the plot's id so the initial-state flag applies afresh.
    char id[96];
    std::snprintf(id, sizeof(id), "%s##%s", title, log_y ? "log" : "lin");
    ImGui::TextUnformatted(title);
    if (BeginPlot(id, ImVec2(-1, height)))
    {
        SetupAxes("step", y_label, log_y ? PlotFlags_LogY : PlotFlags_None);
        for (const auto& [line, cached] : present)
        {
            PlotLineStyle style;
            style.color = SeriesColor(line->series);
            style.smoothing = line->smooth ? m_smoothing : 0.0;
            style.thickness = line->smooth ? 1.5f : 2.0f;
            PlotLine(line->label, cached->xs.data(), cached->ys.data(), static_cast<int>(cached->xs.size()), style);
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
    }
    return true;
}

void PlotsView::UpdateKlDims(const LabContext& ctx)
{
    const train::MetricBlock* rows = ctx.new_rows;
    if (!rows || rows->Rows() == 0)
    {
        return;
    }
    if (m_kl_columns.size() != rows->names.size())
    {
        m_kl_columns.assign(rows->names.size(), -1);
        for (std::size_t i = 0; i < rows->names.size(); ++i)
        {
            const std::string& n = rows->names[i];
            if (n.rfind("kl_dim_", 0) == 0)
            {
                m_kl_columns[i] = std::atoi(n.c_str() + 7);
            }
        }
    }
    for (std::size_t i = 0; i < m_kl_columns.size(); ++i)
    {
        const int j = m_kl_columns[i];
        if (j < 0)
        {
            continue;
        }
        if (static_cast<int>(m_kl_dims.size()) <= j)
        {
            m_kl_dims.resize(static_cast<std::size_t>(j) + 1, std::nan(""));
        }
        double& avg = m_kl_dims[static_cast<std::size_t>(j)];
        for (double v : rows->columns[i])
        {
            if (std::isfinite(v))
            {
                avg = std::isnan(avg) ? v : avg + kKlEma * (v - avg);
            }
        }
    }
}

void PlotsView::DrawKlBars(float height)
{
    if (m_kl_dims.empty())
    {
        return;
    }
    int active = 0;
    double top = 0.05;
    for (double v : m_kl_dims)
    {
        active += v > kActiveUnitNats ? 1 : 0;
        top = std::max(top, std::isfinite(v) ? v : 0.0);
    }
    ImGui::Text("KL per latent dimension: %d of %zu active (KL > %.2g nats)", active, m_kl_dims.size(),
                kActiveUnitNats);
    ItemTooltip("Each bar is one latent dimension's KL to the prior (recent average); a collapsed dimension sits at 0 "
                "and carries no information.");
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = std::max(100.0f, ImGui::GetContentRegionAvail().x);
    ImGui::InvisibleButton("##kl_bars", ImVec2(width, height));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float label_h = ImGui::GetTextLineHeight();
    const float bar_area = height - label_h - 4;
    draw->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + height), IM_COL32(22, 24, 30, 255), 3.0f);
    const float slot = width / static_cast<float>(m_kl_dims.size());
    const float base_y = origin.y + bar_area;
    // The active-unit threshold as a faint line.
    const float thr_y = base_y - static_cast<float>(kActiveUnitNats / top) * (bar_area - 6);
    draw->AddLine(ImVec2(origin.x, thr_y), ImVec2(origin.x + width, thr_y), IM_COL32(255, 255, 255, 50));
    int hovered = -1;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (std::size_t j = 0; j < m_kl_dims.size(); ++j)
    {
        const double v = std::isfinite(m_kl_dims[j]) ? m_kl_dims[j] : 0.0;
        const float x0 = origin.x + slot * static_cast<float>(j) + slot * 0.15f;
        const float x1 = origin.x + slot * static_cast<float>(j + 1) - slot * 0.15f;
        const float y0 = base_y - static_cast<float>(v / top) * (bar_area - 6);
        const bool is_active = v > kActiveUnitNats;
        ImU32 color = is_active ? kColorKl : IM_COL32(90, 90, 100, 255);
        draw->AddRectFilled(ImVec2(x0, std::min(y0, base_y - 1)), ImVec2(x1, base_y), color, 2.0f);
        if (slot >= ImGui::CalcTextSize("00").x)
        {
            char label[8];
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
        ImGui::SetTooltip("z%d: KL = %.4f nats%s", hovered, m_kl_dims[static_cast<std::size_t>(hovered)],
                          m_kl_dims[static_cast<std::size_t>(hovered)] > kActiveUnitNats ? "" : " (inactive)");
    }
}

void PlotsView::Draw(LabContext& ctx)
{
    if (ctx.history_generation != m_generation)
    {
        m_generation = ctx.history_generation;
        m_cache.clear();
        m_kl_dims.clear();
        m_kl_columns.clear();
    }
    UpdateKlDims(ctx);
    DrawFormula(ctx);
    DrawToolbar();
    const train::Snapshot& snap = *ctx.snapshot;
    if (!ctx.history || ctx.history->Size() == 0)
    {
        ImGui::Spacing();
        ImGui::TextDisabled("No metrics yet: press Start (Space) or Step (S) in the controls.");
        return;
    }

    ImGui::BeginChild("##plots_scroll", ImVec2(0, 0), false);
    const float avail_h = ImGui::GetContentRegionAvail().y;
    const float avail_w = ImGui::GetContentRegionAvail().x;
    const int columns = avail_w > 900 ? 2 : 1;
    const bool gan = snap.family == models::Family::Gan;
    const bool toy = snap.view2d != nullptr || Has(ctx, "grid_kl");
    const bool penalty = Has(ctx, "gp") || Has(ctx, "r1_penalty"); // WGAN-GP's and R1's, unweighted
    int plots = gan ? 3 + (penalty ? 1 : 0) + (toy ? 2 : 0) : 3 + (Has(ctx, "test_elbo") ? 1 : 0) + 1;
    const int rows = (plots + columns - 1) / columns;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float title_h = ImGui::GetTextLineHeightWithSpacing() + 2 * style.ItemSpacing.y + 2 * style.CellPadding.y;
    const float height = std::max(110.0f, (avail_h - rows * title_h) / static_cast<float>(rows) - 4);

    if (ImGui::BeginTable("##plot_grid", columns, ImGuiTableFlags_SizingStretchSame))
    {
        auto cell = [&](auto&& draw_fn) {
            ImGui::TableNextColumn();
            draw_fn();
        };
        if (gan)
        {
            const bool wgan = Has(ctx, "w_estimate");
            cell([&] { DrawPlot(ctx, "D and G loss", "loss", {{"d_loss", "D loss"}, {"g_loss", "G loss"}}, height); });
            cell([&] {
                if (wgan)
                {
                    DrawPlot(ctx, "Critic scores and Wasserstein estimate", "score",
                             {{"d_real", "critic(x)"}, {"d_fake", "critic(G(z))"}, {"w_estimate", "W estimate"}},
                             height, false);
                }
                else
                {
                    DrawPlot(ctx, "D(x) and D(G(z))", "probability", {{"d_real", "D(x)"}, {"d_fake", "D(G(z))"}},
                             height, false);
                }
            });
            cell([&] {
                DrawPlot(ctx, "Gradient norms", "norm", {{"d_grad_norm", "|grad D|"}, {"g_grad_norm", "|grad G|"}},
                         height);
            });
            if (penalty)
            {
                cell([&] {
                    DrawPlot(ctx, "Gradient penalty", "penalty",
                             {{"gp", "gp: (|grad D(x_hat)| - 1)^2"}, {"r1_penalty", "R1: |grad D(x)|^2"}}, height);
                });
            }
            if (toy)
            {
                cell([&] {
                    if (!DrawPlot(ctx, "Mode coverage (evaluation)", "modes",
                                  {{"modes_covered", "modes covered", false}, {"high_quality", "high quality", false}},
                                  height, false))
                    {
                        ImGui::TextDisabled("Mode coverage: after the first evaluation (every %d steps).",
                                            snap.config ? snap.config->eval_every : 0);
                    }
                });
                cell([&] {
                    if (!DrawPlot(ctx, "Grid KL and JS (evaluation)", "nats",
                                  {{"grid_kl", "grid KL", false}, {"grid_js", "grid JS", false}}, height))
                    {
                        ImGui::TextDisabled("Grid KL: after the first evaluation.");
                    }
                });
            }
        }
        else
        {
            cell([&] { DrawPlot(ctx, "Loss (negative ELBO)", "nats", {{"loss", "loss = -ELBO"}}, height); });
            cell([&] { DrawPlot(ctx, "Reconstruction", "nats", {{"recon", "recon"}}, height); });
            cell([&] { DrawPlot(ctx, "KL to the prior", "nats", {{"kl", "KL"}}, height); });
            if (Has(ctx, "test_elbo"))
            {
                cell([&] {
                    DrawPlot(ctx, "Test ELBO (evaluation)", "nats",
                             {{"test_elbo", "test ELBO", false}, {"test_iwae", "test IWAE", false}}, height, false);
                });
            }
            cell([&] { DrawKlBars(height); });
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
}

} // namespace ll::ui
