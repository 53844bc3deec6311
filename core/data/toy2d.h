// 2-D toy distributions, sampled with the session's RNG. Each knows its modes (centres and sd) where it has
// them, for the mode-coverage metrics.
#pragma once

#include "core/nn/tensor.h"
#include "core/util/enum_names.h"
#include "core/util/rng.h"

#include <string>
#include <vector>

namespace ll::data
{

enum class ToyKind
{
    Ring8,        // 8 Gaussians on the unit circle, sd 0.01 (PacGAN / VEEGAN protocol)
    Grid25,       // 25 Gaussians at {-4,-2,0,2,4}^2, sd 0.05
    Spiral,
    TwoMoons,
    SwissRoll,    // 2-D swiss roll
    Checkerboard,
    Custom,       // points the user drew (sampled with small jitter)
};

// "ring8", "grid25", "spiral", "moons", "swissroll", "checkerboard", "custom" (aliases "ring", "grid",
// "twomoons", "8gaussians", "25gaussians").
const util::EnumNames<ToyKind>& NamesOf(ToyKind);
// The table's lookup with case, '-', '_' and spaces ignored ("Swiss-Roll", "two_moons"); throws
// std::invalid_argument listing the names.
ToyKind ParseToy(const std::string& name);
inline const std::string& ToyName(ToyKind kind) { return NamesOf(kind).Name(kind); }
std::vector<std::string> ToyNames(); // the six built-in toys, for menus (not "custom", which needs points)

struct Mode
{
    float x = 0, y = 0;
    bool operator==(const Mode&) const = default;
};

// A drawn distribution (ToyKind::Custom) holds at most this many points (presets and checkpoints carry them), each
// within [-kMaxDrawnCoordinate, kMaxDrawnCoordinate] on both axes.
inline constexpr std::size_t kMaxDrawnPoints = 20000;
inline constexpr float kMaxDrawnCoordinate = 100.0f;

class ToySampler
{
public:
    // Built-in toys; throws std::invalid_argument for ToyKind::Custom (use the points constructor).
    explicit ToySampler(ToyKind kind);
    // For ToyKind::Custom: the drawn points (at least one), jittered by sd when sampled. Custom has no Modes().
    ToySampler(std::vector<Mode> points, float sd);

    ToyKind Kind() const { return m_kind; }
    // n samples: out (2, n).
    void Sample(Rng& rng, Eigen::Index n, nn::MatrixF& out) const;

    bool HasModes() const { return !m_modes.empty(); }
    const std::vector<Mode>& Modes() const { return m_modes; } // empty for continuous toys
    float ModeSd() const { return m_sd; }
    // A square view that holds the data with a margin: [-extent, extent]^2.
    float Extent() const;

private:
    ToyKind m_kind;
    std::vector<Mode> m_modes;
    std::vector<Mode> m_custom;
    float m_sd = 0;
};

} // namespace ll::data
