// InfoGAN in the GAN (info_codes.h): Q built on D's body, D's backward on fakes with the information term joining at
// D's body, and its metrics. Kept apart from gan.cpp; the step calls these at the two places the term enters: the D
// update (Q and D's body minimise lambda L_I on the fakes) and the G update (G minimises it through Q and D's body).
#include "core/models/gan.h"

#include <cmath>
#include <stdexcept>

namespace ll::models
{

void Gan::BuildInfoHead(const ExperimentConfig& config, Rng& rng)
{
    m_info = InfoCodesOf(config.gan);
    if (!m_info.Active())
    {
        return;
    }
    if (config.gan.pack > 1)
    {
        throw std::invalid_argument(InfoWithPackMessage(config.gan.pack));
    }
    m_q = std::make_unique<InfoHead>(m_info, m_d, config.gan.d_opt, rng); // after G and D: their init is unchanged
}

const nn::MatrixF& Gan::BackwardFakeScores(const nn::MatrixF& z, bool accumulate, bool need_input_grad,
                                           InfoTerms& terms)
{
    if (!m_q)
    {
        return m_d.Backward(m_grad_fake, accumulate, need_input_grad);
    }
    m_codes = z.bottomRows(m_info.Dim()); // (codes, B): what made the fakes
    const std::size_t tap = m_q->TapLayer();
    const nn::MatrixF& dh = m_q->Grad(m_d.LayerInput(tap), m_codes, accumulate, terms); // (body features, B)
    return m_d.Backward(m_grad_fake, accumulate, need_input_grad, tap, dh);
}

void Gan::SampleLatent(Rng& rng, nn::Index n, nn::MatrixF& z) const
{
    if (z.rows() != LatentDim() || z.cols() != n)
    {
        z.resize(LatentDim(), n);
    }
    auto noise = [&] { return static_cast<float>(m_uniform_noise ? rng.Uniform(-1.0, 1.0) : rng.Normal()); };
    float* data = z.data();
    if (!m_info.Active())
    {
        for (nn::Index i = 0; i < z.size(); ++i)
        {
            data[i] = noise();
        }
        return;
    }
    // Column by column: the noise, then the codes below it.
    for (nn::Index j = 0; j < n; ++j)
    {
        float* col = data + j * z.rows();
        for (nn::Index i = 0; i < m_noise_dim; ++i)
        {
            col[i] = noise();
        }
        SampleCodeColumn(m_info, rng, col + m_noise_dim);
    }
}

void Gan::AppendInfoMetrics(const InfoTerms& mean, Metrics& out) const
{
    if (!m_q)
    {
        return;
    }
    out.emplace_back("info_loss", mean.loss);
    if (m_info.categorical > 0)
    {
        out.emplace_back("info_mi", mean.mi_bound);
        out.emplace_back("info_mi_max", std::log(static_cast<double>(m_info.k)));
        out.emplace_back("info_accuracy", mean.accuracy);
    }
    if (m_info.continuous > 0)
    {
        out.emplace_back("info_nll", mean.nll);
    }
}

} // namespace ll::models
