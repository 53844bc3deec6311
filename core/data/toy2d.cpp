// 2-D toy distributions, sampled fresh each batch from the session's RNG (never a global one).
// A ToySampler is immutable after construction: Sample() may run on any thread with that thread's own Rng.
#include "core/data/toy2d.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace ll::data
{

using util::NameOf;

namespace
{

constexpr double kPi = std::numbers::pi;

std::string Lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Noise sd of the continuous toys, in data units.
constexpr double kSpiralNoise = 0.04;
constexpr double kMoonsNoise = 0.05;
constexpr double kSwissNoise = 0.04;

} // namespace

const util::EnumNames<ToyKind>& NamesOf(ToyKind)
{
    // Canonical names in the order the UI lists them, then the aliases ParseToy also accepts.
    static const util::EnumNames<ToyKind> names{
        {ToyKind::Ring8, "ring8"},       {ToyKind::Grid25, "grid25"},       {ToyKind::Spiral, "spiral"},
        {ToyKind::TwoMoons, "moons"},    {ToyKind::SwissRoll, "swissroll"}, {ToyKind::Checkerboard, "checkerboard"},
        {ToyKind::Custom, "custom"},     {ToyKind::Ring8, "ring"},          {ToyKind::Ring8, "8gaussians"},
        {ToyKind::Grid25, "grid"},       {ToyKind::Grid25, "25gaussians"},  {ToyKind::TwoMoons, "twomoons"},
    };
    return names;
}

ToyKind ParseToy(const std::string& name)
{
    std::string key = Lower(name);
    key.erase(std::remove_if(key.begin(), key.end(), [](char c) { return c == '_' || c == '-' || c == ' '; }),
              key.end());
    if (const auto kind = NamesOf(ToyKind{}).Find(key))
    {
        return *kind;
    }
    return NamesOf(ToyKind{}).Parse(name, "toy distribution"); // throws, listing the names
}

std::vector<std::string> ToyNames()
{
    std::vector<std::string> names;
    for (const ToyKind kind : NamesOf(ToyKind{}).Values())
    {
        if (kind != ToyKind::Custom)
        {
            names.push_back(NameOf(kind));
        }
    }
    return names;
}

ToySampler::ToySampler(ToyKind kind) : m_kind(kind)
{
    switch (kind)
    {
    case ToyKind::Ring8:
        m_sd = 0.01f;
        for (int k = 0; k < 8; ++k)
        {
            const double angle = 2.0 * kPi * k / 8.0;
            m_modes.push_back({static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))});
        }
        break;
    case ToyKind::Grid25:
        m_sd = 0.05f;
        for (int i = -2; i <= 2; ++i)
        {
            for (int j = -2; j <= 2; ++j)
            {
                m_modes.push_back({2.0f * static_cast<float>(i), 2.0f * static_cast<float>(j)});
            }
        }
        break;
    case ToyKind::Custom:
        throw std::invalid_argument("ToySampler: a custom toy needs its drawn points (use the points constructor)");
    default:
        break; // continuous toys: no modes
    }
}

ToySampler::ToySampler(std::vector<Mode> points, float sd)
    : m_kind(ToyKind::Custom), m_custom(std::move(points)), m_sd(sd)
{
    if (m_custom.empty())
    {
        throw std::invalid_argument("ToySampler: a custom toy needs at least one drawn point");
    }
    if (!(sd >= 0.0f) || !std::isfinite(sd))
    {
        throw std::invalid_argument("ToySampler: jitter sd " + std::to_string(sd) + " must be finite and >= 0");
    }
    for (const Mode& p : m_custom)
    {
        if (!std::isfinite(p.x) || !std::isfinite(p.y))
        {
            throw std::invalid_argument("ToySampler: a drawn point is not finite");
        }
    }
}

