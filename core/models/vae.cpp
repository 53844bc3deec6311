// The VAE's forward/backward pass (VaeNet) and the trainable Model around it (Vae). The bounds used for
// evaluation (ELBO, IWAE) live in core/eval/vae_bounds.cpp.
#include "core/models/vae.h"

#include "core/models/hyperparams.h"
#include "core/models/networks.h"
#include "core/nn/shape_layers.h"
#include "core/nn/losses.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace ll::models
{
// ---------------------------------------------------------------------------------------------------------------
// VaeNet

template <typename T>
VaeNet<T>::VaeNet(const VaeConfig& config, nn::Index data_dim, int num_classes, Rng& rng)
    : VaeNet(config, nn::Shape::Flat(data_dim), num_classes, rng)
{
}

template <typename T>
VaeNet<T>::VaeNet(const VaeConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng)
    : m_data_dim(data_shape.Size()),
      m_data_shape(data_shape),
      m_latent_dim(config.latent_dim),
      m_num_classes(config.conditional ? num_classes : 0),
      m_bernoulli(config.likelihood == Likelihood::Bernoulli),
      m_sigma(static_cast<T>(config.gaussian_sigma))
{
    if (m_data_dim < 1 || config.latent_dim < 1)
    {
        throw std::invalid_argument("VAE: data dimension and vae.latent_dim must be >= 1, got " +
                                    std::to_string(m_data_dim) + " and " + std::to_string(config.latent_dim));
    }
    if (config.conditional && num_classes < 1)
    {
        throw std::invalid_argument("vae.conditional needs labelled data, but the data has no classes");
    }
    ExperimentConfig experiment;
    experiment.family = Family::Vae;
    experiment.vae = config;
    const std::vector<NetworkPlan> plans = PlanNetworks(experiment, data_shape, num_classes);
    m_label_planes = plans[0].label_planes;
    m_encoder = BuildPlan<T>(plans[0], rng);
    m_decoder = BuildPlan<T>(plans[1], rng);
}

template <typename T>
const nn::Matrix<T>& VaeNet<T>::EncoderInput(const nn::Matrix<T>& x, const nn::Matrix<T>* labels)
{
    if (m_num_classes == 0 || !m_label_planes)
    {
        return WithLabels(x, labels, m_enc_in);
    }
    if (labels == nullptr || labels->rows() != m_num_classes || labels->cols() != x.cols())
    {
        throw std::invalid_argument("conditional VAE: labels must be one-hot (" + std::to_string(m_num_classes) +
                                    ", " + std::to_string(x.cols()) + ")");
    }
    nn::AppendLabelPlanes(x, m_data_shape, *labels, m_enc_in);
    return m_enc_in;
}

template <typename T>
std::vector<nn::ParamRef<T>> VaeNet<T>::State()
{
    std::vector<nn::ParamRef<T>> out = m_encoder.State("E.");
    for (const auto& p : m_decoder.State("Dec."))
    {
        out.push_back(p);
    }
    return out;
}

template <typename T>
const nn::Matrix<T>& VaeNet<T>::WithLabels(const nn::Matrix<T>& a, const nn::Matrix<T>* labels,
                                           nn::Matrix<T>& buf) const
{
    if (m_num_classes == 0)
    {
        return a;
    }
    if (labels == nullptr || labels->rows() != m_num_classes || labels->cols() != a.cols())
    {
        throw std::invalid_argument("conditional VAE: labels must be one-hot (" + std::to_string(m_num_classes) +
                                    ", " + std::to_string(a.cols()) + ")");
    }
    buf.resize(a.rows() + m_num_classes, a.cols());
    buf.topRows(a.rows()) = a;
    buf.bottomRows(m_num_classes) = *labels;
    return buf;
}

template <typename T>
typename VaeNet<T>::Terms VaeNet<T>::Forward(const nn::Matrix<T>& x, const nn::Matrix<T>* labels,
                                             const nn::Matrix<T>& eps, T beta, bool backward)
{
    const nn::Index d = m_latent_dim;
    const nn::Index b = x.cols();
    if (x.rows() != m_data_dim || eps.rows() != d || eps.cols() != b)
    {
        throw std::invalid_argument("VAE forward: x must be (" + std::to_string(m_data_dim) + ", B) and eps (" +
                                    std::to_string(d) + ", B), got x (" + std::to_string(x.rows()) + ", " +
                                    std::to_string(b) + ") and eps (" + std::to_string(eps.rows()) + ", " +
                                    std::to_string(eps.cols()) + ")");
    }

    // Spectral-norm power iterations advance only in training passes, not in evaluation.
    SetTraining(backward);
    // Encoder: h (2d, B) = [mu; logvar].
    const nn::Matrix<T>& h = m_encoder.Forward(EncoderInput(x, labels));
    m_mu = h.topRows(d);
    m_logvar = h.bottomRows(d);
    // Reparameterisation: z = mu + sigma * eps, sigma = exp(logvar / 2).
    m_std.resize(d, b);
    m_z.resize(d, b);
    m_std.array() = (T(0.5) * m_logvar.array()).exp();
    m_z.array() = m_mu.array() + m_std.array() * eps.array();

    // Decoder: raw (data, B) logits or means.
    const nn::Matrix<T>& raw = m_decoder.Forward(WithLabels(m_z, labels, m_dec_in));
    const T ll = m_bernoulli ? nn::BernoulliLogLikelihood(raw, x, m_grad_raw)
                             : nn::GaussianLogLikelihood(raw, x, m_sigma, m_grad_raw);
    const T kl = nn::GaussianKl(m_mu, m_logvar, m_grad_mu, m_grad_logvar, &m_kl_dim);

    if (backward)
    {
        // Loss = -LL + beta * KL. dLoss/d(raw) = -dLL/d(raw).
        m_grad_raw = -m_grad_raw;
        const nn::Matrix<T>& d_dec_in = m_decoder.Backward(m_grad_raw);
        const auto dz = d_dec_in.topRows(d).array(); // (d, B); label rows dropped
        m_grad_h.resize(2 * d, b);
        // dz/dmu = 1; dz/dlogvar = eps * sigma / 2.
        m_grad_h.topRows(d).array() = dz + beta * m_grad_mu.array();
        m_grad_h.bottomRows(d).array() =
            dz * eps.array() * m_std.array() * T(0.5) + beta * m_grad_logvar.array();
        m_encoder.Backward(m_grad_h, true, false); // nobody needs dLoss/dx: skip the first layer's dx
    }
    return Terms{-static_cast<double>(ll), static_cast<double>(kl)};
}

template <typename T>
void VaeNet<T>::Encode(const nn::Matrix<T>& x, const nn::Matrix<T>* labels, nn::Matrix<T>& mu,
                       nn::Matrix<T>& logvar)
{
    if (x.rows() != m_data_dim)
    {
        throw std::invalid_argument("VAE encode: x must have " + std::to_string(m_data_dim) + " rows, got " +
                                    std::to_string(x.rows()));
    }
    SetTraining(false);
    const nn::Matrix<T>& h = m_encoder.Forward(EncoderInput(x, labels));
    mu = h.topRows(m_latent_dim);
    logvar = h.bottomRows(m_latent_dim);
}

template <typename T>
const nn::Matrix<T>& VaeNet<T>::DecodeRaw(const nn::Matrix<T>& z, const nn::Matrix<T>* labels)
{
    if (z.rows() != m_latent_dim)
    {
        throw std::invalid_argument("VAE decode: z must have " + std::to_string(m_latent_dim) + " rows, got " +
                                    std::to_string(z.rows()));
    }
    SetTraining(false);
    return m_decoder.Forward(WithLabels(z, labels, m_dec_in));
}

template <typename T>
void VaeNet<T>::DecodeMean(const nn::Matrix<T>& z, const nn::Matrix<T>* labels, nn::Matrix<T>& out)
{
    const nn::Matrix<T>& raw = DecodeRaw(z, labels);
    out.resize(raw.rows(), raw.cols());
    if (m_bernoulli)
    {
        // Stable sigmoid: 1 / (1 + exp(-l)) overflows harmlessly to 0 for very negative l.
        out.array() = T(1) / (T(1) + (-raw.array()).exp());
    }
    else
    {
        out = raw;
    }
}

template <typename T>
void VaeNet<T>::LogLikelihoodPerExample(const nn::Matrix<T>& raw, const nn::Matrix<T>& x, nn::Vector<T>& out) const
{
    if (m_bernoulli)
    {
        nn::BernoulliLogLikelihoodPerExample(raw, x, out);
    }
    else
    {
        nn::GaussianLogLikelihoodPerExample(raw, x, m_sigma, out);
    }
}

template <typename T>
void VaeNet<T>::SetTraining(bool training)
{
    // Only on a change: the layers' switch walks the chain, which the hot loop should not repeat.
    if (m_training == static_cast<int>(training))
    {
        return;
    }
    m_training = static_cast<int>(training);
    m_encoder.SetTraining(training);
    m_decoder.SetTraining(training);
}

template <typename T>
void VaeNet<T>::ZeroGrad()
{
    m_encoder.ZeroGrad();
    m_decoder.ZeroGrad();
}

template class VaeNet<float>;
template class VaeNet<double>;

// ---------------------------------------------------------------------------------------------------------------
// Vae

Vae::Vae(const VaeConfig& config, nn::Index data_dim, int num_classes, Rng& rng)
    : Vae(config, nn::Shape::Flat(data_dim), num_classes, rng)
{
}

Vae::Vae(const VaeConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng)
    : m_config(config), m_net(config, data_shape, num_classes, rng)
{
    m_params = m_net.EncoderParams();
    const nn::ParamList dec = m_net.DecoderParams();
    m_params.insert(m_params.end(), dec.begin(), dec.end());
    m_opt = std::make_unique<nn::Optimizer<float>>(m_params, config.opt);
    for (int j = 0; j < config.latent_dim; ++j)
    {
        m_kl_names.push_back("kl_dim_" + std::to_string(j));
    }
}

Vae::Vae(const VaeConfig& config, const VaeNet<float>& net) : m_config(config), m_net(net)
{
    m_params = m_net.EncoderParams();
    const nn::ParamList dec = m_net.DecoderParams();
    m_params.insert(m_params.end(), dec.begin(), dec.end());
    ReleaseGradients(m_params); // an inference clone never accumulates gradients
}

std::string Vae::Formula() const
{
    if (m_config.beta == 1.0 && m_config.warmup_steps == 0)
    {
        return "ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z))";
    }
    std::string f = "ELBO_beta = E_q[log p(x|z)] - beta * KL(q(z|x) || p(z)), beta = " + std::to_string(m_config.beta);
    if (m_config.warmup_steps > 0)
    {
        f += " ramped from 0 over " + std::to_string(m_config.warmup_steps) + " steps";
    }
    return f;
}

double Vae::BetaAt(std::int64_t step) const
{
    if (m_config.warmup_steps <= 0)
    {
        return m_config.beta;
    }
    const double ramp = std::min(1.0, static_cast<double>(std::max<std::int64_t>(step, 0)) /
                                          static_cast<double>(m_config.warmup_steps));
    return m_config.beta * ramp;
}

void Vae::TrainStep(BatchSource& source, Rng& rng, std::int64_t step, StepPhase phase, Metrics& out)
{
    (void)phase; // a VAE has one player
    if (!m_opt)
    {
        throw std::logic_error("VAE: TrainStep on an inference clone");
    }
    const Batch batch = source.Next(rng);
    if (batch.x == nullptr)
    {
        throw std::invalid_argument("VAE: the batch source gave no data");
    }
    const nn::MatrixF& x = *batch.x;
    const nn::Index d = m_net.LatentDim();
    m_eps.resize(d, x.cols());
    float* eps = m_eps.data();
    for (nn::Index i = 0, n = m_eps.size(); i < n; ++i)
    {
        eps[i] = static_cast<float>(rng.Normal());
    }

    const double beta = BetaAt(step);
    if (!m_grads_zero)
    {
        m_opt->ZeroGrad();
    }
    m_grads_zero = false;
    const VaeNet<float>::Terms terms = m_net.Forward(x, batch.labels, m_eps, static_cast<float>(beta), true);
    // Gradient norm, Adam update and zeroing in one pass over the parameters (see Optimizer::StepAndZeroGrad).
    const double grad_norm = static_cast<double>(m_opt->StepAndZeroGrad());
    m_grads_zero = true;

    out.emplace_back("loss", terms.recon + beta * terms.kl);
    out.emplace_back("recon", terms.recon);
    out.emplace_back("kl", terms.kl);
    out.emplace_back("elbo", -(terms.recon + terms.kl));
    out.emplace_back("beta", beta);
    out.emplace_back("grad_norm", grad_norm);
    const nn::VectorF& kl_dim = m_net.KlPerDim();
    for (nn::Index j = 0; j < d; ++j)
    {
        out.emplace_back(m_kl_names[static_cast<std::size_t>(j)], static_cast<double>(kl_dim[j]));
    }
}

void Vae::SampleLatent(Rng& rng, nn::Index n, nn::MatrixF& z) const
{
    z.resize(m_net.LatentDim(), n);
    float* p = z.data();
    for (nn::Index i = 0, size = z.size(); i < size; ++i)
    {
        p[i] = static_cast<float>(rng.Normal());
    }
}

void Vae::Decode(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& out)
{
    m_net.DecodeMean(z, labels, out);
}

void Vae::Encode(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& mu, nn::MatrixF& logvar)
{
    m_net.Encode(x, labels, mu, logvar);
}

std::vector<Network> Vae::Networks()
{
    m_grads_zero = false; // the caller may write the gradients
    return {Network{"encoder", m_net.EncoderParams()}, Network{"decoder", m_net.DecoderParams()}};
}

std::vector<nn::Optimizer<float>*> Vae::Optimizers()
{
    if (!m_opt)
    {
        return {};
    }
    return {m_opt.get()};
}

void Vae::ApplyLiveSettings(const ExperimentConfig& config)
{
    m_config.opt.learning_rate = config.vae.opt.learning_rate;
    m_config.beta = config.vae.beta;
    m_config.warmup_steps = config.vae.warmup_steps;
    if (m_opt)
    {
        m_opt->SetLearningRate(m_config.opt.learning_rate);
    }
}

std::unique_ptr<Model> Vae::CloneForInference() const
{
    return std::unique_ptr<Model>(new Vae(m_config, m_net));
}

std::unique_ptr<Model> MakeVae(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng)
{
    return MakeVae(config, nn::Shape::Flat(data_dim), num_classes, rng);
}

std::unique_ptr<Model> MakeVae(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng)
{
    CheckHypers(config); // the table's ranges (Validate checks them too)
    return std::make_unique<Vae>(config.vae, data_shape, num_classes, rng);
}

} // namespace ll::models
