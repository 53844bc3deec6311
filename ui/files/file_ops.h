// The File menu's checkpoint commands: Save / Load / Autosave requests sent to the session one at a time (the
// snapshot reports only the last checkpoint command, so one in flight keeps every result), and their results read
// back from snapshots. The session writes and reads on its training thread; nothing here touches the disk.
// UI thread only; GL-free, so tests drive it with a real session.
#pragma once

#include "core/train/session.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace ll::ui
{

class CheckpointOps
{
public:
    enum class Kind
    {
        Save,
        Load,
        Autosave,
    };
    struct Result
    {
        Kind kind = Kind::Save;
        std::string path;
        bool ok = false;
        std::string error;  // the session's reason when !ok
        std::int64_t step = 0; // the run's step when the result was seen (saved at / loaded to)
        std::uint64_t generation = 0;
    };

    // Queues a request; it is sent by Poll once the one before it has finished.
    void Request(Kind kind, const std::string& path);
    // Reads the result of the command in flight from snap (once applied), then sends the next queued request.
    std::optional<Result> Poll(train::Session& session, const train::Snapshot& snap);

    bool Busy() const { return m_in_flight.has_value() || !m_queue.empty(); }
    // The path of the command in flight ("" when none), for a "saving ..." note.
    std::string InFlightPath() const { return m_in_flight ? m_in_flight->path : std::string(); }
    bool InFlightIs(Kind kind) const { return m_in_flight && m_in_flight->kind == kind; }

private:
    struct Pending
    {
        Kind kind = Kind::Save;
        std::string path;
        std::uint64_t id = 0;
    };
    std::optional<Pending> m_in_flight;
    std::deque<Pending> m_queue;
};

const char* CheckpointOpName(CheckpointOps::Kind kind); // "save", "load", "autosave"

} // namespace ll::ui
