// The training hot path does not allocate once shapes repeat: forward, losses, backward, the gradient penalty's
// double backward and the optimizer step are counted with a malloc interposer (glibc only; Eigen and operator new
// both allocate through malloc). This whole test executable shares the interposer; it only counts when asked.
// Under ASan/TSan/MSan the interposer compiles out (their runtime owns malloc and free: memory from __libc_malloc
// freed through theirs crashes before main) and the hot path runs uncounted, checked by the sanitizer instead.
#include "core/nn/batch_norm.h"
#include "core/nn/conv.h"
#include "core/nn/losses.h"
#include "core/nn/optimizer.h"
#include "core/nn/parallel.h"
#include "core/nn/sequential.h"
#include "core/nn/shape_layers.h"
#include "core/nn/thread_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LL_SANITIZER_OWNS_MALLOC 1 // GCC; clang answers through __has_feature below
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define LL_SANITIZER_OWNS_MALLOC 1
#endif
#endif

#if defined(__GLIBC__) && !defined(LL_SANITIZER_OWNS_MALLOC)
#define LL_COUNT_MALLOCS 1
#endif

#if defined(LL_COUNT_MALLOCS)

extern "C" void* __libc_malloc(std::size_t size);

namespace
{
std::atomic<bool> g_counting{false};
std::atomic<long> g_mallocs{0};
} // namespace

extern "C" void* malloc(std::size_t size) noexcept
{
    if (g_counting.load(std::memory_order_relaxed))
    {
        g_mallocs.fetch_add(1, std::memory_order_relaxed);
    }
    return __libc_malloc(size);
}

#endif

#if defined(LL_COUNT_MALLOCS) || defined(LL_SANITIZER_OWNS_MALLOC)

namespace
{

using namespace ll;
using namespace ll::nn;

// One critic step of a WGAN-GP-like loop: scores, loss, backward, penalty double backward, optimizer step.
struct CriticStep
{
    Sequential<float> net;
    Optimizer<float> opt;
    MatrixF x, ones, grad, u;

    CriticStep(const MlpSpec& spec, Rng& rng, Index batch)
        : net(MakeMlp<float>(spec, rng)), opt(net.Params("D."), OptimizerConfig{})
    {
        x = MatrixF::Random(spec.sizes.front(), batch);
        ones = MatrixF::Ones(spec.sizes.back(), batch);
    }

    void Run()
    {
        net.ZeroGrad();
        BceWithLogits(net.Forward(x), 0.9f, grad);
        net.Backward(grad);
        // Penalty 0.5 |dx|^2: u = dx.
        net.Forward(x);
        u = net.Backward(ones, false);
        net.BackwardOfBackward(u);
        opt.Step();
    }
};

// A DCGAN-shaped step on small images: G (linear, BatchNorm, reshape, transposed convs) and D (convs, BatchNorm,
// flatten, linear) forward and backward with and without the input gradient, and a BatchNorm-free conv critic's
// gradient penalty (one conv spectral-normalised); the optimizers step. Small on purpose: Eigen's product allocates
// its packing blocks on the heap once they pass EIGEN_STACK_ALLOCATION_LIMIT (128 KB), which is the product
// backend's business, not these layers'.
struct ConvStep
{
    Sequential<float> g, d, critic;
    Optimizer<float> g_opt, d_opt, c_opt;
    MatrixF z, real, ones, grad, u;

    static Sequential<float> MakeG(Rng& rng)
    {
        Sequential<float> g;
        g.SetInputSize(8);
        g.Add(std::make_unique<Linear<float>>(8, 16 * 3 * 3, true, InitKind::Torch, rng));
        g.Add(std::make_unique<BatchNorm<float>>(Shape::Flat(16 * 3 * 3)));
        g.Add(std::make_unique<Activation<float>>(ActivationKind::ReLU));
        g.Add(std::make_unique<Reshape<float>>(Shape::Flat(16 * 3 * 3), Shape{16, 3, 3}));
        g.Add(std::make_unique<ConvTranspose2d<float>>(Shape{16, 3, 3}, 8, 4, 2, 1, 0, true, InitKind::Torch, rng));
        g.Add(std::make_unique<BatchNorm<float>>(Shape{8, 6, 6}));
        g.Add(std::make_unique<Activation<float>>(ActivationKind::ReLU));
        g.Add(std::make_unique<ConvTranspose2d<float>>(Shape{8, 6, 6}, 1, 4, 2, 1, 0, true, InitKind::Torch, rng));
        g.Add(std::make_unique<Activation<float>>(ActivationKind::Sigmoid));
        return g;
    }

    static Sequential<float> MakeD(Rng& rng, bool batch_norm)
    {
        Sequential<float> d;
        d.SetInputShape(Shape{1, 12, 12});
        d.Add(std::make_unique<Conv2d<float>>(Shape{1, 12, 12}, 8, 4, 2, 1, true, InitKind::Torch, rng));
        d.Add(std::make_unique<Activation<float>>(ActivationKind::LeakyReLU, 0.2f));
        d.Add(std::make_unique<Conv2d<float>>(Shape{8, 6, 6}, 16, 4, 2, 1, true, InitKind::Torch, rng));
        if (!batch_norm)
        {
            dynamic_cast<Conv2d<float>&>(d.At(2)).EnableSpectralNorm(rng); // the hinge critic's kind of layer
        }
        if (batch_norm)
        {
            d.Add(std::make_unique<BatchNorm<float>>(Shape{16, 3, 3}));
        }
        d.Add(std::make_unique<Activation<float>>(ActivationKind::LeakyReLU, 0.2f));
        d.Add(std::make_unique<Reshape<float>>(Shape{16, 3, 3}, Shape::Flat(16 * 3 * 3), true));
        d.Add(std::make_unique<Linear<float>>(16 * 3 * 3, 1, true, InitKind::Torch, rng));
        return d;
    }

