// The GAN's parameters, optimisers and extra state by name (checkpoints, the exact resume, exports) and its live
// settings: the lists every network of the model (G, D and, with InfoGAN codes, Q) joins. Split from gan.cpp.
#include "core/models/gan.h"

namespace ll::models
{

std::vector<Network> Gan::Networks()
{
    std::vector<Network> out = {Network{"G", m_g_params}, Network{"D", m_d_params}};
    if (m_q)
    {
        out.push_back(Network{"Q", m_q->Params()}); // InfoGAN
    }
    return out;
}

std::vector<nn::Optimizer<float>*> Gan::Optimizers()
{
    if (!m_g_opt || !m_d_opt)
    {
        return {};
    }
    if (m_q)
    {
        return {m_g_opt.get(), m_d_opt.get(), m_q->Optimizer()};
    }
    return {m_g_opt.get(), m_d_opt.get()};
}

std::vector<nn::ParamRef<float>> Gan::ExtraState()
{
    // Every layer's extra state: spectral-norm power-iteration vectors u, v (evaluation-mode forwards use both)
    // and BatchNorm's running statistics, so a checkpoint resumes exactly. No gradient.
    std::vector<nn::ParamRef<float>> out = m_g.State("G.");
    for (const auto& p : m_d.State("D."))
    {
        out.push_back(p);
    }
    // G's moving average (g_ema > 0): its values and its extra state.
    for (const auto& p : m_g_avg_params)
    {
        out.push_back({p.name, p.value, nullptr});
    }
    if (m_g_ema > 0.0f)
    {
        for (const auto& p : m_g_avg.State("G_ema."))
        {
            out.push_back(p);
        }
    }
    return out;
}

void Gan::ApplyLiveSettings(const ExperimentConfig& config)
{
    const GanConfig& gc = config.gan;
    m_d_steps = gc.d_steps;
    m_real_label = static_cast<float>(gc.real_label);
    m_clip = static_cast<float>(gc.clip);
    m_gp_lambda = static_cast<float>(gc.gp_lambda);
    m_gp_target = static_cast<float>(gc.gp_target);
    m_g_lr = gc.g_opt.learning_rate; // the schedule, if any, scales these from the next step on
    m_d_lr = gc.d_opt.learning_rate;
    if (m_g_opt)
    {
        m_g_opt->SetLearningRate(m_g_lr);
        m_d_opt->SetLearningRate(m_d_lr);
    }
    if (m_q)
    {
        m_q->SetLearningRate(m_d_lr);
    }
}

} // namespace ll::models
