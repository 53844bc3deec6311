// Timing of the issue-13 conv networks (not a test: nothing is asserted). Runs the training passes of `dcgan`
// (batch 64: D step on a real and a fake batch, G step through D's input gradient, Adam on both) and `conv-vae`
// (batch 128: encoder, decoder, Bernoulli + KL, backward, Adam) on 1 and 2 threads, and prints per phase the median
// ms, the step rate, and the matrix products' GFLOP/s and share of the step (nn::GemmTimer totals).
// With --shapes it times nn::Gemm alone on every product shape of those steps instead (GFLOP/s per shape).
// Usage: bench_conv [--steps N] [--threads "1 2"] [--shapes]
#include "core/nn/gemm.h"
#include "core/nn/gemm_stats.h"
#include "core/nn/losses.h"
#include "core/nn/network_spec.h"
#include "core/nn/optimizer.h"
#include "core/train/thread_setup.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

using namespace ll;
using namespace ll::nn;

namespace
{

using Clock = std::chrono::steady_clock;

LayerSpec L(LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return MakeLayerSpec(kind, args);
}

LayerSpec Conv(LayerKind kind, double out)
{
    return L(kind, {{"out", out}, {"kernel", 4}, {"stride", 2}, {"pad", 1}});
}

// The standard models, exactly.
std::vector<LayerSpec> DcganG()
{
    return {L(LayerKind::Linear, {{"out", 1024}}), L(LayerKind::BatchNorm), L(LayerKind::ReLU),
            L(LayerKind::Linear, {{"out", 6272}}), L(LayerKind::BatchNorm), L(LayerKind::ReLU),
            L(LayerKind::Reshape, {{"c", 128}, {"h", 7}, {"w", 7}}), Conv(LayerKind::ConvTranspose, 64),
            L(LayerKind::BatchNorm), L(LayerKind::ReLU), Conv(LayerKind::ConvTranspose, 1), L(LayerKind::Sigmoid)};
}

std::vector<LayerSpec> DcganD()
{
    return {Conv(LayerKind::Conv, 64),           L(LayerKind::LeakyReLU), Conv(LayerKind::Conv, 128),
            L(LayerKind::BatchNorm),             L(LayerKind::LeakyReLU), L(LayerKind::Linear, {{"out", 1024}}),
            L(LayerKind::BatchNorm),             L(LayerKind::LeakyReLU), L(LayerKind::Linear, {{"out", 1}})};
}

std::vector<LayerSpec> Encoder()
{
    return {Conv(LayerKind::Conv, 32), L(LayerKind::ReLU), Conv(LayerKind::Conv, 64), L(LayerKind::ReLU),
            L(LayerKind::Linear, {{"out", 256}}), L(LayerKind::ReLU), L(LayerKind::Linear, {{"out", 40}})};
}

std::vector<LayerSpec> Decoder()
{
    return {L(LayerKind::Linear, {{"out", 256}}), L(LayerKind::ReLU), L(LayerKind::Linear, {{"out", 3136}}),
            L(LayerKind::ReLU), L(LayerKind::Reshape, {{"c", 64}, {"h", 7}, {"w", 7}}),
            Conv(LayerKind::ConvTranspose, 32), L(LayerKind::ReLU), Conv(LayerKind::ConvTranspose, 1)};
}

MatrixF Uniform01(Index rows, Index cols, Rng& rng)
{
    MatrixF m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
    {
        m.data()[i] = static_cast<float>(rng.Uniform());
    }
    return m;
}

MatrixF Normal(Index rows, Index cols, Rng& rng)
{
    MatrixF m(rows, cols);
    for (Index i = 0; i < m.size(); ++i)
    {
        m.data()[i] = static_cast<float>(rng.Normal());
    }
    return m;
}

// Wall time of the phases of one step, and the timed-step totals.
struct Phases
{
    std::vector<std::string> names;
    std::vector<std::vector<double>> ms; // [phase][step]
    std::vector<double> step_ms;

