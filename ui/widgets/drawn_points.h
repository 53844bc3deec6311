// The 2-D view's drawing tool as data: a brush that sprays points around the cursor (its radius and rate), an
// eraser, and the point list that becomes a "custom" toy's data.points. GL- and ImGui-free, so tests drive it.
// Main (UI) thread only.
#pragma once

#include "core/data/toy2d.h"
#include "core/util/rng.h"

#include <cstddef>
#include <vector>

namespace ll::ui
{

class DrawnPoints
{
public:
    explicit DrawnPoints(std::uint64_t seed = 1) : m_rng(seed) {}

    // Sprays rate * seconds points (the fraction carried over between calls) uniformly over the disc of `radius`
    // around (x, y), clamped to +-data::kMaxDrawnCoordinate; stops at data::kMaxDrawnPoints. Returns how many.
    std::size_t Paint(float x, float y, float radius, float rate, float seconds);
    // Removes every point within radius of (x, y); returns how many.
    std::size_t Erase(float x, float y, float radius);
    void Clear();
    void Assign(std::vector<data::Mode> points); // e.g. the loaded config's drawing
    const std::vector<data::Mode>& Points() const { return m_points; }
    bool Full() const { return m_points.size() >= data::kMaxDrawnPoints; }
    // Half-width of a square centred at the origin that holds every point with a margin (1 when empty).
    float Extent() const;

private:
    Rng m_rng;
    std::vector<data::Mode> m_points;
    float m_carry = 0; // points owed from earlier Paint calls (rate * seconds is rarely whole)
};

} // namespace ll::ui
