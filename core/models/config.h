// An experiment as data: dataset, model family and objective, architecture, optimizers, batch size, steps,
// seed and metric intervals. Presets (assets/presets/*.json) and the UI's controls fill one of these;
// Validate() refuses nonsense with a message naming the key and the allowed range.
#pragma once

#include "core/nn/optimizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ll::models
{

struct DataConfig
{
    std::string kind = "fashion-mnist"; // "fashion-mnist", "idx" (any MNIST-format folder), "folder", "toy"
    std::string toy = "ring8";          // for kind "toy": ring8, grid25, spiral, moons, swissroll, checkerboard
    std::string dir;                    // for "idx"/"folder" (and to override fashion-mnist's location)
    int image_size = 28;                // for "folder": images resized to image_size^2
    bool grayscale = true;              // for "folder"
};

struct NetConfig
{
    std::vector<int> hidden{512};       // hidden layer widths (input and output sizes come from the model)
    std::string activation = "relu";    // hidden activation
    double leaky_slope = 0.2;
    std::string output_activation;      // "" = the model's default (e.g. sigmoid for image GANs, none for toys)
    bool spectral_norm = false;
    std::string init = "auto";          // "auto" (He for ReLU-family hidden layers, else Xavier), "he", "xavier",
                                        // "torch" (PyTorch's nn.Linear default: U(+-1/sqrt(fan_in)), biases too)
};

struct GanConfig
{
    // "minimax", "non_saturating", "least_squares", "wgan_clip", "wgan_gp", "hinge"
    std::string objective = "non_saturating";
    int noise_dim = 64;
    std::string noise = "gaussian";     // "gaussian" or "uniform" (in [-1, 1])
    int d_steps = 1;                    // discriminator updates per generator update
    double real_label = 1.0;            // one-sided label smoothing: e.g. 0.9
    double clip = 0.01;                 // wgan_clip: critic weights clipped to [-clip, clip]
    double gp_lambda = 10.0;            // wgan_gp: penalty weight
    double r1_gamma = 0.0;              // R1 penalty on real data (Mescheder et al. 2018), any objective: D's loss
                                        // += r1_gamma / 2 * E||grad_x D(x_real)||^2 (D's raw score); 0 = off
    bool conditional = false;           // class label (one-hot) given to G and D
    double g_ema = 0.0;                 // decay of an exponential moving average of G's weights, in [0, 1): the
                                        // average (not the trained G) draws samples and is evaluated; 0 = off
    std::int64_t lr_decay_steps = 0;    // both learning rates fall linearly from step 0 to this step, then stay
    double lr_decay_to = 0.0;           // ... at this fraction of their value (0 = off: constant rates)
    NetConfig generator{{256, 512}, "leaky_relu", 0.2, "", false};
    NetConfig discriminator{{512, 256}, "leaky_relu", 0.2, "", false};
    nn::OptimizerConfig g_opt{nn::OptimizerKind::Adam, 2e-4, 0.5, 0.999};
    nn::OptimizerConfig d_opt{nn::OptimizerKind::Adam, 2e-4, 0.5, 0.999};
};

struct VaeConfig
{
    int latent_dim = 20;
    std::string likelihood = "bernoulli"; // "bernoulli" (logits, data in [0, 1]) or "gaussian" (fixed sigma)
    double gaussian_sigma = 0.1;
    double beta = 1.0;                    // beta-VAE weight on the KL term
    std::int64_t warmup_steps = 0;        // beta ramps linearly from 0 to beta over these steps
    bool conditional = false;             // class label (one-hot) given to encoder and decoder
    NetConfig encoder{{512}, "relu", 0.2, "", false};
    NetConfig decoder{{512}, "relu", 0.2, "", false};
    nn::OptimizerConfig opt{nn::OptimizerKind::Adam, 1e-3, 0.9, 0.999};
};

struct ExperimentConfig
{
    std::string name;                   // preset name, e.g. "vae-fashion"
    std::string description;            // one paragraph that teaches something
    std::string family = "vae";         // "vae" or "gan"
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
};

// Throws std::invalid_argument naming the key and the allowed range ("gan.d_steps must be in [1, 100], got 0").
// Also refuses sizes that would exhaust memory, with the estimate.
void Validate(const ExperimentConfig& config);

bool IsToy(const ExperimentConfig& config);

// The names Validate accepts, for the UI's combo boxes.
const std::vector<std::string>& FamilyNames();        // "vae", "gan"
const std::vector<std::string>& GanObjectiveNames();  // "minimax", "non_saturating", ...
const std::vector<std::string>& LikelihoodNames();    // "bernoulli", "gaussian"
const std::vector<std::string>& HiddenActivationNames(); // "relu", "leaky_relu", "tanh", "sigmoid", "softplus"
const std::vector<std::string>& InitNames();          // "auto", "he", "xavier", "torch"

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
MemoryEstimate EstimateMemory(const ExperimentConfig& config, std::int64_t data_dim, int num_classes);

// Data dimension implied by the data section without loading it (784 for fashion-mnist and idx, 2 for toys,
// image_size^2 x channels for folders); num classes 10 for labelled image sets, 0 otherwise.
std::int64_t GuessDataDim(const DataConfig& data);
int GuessNumClasses(const DataConfig& data);

// Validate's memory ceiling: 4 GiB.
inline constexpr double kMaxMemoryBytes = 4.0 * 1024.0 * 1024.0 * 1024.0;

} // namespace ll::models
