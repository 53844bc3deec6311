// The drawing tool's brush and eraser (see drawn_points.h).
#include "ui/widgets/drawn_points.h"

#include <algorithm>
#include <cmath>

namespace ll::ui
{

std::size_t DrawnPoints::Paint(float x, float y, float radius, float rate, float seconds)
{
    m_carry += std::max(0.0f, rate * seconds);
    std::size_t added = 0;
    while (m_carry >= 1.0f && !Full())
    {
        m_carry -= 1.0f;
        // Uniform over the disc: radius * sqrt(u) keeps the density even from the centre to the rim.
        const double r = radius * std::sqrt(m_rng.Uniform());
        const double a = 2.0 * M_PI * m_rng.Uniform();
        const float px = std::clamp(static_cast<float>(x + r * std::cos(a)), -data::kMaxDrawnCoordinate,
                                    data::kMaxDrawnCoordinate);
        const float py = std::clamp(static_cast<float>(y + r * std::sin(a)), -data::kMaxDrawnCoordinate,
                                    data::kMaxDrawnCoordinate);
        m_points.push_back({px, py});
        ++added;
    }
    if (Full())
    {
        m_carry = 0;
    }
    return added;
}

std::size_t DrawnPoints::Erase(float x, float y, float radius)
{
    const std::size_t before = m_points.size();
    const float r2 = radius * radius;
    std::erase_if(m_points, [&](const data::Mode& p) {
        return (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y) <= r2;
    });
    return before - m_points.size();
}

void DrawnPoints::Clear()
{
    m_points.clear();
    m_carry = 0;
}

void DrawnPoints::Assign(std::vector<data::Mode> points)
{
    if (points.size() > data::kMaxDrawnPoints)
    {
        points.resize(data::kMaxDrawnPoints);
    }
    m_points = std::move(points);
    m_carry = 0;
}

float DrawnPoints::Extent() const
{
    float extent = 0;
    for (const data::Mode& p : m_points)
    {
        extent = std::max({extent, std::abs(p.x), std::abs(p.y)});
    }
    return extent > 0 ? 1.2f * extent : 1.0f;
}

} // namespace ll::ui
