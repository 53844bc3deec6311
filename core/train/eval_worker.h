// The in-training evaluation on a thread of its own. The training thread hands it a frozen clone of the model and
// the step and config it was taken at, and goes on training while the judge and the metrics run; it picks the
// result up a few hundred steps later and logs it at the step it describes. One evaluation at a time: the training
// thread waits for the previous one before it starts the next, so the work is bounded.
//
// Why: an evaluation of an image model (the judge's pass over 2,500 samples, its k-NN balls and Frechet distance)
// takes about half a second on one core, every eval_every steps; on the training thread that was 17-18% of a
// vae-fashion run's time (issue 15). The window trains on one thread of the two cores, and `latentlab train
// --threads 1` leaves the second idle: there the evaluation costs training almost nothing (2.6% against 22% in line,
// README). When training already uses every core the session evaluates between steps on the training thread, as
// before (SessionOptions::background_evaluation).
#pragma once

#include "core/models/config.h"
#include "core/models/model.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace ll::train
{

class Experiment;

struct EvaluationResult
{
    std::int64_t step = 0;  // the step the model was cloned at
    models::Metrics metrics;
    std::string error;      // non-empty when the evaluation threw (metrics then empty)
};

class EvaluationWorker
{
public:
    // background: the worker thread runs at the training thread's lower priority (a window's session).
    explicit EvaluationWorker(bool background);
    ~EvaluationWorker(); // waits for a running evaluation, then ends the thread
    EvaluationWorker(const EvaluationWorker&) = delete;
    EvaluationWorker& operator=(const EvaluationWorker&) = delete;

    // Starts Experiment::EvaluateAt(*clone, false, step, config) on the worker thread. The experiment must outlive
    // the evaluation (the session takes the result before it replaces or destroys it). Throws std::logic_error
    // when one is already running or not yet taken.
    void Start(const Experiment& exp, std::unique_ptr<models::Model> clone, std::int64_t step,
               const models::ExperimentConfig& config);
    // The result when it is ready, without waiting (nullopt when none is pending or it is still running).
    std::optional<EvaluationResult> TryTake();
    // Waits for the pending evaluation and returns it (nullopt when none is pending).
    std::optional<EvaluationResult> Take();

private:
    void ThreadMain();

    const bool m_background;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::thread m_thread;
    bool m_stop = false;
    bool m_pending = false; // a job started and not yet taken
    bool m_done = false;    // its result is ready
    const Experiment* m_exp = nullptr;
    std::unique_ptr<models::Model> m_clone;
    std::int64_t m_step = 0;
    std::unique_ptr<models::ExperimentConfig> m_config;
    EvaluationResult m_result;
};

} // namespace ll::train
