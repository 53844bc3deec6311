// One experiment: its configuration, data, live model, training RNG, batch source and step counter, plus the
// views the lab shows (sample grid, reconstructions, 2-D view, evaluation). Owned and used by one thread (the
// session's training thread). The view functions take the model to draw from as an argument, so they run on a
// frozen clone and never touch the live model or the training RNG: rendering cannot change the run.
#pragma once

#include "core/data/dataset.h"
#include "core/data/toy2d.h"
#include "core/models/config.h"
#include "core/models/model.h"
#include "core/util/rng.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ll::io
{
struct CheckpointData;
struct CheckpointTensor;
}

namespace ll::eval
{
class ImageJudgeEvaluator;
}

namespace ll::train
{

// RGBA8 pixels of a grid of tiles (samples or input/reconstruction pairs).
struct ImageGrid
{
    int width = 0, height = 0; // pixels
    int rows = 0, cols = 0;    // tiles
    std::int64_t step = 0;     // the step it shows
    std::vector<std::uint8_t> rgba; // width * height * 4, row-major, top row first
};

// What the 2-D view draws for toy data. Coordinates are data space; the view is [-extent, extent]^2.
struct View2D
{
    std::int64_t step = 0;
    float extent = 1;
    nn::MatrixF real;      // (2, n) data samples (fixed: the same points every time)
    nn::MatrixF generated; // (2, n) G(z) / VAE decoder means of prior samples, from fixed noise
    // InfoGAN: the value of the first categorical code of each generated point (n entries, in [0, code_values));
    // empty without categorical codes.
    std::vector<int> generated_codes;
    int code_values = 0;
    // GAN: D's value on field_res x field_res cell centres; index ix + field_res * iy, ix along x from -extent,
    // iy along y from -extent. sigmoid(D) for BCE objectives (field_is_probability), the raw critic otherwise.
    int field_res = 0;
    std::vector<float> field;
    bool field_is_probability = false;
    float field_min = 0, field_max = 0;
    // The image of a regular grid over the first two latent dimensions (others 0): (2, res * res), index
    // i + res * j for z0 = grid[i], z1 = grid[j], grid over [-latent_extent, latent_extent].
    int manifold_res = 0;
    float latent_extent = 0;
    nn::MatrixF manifold;
    // GAN: arrows at a subset of the generated points: where each point is and the direction the generator's
    // update moves it, -dL_G/dG(z) (not normalised): both (2, a).
    nn::MatrixF arrow_points;
    nn::MatrixF arrow_descent;
    // VAE: posterior means of the real points (latent, n), and their reconstructions (2, n).
    nn::MatrixF latent_means;
    nn::MatrixF reconstructions;
    // VAE: posterior standard deviations of the real points, exp(logvar / 2) of the encoder: (latent, n), column i
    // belongs to real point i. With latent_means, q(z | x_i) = N(latent_means.col(i), diag(latent_sds.col(i))^2).
    nn::MatrixF latent_sds;
};

struct View2DOptions
{
    int points = 512;       // real and generated points
    int field_res = 64;
    int manifold_res = 24;
    int arrows = 64;
};

// A hyperparameter change, recorded at the step it took effect before (steps completed when it was applied).
struct HyperEvent
{
    std::int64_t step = 0;
    std::string name;
    double old_value = 0, new_value = 0;
};

// The data of an experiment, shareable between experiments (Reset keeps it) and with the UI (read-only).
struct ExperimentData
{
    std::shared_ptr<const data::ImageDataset> train; // null for toys
    std::shared_ptr<const data::ImageDataset> test;  // null for toys; the train set for image folders
    std::shared_ptr<const data::ToySampler> toy;     // null for image data
    std::string key; // what was loaded ("fashion-mnist:<dir>", "toy:ring8", ...), to reuse on rebuild
};

// Loads (or samples the description of) the data a configuration asks for. data_dir overrides config.data.dir;
// fashion-mnist falls back to data::ResolveDataDir. Throws with the folder and what is missing.
ExperimentData LoadExperimentData(const models::ExperimentConfig& config, const std::string& data_dir);
// The key LoadExperimentData would give, without loading.
std::string DataKey(const models::ExperimentConfig& config, const std::string& data_dir);

// Independent random streams derived from the seed (splitmix-seeded, so nearby ids are unrelated).
enum class RngStream : std::uint64_t
{
    Training = 0,
    FixedNoise = 1,
    Evaluation = 2,
    View = 3,
};
Rng DerivedRng(std::uint64_t seed, RngStream stream, std::uint64_t sub = 0);

class Experiment
{
public:
    // Validates the config, builds the model from the training RNG (seeded from config.seed) and draws the fixed
    // noise and fixed test images from their own streams. Throws std::invalid_argument / std::runtime_error.
    Experiment(const models::ExperimentConfig& config, ExperimentData data);
    ~Experiment();
    Experiment(const Experiment&) = delete;
    Experiment& operator=(const Experiment&) = delete;

    // One training step of the live model; out is overwritten with the step's metrics. Advances StepCount().
    void Step(models::StepPhase phase, models::Metrics& out);

    // Sets a live hyperparameter by its short name (a live row of models::Hyperparams(): "g_lr", "beta",
    // "batch_size", ...) in Config(), passes it to the model and the batch source, and records the event. Throws
    // std::invalid_argument for an unknown or on-reset name or a bad value (then nothing changes).
    void SetHyper(const std::string& name, double value);
    // Current value of a hyperparameter of this family by short name (NaN for any other name).
    double Hyper(const std::string& name) const;
    std::vector<std::string> HyperNames() const; // the family's live hyperparameters, in table order

