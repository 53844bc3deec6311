// `latentlab bench [--model vae-mlp|gan-mlp|gan-toy|all] [--threads T] [--seconds S] [--data DIR]`.
// Each model is an ExperimentConfig run by a train::Session (the app's and `latentlab train`'s code path: its
// training thread, FTZ/DAZ and OpenMP setup, batch source, metric logging and view publishing), without in-training
// evaluation, which is not training. After a warm-up the rate is steps over the session's own running time.
//
// gemm_fraction: Linear times its own matrix products (nn::GemmTimer, switched on only here) and the bench divides
// that time by the step time. We chose instrumentation over re-timing the same shapes standalone because it
// measures the products as they really run (cold caches after the elementwise passes, OpenMP wake-ups, the
// single-threaded skinny layers) at the cost of two clock reads per product (~50 ns against products of 10 us
// or more); a standalone re-run on warm caches would credit the products with speed they do not have in a step.
// gemm_gflops is the products' throughput while they run (flops / time inside products); gemm= names the product
// backend (nn::GemmBackendName()).
//
// `latentlab bench --gemm` times nn::Gemm alone on the products the standard models make (the same shapes and
// transposes as their Linear layers, and the convolution shapes of issue 13), on 1 and T threads of the pool, beside
// the backend library's own threading (OpenBLAS's or BLIS's threads) as the reference for the machine's best sgemm.
#include "app/cli_bench.h"

#include "app/cli_args.h"

#include "core/models/config.h"
#include "core/nn/gemm.h"
#include "core/nn/network_spec.h"
#include "core/nn/gemm_stats.h"
#include "core/nn/thread_pool.h"
#include "core/train/session.h"
#include "core/train/thread_setup.h"