    void Record(const std::vector<Clock::time_point>& marks)
    {
        ms.resize(names.size());
        for (std::size_t i = 0; i + 1 < marks.size(); ++i)
        {
            ms[i].push_back(std::chrono::duration<double, std::milli>(marks[i + 1] - marks[i]).count());
        }
        step_ms.push_back(std::chrono::duration<double, std::milli>(marks.back() - marks.front()).count());
    }
};

// CPU time of the whole process (every thread), ms: on a loaded machine the 1-thread figure still says what a
// quiet step would take, since time spent waiting for a core is not in it.
double ProcessCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

double Median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

struct Dcgan
{
    Sequential<float> g, d;
    Optimizer<float> g_opt, d_opt;
    MatrixF z, real, grad;

    static OptimizerConfig Adam()
    {
        OptimizerConfig c;
        c.learning_rate = 2e-4;
        c.beta1 = 0.5;
        return c;
    }

    explicit Dcgan(Rng& rng)
        : g(BuildNetwork<float>("G", DcganG(), Shape::Flat(64), Options(), rng)),
          d(BuildNetwork<float>("D", DcganD(), Shape{1, 28, 28}, Options(), rng)), g_opt(g.Params("G."), Adam()),
          d_opt(d.Params("D."), Adam())
    {
        z = Normal(64, 64, rng);
        real = Uniform01(784, 64, rng);
        g.ZeroGrad();
        d.ZeroGrad();
    }

    static NetworkOptions Options()
    {
        NetworkOptions o;
        o.init = MlpInit::Torch;
        return o;
    }

    static std::vector<std::string> PhaseNames()
    {
        return {"G forward (fake for D)", "D real fwd+bwd", "D fake fwd+bwd", "D Adam", "G fwd + D fwd + D dx",
                "G backward", "G Adam"};
    }

    void Step(std::vector<Clock::time_point>& t)
    {
        t.clear();
        t.push_back(Clock::now());
        const MatrixF& fake = g.Forward(z);
        t.push_back(Clock::now());
        BceWithLogits(d.Forward(real), 1.0f, grad);
        d.Backward(grad, true, false);
        t.push_back(Clock::now());
        BceWithLogits(d.Forward(fake), 0.0f, grad);
        d.Backward(grad, true, false);
        t.push_back(Clock::now());
        d_opt.StepAndZeroGrad();
        t.push_back(Clock::now());
        BceWithLogits(d.Forward(g.Forward(z)), 1.0f, grad);
        const MatrixF& dx = d.Backward(grad, false);
        t.push_back(Clock::now());
        g.Backward(dx, true, false);
        t.push_back(Clock::now());
        g_opt.StepAndZeroGrad();
        t.push_back(Clock::now());
    }
};

struct ConvVae
{
    Sequential<float> enc, dec;
    Optimizer<float> opt_e, opt_d;
    MatrixF x, eps, mu, logvar, sd, z, grad_raw, grad_mu, grad_logvar, grad_h;

    explicit ConvVae(Rng& rng)
        : enc(BuildNetwork<float>("encoder", Encoder(), Shape{1, 28, 28}, Dcgan::Options(), rng)),
          dec(BuildNetwork<float>("decoder", Decoder(), Shape::Flat(20), Dcgan::Options(), rng)),
          opt_e(enc.Params("E."), OptimizerConfig{}), opt_d(dec.Params("Dec."), OptimizerConfig{})
    {
        x = Uniform01(784, 128, rng);
        eps = Normal(20, 128, rng);
        enc.ZeroGrad();
        dec.ZeroGrad();
    }

    static std::vector<std::string> PhaseNames()
    {
        return {"encoder forward", "decoder forward + loss", "decoder backward (dx)", "encoder backward", "Adam"};
    }

