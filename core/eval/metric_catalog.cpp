// The metric and plot tables (see metric_catalog.h).
#include "core/eval/metric_catalog.h"

#include <stdexcept>
#include <string>

namespace ll::eval
{

namespace
{

// The players' colours, shared by every plot: D (and the encoder's side) blue, G orange.
constexpr Rgba kD{66, 146, 235, 255};
constexpr Rgba kG{255, 140, 40, 255};
constexpr Rgba kLoss{230, 230, 235, 255}; // a model's total loss
constexpr Rgba kRecon{80, 200, 120, 255};
constexpr Rgba kKl{180, 120, 240, 255};  // KL terms and divergences
constexpr Rgba kEval{240, 80, 80, 255};  // test-set and evaluation estimates
constexpr Rgba kCyan{31, 190, 207, 255}; // penalties and settings
constexpr Rgba kGold{240, 200, 60, 255}; // the IWAE bound beside the ELBO
constexpr Rgba kOlive{188, 189, 34, 255};
constexpr Rgba kGreen{160, 220, 120, 255};

using enum Better;
using enum PlotId;

// name, label, critic label, colour, plot, evaluation, per dimension, better
constexpr MetricInfo kMetrics[] = {
    // GAN, one per step
    {"d_loss", "D loss", "", kD, Losses, false, false, Neither},
    {"g_loss", "G loss", "", kG, Losses, false, false, Neither},
    {"d_real", "D(x)", "critic(x)", kD, Scores, false, false, Neither},
    {"d_fake", "D(G(z))", "critic(G(z))", kG, Scores, false, false, Neither},
    {"w_estimate", "W estimate", "", kEval, Scores, false, false, Lower},
    {"d_grad_norm", "|grad D|", "", kD, GradNorms, false, false, Neither},
    {"g_grad_norm", "|grad G|", "", kG, GradNorms, false, false, Neither},
    {"gp", "gp: (|grad D(x_hat)| - 1)^2", "", kCyan, Penalty, false, false, Lower},
    {"r1_penalty", "R1: |grad D(x)|^2", "", kOlive, Penalty, false, false, Lower},
    // InfoGAN (models/info_codes.h), one per step, on the D step's samples
    {"info_loss", "Q: lambda L_I", "", kGreen, Losses, false, false, Lower},
    {"info_mi", "I(c; G(z, c)) >= log K - CE", "", kGreen, MutualInfo, false, false, Higher},
    {"info_mi_max", "its maximum, log K", "", kOlive, MutualInfo, false, false, Neither},
    {"info_accuracy", "Q reads the categorical code", "", kGreen, None, false, false, Higher},
    {"info_nll", "continuous codes' NLL", "", kCyan, None, false, false, Lower},
    // VAE, one per step
    {"loss", "loss = -ELBO", "", kLoss, VaeLoss, false, false, Lower},
    {"recon", "recon", "", kRecon, Recon, false, false, Lower},
    {"kl", "KL", "", kKl, Kl, false, false, Neither},
    {"elbo", "ELBO", "", kGreen, None, false, false, Higher},
    {"beta", "beta", "", kCyan, None, false, false, Neither},
    {"grad_norm", "|grad|", "", kLoss, None, false, false, Neither},
    {"kl_dim_", "KL of z", "", kKl, KlDims, false, true, Neither},
    // Evaluation: VAE bounds on test data
    {"test_elbo", "test ELBO", "", kEval, TestBound, true, false, Higher},
    {"test_iwae", "test IWAE", "", kGold, TestBound, true, false, Higher},
    // Evaluation: samples against 2-D data
    {"modes_covered", "modes covered", "", kD, Modes, true, false, Higher},
    {"high_quality", "high quality", "", kG, Modes, true, false, Higher},
    {"modes_total", "modes in the data", "", kOlive, None, true, false, Neither},
    {"reverse_kl", "reverse KL of modes (nats)", "", kGold, GridDivergence, true, false, Lower},
    {"grid_kl", "grid KL", "", kKl, GridDivergence, true, false, Lower},
    {"grid_js", "grid JS", "", kEval, GridDivergence, true, false, Lower},
    {"mmd", "MMD^2", "", kCyan, None, true, false, Lower},
    // Evaluation: the image judge (eval/judge_eval.h), in its penultimate features
    {"judge_fd", "Frechet distance", "", kEval, JudgeDistance, true, false, Lower},
    {"judge_fd_floor", "floor (real train vs test)", "", kOlive, JudgeDistance, true, false, Neither},
    {"judge_precision", "precision (k = 3)", "", kG, JudgeQuality, true, false, Higher},
    {"judge_recall", "recall (k = 3)", "", kD, JudgeQuality, true, false, Higher},
    {"judge_accuracy", "judge accuracy on labels", "", kGreen, JudgeQuality, true, false, Higher},
    {"judge_confidence", "judge confidence", "", kGold, JudgeQuality, true, false, Neither},
    {"judge_classes", "classes covered (>= 2%)", "", kD, JudgeClasses, true, false, Higher},
    {"judge_class_kl", "class KL to uniform (bits)", "", kKl, JudgeClasses, true, false, Lower},
    {"judge_samples", "judge samples", "", kCyan, None, true, false, Neither},
    {"judge_seconds", "judge time (s)", "", kCyan, None, true, false, Lower},
    {"judge_cas", "CAS (trained on samples)", "", kG, None, true, false, Higher},
    {"judge_cas_real", "CAS baseline (trained on real)", "", kD, None, true, false, Neither},
    // Evaluation: an InfoGAN's first categorical code against the samples' modes (2-D) or the judge's classes
    {"code_purity", "code -> mode purity", "", kD, CodeAgreement, true, false, Higher},
    {"code_match", "code / mode best matching", "", kG, CodeAgreement, true, false, Higher},
    {"judge_code_purity", "code -> judged class purity", "", kD, CodeAgreement, true, false, Higher},
    {"judge_code_match", "code / judged class best matching", "", kG, CodeAgreement, true, false, Higher},
};

using enum PlotKind;

// id, kind, title, y label, critic title, critic y label, log y, pending
constexpr PlotInfo kPlots[] = {
    {Losses, Lines, "D and G loss", "loss", "", "", true, ""},
    {Scores, Lines, "D(x) and D(G(z))", "probability", "Critic scores and Wasserstein estimate", "score", false, ""},
    {GradNorms, Lines, "Gradient norms", "norm", "", "", true, ""},
    {Penalty, Lines, "Gradient penalty", "penalty", "", "", true, ""},
    {MutualInfo, Lines, "Mutual information bound (InfoGAN)", "nats", "", "", false, ""},
    {VaeLoss, Lines, "Loss (negative ELBO)", "nats", "", "", true, ""},
    {Recon, Lines, "Reconstruction", "nats", "", "", true, ""},
    {Kl, Lines, "KL to the prior", "nats", "", "", true, ""},
    {TestBound, Lines, "Test ELBO (evaluation)", "nats", "", "", false, ""},
    {Modes, Lines, "Mode coverage (evaluation)", "modes", "", "", false, "Mode coverage"},
    {GridDivergence, Lines, "Divergences (evaluation)", "bits; modes' reverse KL: nats", "", "", true, "Grid KL"},
    {JudgeDistance, Lines, "Frechet distance in the judge's features (evaluation)", "distance", "", "", true, ""},
    {JudgeQuality, Lines, "Precision, recall, judge accuracy (evaluation)", "share", "", "", false, ""},
    {JudgeClasses, Lines, "Classes covered and class KL (evaluation)", "classes / bits", "", "", false, ""},
    {CodeAgreement, Lines, "Code agreement with modes / classes (evaluation)", "share", "", "", false, ""},
    {KlDims, ActiveUnits, "KL per latent dimension", "nats", "", "", false, ""},
};

// A per-dimension row matches its prefix followed by the dimension's number.
bool Matches(const MetricInfo& m, std::string_view series)
{
    const std::string_view name = m.name;
    if (!m.per_dimension)
    {
        return series == name;
    }
    return series.size() > name.size() && series.starts_with(name) && series[name.size()] >= '0' &&
           series[name.size()] <= '9';
}

// The critic's wording in a critic's run where there is one.
const char* Wording(const char* plain, const char* critic_wording, bool critic)
{
    return critic && critic_wording[0] != '\0' ? critic_wording : plain;
}

} // namespace

std::span<const MetricInfo> Metrics() { return kMetrics; }

std::span<const PlotInfo> Plots() { return kPlots; }

const MetricInfo* FindMetric(std::string_view series)
{
    for (const MetricInfo& m : kMetrics)
    {
        if (Matches(m, series))
        {
            return &m;
        }
    }
    return nullptr;
}

const char* MetricLabel(const MetricInfo& metric, bool critic)
{
    return Wording(metric.label, metric.critic_label, critic);
}

const char* PlotTitle(const PlotInfo& plot, bool critic) { return Wording(plot.title, plot.critic_title, critic); }

const char* PlotYLabel(const PlotInfo& plot, bool critic) { return Wording(plot.y_label, plot.critic_y_label, critic); }

const PlotInfo& FindPlot(PlotId id)
{
    for (const PlotInfo& p : kPlots)
    {
        if (p.id == id)
        {
            return p;
        }
    }
    throw std::invalid_argument("no plot with id " + std::to_string(static_cast<int>(id)));
}

} // namespace ll::eval
