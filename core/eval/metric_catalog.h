// Every metric the lab logs, declared once: the series name a model or an evaluation writes (or the prefix of a
// per-dimension family such as "kl_dim_<j>"), the label a person reads, its colour, the plot it belongs to, whether
// the periodic evaluation logs it, and which way is better; and the plots, in the order the window shows them.
// Plain data without UI types (texts are never null, "" for none): the window's theme and Plots view read it, and so
// can headless output, a Runs view or an image judge. A new metric is one row here (tests/eval/test_metric_catalog.cpp
// checks that every series the models and evaluations log has one).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ll::eval
{

struct Rgba
{
    std::uint8_t r, g, b, a;
};

// Which way a metric improves, for comparing runs. Neither for the players' losses and scores, which hover while
// a game is healthy, and for settings and norms.
enum class Better : std::uint8_t
{
    Neither,
    Higher,
    Lower,
};

// The plots of the Plots view, in the order they are shown (a plot appears when one of its series exists).
enum class PlotId : std::uint8_t
{
    None, // logged, but not plotted (beta, the ELBO beside the loss, ...)
    Losses,
    Scores,
    GradNorms,
    Penalty,
    MutualInfo,
    VaeLoss,
    Recon,
    Kl,
    TestBound,
    Modes,
    GridDivergence,
    JudgeDistance,
    JudgeQuality,
    JudgeClasses,
    CodeAgreement,
    KlDims,
};

struct MetricInfo
{
    const char* name;         // the series name; with per_dimension, its prefix ("kl_dim_" for "kl_dim_3")
    const char* label;        // legend and report label
    const char* critic_label; // the label in a run whose D is a critic (WGAN); "": label
    Rgba color;
    PlotId plot;
    bool evaluation;    // logged by the periodic evaluation: sparse, drawn as it is rather than smoothed
    bool per_dimension; // one series per latent dimension, named prefix + index
    Better better;
};

enum class PlotKind : std::uint8_t
{
    Lines,       // a line per series, over steps
    ActiveUnits, // a per-dimension KL as bars, a recent average each, with the count of active dimensions
};

struct PlotInfo
{
    PlotId id;
    PlotKind kind;
    const char* title;
    const char* y_label;
    const char* critic_title;   // in a critic's run, when it differs ("": title)
    const char* critic_y_label; // in a critic's run, when it differs ("": y_label)
    bool log_y;                 // the view's "log y" applies (not to probabilities, scores below 0, or counts)
    const char* pending; // on 2-D data, "<pending>: after the first evaluation" holds its place ("" = nothing)
};

// The series a run logs only when D is a critic (the Wasserstein objectives): it selects the critic's wording.
inline constexpr std::string_view kCriticSeries = "w_estimate";

// Every metric, in the order their lines appear within a plot.
std::span<const MetricInfo> Metrics();
// Every plot but PlotId::None, in display order.
std::span<const PlotInfo> Plots();
// The row of a series: by its exact name, or a per-dimension row whose prefix the name starts with (followed by a
// digit). nullptr for a name the catalog does not know.
const MetricInfo* FindMetric(std::string_view series);
// The wording in force: the critic's in a critic's run where the row has one, else the plain one.
const char* MetricLabel(const MetricInfo& metric, bool critic);
const char* PlotTitle(const PlotInfo& plot, bool critic);
const char* PlotYLabel(const PlotInfo& plot, bool critic);
// The row of a plot; throws std::invalid_argument for PlotId::None.
const PlotInfo& FindPlot(PlotId id);

} // namespace ll::eval