    // Test hook: called at the start of every Step with the step index (may throw, to test error handling).
    void SetStepHook(std::function<void(std::int64_t)> hook) { m_step_hook = std::move(hook); }
    // Fault-injection hook: called after the step hook with the live model (tests write a NaN into a parameter).
    void SetModelHook(std::function<void(std::int64_t, models::Model&)> hook) { m_model_hook = std::move(hook); }

    // --- Views and evaluation: pure functions of `model` (a clone) and fixed inputs. ---
    bool HasImages() const { return m_data.train != nullptr; }
    bool IsToy() const { return m_data.toy != nullptr; }
    // Samples from the fixed noise: 8 x 8, or one row of 10 per class for conditional models.
    ImageGrid RenderSamples(models::Model& model) const;
    // VAE: fixed test images and their reconstructions, alternating rows (input row, output row). Empty grid
    // (width 0) for GANs and toys.
    ImageGrid RenderReconstructions(models::Model& model) const;
    View2D Make2DView(models::Model& model, const View2DOptions& options = {}) const;
    // 2-D data with modes: modes_covered, modes_total, high_quality, grid_kl, grid_js, mmd (eval_samples samples);
    // other 2-D data: grid_kl, grid_js, mmd. VAEs: test_elbo and test_iwae (k = iwae_k) on the test set (full) or
    // its first 1,000 / 200 examples (in training). Image data with a judge (ImageJudge): the judge's metrics
    // (eval/judge_eval.h) on eval_samples samples, or kJudgeFullSamples when full. Deterministic given the step.
    models::Metrics Evaluate(models::Model& model, bool full) const;
    // The same at a given step and config (Evaluate passes the experiment's own): the evaluation worker's entry
    // (eval_worker.h). It reads only the data, the fixed inputs and the judge, never the live model, the training
    // RNG, the step counter or the config, so it may run on another thread while this one trains and changes
    // hyperparameters; at most one evaluation at a time, and not beside ImageJudge().
    models::Metrics EvaluateAt(models::Model& model, bool full, std::int64_t step,
                               const models::ExperimentConfig& config) const;

    // The image judge of this experiment's data, loaded on first use (the judge file and the test set's features:
    // seconds); nullptr when there is none, with the reason in *why (2-D data, data no judge reads, no judge file,
    // images of another size). Called on the experiment's thread, like every other function here.
    eval::ImageJudgeEvaluator* ImageJudge(std::string* why = nullptr) const;
    static constexpr int kJudgeFullSamples = 10000;

    // True when every parameter is finite; otherwise false and the first offending tensor's name in bad_name.
    bool ParametersFinite(std::string& bad_name);

    // --- Checkpoints (experiment_state.cpp) ---
    // The whole training state: config in force, parameters ("param/<name>"), optimizer state ("optim/<name>.m|v"
    // and step counts), extra state ("extra/<name>"), RNG, batch iterator, step, events. No metric history (the
    // session adds it). Parameters are copied as they are: SaveCheckpointFile refuses non-finite ones. each_tensor,
    // when given, sees every tensor as it is made, before the next is copied (the rollback copy moves each one's
    // bytes to a file there, so the whole state never sits in memory twice).
    io::CheckpointData SaveState(const std::function<void(io::CheckpointTensor&)>& each_tensor = {});
    // Builds an experiment from a checkpoint's config and data, then restores every tensor and counter. Throws
    // std::runtime_error naming the file (source) and the first missing, unexpected or mis-shaped tensor; nothing
    // else is touched, so a caller swapping experiments keeps its live one on failure.
    static std::unique_ptr<Experiment> FromState(const io::CheckpointData& state, ExperimentData data,
                                                 const std::string& source);

    models::Model& Live() { return *m_model; }
    const models::ExperimentConfig& Config() const { return m_config; }
    const ExperimentData& Data() const { return m_data; }
    const std::vector<HyperEvent>& Events() const { return m_events; }
    std::int64_t StepCount() const { return m_step; } // steps completed
    std::int64_t Epoch() const;                       // completed epochs of the training set (0 for toys)
    const Rng& TrainingRng() const { return m_rng; }

private:
    class Source;
    data::BatchIterator* Iterator(); // the image data's iterator; nullptr for toys
    void RestoreState(const io::CheckpointData& state, const std::string& source);
    // ImageJudge() for a config (EvaluateAt's, which may run on another thread: it never reads m_config).
    eval::ImageJudgeEvaluator* JudgeFor(const models::ExperimentConfig& config, std::string* why) const;

    models::ExperimentConfig m_config;
    ExperimentData m_data;
    Rng m_rng;
    std::unique_ptr<models::Model> m_model;
    std::unique_ptr<Source> m_source;
    std::int64_t m_step = 0;
    std::vector<HyperEvent> m_events;
    std::function<void(std::int64_t)> m_step_hook;
    std::function<void(std::int64_t, models::Model&)> m_model_hook;

    nn::MatrixF m_fixed_noise;   // (latent, n) for the sample grid
    nn::MatrixF m_fixed_labels;  // (classes, n) for conditional sample grids
    nn::MatrixF m_recon_inputs;  // (features, 32) fixed test images
    nn::MatrixF m_recon_labels;  // (classes, 32)
    nn::MatrixF m_view_real;     // (2, n) fixed real points for the 2-D view
    nn::MatrixF m_view_noise;    // (latent, n) fixed noise for the 2-D view

    mutable std::unique_ptr<eval::ImageJudgeEvaluator> m_judge; // loaded by ImageJudge() on first use
    mutable bool m_judge_tried = false;
    mutable std::string m_judge_why; // why there is no judge
};

} // namespace ll::train
