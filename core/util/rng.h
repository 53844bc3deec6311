// The one seeded random generator of Latent Lab: xoshiro256** seeded through splitmix64.
// Passed explicitly to init, shuffling, noise and latent sampling so that the same seed and settings give the
// same run, bit for bit, on one machine. Its whole state is a few words, so checkpoints save it exactly.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace ll
{

__extension__ typedef unsigned __int128 RngUint128; // GCC/Clang extension; spelled so -Wpedantic accepts it

class Rng
{
public:
    struct State
    {
        std::array<std::uint64_t, 4> s{};
        bool has_spare = false;
        double spare = 0.0;
    };

    explicit Rng(std::uint64_t seed = 1) { Seed(seed); }

    void Seed(std::uint64_t seed)
    {
        std::uint64_t x = seed;
        for (auto& word : m_state.s)
        {
            word = SplitMix64(x);
        }
        m_state.has_spare = false;
        m_state.spare = 0.0;
    }

    // Raw 64 random bits.
    std::uint64_t Next()
    {
        auto& s = m_state.s;
        const std::uint64_t result = Rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Rotl(s[3], 45);
        return result;
    }

    // Uniform in [0, 1) with 53 random bits.
    double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

    // Uniform in [lo, hi).
    double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

    // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; the tiny bias is irrelevant here).
    std::uint64_t Below(std::uint64_t n)
    {
        return static_cast<std::uint64_t>((static_cast<RngUint128>(Next()) * n) >> 64);
    }

    // Standard normal by the polar Box-Muller method; the second value is kept for the next call.
    double Normal()
    {
        if (m_state.has_spare)
        {
            m_state.has_spare = false;
            return m_state.spare;
        }
        double u = 0.0, v = 0.0, r2 = 0.0;
        do
        {
            u = 2.0 * Uniform() - 1.0;
            v = 2.0 * Uniform() - 1.0;
            r2 = u * u + v * v;
        } while (r2 >= 1.0 || r2 == 0.0);
        const double f = std::sqrt(-2.0 * std::log(r2) / r2);
        m_state.spare = v * f;
        m_state.has_spare = true;
        return u * f;
    }

    double Normal(double mean, double sd) { return mean + sd * Normal(); }

    const State& GetState() const { return m_state; }
    void SetState(const State& state) { m_state = state; }

private:
    static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t SplitMix64(std::uint64_t& x)
    {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    State m_state;
};

} // namespace ll
