// Private to the session: a queued command and the state the training thread owns (session.cpp,
// session_thread.cpp and session_publish.cpp). Not for other modules.
#pragma once

#include "core/io/checkpoint.h"
#include "core/train/eval_worker.h"
#include "core/train/run_recorder.h"
#include "core/train/session.h"

#include <chrono>
#include <cstdio>
#include <memory>

namespace ll::train
{

using Clock = std::chrono::steady_clock;

struct Session::Command
{
    enum class Kind
    {
        Load,
        Start,
        Pause,
        Step,
        RunUntil,
        SlowMotion,
        Reset,
        SetHyper,
        Evaluate,
        SaveCheckpoint,
        LoadCheckpoint,
        RenameRun,
    };
    Kind kind = Kind::Pause;
    std::uint64_t id = 0;
    std::int64_t n = 0;
    double value = 0;
    models::StepPhase phase = models::StepPhase::Both;
    std::string name;
    std::shared_ptr<const models::ExperimentConfig> config;
};

// Everything the training thread owns.
struct Session::State
{
    std::unique_ptr<Experiment> exp;
    models::ExperimentConfig loaded_config; // as loaded: Reset rebuilds from it
    ExperimentData data_cache;              // reused when a rebuild asks for the same data
    std::uint64_t generation = 0;

    bool running = false;
    std::int64_t pending_steps = 0;
    models::StepPhase pending_phase = models::StepPhase::Both;
    std::int64_t run_until = -1;
    double slow_motion = 0;
    Clock::time_point next_slow_step{};

    Status status = Status::Idle;
    std::string message = "nothing loaded";
    std::string command_error;
    std::uint64_t commands_applied = 0;

    bool was_active = false;
    Clock::time_point active_mark{};
    double wall = 0;
    Clock::time_point rate_time{};
    double rate_wall = 0;
    std::int64_t rate_step = 0;
    double rate = 0;

    std::uint64_t version = 0;
    Clock::time_point last_publish{};
    std::int64_t steps_since_publish = 0;
    Clock::time_point last_render{};
    Clock::time_point last_model{};
    Clock::duration view_cost{}; // how long the last refresh of the views took (RefreshViews)
    std::int64_t render_step = -1;
    std::int64_t model_step = -1;
    std::shared_ptr<const ImageGrid> samples, reconstructions;
    std::shared_ptr<const View2D> view2d;
    std::shared_ptr<const models::Model> model;
    std::shared_ptr<const models::ExperimentConfig> config;
    std::shared_ptr<const std::vector<HyperEvent>> events;
    bool config_dirty = true;

    MetricBlock local; // rows logged since the last publish
    // The in-training evaluation's thread (made at the first evaluation when SessionOptions say so), the step of
    // the evaluation it runs (-1: none) and the running time at that step, for its row.
    std::unique_ptr<EvaluationWorker> eval_worker;
    std::int64_t eval_running = -1;
    double eval_running_wall = 0;
    std::vector<std::int64_t> late_rows; // steps of such rows in `local`, logged after rows of later steps
    std::size_t recorded_rows = 0;       // rows of `local` RecordRows has seen (the rest are new)
    MetricHistory history;
    models::Metrics metrics;
    models::Metrics last_eval;
    std::int64_t eval_step = -1;
    bool eval_full = false;

    // Checkpoints and divergence rollback (session_checkpoint.cpp).
    std::uint64_t checkpoint_command = 0;
    std::string checkpoint_path, checkpoint_error;
    // The last state with finite parameters. Past its first rollback_spill_bytes (4 MB), its tensors' bytes are in
    // good_file (an unnamed temporary file; those tensors, listed in good_spilled, hold names and shapes with empty
    // bytes), so a model of 13 M parameters does not keep another 160 MB resident for a rollback that rarely comes.
    std::unique_ptr<io::CheckpointData> good;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> good_file{nullptr, &std::fclose};
    std::vector<std::size_t> good_spilled;
    double good_wall = 0;
    std::int64_t rollback_step = -1;

    // Recording (session_record.cpp).
    RunRecorder recorder;
    bool record_next = false;          // a run begins at the first step trained after build_step
    std::int64_t build_step = 0;       // the step the experiment was built or loaded at
    std::int64_t recorded_step = -1;   // rows up to this step are in the run's CSV
    std::string continue_dir;          // a loaded checkpoint's run folder: continued instead of a new run
    std::int64_t next_sample_record = 0;
    Clock::time_point last_run_checkpoint{};
    std::string run_dir, run_error;

    explicit State(const HistoryOptions& h) : history(h) {}
};

// "Lower the learning rates (d_lr 0.0002, g_lr 0.0002), e.g. by 10x, and Reset.": the advice after a divergence
// (session_thread.cpp; also used by session_publish.cpp's parameter check).
std::string LearningRateHint(const models::ExperimentConfig& c);

} // namespace ll::train
