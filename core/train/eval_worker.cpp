// The evaluation worker (see eval_worker.h).
#include "core/train/eval_worker.h"

#include "core/train/experiment.h"
#include "core/train/thread_setup.h"

#include <stdexcept>

namespace ll::train
{

EvaluationWorker::EvaluationWorker(bool background) : m_background(background) {}

EvaluationWorker::~EvaluationWorker()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
    {
        m_thread.join();
    }
}

void EvaluationWorker::Start(const Experiment& exp, std::unique_ptr<models::Model> clone, std::int64_t step,
                             const models::ExperimentConfig& config)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_pending)
        {
            throw std::logic_error("EvaluationWorker::Start: the previous evaluation was not taken");
        }
        m_pending = true;
        m_done = false;
        m_exp = &exp;
        m_clone = std::move(clone);
        m_step = step;
        m_config = std::make_unique<models::ExperimentConfig>(config);
        if (!m_thread.joinable())
        {
            m_thread = std::thread([this] { ThreadMain(); });
        }
    }
    m_cv.notify_all();
}

std::optional<EvaluationResult> EvaluationWorker::TryTake()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_pending || !m_done)
    {
        return std::nullopt;
    }
    m_pending = false;
    m_done = false;
    return std::move(m_result);
}

std::optional<EvaluationResult> EvaluationWorker::Take()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (!m_pending)
    {
        return std::nullopt;
    }
    m_cv.wait(lock, [&] { return m_done; });
    m_pending = false;
    m_done = false;
    return std::move(m_result);
}

void EvaluationWorker::ThreadMain()
{
    // One thread of its own: the judge's blocks run on this pool, never on the training thread's.
    ConfigureTrainingThread(1, m_background);
    std::unique_lock<std::mutex> lock(m_mutex);
    while (true)
    {
        m_cv.wait(lock, [&] { return m_stop || (m_pending && !m_done && m_clone != nullptr); });
        if (m_stop && !(m_pending && !m_done && m_clone != nullptr))
        {
            return;
        }
        std::unique_ptr<models::Model> clone = std::move(m_clone);
        std::unique_ptr<models::ExperimentConfig> config = std::move(m_config);
        const Experiment* exp = m_exp;
        const std::int64_t step = m_step;
        lock.unlock();
        EvaluationResult result;
        result.step = step;
        try
        {
            result.metrics = exp->EvaluateAt(*clone, false, step, *config);
        }
        catch (const std::exception& e)
        {
            result.metrics.clear();
            result.error = e.what();
        }
        clone.reset();
        config.reset();
        ReleaseFreedMemory(); // the judge's buffers: tens of MB, every few hundred steps
        lock.lock();
        m_result = std::move(result);
        m_done = true;
        m_cv.notify_all();
    }
}

} // namespace ll::train
