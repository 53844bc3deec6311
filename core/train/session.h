// The training session: one Experiment run on a background thread, driven by commands and watched through
// immutable snapshots. Threading contract: the training thread alone touches the experiment (model, optimizers,
// data iterator, RNG). Every public method may be called from any thread (normally the UI thread); commands go
// through a queue drained at step boundaries, so a run with pauses and single steps is bit-identical to an
// uninterrupted one. Latest() and DrainMetrics() take a tiny mutex for a pointer swap / a vector move only.
#pragma once

#include "core/models/config.h"
#include "core/models/model.h"
#include "core/train/experiment.h"
#include "core/train/metric_history.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ll::train
{

enum class Status
{
    Idle,     // nothing loaded, or loaded / reset and not started
    Running,  // training freely (or in slow motion)
    Paused,   // paused by the user, after single steps, or at a RunUntil target
    Diverged, // paused because a metric or a parameter became NaN / Inf (message says which, and a remedy)
    Error,    // a step or a load threw; message holds the exception's text. Commands still work.
};
const char* StatusName(Status status);

struct SessionOptions
{
    // Threads for Eigen's products on the training thread (OpenMP, per-thread setting: the UI thread keeps its
    // own). 0 = automatic: one less than the cores (the UI needs one), at least 1.
    int threads = 0;
    // Run the training thread (and its OpenMP workers) at a lower scheduling priority, so that a window stays
    // smooth while training takes the cycles it leaves. The app sets it; headless runs do not.
    bool background_priority = false;
    std::int64_t publish_every_steps = 1;              // publish no more often than every N steps...
    std::chrono::milliseconds publish_interval{30};    // ...and no more often than this while running
    std::chrono::milliseconds render_interval{250};    // sample grid, reconstructions, 2-D view
    std::chrono::milliseconds model_interval{1000};    // frozen model copy for the latent explorer
    bool frozen_model = true;                          // publish that copy at all (headless runs: no; 53 MB for dcgan)
    bool evaluate = true;                              // in-training evaluation every config.eval_every steps
    // Where that evaluation runs: 1 = on a thread of its own while training goes on (eval_worker.h; its rows are
    // logged at the step they describe), 0 = on the training thread between steps, -1 = automatic: its own thread
    // when training leaves a core free (fewer training threads than cores: the window, `train --threads 1`).
    int background_evaluation = -1;
    std::string data_dir;                              // overrides config.data.dir (the --data flag)
    View2DOptions view;
    HistoryOptions history;
    // Divergence rollback: every N steps (and at load), a copy of the state is kept if every parameter is
    // finite; a NaN / Inf restores it and pauses as Diverged. 0 = never (a divergence then only pauses).
    std::int64_t rollback_every = 100;
    // Past this many bytes, the copy's further tensors go to an unnamed temporary file instead of memory: a large
    // model's copy stays out of resident memory, a toy model's (well under 4 MB) never touches the disk.
    std::size_t rollback_spill_bytes = std::size_t{4} << 20;
    // Test hook, called on the training thread before every step with its index; may throw.
    std::function<void(std::int64_t)> step_hook;
    // Fault-injection hook, called on the training thread before every step with its index and the live model
    // (tests write a NaN into a parameter to check the rollback of each family). Never set by the app.
    std::function<void(std::int64_t, models::Model&)> model_hook;
    // Recording (the window): every experiment trained records into a run folder <runs_dir>/<preset>-<time>
    // (run_recorder.h), begun at its first trained step; Load and Reset start a new run; a checkpoint loaded from a
    // run folder continues that run. Rows are written at the publish cadence, sample grids at the config's
    // sample_every steps, a checkpoint (latest.ckpt) every run_checkpoint_interval, and final.ckpt with summary.json
    // when the run ends (the next Load / Reset, or Stop). "" = record nothing (RunHeadless records itself).
    std::string runs_dir;
    std::chrono::seconds run_checkpoint_interval{120};
};

// Whether a session with these options evaluates on a thread of its own (SessionOptions::background_evaluation).
bool BackgroundEvaluation(const SessionOptions& options);

// Metric points in columns: row r is step steps[r] at wall[r] seconds of running time; columns[i][r] is series
// names[i] at that step, NaN where the series has no value at that step (evaluation metrics, for instance).
struct MetricBlock
{
    std::uint64_t generation = 0;     // changes on Load / Reset: a new run, the reader clears its history
    std::vector<std::string> names;   // every series so far, in order of first appearance (indices are stable)
    std::vector<std::int64_t> steps;  // steps completed when the point was logged (1, 2, ...)
    std::vector<double> wall;         // seconds of running time (pauses excluded)
    std::vector<std::vector<double>> columns; // names.size() columns of steps.size() rows
    std::uint64_t dropped = 0;        // rows dropped because nobody drained for a very long time
    // An evaluation of this step is still running (-1: none): its values come later as a row of their own with
    // this step, after rows of later steps. A plot takes them as they come; a CSV writer holds the rows from this
    // step on until it is -1 again, and merges the late row into its step's (RunRecorder::AppendRows).
    std::int64_t hold_from = -1;

    std::size_t Rows() const { return steps.size(); }
    void Clear();
    // Appends one row (metrics may introduce new series, padded with NaN above).
    void AppendRow(std::int64_t step, double wall_seconds, const models::Metrics& metrics);
    // Appends every row of other (names matched by position; other's names must extend this one's).
    void Append(MetricBlock&& other);
    // Merges rows into this block in step order: a row whose step this block has already fills that row's NaN
    // columns (a late evaluation row), any other row goes where its step belongs. Names are matched by name.
    void MergeInOrder(const MetricBlock& other);
    // Moves the rows with step < before (all of them when before < 0) into out (cleared first).
    void TakeRowsBefore(std::int64_t before, MetricBlock& out);
};

// One published state. Immutable once published; shared pointers inside are reused between snapshots when
// their content has not changed (compare pointers to know whether to re-upload a texture).
struct Snapshot
{
    std::uint64_t version = 0;          // increases with every publish
    std::uint64_t generation = 0;       // increases with every Load / Reset
    std::uint64_t commands_applied = 0; // id of the last command the training thread has applied
    Status status = Status::Idle;
    std::string message;                // status text: error, divergence and its remedy, "ready", ...
    std::string command_error;          // the last refused command (e.g. a hyperparameter out of range)
    std::int64_t step = 0;              // steps completed
    std::int64_t epoch = 0;
    std::int64_t pending_steps = 0;     // single steps still queued
    std::int64_t run_until = -1;        // RunUntil target, or -1
    double slow_motion = 0;             // steps per second, 0 = full speed
    double wall_seconds = 0;            // running time (pauses excluded)
    double steps_per_second = 0;        // recent rate; 0 when not running

    std::vector<std::string> series;    // metric series names (same indices as MetricBlock columns)
    models::Metrics last_metrics;       // metrics of the latest step
    models::Metrics last_eval;          // the latest evaluation and its step
    std::int64_t eval_step = -1;
    bool eval_full = false;

    std::shared_ptr<const ImageGrid> samples;         // null for toys / nothing loaded
    std::shared_ptr<const ImageGrid> reconstructions; // VAEs on images
    std::shared_ptr<const View2D> view2d;             // toys
    // A frozen copy of the model at model_step. Model::Decode/Encode are non-const (they use internal buffers),
    // so the UI calls model->CloneForInference() once per refresh and uses its own copy on its thread.
    std::shared_ptr<const models::Model> model;
    std::int64_t model_step = -1;
    std::shared_ptr<const data::ImageDataset> test_set; // for the latent explorer's encoded scatter; null for toys
    // With the hyperparameters now in force (read them with the table: models::Hyperparams(), GetHyper).
    std::shared_ptr<const models::ExperimentConfig> config;
    std::shared_ptr<const std::vector<HyperEvent>> events;   // every hyperparameter change so far
    std::optional<models::Family> family; // nullopt while nothing is loaded
    std::string objective, formula;       // the model's objective name ("elbo" for VAEs) and formula
    // The last SaveCheckpoint / LoadCheckpoint command applied: its id, file, and error ("" = it succeeded).
    std::uint64_t checkpoint_command = 0;
    std::string checkpoint_path;
    std::string checkpoint_error;
    std::int64_t rollback_step = -1; // the step the last divergence rolled back to, or -1
    // Recording (SessionOptions::runs_dir): the run folder written now ("" = none yet), the last recording error.
    std::string run_dir;
    std::string run_error;
};

class Session
{
public:
    explicit Session(SessionOptions options = {});
    ~Session(); // Stop()
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Commands: each returns its id; Snapshot::commands_applied reaches it once the training thread applied it.
    std::uint64_t Load(const models::ExperimentConfig& config); // build a new experiment (data cached by folder)
    std::uint64_t Start();                                      // run freely (also: resume)
    std::uint64_t Resume() { return Start(); }
    std::uint64_t Pause();
    std::uint64_t Step(std::int64_t n = 1);  // pause, then n full steps
    std::uint64_t StepD(std::int64_t n = 1); // GAN teaching: n discriminator-only steps
    std::uint64_t StepG(std::int64_t n = 1); // GAN teaching: n generator-only steps
    std::uint64_t RunUntil(std::int64_t step); // run, then pause with fresh views exactly at this step
    std::uint64_t SetSlowMotion(double steps_per_second); // 0 = full speed
    std::uint64_t Reset();                   // rebuild from the loaded config and seed: the same run again
    std::uint64_t SetHyper(const std::string& name, double value); // recorded as an event at its step
    // Evaluates now, between steps (full: the whole test set, which can take seconds for IWAE; else the subset
    // used in training). The result is the snapshot's last_eval (eval_full says which). Does not change the run.
    std::uint64_t Evaluate(bool full);
    // Writes a checkpoint of the live experiment (atomically; refused while a parameter is not finite). Loads one:
    // validated whole before the live experiment is replaced; a bad file leaves the run as it was. Both report in
    // Snapshot::checkpoint_error (and command_error on failure). A loaded run is paused at its step.
    std::uint64_t SaveCheckpoint(const std::string& path);
    std::uint64_t LoadCheckpoint(const std::string& path);
    // Renames the run folder being recorded (run_recorder.h: CheckRunName); refusals go to command_error.
    std::uint64_t RenameRun(const std::string& name);
    // Stops the thread and joins it (within ~one step). Idempotent; the destructor calls it.
    void Stop();

    // The latest snapshot (never null). One pointer copy under a tiny mutex.
    std::shared_ptr<const Snapshot> Latest() const;
    // Moves the metric rows logged since the last drain into out (overwritten). One consumer per session (the
    // UI, or the headless writer); rows are appended at each publish, so skipping snapshots loses nothing.
    void DrainMetrics(MetricBlock& out);
    // Waits until a snapshot satisfies pred (or the timeout passes); returns it, or nullptr on timeout.
    std::shared_ptr<const Snapshot> WaitFor(const std::function<bool(const Snapshot&)>& pred,
                                            std::chrono::milliseconds timeout) const;
    std::shared_ptr<const Snapshot> WaitForVersion(std::uint64_t version, std::chrono::milliseconds timeout) const;
    // Waits until command id is applied and its effect finished (queued steps done, RunUntil reached).
    std::shared_ptr<const Snapshot> WaitForCommand(std::uint64_t id, std::chrono::milliseconds timeout) const;

    const SessionOptions& Options() const { return m_options; }

private:
    struct Command;
    std::uint64_t Post(Command command);
    void ThreadMain();
    void ApplyCommands();
    void Apply(Command& command);
    void Build(const models::ExperimentConfig& config);
    void TrainOneStep();
    // Publishing, in its jobs: views and the frozen model when due (returns a divergence found while drawing, or
    // ""), the rate, the snapshot itself, the metric rows for DrainMetrics. Publish does them in that order.
    void Publish(bool force_views);
    std::string RefreshViews(bool force_views, std::chrono::steady_clock::time_point now);
    void UpdateRate(std::chrono::steady_clock::time_point now);
    std::shared_ptr<Snapshot> MakeSnapshot();
    void HandOverMetrics();
    void SetStatus(Status status, std::string message);
    void PauseHere(Status status, std::string message);
    // The background evaluation's result, when there is one (wait: block until it is done): logged at the step it
    // was taken at. Returns true when a result was taken.
    bool TakeEvaluation(bool wait);
    // session_checkpoint.cpp
    void SaveCheckpointNow(const std::string& path);
    void LoadCheckpointNow(const std::string& path);
    void KeepGoodState();
    std::string RollBack(); // restores the last good state; returns a sentence for the message ("" if none)
    void WriteCheckpoint(const std::string& path); // throws; SaveCheckpointNow reports
    // session_record.cpp: the run folder of SessionOptions::runs_dir.
    void RecordRows();
    void RecordSamples(std::int64_t step);
    void RecordCheckpoint(std::chrono::steady_clock::time_point now);
    void EndRun();
    void RenameRunNow(const std::string& name);

    SessionOptions m_options;

    // Shared with other threads.
    mutable std::mutex m_queue_mutex;
    std::condition_variable m_queue_cv;
    std::vector<Command> m_queue; // FIFO: drained whole, in order
    std::uint64_t m_next_command = 1;
    std::atomic<bool> m_stop{false};

    mutable std::mutex m_snapshot_mutex;
    mutable std::condition_variable m_snapshot_cv;
    std::shared_ptr<const Snapshot> m_latest;

    std::mutex m_metrics_mutex;
    MetricBlock m_pending;

    // Training thread only.
    struct State;
    std::unique_ptr<State> m_state;
    std::thread m_thread;
};

} // namespace ll::train
