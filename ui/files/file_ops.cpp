// The File menu's checkpoint commands (see file_ops.h).
#include "ui/files/file_ops.h"

namespace ll::ui
{

const char* CheckpointOpName(CheckpointOps::Kind kind)
{
    switch (kind)
    {
    case CheckpointOps::Kind::Save: return "save";
    case CheckpointOps::Kind::Load: return "load";
    case CheckpointOps::Kind::Autosave: return "autosave";
    }
    return "?";
}

void CheckpointOps::Request(Kind kind, const std::string& path) { m_queue.push_back({kind, path, 0}); }

std::optional<CheckpointOps::Result> CheckpointOps::Poll(train::Session& session, const train::Snapshot& snap)
{
    std::optional<Result> result;
    if (m_in_flight && snap.commands_applied >= m_in_flight->id)
    {
        Result r;
        r.kind = m_in_flight->kind;
        r.path = m_in_flight->path;
        // Only this command is in flight, so the snapshot's checkpoint fields are its own.
        if (snap.checkpoint_command == m_in_flight->id)
        {
            r.ok = snap.checkpoint_error.empty();
            r.error = snap.checkpoint_error;
        }
        else
        {
            r.error = "the session did not report on the " + std::string(CheckpointOpName(r.kind)) + " command";
        }
        r.step = snap.step;
        r.generation = snap.generation;
        result = std::move(r);
        m_in_flight.reset();
    }
    if (!m_in_flight && !m_queue.empty())
    {
        Pending next = std::move(m_queue.front());
        m_queue.pop_front();
        next.id = next.kind == Kind::Load ? session.LoadCheckpoint(next.path) : session.SaveCheckpoint(next.path);
        m_in_flight = std::move(next);
    }
    return result;
}

} // namespace ll::ui
