// `latentlab runs synth` and `latentlab runs time-open`: the Runs view's scale measured without a window. synth
// writes a runs directory of synthetic runs through the lab's own run recorder (seed groups of a GAN preset, long
// metric histories, a few sample pictures, one damaged run); time-open reads it the way the window's listing does
// (io::ReadRunEntries: every metric's bounded curves) and says how long that took and what the curves hold.
#include "app/cli_runs.h"

#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "core/io/run_folder.h"
#include "core/train/run_recorder.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>

namespace ll::app
{

namespace fs = std::filesystem;

namespace
{

constexpr int kSeedsPerConfig = 10;
constexpr double kLrFactors[] = {1.0, 0.5, 2.0, 0.25, 4.0};

// A deterministic jitter in [-1, 1] (no RNG state to carry between runs).
double Jitter(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return static_cast<double>(x % 2000001) / 1000000.0 - 1.0;
}

io::RgbaImage SyntheticGrid(int run, int frame)
{
    io::RgbaImage img;
    img.width = img.height = 96;
    img.pixels.resize(static_cast<std::size_t>(96) * 96 * 4);
    for (int y = 0; y < 96; ++y)
    {
        for (int x = 0; x < 96; ++x)
        {
            std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(y) * 96 + x) * 4];
            const bool tile = ((x / 12) + (y / 12)) % 2 == 0;
            p[0] = static_cast<std::uint8_t>(tile ? 40 + 50 * (run % 4) : 20);
            p[1] = static_cast<std::uint8_t>(tile ? 60 + 60 * frame : 20);
            p[2] = static_cast<std::uint8_t>(tile ? 200 - 30 * (run % 5) : 30);
            p[3] = 255;
        }
    }
    return img;
}

} // namespace

int RunsSynthCommand(const fs::path& dir, int count, std::int64_t points, std::ostream& out)
{
    const auto start = std::chrono::steady_clock::now();
    const models::ExperimentConfig base = io::LoadPreset("gan-ring8", io::FindPresetDir());
    constexpr std::int64_t kBatchRows = 2000;
    for (int r = 0; r < count; ++r)
    {
        models::ExperimentConfig config = base;
        const int variant = (r / kSeedsPerConfig) % static_cast<int>(std::size(kLrFactors));
        config.seed = static_cast<std::uint64_t>(r % kSeedsPerConfig + 1);
        config.gan.g_opt.learning_rate *= kLrFactors[variant];
        char name[96];
        std::snprintf(name, sizeof name, "synth-lr%g-seed%02d", kLrFactors[variant], static_cast<int>(config.seed));
        train::RunRecorder recorder;
        recorder.Begin(dir / name, config);
        const double tau = 4000.0 * kLrFactors[variant];
        const double wall_per_step = 0.002 * (1.0 + 0.1 * variant);
        train::MetricBlock block;
        for (std::int64_t step = 1; step <= points; ++step)
        {
            const double decay = std::exp(-static_cast<double>(step) / std::max(tau, 1.0));
            const double noise = 0.05 * Jitter(static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(step));
            models::Metrics m = {{"d_loss", 1.386 - 0.3 * (1 - decay) + noise + 0.02 * variant},
                                 {"g_loss", 0.693 + 0.4 * (1 - decay) - noise},
                                 {"d_real", 0.5 + 0.2 * (1 - decay) + 0.5 * noise},
                                 {"d_fake", 0.5 - 0.2 * (1 - decay) - 0.5 * noise}};
            if (step % 1000 == 0)
            {
                m.emplace_back("modes_covered", std::min(8.0, std::floor(8.0 * (1 - decay) + 0.5 + noise * 10)));
            }
            block.AppendRow(step, wall_per_step * static_cast<double>(step), m);
            if (block.Rows() == kBatchRows || step == points)
            {
                recorder.AppendRows(block);
                const std::vector<std::string> names = block.names;
                block.Clear();
                block.names = names; // later rows extend the same columns
                block.columns.assign(names.size(), {});
            }
        }
        for (int frame = 0; frame < 3; ++frame)
        {
            const std::int64_t step = points * (frame + 1) / 3;
            char file[64];
            std::snprintf(file, sizeof file, "samples_%06lld.png", static_cast<long long>(step));
            io::WritePng(dir / name / file, SyntheticGrid(r, frame));
        }
        train::RunSummary summary;
        summary.name = config.name;
        summary.family = "gan";
        summary.status = "completed";
        summary.steps = points;
        summary.seed = config.seed;
        summary.wall_seconds = wall_per_step * static_cast<double>(points);
        summary.metrics = {{"modes_covered", 8.0 - variant % 3}};
        recorder.Finish(summary);
    }
    // One damaged run: a config and a metrics file that is not the lab's.
    fs::create_directories(dir / "synth-damaged");
    io::WriteFileAtomic(dir / "synth-damaged" / io::kRunConfigFile, io::ConfigToJson(base));
    io::WriteFileAtomic(dir / "synth-damaged" / io::kRunMetricsFile, "time,loss\n1,2\n");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out << "wrote " << count << " runs of " << points << " steps (4 series per step, modes_covered every 1000) and 1 "
        << "damaged run into " << dir.string() << " in " << seconds << " s\n";
    return 0;
}

int RunsTimeOpenCommand(const fs::path& dir, int threads, std::ostream& out)
{
    const auto start = std::chrono::steady_clock::now();
    const std::vector<fs::path> dirs = io::ListRunDirs(dir);
    const std::vector<io::RunEntry> entries = io::ReadRunEntries(dirs, threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::int64_t points = 0, buckets = 0, longest = 0, damaged = 0;
    for (const io::RunEntry& e : entries)
    {
        damaged += e.Damaged() ? 1 : 0;
        for (const io::CurveLod& c : e.curves->series)
        {
            points += c.Total();
            longest = std::max(longest, c.Total());
            buckets += static_cast<std::int64_t>(c.Buckets().size());
        }
    }
    char line[320];
    std::snprintf(line, sizeof line,
                  "opened %zu runs (%lld damaged) in %.3f s on %d threads: %lld points (longest series %lld), held as "
                  "%lld buckets (%.1f MiB)\n",
                  entries.size(), static_cast<long long>(damaged), seconds, threads, static_cast<long long>(points),
                  static_cast<long long>(longest), static_cast<long long>(buckets),
                  static_cast<double>(buckets) * sizeof(io::CurveBucket) / (1024.0 * 1024.0));
    out << line;
    return 0;
}

} // namespace ll::app