void ToySampler::Sample(Rng& rng, Eigen::Index n, nn::MatrixF& out) const
{
    if (n < 0)
    {
        throw std::invalid_argument("ToySampler::Sample: negative count " + std::to_string(n));
    }
    out.resize(2, n); // (2, n): one point per column
    for (Eigen::Index j = 0; j < n; ++j)
    {
        double x = 0.0, y = 0.0;
        switch (m_kind)
        {
        case ToyKind::Ring8:
        case ToyKind::Grid25:
        {
            const Mode& m = m_modes[static_cast<std::size_t>(rng.Below(m_modes.size()))];
            x = rng.Normal(m.x, m_sd);
            y = rng.Normal(m.y, m_sd);
            break;
        }
        case ToyKind::Custom:
        {
            const Mode& m = m_custom[static_cast<std::size_t>(rng.Below(m_custom.size()))];
            x = rng.Normal(m.x, m_sd);
            y = rng.Normal(m.y, m_sd);
            break;
        }
        case ToyKind::Spiral:
        {
            // 1.5 turns out to radius 2; sqrt spreads points evenly along the arm rather than bunching at the centre.
            const double t = std::sqrt(rng.Uniform()) * 3.0 * kPi;
            const double r = 2.0 * t / (3.0 * kPi);
            x = r * std::cos(t) + rng.Normal(0.0, kSpiralNoise);
            y = r * std::sin(t) + rng.Normal(0.0, kSpiralNoise);
            break;
        }
        case ToyKind::TwoMoons:
        {
            // Two interleaved half circles of radius 1, centred on the origin: x in [-1.5, 1.5], y in [-0.75, 0.75].
            const double t = rng.Uniform() * kPi;
            if (rng.Below(2) == 0)
            {
                x = std::cos(t) - 0.5;
                y = std::sin(t) - 0.25;
            }
            else
            {
                x = 0.5 - std::cos(t);
                y = 0.25 - std::sin(t);
            }
            x += rng.Normal(0.0, kMoonsNoise);
            y += rng.Normal(0.0, kMoonsNoise);
            break;
        }
        case ToyKind::SwissRoll:
        {
            // The classic roll t in [1.5 pi, 4.5 pi], (t cos t, t sin t), scaled by 1/7 to radius ~2.
            const double t = 1.5 * kPi * (1.0 + 2.0 * rng.Uniform());
            x = t * std::cos(t) / 7.0 + rng.Normal(0.0, kSwissNoise);
            y = t * std::sin(t) / 7.0 + rng.Normal(0.0, kSwissNoise);
            break;
        }
        case ToyKind::Checkerboard:
        {
            // The 8 dark cells ((i + j) even) of a 4x4 board on [-2, 2]^2, uniform within a cell.
            const auto cell_x = static_cast<int>(rng.Below(4));
            const int cell_y = 2 * static_cast<int>(rng.Below(2)) + (cell_x % 2);
            x = -2.0 + cell_x + rng.Uniform();
            y = -2.0 + cell_y + rng.Uniform();
            break;
        }
        }
        out(0, j) = static_cast<float>(x);
        out(1, j) = static_cast<float>(y);
    }
}

float ToySampler::Extent() const
{
    switch (m_kind)
    {
    case ToyKind::Ring8:
        return 1.5f;
    case ToyKind::Grid25:
        return 5.0f;
    case ToyKind::Spiral:
        return 2.5f;
    case ToyKind::TwoMoons:
        return 2.0f;
    case ToyKind::SwissRoll:
        return 2.5f;
    case ToyKind::Checkerboard:
        return 2.5f;
    case ToyKind::Custom:
    {
        float reach = 0.0f;
        for (const Mode& p : m_custom)
        {
            reach = std::max({reach, std::abs(p.x), std::abs(p.y)});
        }
        // Points plus 3 sd of jitter, with a 15% margin; never a degenerate view.
        return std::max(1.15f * (reach + 3.0f * m_sd), 1.0f);
    }
    }
    return 1.0f;
}

} // namespace ll::data
