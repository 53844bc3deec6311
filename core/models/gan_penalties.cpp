// D's regularisers: R1 (gamma / 2 E||grad_x D(x)||^2 on real data) and WGAN-GP's gradient penalty
// (lambda E(||grad D(x_hat)|| - t)^2 between real and fake), both through D's double backward, and the critic's
// weight clipping. Split from gan.cpp; DiscriminatorGrad adds them to D's loss.
#include "core/models/gan.h"

#include <algorithm>

namespace ll::models
{

double Gan::R1Penalty(const nn::MatrixF& real, const nn::MatrixF* labels)
{
    // A fresh Forward on the real batch (power iteration already advanced on it), then grad_x D.
    m_d.Forward(DInput(real, labels, m_d_in_r1, m_pk_r1));
    const nn::Index n = real.cols() / m_pack; // D's inputs
    if (m_ones.rows() != 1 || m_ones.cols() != n)
    {
        m_ones.resize(1, n);
    }
    m_ones.setOnes();
    // g (data_dim, m n): column i is the data part of grad D at its example's slot; D input j owns columns
    // j m .. j m + m - 1 (labels are constants).
    const nn::MatrixF& g = PackedDataPart(m_d.Backward(m_ones, false), false, m_gp_g);

    // R = mean_j ||g_j||^2 over D input j's data entries (all m examples); the loss term is r1_gamma / 2 * R, so
    // u_j = r1_gamma g_j / n.
    const float scale = m_r1_gamma / static_cast<float>(n);
    const double penalty = static_cast<double>(g.squaredNorm());
    m_gp_g_scaled = scale * g;
    SpreadToPacked(m_gp_g_scaled, m_gp_u);
    m_d.BackwardOfBackward(m_gp_u); // adds r1_gamma / 2 * dR/dparams to D's gradients
    return penalty / static_cast<double>(n);
}

double Gan::GradientPenalty(const nn::MatrixF& real, const nn::MatrixF& fake, const nn::MatrixF* labels,
                            const nn::MatrixF& eps)
{
    // x_hat = eps x + (1 - eps) G(z), one eps per D input (all m samples of a pack share it): (data_dim, m n).
    if (m_x_hat.rows() != m_data_dim || m_x_hat.cols() != real.cols())
    {
        m_x_hat.resize(m_data_dim, real.cols());
    }
    for (nn::Index i = 0; i < real.cols(); ++i)
    {
        const float e = eps(0, i / m_pack);
        m_x_hat.col(i) = e * real.col(i) + (1.0f - e) * fake.col(i);
    }
    m_d.Forward(DInput(m_x_hat, labels, m_d_in_hat, m_pk_hat));
    const nn::Index n = real.cols() / m_pack; // D's inputs
    if (m_ones.rows() != 1 || m_ones.cols() != n)
    {
        m_ones.resize(1, n);
    }
    m_ones.setOnes();
    // g (data_dim, m n): the data part of grad D(x_hat_j) (D scores each input independently); D input j owns
    // columns j m .. j m + m - 1.
    const nn::MatrixF& g = PackedDataPart(m_d.Backward(m_ones, false), false, m_gp_g);

    // P = mean_j (||g_j|| - t)^2 over the data entries (labels are constants), t = gp_target. dP/dg_j =
    // 2 (||g_j|| - t) g_j / (||g_j|| n); the loss term is gp_lambda * P, so u carries gp_lambda.
    if (m_gp_g_scaled.rows() != m_data_dim || m_gp_g_scaled.cols() != g.cols())
    {
        m_gp_g_scaled.resize(m_data_dim, g.cols());
    }
    double penalty = 0;
    for (nn::Index j = 0; j < n; ++j)
    {
        const auto g_j = g.middleCols(j * m_pack, m_pack);
        const float norm = g_j.norm();
        const double gap = static_cast<double>(norm) - static_cast<double>(m_gp_target);
        penalty += gap * gap;
        if (norm > 1e-12f) // at g = 0 the norm has no gradient; leave that input's u at zero
        {
            const float scale = m_gp_lambda * 2.0f * (norm - m_gp_target) / (norm * static_cast<float>(n));
            m_gp_g_scaled.middleCols(j * m_pack, m_pack) = scale * g_j;
        }
        else
        {
            m_gp_g_scaled.middleCols(j * m_pack, m_pack).setZero();
        }
    }
    if (m_gp_lambda != 0.0f)
    {
        SpreadToPacked(m_gp_g_scaled, m_gp_u);
        m_d.BackwardOfBackward(m_gp_u); // adds gp_lambda * dP/dparams to D's gradients
    }
    return penalty / static_cast<double>(n);
}

void Gan::ClipCritic()
{
    for (const auto& p : m_d_params)
    {
        float* w = p.value->data();
        for (nn::Index i = 0; i < p.value->size(); ++i)
        {
            w[i] = std::clamp(w[i], -m_clip, m_clip);
        }
    }
}

} // namespace ll::models
