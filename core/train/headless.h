// Headless training: drives the same Session the window uses, without a window. Writes metrics.csv (every logged
// point), sample grids (samples_000500.png, recon_000500.png for VAEs, view2d_000500.png for 2-D data) and
// summary.json (final evaluation) into an output folder, and prints a progress line every few seconds.
// Runs on the calling thread (plus the session's training thread).
#pragma once

#include "core/models/config.h"
#include "core/models/model.h"
#include "core/train/session.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace ll::train
{

struct HeadlessOptions
{
    std::int64_t steps = -1;    // < 0: the config's steps
    std::string out_dir;        // created if missing; empty: write nothing (evaluate only)
    std::string data_dir;       // overrides config.data.dir
    int threads = 0;            // training threads; 0: every core (no window to leave room for)
    int background_evaluation = -1; // SessionOptions::background_evaluation
    std::chrono::milliseconds progress_every{3000};
    std::ostream* progress = nullptr; // progress lines go here when set
    bool final_evaluation = true;     // the full-test-set evaluation for summary.json
    // Checkpoints (with an out_dir): out_dir/final.ckpt at the end always, and out_dir/step_000500.ckpt every N
    // steps when > 0.
    std::int64_t checkpoint_every = 0;
    // Continue from this checkpoint instead of building config afresh (config must be the checkpoint's); steps is
    // then the step to stop at.
    std::string resume_from;
};

struct HeadlessResult
{
    Status status = Status::Idle;   // Paused when the run reached its steps; Diverged or Error otherwise
    std::string message;            // the session's message for Diverged / Error
    std::int64_t steps = 0;         // steps completed
    double wall_seconds = 0;        // running time of the session (training and in-training evaluation)
    double steps_per_second = 0;
    models::Metrics evaluation;     // the final evaluation (summary.json's metrics)
    std::string summary_json;       // what was written to summary.json

    bool Ok() const { return status == Status::Paused; }
};

// Runs config for options.steps steps. Throws std::runtime_error when the experiment cannot be built (bad data
// folder, ...) or a file cannot be written; a divergence or an exception during training is reported in the
// result (the files written so far stay, summary.json says what happened).
HeadlessResult RunHeadless(const models::ExperimentConfig& config, const HeadlessOptions& options);

// An evaluation's metrics as JSON fields, as summary.json and `latentlab eval` write them: mode counts as integers,
// non-finite values as null, iwae_k after test_iwae.
void AppendEvaluationJson(nlohmann::ordered_json& j, const models::Metrics& metrics, int iwae_k);

} // namespace ll::train