    ConvStep(Rng& rng, Index batch)
        : g(MakeG(rng)), d(MakeD(rng, true)), critic(MakeD(rng, false)), g_opt(g.Params("G."), OptimizerConfig{}),
          d_opt(d.Params("D."), OptimizerConfig{}), c_opt(critic.Params("C."), OptimizerConfig{})
    {
        z = MatrixF::Random(8, batch);
        real = (MatrixF::Random(144, batch).array() * 0.5f + 0.5f).matrix();
        ones = MatrixF::Ones(1, batch);
    }

    void Run()
    {
        // D step: real and fake through D, parameter gradients only.
        d.ZeroGrad();
        const MatrixF& fake = g.Forward(z);
        BceWithLogits(d.Forward(real), 1.0f, grad);
        d.Backward(grad, true, false);
        BceWithLogits(d.Forward(fake), 0.0f, grad);
        d.Backward(grad, true, false);
        d_opt.Step();
        // G step: through D's input gradient into G, G's first layer without dx.
        g.ZeroGrad();
        BceWithLogits(d.Forward(g.Forward(z)), 1.0f, grad);
        g.Backward(d.Backward(grad, false), true, false);
        g_opt.Step();
        // WGAN-GP-style penalty on the BatchNorm-free critic: 0.5 |dx|^2.
        critic.ZeroGrad();
        critic.Forward(real);
        u = critic.Backward(ones, false);
        critic.BackwardOfBackward(u);
        c_opt.Step();
    }
};

#if defined(LL_COUNT_MALLOCS)

template <typename Step>
long CountMallocs(Step& step)
{
    step.Run(); // warm-up: buffers take their shapes, thread pools start
    step.Run();
    g_mallocs = 0;
    g_counting = true;
    step.Run();
    step.Run();
    g_counting = false;
    return g_mallocs.load();
}

#endif

} // namespace

#if defined(LL_COUNT_MALLOCS)

TEST_CASE("Training hot path: no allocation once shapes repeat")
{
    // Our code never allocates here; Eigen's OpenMP-parallel GEMM does (per product, inside Eigen/libgomp), so
    // the count runs single-threaded.
    const int threads = Eigen::nbThreads();
    Eigen::setNbThreads(1);
    Rng rng(1);
    for (auto hidden : {ActivationKind::LeakyReLU, ActivationKind::Tanh, ActivationKind::Softplus})
    {
        for (bool sn : {false, true})
        {
            CAPTURE(ActivationName(hidden));
            CAPTURE(sn);
            MlpSpec spec;
            spec.sizes = {2, 64, 64, 1};
            spec.hidden = hidden;
            spec.spectral_norm = sn;
            CriticStep step(spec, rng, 128);
            CHECK(CountMallocs(step) == 0);
        }
    }
    Eigen::setNbThreads(threads);
    // The interposer is live: an allocation is seen.
    g_mallocs = 0;
    g_counting = true;
    MatrixF* probe = new MatrixF(8, 8);
    g_counting = false;
    delete probe;
    CHECK(g_mallocs.load() >= 1);
}

TEST_CASE("Conv training hot path: no allocation once shapes repeat, on one and two threads")
{
    for (int t : {1, 2})
    {
        CAPTURE(t);
        ThreadPool pool(t); // the products and ParallelFor's loops run on it, as on the training thread
        SetCurrentPool(&pool);
        Rng rng(2);
        ConvStep step(rng, 4);
        CHECK(CountMallocs(step) == 0);
        // ParallelFor split across the pool: no allocation after the first job.
        std::vector<float> values(1 << 16, 1.0f);
        auto scale = [&values](Index b, Index e)
        {
            for (Index i = b; i < e; ++i)
            {
                values[static_cast<std::size_t>(i)] *= 0.5f;
            }
        };
        ParallelFor(static_cast<Index>(values.size()), 1024, scale);
        g_mallocs = 0;
        g_counting = true;
        ParallelFor(static_cast<Index>(values.size()), 1024, scale);
        g_counting = false;
        CHECK(g_mallocs.load() == 0);
        CHECK((ParallelPieces(static_cast<Index>(values.size()), 1024) > 1) == (t > 1));
        CHECK(values.back() == 0.25f);
        SetCurrentPool(nullptr);
    }
}

#else

// The count needs the interposer, which a sanitizer's allocator rules out (see the top of the file). The same steps
// still run here, so the sanitizer checks every buffer they reuse; the count itself is only asserted without it.
TEST_CASE("Training hot path: runs clean under the sanitizer (allocation count skipped: the sanitizer owns malloc)")
{
    const int threads = Eigen::nbThreads();
    Eigen::setNbThreads(1);
    Rng rng(1);
    for (auto hidden : {ActivationKind::LeakyReLU, ActivationKind::Tanh, ActivationKind::Softplus})
    {
        for (bool sn : {false, true})
        {
            CAPTURE(ActivationName(hidden));
            CAPTURE(sn);
            MlpSpec spec;
            spec.sizes = {2, 64, 64, 1};
            spec.hidden = hidden;
            spec.spectral_norm = sn;
            CriticStep step(spec, rng, 128);
            for (int i = 0; i < 4; ++i)
            {
                step.Run();
            }
            CHECK(step.net.Forward(step.x).allFinite());
        }
    }
    Rng conv_rng(2);
    ConvStep conv_step(conv_rng, 4);
    for (int i = 0; i < 3; ++i)
    {
        conv_step.Run();
    }
    CHECK(conv_step.g.Forward(conv_step.z).allFinite());
    Eigen::setNbThreads(threads);
}

#endif

#endif
