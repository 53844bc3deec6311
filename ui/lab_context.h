// What every lab panel sees each frame: the latest snapshot (taken once per frame), the session to send commands
// to, the UI's own metric history, and a private inference copy of the frozen model. UI thread only.
// Panels read snapshots and issue commands; no panel touches the live model (it never sees it).
#pragma once

#include "core/models/model.h"
#include "core/train/metric_history.h"
#include "core/train/session.h"

#include <memory>

namespace ll::ui
{

struct LabContext
{
    train::Session* session = nullptr;                 // commands only
    std::shared_ptr<const train::Snapshot> snapshot;   // never null once the lab runs

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

} // namespace ll::ui
