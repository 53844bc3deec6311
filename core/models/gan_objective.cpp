// The GAN objectives in one place: the loss terms of D and G for each objective (DiscriminatorTerm,
// GeneratorTerm), their names, the formula shown beside the plots, and how D's scores are reported.
#include "core/models/gan.h"

#include "core/nn/losses.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace ll::models
{

namespace
{

std::string Num(double value)
{
    std::ostringstream s;
    s << value;
    return s.str();
}

} // namespace

const util::EnumNames<GanObjective>& NamesOf(GanObjective)
{
    static const util::EnumNames<GanObjective> names{
        {GanObjective::Minimax, "minimax"},         {GanObjective::NonSaturating, "non_saturating"},
        {GanObjective::LeastSquares, "least_squares"}, {GanObjective::WganClip, "wgan_clip"},
        {GanObjective::WganGp, "wgan_gp"},          {GanObjective::Hinge, "hinge"},
    };
    return names;
}

bool UsesBce(GanObjective objective)
{
    return objective == GanObjective::Minimax || objective == GanObjective::NonSaturating;
}

bool UsesCritic(GanObjective objective)
{
    return objective == GanObjective::WganClip || objective == GanObjective::WganGp || objective == GanObjective::Hinge;
}

float Gan::DiscriminatorTerm(const nn::MatrixF& scores, bool real, nn::MatrixF& grad) const
{
    switch (m_objective)
    {
    case GanObjective::Minimax:
    case GanObjective::NonSaturating: // D: BCE, real -> real_label (one-sided smoothing), fake -> 0
        return nn::BceWithLogits(scores, real ? m_real_label : 0.0f, grad);
    case GanObjective::LeastSquares: // D: (D(x) - real_label)^2 + D(G(z))^2
        return nn::MeanSquaredError(scores, real ? m_real_label : 0.0f, grad);
    case GanObjective::WganClip:
    case GanObjective::WganGp: // critic: mean D(fake) - mean D(real)
        return nn::WassersteinMean(scores, real ? -1.0f : 1.0f, grad);
    case GanObjective::Hinge: // D: relu(1 - D(x)) + relu(1 + D(G(z)))
        return nn::Hinge(scores, real ? 1.0f : -1.0f, grad);
    }
    throw std::logic_error("Gan: unhandled objective");
}

float Gan::GeneratorTerm(const nn::MatrixF& fake_scores, nn::MatrixF& grad) const
{
    switch (m_objective)
    {
    case GanObjective::Minimax: // min_G mean log(1 - D(G(z))): saturates when D rejects fakes
        return nn::LogOneMinusSigmoid(fake_scores, grad);
    case GanObjective::NonSaturating: // max_G mean log D(G(z)) = min_G BCE(D(G(z)), 1)
        return nn::BceWithLogits(fake_scores, 1.0f, grad);
    case GanObjective::LeastSquares: // min_G mean (D(G(z)) - 1)^2
        return nn::MeanSquaredError(fake_scores, 1.0f, grad);
    case GanObjective::WganClip:
    case GanObjective::WganGp:
    case GanObjective::Hinge: // min_G -mean D(G(z))
        return nn::WassersteinMean(fake_scores, -1.0f, grad);
    }
    throw std::logic_error("Gan: unhandled objective");
}

std::string Gan::Formula() const
{
    // R1 (any objective) adds to D's loss: shown after the game it penalises.
    const std::string r1 = m_r1_gamma > 0.0f ? "   D's loss + " + Num(0.5 * m_r1_gamma) +
                                                  " E[||grad_x D(x)||^2] on real x (R1)"
                                            : std::string();
    // Packing changes what D's x is: m samples at once, all real or all generated.
    const std::string m = std::to_string(m_pack);
    const std::string pack = m_pack > 1 ? "   packed: D judges " + m + " samples at once, x = (x_1, ..., x_" + m +
                                              "), all real or all G(z)"
                                        : std::string();
    const std::string cond =
        (m_num_classes > 0 ? "   (G and D also see the class y)" : "") + pack + r1 + InfoFormula(m_info);
    const std::string real_target = m_real_label == 1.0f ? "1" : Num(m_real_label);
    switch (m_objective)
    {
    case GanObjective::Minimax:
        return "min_G max_D E[log D(x)] + E[log(1 - D(G(z)))]" +
               (m_real_label == 1.0f ? std::string() : "   (D's real label " + real_target + ")") + cond;
    case GanObjective::NonSaturating:
        return "D: max_D E[log D(x)] + E[log(1 - D(G(z)))];   G: max_G E[log D(G(z))]" +
               (m_real_label == 1.0f ? std::string() : "   (D's real label " + real_target + ")") + cond;
    case GanObjective::LeastSquares:
        return "D: min_D E[(D(x) - " + real_target + ")^2] + E[D(G(z))^2];   G: min_G E[(D(G(z)) - 1)^2]" + cond;
    case GanObjective::WganClip:
        return "min_G max_{D: |w| <= " + Num(m_clip) + "} E[D(x)] - E[D(G(z))]" + cond;
    case GanObjective::WganGp:
        return "min_G max_D E[D(x)] - E[D(G(z))] - " + Num(m_gp_lambda) +
               " E[(||grad D(x_hat)||_2 - " + Num(m_gp_target) + ")^2],  x_hat = eps x + (1 - eps) G(z)" + cond;
    case GanObjective::Hinge:
        return "D: min_D E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))];   G: min_G -E[D(G(z))]   "
               "(D spectrally normalised)" + cond;
    }
    return "";
}

double Gan::MeanScoreMetric(const nn::MatrixF& scores) const
{
    if (!UsesBce(m_objective))
    {
        return scores.cast<double>().mean();
    }
    double sum = 0;
    for (nn::Index i = 0; i < scores.size(); ++i)
    {
        sum += 1.0 / (1.0 + std::exp(-static_cast<double>(scores.data()[i])));
    }
    return scores.size() > 0 ? sum / static_cast<double>(scores.size()) : 0.0;
}

} // namespace ll::models