    void Step(std::vector<Clock::time_point>& t)
    {
        t.clear();
        t.push_back(Clock::now());
        const MatrixF& h = enc.Forward(x);
        mu = h.topRows(20);
        logvar = h.bottomRows(20);
        sd = (0.5f * logvar.array()).exp().matrix();
        z = (mu.array() + sd.array() * eps.array()).matrix();
        t.push_back(Clock::now());
        BernoulliLogLikelihood(dec.Forward(z), x, grad_raw);
        GaussianKl(mu, logvar, grad_mu, grad_logvar);
        grad_raw = -grad_raw;
        t.push_back(Clock::now());
        const MatrixF& dz = dec.Backward(grad_raw);
        t.push_back(Clock::now());
        grad_h.resize(40, 128);
        grad_h.topRows(20) = dz + grad_mu;
        grad_h.bottomRows(20) = (dz.array() * eps.array() * sd.array() * 0.5f + grad_logvar.array()).matrix();
        enc.Backward(grad_h, true, false);
        t.push_back(Clock::now());
        opt_e.StepAndZeroGrad();
        opt_d.StepAndZeroGrad();
        t.push_back(Clock::now());
    }
};

template <typename Model>
void Run(const char* name, Model& model, int steps, int threads)
{
    Phases phases;
    phases.names = Model::PhaseNames();
    std::vector<Clock::time_point> marks;
    for (int i = 0; i < 3; ++i)
    {
        model.Step(marks); // warm-up: buffers take their shapes
    }
    ResetGemmTotals();
    SetGemmTiming(true);
    const double cpu_start = ProcessCpuMs();
    for (int i = 0; i < steps; ++i)
    {
        model.Step(marks);
        phases.Record(marks);
    }
    const double cpu_ms = (ProcessCpuMs() - cpu_start) / steps;
    SetGemmTiming(false);
    const GemmTotals totals = ReadGemmTotals();
    double total_ms = 0;
    for (double ms : phases.step_ms)
    {
        total_ms += ms;
    }
    const double median = Median(phases.step_ms);
    std::printf("%s, %d thread%s, %d steps (gemm backend %s)\n", name, threads, threads == 1 ? "" : "s", steps,
                GemmBackendName());
    for (std::size_t i = 0; i < phases.names.size(); ++i)
    {
        std::printf("  %-28s %8.2f ms\n", phases.names[i].c_str(), Median(phases.ms[i]));
    }
    const double gemm_ms = static_cast<double>(totals.nanoseconds) * 1e-6;
    std::printf("  step (median)                %8.2f ms = %.2f steps/s; process CPU %.2f ms per step\n", median,
                1000.0 / median, cpu_ms);
    std::printf("  products: %.2f GFLOP per step, %.1f GFLOP/s inside them, %.0f%% of the step (%lld products)\n",
                totals.flops / steps * 1e-9, totals.flops / (gemm_ms * 1e6), 100.0 * gemm_ms / total_ms,
                static_cast<long long>(totals.products / steps));
    std::printf("BENCH_CONV model=%s threads=%d ms_per_step=%.2f steps_per_s=%.3f cpu_ms_per_step=%.2f "
                "gemm_gflops=%.1f gemm_fraction=%.3f\n",
                name, threads, median, 1000.0 / median, cpu_ms, totals.flops / (gemm_ms * 1e6), gemm_ms / total_ms);
    std::fflush(stdout);
}

// Every product of a dcgan / conv-vae step, by layer and pass: C (m, n) = op(A) op(B) with op(A) (m, k).
struct ProductShape
{
    const char* what;
    Trans ta, tb;
    Index m, n, k;
};

const ProductShape kShapes[] = {
    {"G linear 1024->6272 fwd", Trans::No, Trans::No, 6272, 64, 1024},
    {"G linear 1024->6272 dW", Trans::No, Trans::Yes, 6272, 1024, 64},
    {"G linear 1024->6272 dx", Trans::Yes, Trans::No, 1024, 64, 6272},
    {"G convT 128->64 fwd (W^T x)", Trans::Yes, Trans::No, 1024, 3136, 128},
    {"G convT 128->64 dW", Trans::No, Trans::Yes, 128, 1024, 3136},
    {"G convT 128->64 dx", Trans::No, Trans::No, 128, 3136, 1024},
    {"G convT 64->1 fwd (W^T x)", Trans::Yes, Trans::No, 16, 12544, 64},
    {"G convT 64->1 dW", Trans::No, Trans::Yes, 64, 16, 12544},
    {"G convT 64->1 dx", Trans::No, Trans::No, 64, 12544, 16},
    {"D conv 1->64 fwd", Trans::No, Trans::No, 64, 12544, 16},
    {"D conv 1->64 dW", Trans::No, Trans::Yes, 64, 16, 12544},
    {"D conv 1->64 dx (W^T dy)", Trans::Yes, Trans::No, 16, 12544, 64},
    {"D conv 64->128 fwd", Trans::No, Trans::No, 128, 3136, 1024},
    {"D conv 64->128 dW", Trans::No, Trans::Yes, 128, 1024, 3136},
    {"D conv 64->128 dx (W^T dy)", Trans::Yes, Trans::No, 1024, 3136, 128},
    {"D linear 6272->1024 fwd", Trans::No, Trans::No, 1024, 64, 6272},
    {"D linear 6272->1024 dW", Trans::No, Trans::Yes, 1024, 6272, 64},
    {"D linear 6272->1024 dx", Trans::Yes, Trans::No, 6272, 64, 1024},
    {"E conv 1->32 fwd", Trans::No, Trans::No, 32, 25088, 16},
    {"E conv 32->64 fwd", Trans::No, Trans::No, 64, 6272, 512},
    {"E conv 32->64 dW", Trans::No, Trans::Yes, 64, 512, 6272},
    {"E conv 32->64 dx (W^T dy)", Trans::Yes, Trans::No, 512, 6272, 64},
    {"Dec convT 64->32 fwd (W^T x)", Trans::Yes, Trans::No, 512, 6272, 64},
    {"Dec convT 64->32 dW", Trans::No, Trans::Yes, 64, 512, 6272},
    {"Dec convT 64->32 dx", Trans::No, Trans::No, 64, 6272, 512},
};

void TimeShapes(int threads)
{
    std::printf("products alone, %d thread%s (gemm backend %s)\n", threads, threads == 1 ? "" : "s",
                GemmBackendName());
    Rng rng(1);
    for (const ProductShape& s : kShapes)
    {
        const Index a_rows = s.ta == Trans::No ? s.m : s.k, a_cols = s.ta == Trans::No ? s.k : s.m;
        const Index b_rows = s.tb == Trans::No ? s.k : s.n, b_cols = s.tb == Trans::No ? s.n : s.k;
        const MatrixF a = Normal(a_rows, a_cols, rng), b = Normal(b_rows, b_cols, rng);
        MatrixF c = MatrixF::Zero(s.m, s.n);
        const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
        std::vector<double> ms;
        const auto start = Clock::now();
        while (ms.size() < 5 || (ms.size() < 200 && Clock::now() - start < std::chrono::milliseconds(300)))
        {
            const auto t0 = Clock::now();
            Gemm<float>(s.ta, s.tb, s.m, s.n, s.k, 1.0f, a.data(), a_rows, b.data(), b_rows, 0.0f, c.data(), s.m);
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        const double median = Median(ms);
        std::printf("  %-30s %c%c m %5lld n %5lld k %5lld  %7.3f ms  %6.1f GFLOP/s\n", s.what,
                    s.ta == Trans::No ? 'N' : 'T', s.tb == Trans::No ? 'N' : 'T', static_cast<long long>(s.m),
                    static_cast<long long>(s.n), static_cast<long long>(s.k), median, flops / (median * 1e6));
    }
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    int steps = 20;
    bool shapes = false;
    std::vector<int> thread_counts{1, 2};
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], "--steps") == 0 && i + 1 < argc)
        {
            steps = std::max(1, std::atoi(argv[++i]));
        }
        else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
        {
            thread_counts.clear();
            std::istringstream in(argv[++i]);
            for (int t = 0; in >> t;)
            {
                thread_counts.push_back(std::max(1, t));
            }
        }
        else if (std::strcmp(argv[i], "--shapes") == 0)
        {
            shapes = true;
        }
        else
        {
            std::fprintf(stderr, "usage: %s [--steps N] [--threads \"1 2\"] [--shapes]\n", argv[0]);
            return 2;
        }
    }
    std::printf("%s%s%s%s", FormatSummary(SummarizeNetwork("dcgan G", DcganG(), Shape::Flat(64)), 64).c_str(),
                FormatSummary(SummarizeNetwork("dcgan D", DcganD(), Shape{1, 28, 28}), 64).c_str(),
                FormatSummary(SummarizeNetwork("conv-vae encoder", Encoder(), Shape{1, 28, 28}), 128).c_str(),
                FormatSummary(SummarizeNetwork("conv-vae decoder", Decoder(), Shape::Flat(20)), 128).c_str());
    for (int threads : thread_counts)
    {
        train::ConfigureTrainingThread(threads);
        if (shapes)
        {
            TimeShapes(threads);
            continue;
        }
        Rng rng(1);
        Dcgan dcgan(rng);
        Run("dcgan", dcgan, steps, threads);
        ConvVae vae(rng);
        Run("conv-vae", vae, 2 * steps, threads);
    }
    return 0;
}
