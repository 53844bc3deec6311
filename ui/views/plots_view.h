// The Plots view: the objective in force as a large formula, then a grid of plots. The plots come from the metric
// catalog (core/eval/metric_catalog.h): each catalog plot one of whose series this run has logged, in the catalog's
// order, with the catalog's titles, labels and colours (GAN: D and G loss, D(x) / D(G(z)) or critic scores, gradient
// norms, penalties, mode coverage and grid KL on 2-D data; VAE: negative ELBO, reconstruction, KL, test bounds, KL
// per latent dimension with the count of active units). Reads LabContext only. Main (ImGui) thread only.
#pragma once

#include "core/eval/metric_catalog.h"
#include "core/io/run_curves.h"
#include "core/io/run_folder.h"
#include "ui/gl/cached_region.h"
#include "ui/views/lab_view.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ll::ui
{

struct RunListing;

class PlotsView final : public LabView
{
public:
    void Draw(LabContext& ctx) override;
    bool Settling() const override; // a plot still shows older points than the history has

private:
    struct Cached
    {
        std::int64_t total = -1;
        std::uint64_t serial = ~std::uint64_t{0}; // m_data_serial when collected
        std::vector<double> xs, ys;
    };
    // One line of a plot: a catalog metric this run has logged.
    struct Line
    {
        const eval::MetricInfo* metric;
        const Cached* points;
    };
    // One cell of the grid: a catalog plot with the lines that exist, or its place held until the first evaluation.
    struct Cell
    {
        const eval::PlotInfo* plot;
        std::size_t first_line, line_count; // in m_lines
    };

    // The plotted points of a series (steps, means of buckets for old points); nullptr when it does not exist.
    const Cached* Series(const LabContext& ctx, const std::string& name);
    // The cells of this frame, from the catalog and the series the history holds.
    void PlanCells(const LabContext& ctx, bool toy);
    void DrawFormula(const LabContext& ctx);
    void DrawToolbar();
    void DrawCell(const LabContext& ctx, const Cell& cell, float height);
    void DrawLines(const LabContext& ctx, const eval::PlotInfo& plot, std::span<const Line> lines, float height);
    // On a plot's title: which of its lines are better higher, which lower.
    void BetterTooltip(std::span<const Line> lines) const;
    // The per-dimension averages of a per-dimension metric, from the rows drained this frame.
    void UpdateDimensions(const LabContext& ctx, const eval::MetricInfo& metric);
    void DrawActiveUnits(const eval::PlotInfo& plot, const eval::MetricInfo& metric, float height);
    // Comparing runs (the Runs view's selection): one plot per catalog metric the selected runs logged, a colour per
    // run (or per seed group: its mean over a min-max band), from each run's fixed-size curves (run_curves.h).
    // Returns false when nothing is selected (the live run is drawn instead).
    bool DrawComparison(LabContext& ctx);
    // Starts a plot shown from a picture (the live plots and the comparison's): when the picture must be drawn, fills
    // the region's background into it and makes the next plot draw there; otherwise the next plot only lays out,
    // takes input and hovers (or, fit_only, also fits its limits: SetNextPlotFitOnly). Returns true when drawing.
    static bool BeginPicture(CachedRegion& region, ImVec2 min, ImVec2 max, std::uint64_t key, bool fit_only = false);

    std::uint64_t m_generation = ~std::uint64_t{0};
    std::unordered_map<std::string, Cached> m_cache;
    float m_smoothing = 0.6f;
    bool m_log_y = false;
    bool m_critic = false; // this run's D is a critic (it logs eval::kCriticSeries)
    std::vector<Cell> m_cells;
    std::vector<Line> m_lines;
    std::vector<double> m_dims;   // EMA of each per-dimension series (kl_dim_<j>) over the drained rows
    std::vector<int> m_dim_index; // dimension of each MetricBlock column (-1: another series)

    // The comparison's plots, made once per listing, selection, grouping and x axis: per metric some selected run
    // logged (catalog order), its lines (a run's bucket means, or a seed group's mean over its band), so a frame that
    // shows them from their pictures does no work per run or series beyond the widget's layout.
    struct CompareLine
    {
        std::string label; // the run's name, or "<first run>: mean of N seeds##<group>"
        ImU32 color = 0;
        std::vector<double> xs, ys; // the run's points or the group's mean
        io::CurveBand band;         // a group's (empty for a single run)
    };
    struct ComparePlot
    {
        const eval::MetricInfo* metric = nullptr;
        std::vector<CompareLine> lines;
    };
    void MakeComparePlots(const std::vector<const io::RunEntry*>& runs,
                          const std::vector<std::vector<std::size_t>>& groups, bool by_wall);
    std::vector<ComparePlot> m_compare_plots;
    std::string m_compare_key; // listing version, grouping and selection the runs and groups below were made for
    std::shared_ptr<const RunListing> m_compare_listing; // keeps the entries below alive
    std::vector<const io::RunEntry*> m_compare_runs;
    std::vector<std::vector<std::size_t>> m_compare_groups; // indices into m_compare_runs
    std::map<std::string, std::unique_ptr<CachedRegion>> m_regions; // each comparison plot's picture, by plot id
    std::map<std::string, std::uint64_t> m_view_keys;               // each one's LastPlotViewKey

    // The live plots are pictures too (m_live_regions): while a run trains, rows arrive every frame, and drawing
    // thousands of points of every series each frame cost the window more than the frame bar allows on a software
    // rasteriser (gan-ring8 at 1920x1080: p95 frame interval 1.7-1.9x idle). The series are collected again, and the
    // pictures drawn again, at most every kLiveRefresh: m_data_serial counts those refreshes.
    std::uint64_t m_data_serial = 0;
    bool m_data_dirty = false;
    std::int64_t m_history_total = -1; // points appended to every series, as last seen
    std::chrono::steady_clock::time_point m_last_refresh{};
    std::map<std::string, std::unique_ptr<CachedRegion>> m_live_regions;
    std::map<std::string, std::uint64_t> m_live_view_keys;
    // The data serial each live plot's picture shows. A refresh is spread over frames: each frame at most one plot
    // takes the new data, the one showing the oldest (m_oldest_serial, from the frame before), so no frame redraws
    // every plot at once (at 1920x1080 that alone took longer than a frame).
    std::map<std::string, std::uint64_t> m_live_serials;
    std::map<std::string, std::uint64_t> m_fit_serials; // ahead of m_live_serials for the frame that fits limits
    std::uint64_t m_oldest_serial = 0;
    std::uint64_t m_oldest_next = 0;
    bool m_refresh_taken = false;
    int m_settling_frame = -1; // the ImGui frame that found plots still to refresh
};

} // namespace ll::ui
