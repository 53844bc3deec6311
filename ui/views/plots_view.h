// The Plots view: the objective in force as a large formula, then the default plots of the model family (GAN: D and
// G loss, D(x) / D(G(z)) or critic scores, gradient norms, gp, mode coverage and grid KL on 2-D data; VAE: negative
// ELBO, reconstruction, KL, per-dimension KL bars with the active-unit count, test ELBO). Reads LabContext only.
// Main (ImGui) thread only.
#pragma once

#include "ui/lab_context.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ll::ui
{

class PlotsView
{
public:
    // Draws the contents of the current window.
    void Draw(LabContext& ctx);

    // A line plot of named series (those that exist), with the hyperparameter markers; public for other panels.
    struct Line
    {
        const char* series;
        const char* label;
        bool smooth = true; // false for sparse evaluation series
    };

private:
    struct Cached
    {
        std::int64_t total = -1;
        std::vector<double> xs, ys;
    };
    // The plotted points of a series (steps, means of buckets for old points); nullptr when it does not exist.
    const Cached* Series(const LabContext& ctx, const std::string& name);
    void DrawFormula(const LabContext& ctx);
    void DrawToolbar();
    // Returns true when at least one series existed (a plot was drawn).
    bool DrawPlot(LabContext& ctx, const char* title, const char* y_label, const std::vector<Line>& lines,
                  float height, bool allow_log = true);
    void UpdateKlDims(const LabContext& ctx);
    void DrawKlBars(float height);

    std::uint64_t m_generation = ~std::uint64_t{0};
    std::unordered_map<std::string, Cached> m_cache;
    float m_smoothing = 0.6f;
    bool m_log_y = false;
    std::vector<double> m_kl_dims; // EMA of each kl_dim_<j> over the drained rows
    std::vector<int> m_kl_columns; // column of kl_dim_<j> in the MetricBlock (-1 unknown)
};

} // namespace ll::ui
