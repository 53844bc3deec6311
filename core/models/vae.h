// The variational autoencoder (Kingma & Welling 2014): Gaussian encoder q(z|x), Bernoulli or fixed-sigma Gaussian
// decoder p(x|z), beta-weighted KL with linear warm-up, optional class conditioning. Its held-out bounds (ELBO,
// IWAE) are in core/eval/vae_bounds.h. Like every Model, a Vae is used by one thread at a time; CloneForInference
// for others.
#pragma once

#include "core/models/config.h"
#include "core/models/model.h"
#include "core/nn/sequential.h"

#include <memory>
#include <string>
#include <vector>

namespace ll::models
{

// The computation of a VAE without optimizer or schedule, templated on the scalar so tests can check gradients
// in double while training runs in float. All buffers are members: with repeating shapes nothing allocates.
template <typename T>
class VaeNet
{
public:
    VaeNet(const VaeConfig& config, nn::Index data_dim, int num_classes, Rng& rng);
    // Data of this shape: the encoder and decoder come from the config's plans (networks.h), conv ones included.
    VaeNet(const VaeConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng);

    // The two terms of the negative ELBO, batch means in nats per example.
    struct Terms
    {
        double recon = 0; // -E_q[log p(x|z)], one-sample estimate
        double kl = 0;    // KL(q(z|x) || N(0, I)), analytic
    };

    // Forward pass with fixed noise eps (latent, B): z = mu + exp(logvar / 2) * eps. With backward, adds the
    // gradients of recon + beta * kl to every parameter's grad (the caller zeroes them). x (data, B) must stay
    // alive until the call returns; labels (classes, B) one-hot, required iff NumClasses() > 0.
    Terms Forward(const nn::Matrix<T>& x, const nn::Matrix<T>* labels, const nn::Matrix<T>& eps, T beta,
                  bool backward);

    // Batch-mean KL of each latent dimension from the last Forward: (latent).
    const nn::Vector<T>& KlPerDim() const { return m_kl_dim; }
    // Posterior parameters and sample of the last Forward: (latent, B).
    const nn::Matrix<T>& Mu() const { return m_mu; }
    const nn::Matrix<T>& LogVar() const { return m_logvar; }
    const nn::Matrix<T>& Z() const { return m_z; }

    // q(z|x): mu, logvar (latent, n).
    void Encode(const nn::Matrix<T>& x, const nn::Matrix<T>* labels, nn::Matrix<T>& mu, nn::Matrix<T>& logvar);
    // The decoder's raw output for z (latent, n): logits (Bernoulli) or means (Gaussian): (data, n).
    // Valid until the next decoder call.
    const nn::Matrix<T>& DecodeRaw(const nn::Matrix<T>& z, const nn::Matrix<T>* labels);
    // Mean of p(x|z): probabilities sigmoid(logits) for Bernoulli, means for Gaussian: out (data, n).
    void DecodeMean(const nn::Matrix<T>& z, const nn::Matrix<T>* labels, nn::Matrix<T>& out);
    // log p(x|z) per example from the decoder's raw output: out (n).
    void LogLikelihoodPerExample(const nn::Matrix<T>& raw, const nn::Matrix<T>& x, nn::Vector<T>& out) const;

    // The two networks, for exporters (core/io/model_export.cpp): read-only.
    const nn::Sequential<T>& Encoder() const { return m_encoder; }
    const nn::Sequential<T>& Decoder() const { return m_decoder; }
    std::vector<nn::ParamRef<T>> EncoderParams() { return m_encoder.Params("E."); }   // E.<i>.weight / bias
    std::vector<nn::ParamRef<T>> DecoderParams() { return m_decoder.Params("Dec."); } // Dec.<i>.weight / bias
    // Extra state for checkpoints (BatchNorm running statistics, spectral-norm vectors): "E.<i>.<name>",
    // "Dec.<i>.<name>".
    std::vector<nn::ParamRef<T>> State();
    void ZeroGrad();
    // Training passes advance spectral-norm power iterations; Forward(backward = false), Encode and Decode*
    // switch them off themselves.
    void SetTraining(bool training);

    nn::Index DataDim() const { return m_data_dim; }
    const nn::Shape& DataShape() const { return m_data_shape; }
    nn::Index LatentDim() const { return m_latent_dim; }
    int NumClasses() const { return m_num_classes; }
    bool Bernoulli() const { return m_bernoulli; }
    T Sigma() const { return m_sigma; }

private:
    // [a; labels] in buf, or a itself for unconditional models.
    const nn::Matrix<T>& WithLabels(const nn::Matrix<T>& a, const nn::Matrix<T>* labels, nn::Matrix<T>& buf) const;
    // The encoder's input in m_enc_in: [x; labels], x with label planes (a conditional conv encoder), or x.
    const nn::Matrix<T>& EncoderInput(const nn::Matrix<T>& x, const nn::Matrix<T>* labels);

