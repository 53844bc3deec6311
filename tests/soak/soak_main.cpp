// latentlab_soak: a long headless run with snapshot publishing at full rate and a simulated UI reader, printing
// the process's resident memory every minute so scripts/soak.sh can compare minute 1 with the end.
// Threads: the session's training thread trains; this (main) thread plays the UI: Latest(), DrainMetrics(),
// a history of its own, a clone of each new frozen model (as the latent explorer does), decoding from it.
#include "core/io/config_json.h"
#include "core/train/metric_history.h"
#include "core/train/session.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

namespace
{

// Resident set size in KiB from /proc/self/status (0 when unavailable).
long ResidentKiB()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
    {
        if (line.rfind("VmRSS:", 0) == 0)
        {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    using namespace std::chrono;
    const std::string preset = argc > 1 ? argv[1] : "gan-fashion";
    const double minutes = argc > 2 ? std::atof(argv[2]) : 10.0;
    try
    {
        ll::models::ExperimentConfig config = ll::io::LoadPreset(preset, ll::io::FindPresetDir());
        ll::train::SessionOptions options;
        options.threads = 1;
        options.publish_every_steps = 1;
        options.publish_interval = milliseconds(0); // every step publishes a snapshot
        options.render_interval = milliseconds(30);  // sample grids at a 30 fps UI's rate
        options.model_interval = milliseconds(200);  // frozen model copies far more often than the UI needs
        ll::train::Session session(options);
        session.Load(config);
        session.Start();

        ll::train::MetricHistory history; // the UI's own bounded copy
        ll::train::MetricBlock block;
        std::shared_ptr<const ll::models::Model> seen_model;
        std::unique_ptr<ll::models::Model> explorer;
        ll::nn::MatrixF z, decoded;
        const auto start = steady_clock::now();
        const auto end = start + duration_cast<steady_clock::duration>(duration<double>(minutes * 60.0));
        int next_minute = 1;
        long rss_minute1 = 0;
        std::uint64_t reads = 0, rows = 0;
        while (steady_clock::now() < end)
        {
            auto snap = session.Latest();
            ++reads;
            session.DrainMetrics(block);
            for (std::size_t r = 0; r < block.Rows(); ++r)
            {
                for (std::size_t c = 0; c < block.names.size(); ++c)
                {
                    history.Append(block.names[c], block.steps[r], block.columns[c][r]);
                }
            }
            rows += block.Rows();
            if (snap->model != nullptr && snap->model != seen_model)
            {
                seen_model = snap->model;
                explorer = seen_model->CloneForInference();
                ll::Rng rng(reads);
                explorer->SampleLatent(rng, 16, z);
                explorer->Decode(z, nullptr, decoded);
            }
            if (snap->status == ll::train::Status::Error || snap->status == ll::train::Status::Diverged)
            {
                std::cerr << "soak: session stopped: " << snap->message << "\n";
                return 1;
            }
            const double elapsed = duration<double>(steady_clock::now() - start).count();
            if (elapsed >= 60.0 * next_minute)
            {
                const long rss = ResidentKiB();
                if (next_minute == 1)
                {
                    rss_minute1 = rss;
                }
                std::printf("minute %d: step %lld, rss %ld KiB, snapshots read %llu, metric rows %llu\n", next_minute,
                            static_cast<long long>(snap->step), rss, static_cast<unsigned long long>(reads),
                            static_cast<unsigned long long>(rows));
                std::fflush(stdout);
                ++next_minute;
            }
            std::this_thread::sleep_for(milliseconds(2)); // a reader polling far faster than 60 fps
        }
        session.Stop();
        const long rss_end = ResidentKiB();
        const auto snap = session.Latest();
        const double growth = rss_minute1 > 0 ? 100.0 * (rss_end - rss_minute1) / rss_minute1 : 0.0;
        std::printf("end: step %lld, snapshot version %llu, rss minute 1 %ld KiB, rss end %ld KiB, change %+.1f%%\n",
                    static_cast<long long>(snap->step), static_cast<unsigned long long>(snap->version), rss_minute1,
                    rss_end, growth);
        if (rss_minute1 > 0 && (growth > 10.0 || growth < -10.0))
        {
            std::printf("FAIL: resident memory changed by more than 10%%\n");
            return 1;
        }
        std::printf("PASS\n");
        return 0;
    }
    catch (const std::exception& e)
    {
        std::cerr << "soak: error: " << e.what() << "\n";
        return 1;
    }
}