#include <algorithm>
#include <memory>
#include <random>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace ll::app
{

namespace
{

// The standard models `latentlab bench` knows (scripts/bench.sh asks with --list): issue 14's MLPs and issue 13's
// convolutional dcgan and conv-vae, exactly as scripts/bench_pytorch.py builds them.
const std::vector<std::string> kStandardModels = {"vae-mlp", "gan-mlp", "gan-toy", "dcgan", "conv-vae"};

const char* kBenchUsage =
    "usage: latentlab bench [--model vae-mlp|gan-mlp|gan-toy|dcgan|conv-vae|all] [--threads T] [--seconds S]\n"
    "                       [--data DIR]\n"
    "       latentlab bench --gemm [--threads T] [--seconds S]\n"
    "       latentlab bench --list\n"
    "  Trains each standard model on its real data (Fashion-MNIST for vae-mlp, gan-mlp, dcgan and conv-vae, the\n"
    "  ring of 8 for gan-toy) through the same session as the app, after a warm-up, and prints one line per model:\n"
    "  BENCH impl=latentlab model=... threads=... steps_per_s=... ms_per_step=... gemm=BACKEND gemm_gflops=...\n"
    "  gemm_fraction=... peak_rss_mb=...\n"
    "  --threads T   training threads (default: every core)\n"
    "  --seconds S   measured seconds per model after the warm-up (default 5; with --gemm, per shape and side)\n"
    "  --gemm        time the matrix products of the standard models alone (GEMM lines, GFLOP/s on 1 and T threads\n"
    "                of the lab's pool and on the backend library's own threads)\n"
    "  --list        print the models this build can bench, one per line\n"
    "  scripts/bench.sh runs this side by side with the PyTorch reference (scripts/bench_pytorch.py).\n";

struct BenchArgs
{
    std::string model = "all";
    std::string data_dir;
    int threads = 0;
    double seconds = 5.0;
    bool help = false;
    bool gemm = false;
    bool list = false;
};

BenchArgs ParseBenchArgs(const std::vector<std::string>& args)
{
    BenchArgs a;
    std::vector<std::string> valued; // --gemm and --list take no value; the rest are "--flag value" pairs
    for (const std::string& arg : args)
    {
        if (arg == "--gemm" || arg == "--list")
        {
            (arg == "--gemm" ? a.gemm : a.list) = true;
        }
        else
        {
            valued.push_back(arg);
        }
    }
    ForEachOption(valued, a.help, [&a](const std::string& flag, const std::string& value) {
        if (flag == "--model")
        {
            if (value != "all" && std::find(kStandardModels.begin(), kStandardModels.end(), value) ==
                                      kStandardModels.end())
            {
                throw UsageError("--model must be vae-mlp, gan-mlp, gan-toy, dcgan, conv-vae or all, got '" + value +
                                 "'");
            }
            a.model = value;
        }
        else if (flag == "--data")
        {
            a.data_dir = value;
        }
        else if (flag == "--threads")
        {
            a.threads = ParseNumber<int>(flag, value, 1, 256);
        }
        else if (flag == "--seconds")
        {
            a.seconds = ParseNumber<double>(flag, value, 0.1, 3600);
        }
        else
        {
            throw UsageError("unknown option '" + flag + "'");
        }
    });
    return a;
}

nn::LayerSpec Layer(nn::LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return nn::MakeLayerSpec(kind, args);
}

nn::LayerSpec Conv(nn::LayerKind kind, int out)
{
    return Layer(kind, {{"out", out}, {"kernel", 4}, {"stride", 2}, {"pad", 1}});
}

// Issue 13's networks as layer lists (the same as assets/presets/dcgan-fashion.json and conv-vae-fashion.json).
void ConvModelLayers(const std::string& name, models::NetConfig& first, models::NetConfig& second)
{
    using K = nn::LayerKind;
    first.init = second.init = nn::MlpInit::Torch; // PyTorch's default initialisation, as the reference
    if (name == "dcgan")
    {
        // G: Linear 64->1024, BN, ReLU, Linear 1024->128*7*7, BN, ReLU, ConvT 128->64 (14x14), BN, ReLU,
        // ConvT 64->1 (28x28), sigmoid.
        first.layers = {Layer(K::Linear, {{"out", 1024}}), Layer(K::BatchNorm), Layer(K::ReLU),
                        Layer(K::Linear, {{"out", 6272}}), Layer(K::BatchNorm), Layer(K::ReLU),
                        Layer(K::Reshape, {{"c", 128}, {"h", 7}, {"w", 7}}), Conv(K::ConvTranspose, 64),
                        Layer(K::BatchNorm), Layer(K::ReLU), Conv(K::ConvTranspose, 1), Layer(K::Sigmoid)};
        // D: Conv 1->64, LeakyReLU 0.2, Conv 64->128, BN, LeakyReLU 0.2, Linear 6272->1024, BN, LeakyReLU 0.2,
        // Linear 1024->1.
        second.layers = {Conv(K::Conv, 64), Layer(K::LeakyReLU), Conv(K::Conv, 128), Layer(K::BatchNorm),
                         Layer(K::LeakyReLU), Layer(K::Flatten), Layer(K::Linear, {{"out", 1024}}),
                         Layer(K::BatchNorm), Layer(K::LeakyReLU), Layer(K::Linear, {{"out", 1}})};
        return;
    }
    // Encoder: Conv 1->32, ReLU, Conv 32->64, ReLU, Linear 3136->256, ReLU, Linear 256->40 (mean, log-variance).
    first.layers = {Conv(K::Conv, 32), Layer(K::ReLU), Conv(K::Conv, 64), Layer(K::ReLU), Layer(K::Flatten),
                    Layer(K::Linear, {{"out", 256}}), Layer(K::ReLU), Layer(K::Linear, {{"out", 40}})};
    // Decoder: Linear 20->256, ReLU, Linear 256->3136, ReLU, ConvT 64->32, ReLU, ConvT 32->1 (logits).
    second.layers = {Layer(K::Linear, {{"out", 256}}), Layer(K::ReLU), Layer(K::Linear, {{"out", 3136}}),
                     Layer(K::ReLU), Layer(K::Reshape, {{"c", 64}, {"h", 7}, {"w", 7}}), Conv(K::ConvTranspose, 32),
                     Layer(K::ReLU), Conv(K::ConvTranspose, 1)};
}

// The standard models of the performance issues, as experiments.
models::ExperimentConfig StandardModel(const std::string& name)
{
    models::ExperimentConfig c;
    c.name = "bench-" + name;
    c.eval_every = 0;   // evaluation is not training
    c.sample_every = 0;
    c.seed = 1;
    if (name == "vae-mlp")
    {
        // 784-512-(20 mu, 20 logvar), decoder 20-512-784, ReLU, Bernoulli, Adam 1e-3, batch 128.
        c.family = models::Family::Vae;
        c.data.kind = models::DataKind::FashionMnist;
        c.vae.latent_dim = 20;
        c.vae.likelihood = models::Likelihood::Bernoulli;
        c.vae.encoder = models::NetConfig{{512}, nn::ActivationKind::ReLU, 0.2, std::nullopt, false};
        c.vae.decoder = models::NetConfig{{512}, nn::ActivationKind::ReLU, 0.2, std::nullopt, false};
        c.vae.opt = nn::OptimizerConfig{nn::OptimizerKind::Adam, 1e-3, 0.9, 0.999};
        c.batch_size = 128;
    }
    else if (name == "gan-mlp")
    {
        // G 64-256-512-784 (LeakyReLU 0.2, sigmoid out), D 784-512-256-1, non-saturating, Adam 2e-4 (0.5, 0.999).
        c.family = models::Family::Gan;
        c.data.kind = models::DataKind::FashionMnist;
        c.gan.objective = models::GanObjective::NonSaturating;
        c.gan.noise_dim = 64;
        c.gan.generator = models::NetConfig{{256, 512}, nn::ActivationKind::LeakyReLU, 0.2, nn::ActivationKind::Sigmoid, false};
        c.gan.discriminator = models::NetConfig{{512, 256}, nn::ActivationKind::LeakyReLU, 0.2, std::nullopt, false};
        c.gan.g_opt = c.gan.d_opt = nn::OptimizerConfig{nn::OptimizerKind::Adam, 2e-4, 0.5, 0.999};
        c.batch_size = 64;
    }
    else if (name == "dcgan")
    {
        // Fashion-MNIST, batch 64, non-saturating, Adam 2e-4 (0.5, 0.999), z 64 ~ N(0, 1).
        c.family = models::Family::Gan;
        c.data.kind = models::DataKind::FashionMnist;
        c.gan.objective = models::GanObjective::NonSaturating;
        c.gan.noise_dim = 64;
        ConvModelLayers(name, c.gan.generator, c.gan.discriminator);
        c.gan.g_opt = c.gan.d_opt = nn::OptimizerConfig{nn::OptimizerKind::Adam, 2e-4, 0.5, 0.999};
        c.batch_size = 64;
    }
    else if (name == "conv-vae")
    {
        // Fashion-MNIST, batch 128, Bernoulli, Adam 1e-3, latent 20.
        c.family = models::Family::Vae;
        c.data.kind = models::DataKind::FashionMnist;
        c.vae.latent_dim = 20;
        c.vae.likelihood = models::Likelihood::Bernoulli;
        ConvModelLayers(name, c.vae.encoder, c.vae.decoder);
        c.vae.opt = nn::OptimizerConfig{nn::OptimizerKind::Adam, 1e-3, 0.9, 0.999};
        c.batch_size = 128;
    }
    else
    {
        // G 2-128-128-2, D 2-128-128-1 (ReLU), batch 256, ring of 8; Adam 1e-4 (0.5, 0.999) as the reference.
        c.family = models::Family::Gan;
        c.data.kind = models::DataKind::Toy;
        c.data.toy = data::ToyKind::Ring8;
        c.gan.objective = models::GanObjective::NonSaturating;
        c.gan.noise_dim = 2;
        c.gan.generator = models::NetConfig{{128, 128}, nn::ActivationKind::ReLU, 0.2, std::nullopt, false};
        c.gan.discriminator = models::NetConfig{{128, 128}, nn::ActivationKind::ReLU, 0.2, std::nullopt, false};
        c.gan.g_opt = c.gan.d_opt = nn::OptimizerConfig{nn::OptimizerKind::Adam, 1e-4, 0.5, 0.999};
        c.batch_size = 256;
    }
    return c;
}

// Peak resident set (VmHWM) in MB, and its reset (Linux: writing 5 to clear_refs), so each model reports its own.
double PeakRssMb()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
    {
        if (line.rfind("VmHWM:", 0) == 0)
        {
            return std::stod(line.substr(6)) / 1024.0; // kB
        }
    }
    return 0;
}

void ResetPeakRss()
{
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
}

struct BenchResult
{
    double steps_per_s = 0;
    double gemm_seconds = 0, gemm_flops = 0, seconds = 0;
    std::int64_t steps = 0;
    double peak_rss_mb = 0;
};

BenchResult BenchOne(const models::ExperimentConfig& config, const BenchArgs& a, int threads)
{
    using namespace std::chrono;
    ResetPeakRss();
    train::SessionOptions options;
    options.threads = threads;
    options.evaluate = false;
    options.data_dir = a.data_dir;
    train::Session session(options);
    const auto loaded = session.WaitForCommand(session.Load(config), minutes(10));
    if (!loaded || loaded->status == train::Status::Error)
    {
        throw std::runtime_error("could not load '" + config.name + "': " + (loaded ? loaded->message : "timeout"));
    }
    if (!session.WaitForCommand(session.Start(), seconds(60)))
    {
        throw std::runtime_error("'" + config.name + "' did not start");
    }
    const auto deadline = milliseconds(static_cast<std::int64_t>(1000 * (2 * a.seconds + 60)));
    auto wait_wall = [&](double wall) {
        auto snap = session.WaitFor(
            [&](const train::Snapshot& s) { return s.wall_seconds >= wall || s.status != train::Status::Running; },
            duration_cast<milliseconds>(deadline));
        if (!snap || snap->status != train::Status::Running)
        {
            throw std::runtime_error("'" + config.name + "' stopped: " + (snap ? snap->message : "timeout"));
        }
        return snap;
    };
    // Warm-up: caches, OpenMP's team, the allocator and the first views.
    const auto first = wait_wall(std::min(2.0, std::max(0.5, a.seconds / 3)));
    const nn::GemmTotals g0 = nn::ReadGemmTotals();
    const auto last = wait_wall(first->wall_seconds + a.seconds);
    const nn::GemmTotals g1 = nn::ReadGemmTotals();
    session.Stop();

    BenchResult r;
    r.steps = last->step - first->step;
    r.seconds = last->wall_seconds - first->wall_seconds;
    r.steps_per_s = r.seconds > 0 ? static_cast<double>(r.steps) / r.seconds : 0;
    r.gemm_seconds = 1e-9 * static_cast<double>(g1.nanoseconds - g0.nanoseconds);
    r.gemm_flops = g1.flops - g0.flops;
    r.peak_rss_mb = PeakRssMb();
    return r;
}

// ---------------------------------------------------------------------------------------------------------------
// --gemm: the products alone

struct ProductShape
{
    const char* model;
    const char* what; // which product of which layer
    nn::Trans ta, tb;
    nn::Index m, n, k;
};

// Linear: forward y (out, B) = W x is (out, B, in) NN; dx (in, B) = W^T dy is (in, B, out) TN; dW (out, in) = dy x^T
// is (out, in, B) NT. The convolutions (issue 13): y (Cout, P*B) = W (Cout, K) cols (K, P*B) with K = kh*kw*Cin.
std::vector<ProductShape> ProductShapes()
{
    using nn::Trans;
    return {
        {"vae-mlp", "enc 784-512 forward", Trans::No, Trans::No, 512, 128, 784},
        {"vae-mlp", "enc 784-512 dW", Trans::No, Trans::Yes, 512, 784, 128},
        {"vae-mlp", "dec 512-784 forward", Trans::No, Trans::No, 784, 128, 512},
        {"vae-mlp", "dec 512-784 dx", Trans::Yes, Trans::No, 512, 128, 784},
        {"vae-mlp", "dec 512-784 dW", Trans::No, Trans::Yes, 784, 512, 128},
        {"vae-mlp", "enc 512-40 forward", Trans::No, Trans::No, 40, 128, 512},
        {"vae-mlp", "dec 20-512 forward", Trans::No, Trans::No, 512, 128, 20},
        {"gan-mlp", "D 784-512 forward", Trans::No, Trans::No, 512, 64, 784},
        {"gan-mlp", "D 784-512 dx", Trans::Yes, Trans::No, 784, 64, 512},
        {"gan-mlp", "D 784-512 dW", Trans::No, Trans::Yes, 512, 784, 64},
        {"gan-mlp", "G 512-784 forward", Trans::No, Trans::No, 784, 64, 512},
        {"gan-mlp", "G 512-784 dW", Trans::No, Trans::Yes, 784, 512, 64},
        {"gan-mlp", "G 256-512 forward", Trans::No, Trans::No, 512, 64, 256},
        {"gan-toy", "128-128 forward", Trans::No, Trans::No, 128, 256, 128},
        {"gan-toy", "128-128 dx", Trans::Yes, Trans::No, 128, 256, 128},
        {"gan-toy", "128-128 dW", Trans::No, Trans::Yes, 128, 128, 256},
        {"dcgan", "D conv 64-128 forward", Trans::No, Trans::No, 128, 3136, 1024},
        {"dcgan", "D conv 64-128 dcols", Trans::Yes, Trans::No, 1024, 3136, 128},
        {"dcgan", "D conv 64-128 dW", Trans::No, Trans::Yes, 128, 1024, 3136},
        {"dcgan", "G convT 128-64 (14x14)", Trans::No, Trans::No, 64, 12544, 1024},
        {"dcgan", "linear 6272-1024 forward", Trans::No, Trans::No, 1024, 64, 6272},
    };
}

// Median GFLOP/s of 5 rounds of about seconds / 5 each.
template <typename F>
double TimeProduct(const ProductShape& s, double seconds, F&& product)
{
    using clock = std::chrono::steady_clock;
    const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
    product(); // warm caches and the pool
    std::vector<double> rates;
    for (int round = 0; round < 5; ++round)
    {
        const auto start = clock::now();
        const auto until = start + std::chrono::duration<double>(seconds / 5);
        std::int64_t reps = 0;
        auto now = start;
        do
        {
            product();
            ++reps;
            now = clock::now();
        } while (now < until);
        rates.push_back(1e-9 * flops * static_cast<double>(reps) / std::chrono::duration<double>(now - start).count());
    }
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
}

int RunGemmBench(const BenchArgs& a, std::ostream& out)
{
    const int threads = a.threads > 0 ? a.threads : train::DefaultThreads(false);
    const double seconds = a.seconds > 0 && a.seconds < 5.0 ? a.seconds : 1.0;
    std::vector<int> counts = {1};
    if (threads > 1)
    {
        counts.push_back(threads);
    }
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    out << "GEMM backend=" << nn::GemmBackendName() << " kernels=" << nn::GemmKernels()
        << " cores=" << train::DefaultThreads(false) << "\n";
    for (const ProductShape& s : ProductShapes())
    {
        const nn::Index lda = s.ta == nn::Trans::No ? s.m : s.k, a_cols = s.ta == nn::Trans::No ? s.k : s.m;
        const nn::Index ldb = s.tb == nn::Trans::No ? s.k : s.n, b_cols = s.tb == nn::Trans::No ? s.n : s.k;
        std::vector<float> A(static_cast<std::size_t>(lda * a_cols)), B(static_cast<std::size_t>(ldb * b_cols));
        std::vector<float> C(static_cast<std::size_t>(s.m * s.n));
        for (float& v : A) v = dist(gen);
        for (float& v : B) v = dist(gen);
        for (const int t : counts)
        {
            // The pool as the training thread has it (ConfigureTrainingThread: FTZ/DAZ, the pool current here).
            train::ConfigureTrainingThread(t, false);
            const double pooled = TimeProduct(s, seconds, [&] {
                nn::Gemm<float>(s.ta, s.tb, s.m, s.n, s.k, 1.0f, A.data(), lda, B.data(), ldb, 0.0f, C.data(), s.m);
            });
            const double library = TimeProduct(s, seconds, [&] {
                nn::GemmLibraryThreaded(t, s.ta, s.tb, s.m, s.n, s.k, A.data(), lda, B.data(), ldb, C.data(), s.m);
            });
            char line[512];
            std::snprintf(line, sizeof line,
                          "GEMM model=%s product=\"%s\" shape=%ldx%ldx%ld op=%c%c threads=%d chunks=%ld "
                          "lab_gflops=%.1f library_threads_gflops=%.1f ratio=%.2f\n",
                          s.model, s.what, static_cast<long>(s.m), static_cast<long>(s.n), static_cast<long>(s.k),
                          s.ta == nn::Trans::No ? 'N' : 'T', s.tb == nn::Trans::No ? 'N' : 'T', t,
                          static_cast<long>(nn::GemmChunks(s.m, s.n, s.k, t)), pooled, library,
                          library > 0 ? pooled / library : 0.0);
            out << line << std::flush;
        }
    }
    train::ConfigureTrainingThread(1, false);
    return 0;
}

} // namespace

int RunBenchArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    BenchArgs a;
    if (const auto exit = ParseCommandLine(ParseBenchArgs, args, "latentlab bench", kBenchUsage, out, err, a))
    {
        return *exit;
    }
    if (a.list)
    {
        for (const std::string& name : kStandardModels)
        {
            out << name << "\n";
        }
        return 0;
    }
    if (a.gemm)
    {
        return RunGemmBench(a, out);
    }
    const int threads = a.threads > 0 ? a.threads : train::DefaultThreads(false);
    std::vector<std::string> names = kStandardModels;
    if (a.model != "all")
    {
        names = {a.model};
    }
    nn::SetGemmTiming(true);
    try
    {
        for (const std::string& name : names)
        {
            const BenchResult r = BenchOne(StandardModel(name), a, threads);
            const double ms = r.steps > 0 ? 1000.0 * r.seconds / static_cast<double>(r.steps) : 0;
            const double gflops = r.gemm_seconds > 0 ? 1e-9 * r.gemm_flops / r.gemm_seconds : 0;
            const double fraction = r.seconds > 0 ? r.gemm_seconds / r.seconds : 0;
            const double gflop_step = r.steps > 0 ? 1e-9 * r.gemm_flops / static_cast<double>(r.steps) : 0;
            char line[512];
            std::snprintf(line, sizeof line,
                          "BENCH impl=latentlab model=%s threads=%d steps_per_s=%.1f ms_per_step=%.3f gemm=%s "
                          "gemm_kernels=%s gemm_gflops=%.1f gemm_fraction=%.2f gemm_gflop_per_step=%.3f "
                          "peak_rss_mb=%.0f\n",
                          name.c_str(), threads, r.steps_per_s, ms, nn::GemmBackendName(), nn::GemmKernels().c_str(),
                          gflops, fraction, gflop_step, r.peak_rss_mb);
            out << line << std::flush;
        }
    }
    catch (const std::exception& e)
    {
        nn::SetGemmTiming(false);
        err << "latentlab bench: error: " << e.what() << "\n";
        return kExitFailure;
    }
    nn::SetGemmTiming(false);
    return 0;
}

int RunBench(int argc, char** argv)
{
    return RunBenchArgs(ToArgs(argc, argv), std::cout, std::cerr);
}

} // namespace ll::app