    nn::Index m_data_dim = 0;
    nn::Shape m_data_shape;
    bool m_label_planes = false;
    nn::Index m_latent_dim = 0;
    int m_num_classes = 0;
    bool m_bernoulli = true;
    T m_sigma = T(0.1);
    int m_training = -1; // last SetTraining value (-1: never set)

    nn::Sequential<T> m_encoder; // (data [+ classes]) -> hidden -> 2 * latent: rows [mu; logvar]
    nn::Sequential<T> m_decoder; // (latent [+ classes]) -> hidden -> data (logits or means)

    nn::Matrix<T> m_enc_in;      // (data + classes, B) when conditional
    nn::Matrix<T> m_dec_in;      // (latent + classes, B) when conditional
    nn::Matrix<T> m_mu;          // (latent, B)
    nn::Matrix<T> m_logvar;      // (latent, B)
    nn::Matrix<T> m_std;         // (latent, B) exp(logvar / 2)
    nn::Matrix<T> m_z;           // (latent, B)
    nn::Matrix<T> m_grad_raw;    // (data, B) dLL/d(raw), then negated to dLoss/d(raw)
    nn::Matrix<T> m_grad_mu;     // (latent, B) dKL/dmu
    nn::Matrix<T> m_grad_logvar; // (latent, B) dKL/dlogvar
    nn::Matrix<T> m_grad_h;      // (2 latent, B) dLoss/d(encoder output)
    nn::Vector<T> m_kl_dim;      // (latent)
};

// The trainable model: one Adam (or the configured optimizer) over encoder and decoder parameters together,
// one update per TrainStep.
class Vae final : public Model
{
public:
    Vae(const VaeConfig& config, nn::Index data_dim, int num_classes, Rng& rng);
    Vae(const VaeConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng);

    models::Family Family() const override { return models::Family::Vae; }
    std::string Objective() const override { return "elbo"; }
    std::string Formula() const override;

    // Draws eps from rng after the batch. Metrics: loss, recon, kl, elbo, beta, grad_norm, kl_dim_<j>.
    void TrainStep(BatchSource& source, Rng& rng, std::int64_t step, StepPhase phase, Metrics& out) override;

    nn::Index DataDim() const override { return m_net.DataDim(); }
    nn::Shape DataShape() const override { return m_net.DataShape(); }
    nn::Index LatentDim() const override { return m_net.LatentDim(); }
    int NumClasses() const override { return m_net.NumClasses(); }

    void SampleLatent(Rng& rng, nn::Index n, nn::MatrixF& z) const override;
    void Decode(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& out) override;
    bool CanEncode() const override { return true; }
    void Encode(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& mu, nn::MatrixF& logvar) override;

    std::vector<Network> Networks() override;
    std::vector<nn::Optimizer<float>*> Optimizers() override;
    std::vector<nn::ParamRef<float>> ExtraState() override { return m_net.State(); }

    // lr, beta, warmup_steps.
    void ApplyLiveSettings(const ExperimentConfig& config) override;

    std::unique_ptr<Model> CloneForInference() const override;

    // beta_t = beta * min(1, step / warmup_steps) (beta itself without warm-up).
    double BetaAt(std::int64_t step) const;
    const VaeConfig& Config() const { return m_config; }
    VaeNet<float>& Net()
    {
        m_grads_zero = false; // the caller may run a backward pass: TrainStep zeroes the gradients again
        return m_net;
    }

private:
    Vae(const VaeConfig& config, const VaeNet<float>& net); // inference clone: no optimizer

    VaeConfig m_config;
    VaeNet<float> m_net;
    nn::ParamList m_params;                      // encoder then decoder
    std::unique_ptr<nn::Optimizer<float>> m_opt; // null in inference clones
    nn::MatrixF m_eps;                           // (latent, B)
    std::vector<std::string> m_kl_names;         // "kl_dim_<j>", built once
    bool m_grads_zero = false;                   // gradients known to be zero (left so by the last TrainStep)
};

std::unique_ptr<Model> MakeVae(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng);
std::unique_ptr<Model> MakeVae(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng);

} // namespace ll::models
