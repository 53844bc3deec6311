// The one model interface: the session, the app and the headless trainer drive every GAN and VAE through it.
// A model is owned and used by one thread at a time (the training thread); CloneForInference() gives an
// independent frozen copy that another thread (the UI) may use for decoding, encoding and scoring.
#pragma once

#include "core/models/config.h"
#include "core/models/info_codes.h"
#include "core/nn/optimizer.h"
#include "core/util/rng.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ll::models
{

// One training batch: x (features, B) and, for labelled data, one-hot labels (classes, B) (else nullptr).
struct Batch
{
    const nn::MatrixF* x = nullptr;
    const nn::MatrixF* labels = nullptr;
};

// Where a model gets its batches. A GAN step with k D-steps asks for k + 1 batches. The batch stays valid
// until the next call to Next().
class BatchSource
{
public:
    virtual ~BatchSource() = default;
    virtual Batch Next(Rng& rng) = 0;
};

// Metrics of one step, by name ("d_loss", "g_loss", "d_real", "d_fake", "loss", "recon", "kl", ...).
using Metrics = std::vector<std::pair<std::string, double>>;

// Which players move in a GAN step (teaching: "step D only" / "step G only"). VAEs ignore it.
enum class StepPhase
{
    Both,
    DiscriminatorOnly,
    GeneratorOnly,
};

// One network's parameters and optimizer, by role ("G", "D", "encoder", "decoder", "vae").
struct Network
{
    std::string role;
    std::vector<nn::ParamRef<float>> params;
};

class Model
{
public:
    virtual ~Model() = default;

    virtual models::Family Family() const = 0;
    virtual std::string Objective() const = 0; // e.g. "non_saturating", "wgan_gp", "elbo"
    // The objective in force as a formula for display, e.g. "min_G max_D E[log D(x)] + E[log(1 - D(G(z)))]".
    virtual std::string Formula() const = 0;

    // One training step (GAN: k D updates + one G update; VAE: one update). `step` is the global step index,
    // for schedules such as KL warm-up. Appends the step's metrics to out.
    virtual void TrainStep(BatchSource& source, Rng& rng, std::int64_t step, StepPhase phase, Metrics& out) = 0;

    // Dimensions: data features, latent (noise) dimension, classes (0 when unconditional).
    virtual nn::Index DataDim() const = 0;
    // The shape of one example (channels x height x width; Shape::Flat(2) for toys).
    virtual nn::Shape DataShape() const = 0;
    virtual nn::Index LatentDim() const = 0;
    virtual int NumClasses() const = 0;
    // InfoGAN codes (info_codes.h): when Codes().Active(), the latent's last Codes().Dim() rows are the codes c
    // (one-hot categorical blocks, then continuous values) and the rows above them the noise z. Default: none.
    virtual InfoCodes Codes() const { return {}; }

    // Draws n latent codes from the prior / noise distribution: z (latent, n).
    virtual void SampleLatent(Rng& rng, nn::Index n, nn::MatrixF& z) const = 0;
    // Maps latent codes to data space: GAN generator / VAE decoder mean (probabilities for Bernoulli).
    // labels: (classes, n) one-hot for conditional models, else nullptr. out (features, n).
    virtual void Decode(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& out) = 0;
    // n samples from noise: SampleLatent then Decode.
    void Sample(Rng& rng, nn::Index n, const nn::MatrixF* labels, nn::MatrixF& out)
    {
        nn::MatrixF z;
        SampleLatent(rng, n, z);
        Decode(z, labels, out);
    }

    // VAE: posterior parameters mu, logvar (latent, n). Default: not supported (throws std::logic_error).
    virtual bool CanEncode() const { return false; }
    virtual void Encode(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& mu, nn::MatrixF& logvar);
    // GAN: the discriminator's / critic's raw score (logit) for x: out (1, n). Default: throws std::logic_error.
    virtual bool CanScore() const { return false; }
    virtual void Score(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& out);
    // GAN: gradient of the generator's loss with respect to each generated point, dL_G/dG(z): (features, n),
    // for the 2-D view's arrows. Default: throws std::logic_error.
    virtual void GeneratorOutputGrad(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& grad);

    // Every network's parameters (value and grad), in a fixed order, with unique names across the model.
    virtual std::vector<Network> Networks() = 0;
    // The optimizers, in a fixed order (checkpoints save their state).
    virtual std::vector<nn::Optimizer<float>*> Optimizers() = 0;
    // Extra state tensors that are not parameters (e.g. spectral-norm power-iteration vectors), named.
    virtual std::vector<nn::ParamRef<float>> ExtraState() { return {}; }

    // Re-reads the live hyperparameters (the rows of hyperparams.h marked live: learning rates, beta, d_steps,
    // ...) from config, which has passed the table's checks (models::SetLiveHyper). Takes effect from the next
    // step; the model's architecture and on-reset settings are not touched.
    virtual void ApplyLiveSettings(const ExperimentConfig& config) = 0;

    // A frozen copy for inference on another thread (same parameters, own buffers, no optimizer state).
    virtual std::unique_ptr<Model> CloneForInference() const = 0;
};

// Builds the model an experiment describes, initialised from rng. data_dim and num_classes come from the data.
std::unique_ptr<Model> MakeModel(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes,
                                 Rng& rng);
// Flat data of data_dim features (toys, tests).
std::unique_ptr<Model> MakeModel(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng);

} // namespace ll::models
