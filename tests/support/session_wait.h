// Driving a real session from a test: options for a quiet one (one thread, no evaluation, small 2-D views) and the
// wait for a command's snapshot. Waiting is on the session's own condition variable with a deadline, never a sleep.
#pragma once

#include "core/train/session.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <memory>

namespace ll::test
{

inline constexpr std::chrono::seconds kSessionDeadline{60}; // a deadline, not a pace

// One training thread, no evaluation, an 8x8 field and 32 shown points.
inline train::SessionOptions QuietSessionOptions()
{
    train::SessionOptions o;
    o.threads = 1;
    o.evaluate = false;
    o.view.field_res = 8;
    o.view.points = 32;
    return o;
}

// The snapshot that answers command `id`; fails the test when none comes within the deadline.
inline std::shared_ptr<const train::Snapshot> WaitForReply(train::Session& s, std::uint64_t id)
{
    auto snap = s.WaitForCommand(id, kSessionDeadline);
    REQUIRE(snap != nullptr);
    return snap;
}

} // namespace ll::test
