// An experiment as data: dataset, model family and objective, architecture, optimizers, batch size, steps,
// seed and metric intervals. Presets (assets/presets/*.json) and the UI's controls fill one of these.
// Choices are enums with one name table each (NamesOf, util::EnumNames): names exist only at the JSON edge and in
// the UI's combos. The numeric settings are declared once in the hyperparameter table (hyperparams.h);
// Validate() refuses nonsense with a message naming the key and the allowed range.
#pragma once

#include "core/data/toy2d.h"
#include "core/nn/network_spec.h"
#include "core/nn/optimizer.h"
#include "core/nn/sequential.h"
#include "core/util/enum_names.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ll::models
{

enum class Family
{
    Vae,
    Gan,
};
const util::EnumNames<Family>& NamesOf(Family); // "vae", "gan"

enum class DataKind
{
    FashionMnist, // "fashion-mnist"
    Idx,          // "idx": any MNIST-format folder
    Folder,       // "folder": a folder of images
    Toy,          // "toy": a 2-D distribution
};
const util::EnumNames<DataKind>& NamesOf(DataKind);

// The game D and G play; each one's loss terms and formula are in gan_objective.cpp.
enum class GanObjective
{
    Minimax,
    NonSaturating,
    LeastSquares,
    WganClip,
    WganGp,
    Hinge,
};
// "minimax", "non_saturating", "least_squares", "wgan_clip", "wgan_gp", "hinge" (defined in gan_objective.cpp).
const util::EnumNames<GanObjective>& NamesOf(GanObjective);
bool UsesBce(GanObjective objective);    // minimax, non_saturating: D's output is a logit (sigmoid = probability)
bool UsesCritic(GanObjective objective); // wgan_clip, wgan_gp, hinge: raw critic scores

enum class GanNoise
{
    Gaussian, // "gaussian": N(0, I)
    Uniform,  // "uniform": U(-1, 1)
};
const util::EnumNames<GanNoise>& NamesOf(GanNoise);

enum class Likelihood
{
    Bernoulli, // "bernoulli": logits, data in [0, 1]
    Gaussian,  // "gaussian": fixed sigma
};
const util::EnumNames<Likelihood>& NamesOf(Likelihood);

struct DataConfig
{
    DataKind kind = DataKind::FashionMnist;
    data::ToyKind toy = data::ToyKind::Ring8; // for kind toy
    std::string dir;                    // for idx / folder (and to override fashion-mnist's location)
    int image_size = 28;                // for folder: images resized to image_size^2
    bool grayscale = true;              // for folder
    // For kind toy with toy "custom": the points the user drew (at most data::kMaxDrawnPoints), each sampled with
    // Gaussian jitter of sd `spread`. JSON: "points": [[x, y], ...], "spread": 0.05.
    std::vector<data::Mode> points;
    double spread = 0.05;
    bool operator==(const DataConfig&) const = default;
};

struct NetConfig
{
    std::vector<int> hidden{512};       // hidden layer widths (input and output sizes come from the model)
    nn::ActivationKind activation = nn::ActivationKind::ReLU; // hidden activation (not identity)
    double leaky_slope = 0.2;
    // nullopt (JSON "") = the model's default (e.g. sigmoid for image GANs, none for toys).
    std::optional<nn::ActivationKind> output_activation;
    bool spectral_norm = false;
    nn::MlpInit init = nn::MlpInit::Auto; // auto (He for ReLU-family hidden layers, else Xavier), he, xavier, torch
                                          // (PyTorch's nn.Linear default: U(+-1/sqrt(fan_in)), biases too)
    // The whole network as a layer list (JSON "layers": [{"conv": {"out": 64, "kernel": 4, ...}}, ...]), from the
    // model's input to its output (output activation included). Empty: the MLP short form above (hidden,
    // activation, output_activation). init and spectral_norm apply to both forms.
    std::vector<nn::LayerSpec> layers{};
    bool operator==(const NetConfig&) const = default;
};

struct GanConfig
{
    GanObjective objective = GanObjective::NonSaturating;
    int noise_dim = 64;
    GanNoise noise = GanNoise::Gaussian;
    int d_steps = 1;                    // discriminator updates per generator update
    double real_label = 1.0;            // one-sided label smoothing: e.g. 0.9
    double clip = 0.01;                 // wgan_clip: critic weights clipped to [-clip, clip]
    double gp_lambda = 10.0;            // wgan_gp: penalty weight
    double gp_target = 1.0;             // wgan_gp: the gradient norm the penalty pulls towards
    double r1_gamma = 0.0;              // R1 penalty on real data (Mescheder et al. 2018), any objective: D's loss
                                        // += r1_gamma / 2 * E||grad_x D(x_real)||^2 (D's raw score); 0 = off
    bool conditional = false;           // class label (one-hot) given to G and D
    int pack = 1;                       // PacGAN (Lin et al. 2018): D judges this many samples at once, all real or
                                        // all generated; a step draws pack x batch_size of each (1 = off)
    double g_ema = 0.0;                 // decay of an exponential moving average of G's weights, in [0, 1): the
                                        // average (not the trained G) draws samples and is evaluated; 0 = off
    std::int64_t lr_decay_steps = 0;    // both learning rates fall linearly from step 0 to this step, then stay
    double lr_decay_to = 0.0;           // ... at this fraction of their value (0 = off: constant rates)
    // InfoGAN (info_codes.h): codes beside z in G's input, Q on D's body, lambda L_I in G's and Q's losses.
    int info_categorical = 0;           // categorical codes (0 = none)
    int info_k = 10;                    // values of each categorical code
    int info_continuous = 0;            // continuous codes, uniform in [-1, 1] (0 = none)
    double info_lambda = 1.0;           // weight of the information term
    double info_continuous_std = 0.0;   // continuous codes: Q's fixed standard deviation (0 = Q learns it)
    NetConfig generator{{256, 512}, nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    NetConfig discriminator{{512, 256}, nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
    nn::OptimizerConfig g_opt{nn::OptimizerKind::Adam, 2e-4, 0.5, 0.999};
    nn::OptimizerConfig d_opt{nn::OptimizerKind::Adam, 2e-4, 0.5, 0.999};
    bool operator==(const GanConfig&) const = default;
};

struct VaeConfig
{
    int latent_dim = 20;
    Likelihood likelihood = Likelihood::Bernoulli;
    double gaussian_sigma = 0.1;
    double beta = 1.0;                    // beta-VAE weight on the KL term
    std::int64_t warmup_steps = 0;        // beta ramps linearly from 0 to beta over these steps
    bool conditional = false;             // class label (one-hot) given to encoder and decoder
    NetConfig encoder{{512}, nn::ActivationKind::ReLU, 0.2, std::nullopt, false};
    NetConfig decoder{{512}, nn::ActivationKind::ReLU, 0.2, std::nullopt, false};
    nn::OptimizerConfig opt{nn::OptimizerKind::Adam, 1e-3, 0.9, 0.999};
    bool operator==(const VaeConfig&) const = default;
};

struct ExperimentConfig
{
    std::string name;                   // preset name, e.g. "vae-fashion"
    std::string description;            // one paragraph that teaches something
    Family family = Family::Vae;
    DataConfig data;
    GanConfig gan;
    VaeConfig vae;
    int batch_size = 128;
    std::int64_t steps = 10000;         // default length of a headless run
    std::uint64_t seed = 1;
    int metrics_every = 1;              // log metrics every N steps
    int eval_every = 500;               // 2-D sample metrics / test ELBO every N steps (0 = never)
    int sample_every = 500;             // headless: PNG sample grid every N steps (0 = never)
    int eval_samples = 2500;            // 2-D metrics: generated samples per evaluation
    int iwae_k = 50;                    // importance samples for the IWAE bound at evaluation
    bool operator==(const ExperimentConfig&) const = default; // field by field
};

// Throws std::invalid_argument naming the key and the allowed range ("gan.d_steps must be in [1, 100], got 0").
// Also refuses sizes that would exhaust memory, with the estimate.
void Validate(const ExperimentConfig& config);

bool IsToy(const ExperimentConfig& config);

// Whether a hidden layer may use this activation (every one but identity).
bool IsHiddenActivation(nn::ActivationKind kind);

// Memory a configuration needs for training, estimated in bytes (float): parameters, their gradients,
// optimizer state and the activations and gradients cached for one batch. data_dim / num_classes as the data
// will give them (GuessDataDim when the data is not loaded yet).
struct MemoryEstimate
{
    double parameters = 0; // bytes of parameter values
    double gradients = 0;
    double optimizer = 0;
    double activations = 0;
    double Total() const { return parameters + gradients + optimizer + activations; }
};
// Networks given as layer lists count from their summaries (networks.h: parameters, per-layer buffers); the MLP
// short form from its widths.
MemoryEstimate EstimateMemory(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes);
MemoryEstimate EstimateMemory(const ExperimentConfig& config, std::int64_t data_dim, int num_classes);

// Data dimension implied by the data section without loading it (784 for fashion-mnist and idx, 2 for toys,
// image_size^2 x channels for folders); num classes 10 for labelled image sets, 0 otherwise.
std::int64_t GuessDataDim(const DataConfig& data);
// The same as a shape: 1x28x28 for fashion-mnist and idx, channels x image_size x image_size for folders, 2 (flat)
// for toys.
nn::Shape GuessDataShape(const DataConfig& data);
int GuessNumClasses(const DataConfig& data);

// Validate's memory ceiling: 4 GiB.
inline constexpr double kMaxMemoryBytes = 4.0 * 1024.0 * 1024.0 * 1024.0;

} // namespace ll::models
