// What every lab panel sees each frame: the latest snapshot (taken once per frame), the session to send commands
// to, the UI's own metric history, and a private inference copy of the frozen model. UI thread only.
// Panels read snapshots and issue commands; no panel touches the live model (it never sees it).
#pragma once

#include "core/models/model.h"
#include "core/train/metric_history.h"
#include "core/train/session.h"

#include <cstdint>
#include <memory>

namespace ll::ui
{

class RunLibrary;

struct LabContext
{
    train::Session* session = nullptr;                 // commands only
    std::shared_ptr<const train::Snapshot> snapshot;   // never null once the lab runs
    // The UI's own bounded copy of every metric series of the current run (cleared when the snapshot's generation
    // changes); series hold only logged values (the NaN padding of sparse series such as test_elbo is skipped).
    const train::MetricHistory* history = nullptr;
    std::uint64_t history_generation = 0; // the run the history belongs to
    // The rows drained this frame (empty most frames), for panels that keep running statistics incrementally.
    const train::MetricBlock* new_rows = nullptr;
    // The runs directory (ui/views/run_library.h): its listing, and the runs selected for comparison, which the
    // Plots view overlays instead of the live run while any is selected. Null when the lab has none.
    RunLibrary* runs = nullptr;

    // Returns a model the UI thread may Decode/Encode/Score with, cloned from snapshot->model whenever that
    // pointer changes (Model's inference methods are non-const, so the shared frozen copy is not used
    // directly). Null when the snapshot holds no model yet.
    models::Model* InferenceModel()
    {
        if (!snapshot || !snapshot->model)
        {
            return nullptr;
        }
        if (snapshot->model != m_cloned_from)
        {
            m_inference = snapshot->model->CloneForInference();
            m_cloned_from = snapshot->model;
        }
        return m_inference.get();
    }
    // Step of the model InferenceModel() returns (-1 when none).
    std::int64_t InferenceModelStep() const { return snapshot ? snapshot->model_step : -1; }

private:
    std::shared_ptr<const models::Model> m_cloned_from;
    std::unique_ptr<models::Model> m_inference;
};

// True when the run is on 2-D toy data (its 2-D view exists, or the experiment says so before the first one).
inline bool ShowsToyData(const train::Snapshot& snap)
{
    return snap.view2d != nullptr || (snap.config && snap.config->data.kind == models::DataKind::Toy);
}

} // namespace ll::ui
