// The training session's thread: drains commands at step boundaries, trains, publishes snapshots.
// Only ThreadMain and the functions it calls touch m_state; the public methods touch the queue, the latest
// snapshot pointer and the pending metric rows, each under its own small mutex.
#include "core/train/session.h"

#include "core/train/session_state.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ll::train
{

namespace
{
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxPendingRows = std::size_t(1) << 20; // ~ a million undrained rows, then drop the oldest
} // namespace

const char* StatusName(Status status)
{
    switch (status)
    {
    case Status::Idle: return "idle";
    case Status::Running: return "running";
    case Status::Paused: return "paused";
    case Status::Diverged: return "diverged";
    case Status::Error: return "error";
    }
    return "?";
}

// ---------------------------------------------------------------------------------------------------------------
// MetricBlock

void MetricBlock::Clear()
{
    names.clear();
    steps.clear();
    wall.clear();
    columns.clear();
    dropped = 0;
    hold_from = -1;
}

void MetricBlock::AppendRow(std::int64_t step, double wall_seconds, const models::Metrics& metrics)
{
    steps.push_back(step);
    wall.push_back(wall_seconds);
    for (auto& c : columns)
    {
        c.push_back(kNaN);
    }
    std::size_t hint = 0; // metrics come in the same order every step: try the next column first
    for (const auto& [name, value] : metrics)
    {
        std::size_t index = names.size();
        for (std::size_t k = 0; k < names.size(); ++k)
        {
            const std::size_t i = (hint + k) % names.size();
            if (names[i] == name)
            {
                index = i;
                break;
            }
        }
        if (index == names.size())
        {
            names.push_back(name);
            columns.emplace_back(steps.size(), kNaN);
        }
        columns[index].back() = value;
        hint = index + 1;
    }
}

void MetricBlock::Append(MetricBlock&& other)
{
    if (other.names.size() < names.size())
    {
        throw std::logic_error("MetricBlock::Append: names must extend the receiver's");
    }
    for (std::size_t i = names.size(); i < other.names.size(); ++i)
    {
        names.push_back(other.names[i]);
        columns.emplace_back(steps.size(), kNaN);
    }
    steps.insert(steps.end(), other.steps.begin(), other.steps.end());
    wall.insert(wall.end(), other.wall.begin(), other.wall.end());
    for (std::size_t i = 0; i < columns.size(); ++i)
    {
        columns[i].insert(columns[i].end(), other.columns[i].begin(), other.columns[i].end());
    }
    dropped += other.dropped;
    hold_from = other.hold_from; // the newer block knows whether the evaluation is still running
    if (steps.size() > kMaxPendingRows)
    {
        // Nobody drains: keep the newest half so memory stays bounded.
        const std::size_t drop = steps.size() - kMaxPendingRows / 2;
        steps.erase(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(drop));
        wall.erase(wall.begin(), wall.begin() + static_cast<std::ptrdiff_t>(drop));
        for (auto& c : columns)
        {
            c.erase(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(drop));
        }
        dropped += drop;
    }
}

void MetricBlock::MergeInOrder(const MetricBlock& other)
{
    std::vector<std::size_t> column_of(other.names.size());
    for (std::size_t c = 0; c < other.names.size(); ++c)
    {
        const auto at = std::find(names.begin(), names.end(), other.names[c]);
        column_of[c] = static_cast<std::size_t>(at - names.begin());
        if (at == names.end())
        {
            names.push_back(other.names[c]);
            columns.emplace_back(steps.size(), kNaN);
        }
    }
    for (std::size_t r = 0; r < other.Rows(); ++r)
    {
        const std::int64_t step = other.steps[r];
        // Rows come almost always in order: search back from the end.
        std::size_t at = steps.size();
        while (at > 0 && steps[at - 1] > step)
        {
            --at;
        }
        if (at == 0 || steps[at - 1] != step)
        {
            steps.insert(steps.begin() + static_cast<std::ptrdiff_t>(at), step);
            wall.insert(wall.begin() + static_cast<std::ptrdiff_t>(at), other.wall[r]);
            for (auto& column : columns)
            {
                column.insert(column.begin() + static_cast<std::ptrdiff_t>(at), kNaN);
            }
        }
        else
        {
            --at; // the row of this step: the late values fill it
        }
        for (std::size_t c = 0; c < other.columns.size(); ++c)
        {
            if (!std::isnan(other.columns[c][r]))
            {
                columns[column_of[c]][at] = other.columns[c][r];
            }
        }
    }
    dropped += other.dropped;
}

void MetricBlock::TakeRowsBefore(std::int64_t before, MetricBlock& out)
{
    out.Clear();
    out.names = names;
    std::size_t n = steps.size();
    if (before >= 0)
    {
        n = 0;
        while (n < steps.size() && steps[n] < before)
        {
            ++n;
        }
    }
    const auto cut = [n](auto& from, auto& to) {
        to.assign(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
        from.erase(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n));
    };
    cut(steps, out.steps);
    cut(wall, out.wall);
    out.columns.resize(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c)
    {
        cut(columns[c], out.columns[c]);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Public side (any thread)

Session::Session(SessionOptions options) : m_options(std::move(options))
{
    if (m_options.publish_every_steps < 1)
    {
        m_options.publish_every_steps = 1;
    }
    m_state = std::make_unique<State>(m_options.history);
    auto first = std::make_shared<Snapshot>();
    first->message = m_state->message;
    m_latest = std::move(first);
    m_thread = std::thread([this] { ThreadMain(); });
}

Session::~Session()
{
    Stop();
}

void Session::Stop()
{
    {
        std::lock_guard<std::mutex> lock(m_queue_mutex);
        m_stop.store(true);
    }
    m_queue_cv.notify_all();
    if (m_thread.joinable())
    {
        m_thread.join();
    }
}

std::uint64_t Session::Post(Command command)
{
    std::uint64_t id = 0;
    {
        std::lock_guard<std::mutex> lock(m_queue_mutex);
        id = m_next_command++;
        command.id = id;
        m_queue.push_back(std::move(command));
    }
    m_queue_cv.notify_one();
    return id;
}

std::uint64_t Session::Load(const models::ExperimentConfig& config)
{
    Command c;
    c.kind = Command::Kind::Load;
    c.config = std::make_shared<const models::ExperimentConfig>(config);
    return Post(std::move(c));
}

std::uint64_t Session::Start()
{
    Command c;
    c.kind = Command::Kind::Start;
    return Post(std::move(c));
}

std::uint64_t Session::Pause()
{
    Command c;
    c.kind = Command::Kind::Pause;
    return Post(std::move(c));
}

std::uint64_t Session::Step(std::int64_t n)
{
    Command c;
    c.kind = Command::Kind::Step;
    c.n = n;
    return Post(std::move(c));
}

std::uint64_t Session::StepD(std::int64_t n)
{
    Command c;
    c.kind = Command::Kind::Step;
    c.n = n;
    c.phase = models::StepPhase::DiscriminatorOnly;
    return Post(std::move(c));
}

std::uint64_t Session::StepG(std::int64_t n)
{
    Command c;
    c.kind = Command::Kind::Step;
    c.n = n;
    c.phase = models::StepPhase::GeneratorOnly;
    return Post(std::move(c));
}

std::uint64_t Session::RunUntil(std::int64_t step)
{
    Command c;
    c.kind = Command::Kind::RunUntil;
    c.n = step;
    return Post(std::move(c));
}

std::uint64_t Session::SetSlowMotion(double steps_per_second)
{
    Command c;
    c.kind = Command::Kind::SlowMotion;
    c.value = steps_per_second;
    return Post(std::move(c));
}

std::uint64_t Session::Reset()
{
    Command c;
    c.kind = Command::Kind::Reset;
    return Post(std::move(c));
}

std::uint64_t Session::SetHyper(const std::string& name, double value)
{
    Command c;
    c.kind = Command::Kind::SetHyper;
    c.name = name;
    c.value = value;
    return Post(std::move(c));
}

std::uint64_t Session::Evaluate(bool full)
{
    Command c;
    c.kind = Command::Kind::Evaluate;
    c.n = full ? 1 : 0;
    return Post(std::move(c));
}

std::uint64_t Session::SaveCheckpoint(const std::string& path)
{
    Command c;
    c.kind = Command::Kind::SaveCheckpoint;
    c.name = path;
    return Post(std::move(c));
}

std::uint64_t Session::LoadCheckpoint(const std::string& path)
{
    Command c;
    c.kind = Command::Kind::LoadCheckpoint;
    c.name = path;
    return Post(std::move(c));
}

std::uint64_t Session::RenameRun(const std::string& name)
{
    Command c;
    c.kind = Command::Kind::RenameRun;
    c.name = name;
    return Post(std::move(c));
}

std::shared_ptr<const Snapshot> Session::Latest() const
{
    std::lock_guard<std::mutex> lock(m_snapshot_mutex);
    return m_latest;
}

void Session::DrainMetrics(MetricBlock& out)
{
    std::lock_guard<std::mutex> lock(m_metrics_mutex);
    out = std::move(m_pending);
    // The names stay: indices are stable for the generation, and the next rows extend them.
    m_pending.Clear();
    m_pending.generation = out.generation;
    m_pending.names = out.names;
    m_pending.columns.assign(out.names.size(), {});
}

std::shared_ptr<const Snapshot> Session::WaitFor(const std::function<bool(const Snapshot&)>& pred,
                                                 std::chrono::milliseconds timeout) const
{
    std::unique_lock<std::mutex> lock(m_snapshot_mutex);
    const bool ok = m_snapshot_cv.wait_for(lock, timeout, [&] { return pred(*m_latest); });
    return ok ? m_latest : nullptr;
}

std::shared_ptr<const Snapshot> Session::WaitForVersion(std::uint64_t version, std::chrono::milliseconds timeout) const
{
    return WaitFor([version](const Snapshot& s) { return s.version >= version; }, timeout);
}

std::shared_ptr<const Snapshot> Session::WaitForCommand(std::uint64_t id, std::chrono::milliseconds timeout) const
{
    return WaitFor([id](const Snapshot& s) { return s.commands_applied >= id && s.pending_steps == 0 && s.run_until < 0; },
                   timeout);
}

} // namespace ll::train
