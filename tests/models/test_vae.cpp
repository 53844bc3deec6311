// The VAE: reparameterised gradients against finite differences, hand-checked loss terms, training on synthetic
// 8x8 bar images, KL warm-up, the ELBO / IWAE bounds, determinism and the conditional model.
#include "core/eval/vae_bounds.h"
#include "core/models/hyperparams.h"
#include "core/models/vae.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

using ll::Rng;
using ll::models::ExperimentConfig;
using ll::models::VaeConfig;
using ll::models::VaeNet;
namespace nn = ll::nn;

namespace
{

template <typename T>
void FillNormal(Rng& rng, nn::Matrix<T>& m)
{
    for (nn::Index i = 0; i < m.size(); ++i)
    {
        m.data()[i] = static_cast<T>(rng.Normal());
    }
}

VaeConfig SmallConfig(ll::models::Likelihood likelihood, bool conditional)
{
    VaeConfig c;
    c.latent_dim = 3;
    c.likelihood = likelihood;
    c.gaussian_sigma = 0.7;
    c.conditional = conditional;
    // Smooth activations keep the finite differences away from ReLU kinks.
    c.encoder.hidden = {6};
    c.encoder.activation = ll::nn::ActivationKind::Tanh;
    c.decoder.hidden = {5};
    c.decoder.activation = ll::nn::ActivationKind::Softplus;
    return c;
}

// Checks every parameter's gradient of recon + beta * kl against central differences with eps held fixed.
template <typename T>
void CheckGradients(const VaeConfig& config, T h, T rel_tol, T abs_tol)
{
    constexpr nn::Index kData = 7, kBatch = 4;
    constexpr int kClasses = 3;
    Rng rng(11);
    VaeNet<T> net(config, kData, kClasses, rng);
    nn::Matrix<T> x(kData, kBatch);
    for (nn::Index i = 0; i < x.size(); ++i)
    {
        x.data()[i] = static_cast<T>(rng.Uniform()); // grey levels in [0, 1] exercise both likelihoods
    }
    nn::Matrix<T> labels = nn::Matrix<T>::Zero(kClasses, kBatch);
    for (nn::Index b = 0; b < kBatch; ++b)
    {
        labels(b % kClasses, b) = T(1);
    }
    const nn::Matrix<T>* lp = config.conditional ? &labels : nullptr;
    nn::Matrix<T> eps(config.latent_dim, kBatch);
    FillNormal(rng, eps);
    const T beta = T(0.7);

    auto loss = [&]()
    {
        const auto terms = net.Forward(x, lp, eps, beta, false);
        return terms.recon + static_cast<double>(beta) * terms.kl;
    };
    net.ZeroGrad();
    net.Forward(x, lp, eps, beta, true);

    auto params = net.EncoderParams();
    const auto dec = net.DecoderParams();
    params.insert(params.end(), dec.begin(), dec.end());
    REQUIRE(params.size() == 8); // E.0, E.2, Dec.0, Dec.2: weights and biases
    int checked = 0;
    for (const auto& p : params)
    {
        const nn::Matrix<T> analytic = *p.grad; // copy: finite differences re-run Forward
        for (nn::Index i = 0; i < p.value->size(); ++i)
        {
            T& w = p.value->data()[i];
            const T saved = w;
            w = saved + h;
            const double up = loss();
            w = saved - h;
            const double down = loss();
            w = saved;
            const double numeric = (up - down) / (2.0 * static_cast<double>(h));
            const double a = static_cast<double>(analytic.data()[i]);
            INFO(p.name << "[" << i << "]: analytic " << a << ", numeric " << numeric);
            CHECK(std::abs(a - numeric) <= static_cast<double>(abs_tol) + static_cast<double>(rel_tol) * std::abs(numeric));
            ++checked;
        }
    }
    CHECK(checked > 100);
}

// 8x8 binary images of bars: class 0 has horizontal bars, class 1 vertical ones; each of the 8 lines is on with
// probability 0.3 (at least one line). x (64, n), labels one-hot (2, n).
void MakeBars(Rng& rng, nn::Index n, nn::MatrixF& x, nn::MatrixF& labels)
{
    x.setZero(64, n);
    labels.setZero(2, n);
    for (nn::Index col = 0; col < n; ++col)
    {
        const int orientation = static_cast<int>(rng.Below(2));
        labels(orientation, col) = 1.0f;
        bool any = false;
        while (!any)
        {
            for (int line = 0; line < 8; ++line)
            {
                if (rng.Uniform() < 0.3)
                {
                    any = true;
                    for (int k = 0; k < 8; ++k)
                    {
                        const int r = orientation == 0 ? line : k;
                        const int c = orientation == 0 ? k : line;
                        x(r * 8 + c, col) = 1.0f;
                    }
                }
            }
        }
    }
}

// Random mini-batches (with replacement) of a fixed data matrix.
class MatrixSource final : public ll::models::BatchSource
{
public:
    MatrixSource(const nn::MatrixF& x, const nn::MatrixF* labels, nn::Index batch)
        : m_x(x), m_labels(labels), m_bx(x.rows(), batch)
    {
        if (labels)
        {
            m_bl.resize(labels->rows(), batch);
        }
    }
    ll::models::Batch Next(Rng& rng) override
    {
        for (nn::Index b = 0; b < m_bx.cols(); ++b)
        {
            const auto i = static_cast<nn::Index>(rng.Below(static_cast<std::uint64_t>(m_x.cols())));
            m_bx.col(b) = m_x.col(i);
            if (m_labels)
            {
                m_bl.col(b) = m_labels->col(i);
            }
        }
        return {&m_bx, m_labels ? &m_bl : nullptr};
    }

private:
    const nn::MatrixF& m_x;
    const nn::MatrixF* m_labels;
    nn::MatrixF m_bx, m_bl;
};

VaeConfig BarsConfig(bool conditional)
{
    VaeConfig c;
    c.latent_dim = 4;
    c.encoder.hidden = {64};
    c.decoder.hidden = {64};
    c.opt.learning_rate = 3e-3;
    c.conditional = conditional;
    return c;
}

double Metric(const ll::models::Metrics& m, const std::string& name)
{
    for (const auto& [key, value] : m)
    {
        if (key == name)
        {
            return value;
        }
    }
    FAIL("no metric " << name);
    return 0;
}

// Trains on bars for `steps` steps; returns the per-step metrics.
std::vector<ll::models::Metrics> TrainBars(ll::models::Vae& vae, const nn::MatrixF& x, const nn::MatrixF* labels,
                                           int steps, std::uint64_t seed)
{
    MatrixSource source(x, labels, 32);
    Rng rng(seed);
    std::vector<ll::models::Metrics> history;
    for (int s = 0; s < steps; ++s)
    {
        ll::models::Metrics m;
        vae.TrainStep(source, rng, s, ll::models::StepPhase::Both, m);
        history.push_back(std::move(m));
    }
    return history;
}

} // namespace

TEST_CASE("VAE: reparameterised gradients match central finite differences in double")
{
    // Double: h = 1e-6, tolerance 1e-6 absolute + 1e-5 relative (differences are accurate to ~1e-9 here).
    CheckGradients<double>(SmallConfig(ll::models::Likelihood::Bernoulli, false), 1e-6, 1e-5, 1e-6);
    CheckGradients<double>(SmallConfig(ll::models::Likelihood::Gaussian, false), 1e-6, 1e-5, 1e-6);
    CheckGradients<double>(SmallConfig(ll::models::Likelihood::Bernoulli, true), 1e-6, 1e-5, 1e-6);
}

TEST_CASE("VAE: reparameterised gradients match central finite differences in float")
{
    // Float: h = 1e-2 trades rounding (~1e-5) against curvature (~h^2); tolerance 5e-3 absolute + 3e-2 relative.
    CheckGradients<float>(SmallConfig(ll::models::Likelihood::Bernoulli, false), 1e-2f, 3e-2f, 5e-3f);
    CheckGradients<float>(SmallConfig(ll::models::Likelihood::Gaussian, true), 1e-2f, 3e-2f, 5e-3f);
}

TEST_CASE("VAE: the loss terms of a one-pixel, one-latent model match a hand computation")
{
    // Encoder: one Linear 1 -> 2 with W = [0.5; 0], b = [0.1; -1]: mu = 0.5 x + 0.1, logvar = -1.
    // Decoder: one Linear 1 -> 1 with W = 2, b = -0.5: logit (or mean) = 2 z - 0.5.
    using ll::models::Likelihood;
    for (const Likelihood likelihood : {Likelihood::Bernoulli, Likelihood::Gaussian})
    {
        VaeConfig c;
        c.latent_dim = 1;
        c.likelihood = likelihood;
        c.gaussian_sigma = 0.5;
        c.encoder.hidden = {};
        c.decoder.hidden = {};
        Rng rng(1);
        VaeNet<double> net(c, 1, 0, rng);
        auto enc = net.EncoderParams();
        auto dec = net.DecoderParams();
        REQUIRE(enc.size() == 2);
        REQUIRE(dec.size() == 2);
        *enc[0].value = (Eigen::MatrixXd(2, 1) << 0.5, 0.0).finished();
        *enc[1].value = (Eigen::MatrixXd(2, 1) << 0.1, -1.0).finished();
        *dec[0].value = Eigen::MatrixXd::Constant(1, 1, 2.0);
        *dec[1].value = Eigen::MatrixXd::Constant(1, 1, -0.5);

        // Example 1: x = 1, eps = 0.3: mu = 0.6, z = 0.6 + exp(-0.5) 0.3 = 0.781959, logit 1.063918.
        //   Bernoulli: softplus(l) - x l = 0.296469; Gaussian (sigma 0.5): 0.5 ((1 - l) / 0.5)^2 + log 0.5
        //   + 0.5 log 2 pi = 0.233962; KL = 0.5 (0.36 + e^-1 - 1 + 1) = 0.363940.
        // Example 2: x = 0, eps = -1: mu = 0.1, z = -0.506531, l = -1.513061. Bernoulli 0.199043, Gaussian
        //   4.804500, KL = 0.5 (0.01 + e^-1) = 0.188940. Batch means below.
        const Eigen::MatrixXd x = (Eigen::MatrixXd(1, 2) << 1.0, 0.0).finished();
        const Eigen::MatrixXd eps = (Eigen::MatrixXd(1, 2) << 0.3, -1.0).finished();
        const auto terms = net.Forward(x, nullptr, eps, 1.0, false);
        const double expected_recon = likelihood == Likelihood::Bernoulli ? 0.24775614361704804 : 2.5192314703108285;
        CHECK(terms.recon == doctest::Approx(expected_recon).epsilon(1e-12));
        CHECK(terms.kl == doctest::Approx(0.2764397205857212).epsilon(1e-12));
        CHECK(net.KlPerDim()[0] == doctest::Approx(0.2764397205857212).epsilon(1e-12));
        CHECK(net.Z()(0, 0) == doctest::Approx(0.78195919791379).epsilon(1e-12));

        Eigen::MatrixXd mean;
        net.DecodeMean(net.Z(), nullptr, mean);
        if (likelihood == Likelihood::Bernoulli)
        {
            CHECK(mean(0, 0) == doctest::Approx(0.7434386434693645).epsilon(1e-12)); // sigmoid(1.063918)
            CHECK(mean(0, 1) == doctest::Approx(0.18048554883732898).epsilon(1e-12));
        }
        else
        {
            CHECK(mean(0, 0) == doctest::Approx(1.06391839582758).epsilon(1e-12));
        }
    }
}

TEST_CASE("VAE: KL warm-up gives beta 0 at step 0 and beta from warmup_steps on")
{
    VaeConfig c = BarsConfig(false);
    c.beta = 2.0;
    c.warmup_steps = 100;
    Rng rng(3);
    ll::models::Vae vae(c, 64, 0, rng);
    CHECK(vae.BetaAt(0) == 0.0);
    CHECK(vae.BetaAt(50) == doctest::Approx(1.0));
    CHECK(vae.BetaAt(100) == 2.0);
    CHECK(vae.BetaAt(5000) == 2.0);

    nn::MatrixF x, labels;
    MakeBars(rng, 64, x, labels);
    MatrixSource source(x, nullptr, 8);
    ll::models::Metrics m;
    vae.TrainStep(source, rng, 0, ll::models::StepPhase::Both, m);
    CHECK(Metric(m, "beta") == 0.0);
    CHECK(Metric(m, "loss") == doctest::Approx(Metric(m, "recon"))); // no KL in force yet
    m.clear();
    vae.TrainStep(source, rng, 100, ll::models::StepPhase::Both, m);
    CHECK(Metric(m, "beta") == 2.0);
    CHECK(Metric(m, "loss") == doctest::Approx(Metric(m, "recon") + 2.0 * Metric(m, "kl")));
    CHECK(Metric(m, "elbo") == doctest::Approx(-(Metric(m, "recon") + Metric(m, "kl"))));

    c.warmup_steps = 0;
    ll::models::Vae no_warmup(c, 64, 0, rng);
    CHECK(no_warmup.BetaAt(0) == 2.0);
}

TEST_CASE("VAE: training on 8x8 bars lowers the negative ELBO, and IWAE bounds sit above the ELBO")
{
    Rng data_rng(5);
    nn::MatrixF x, labels;
    MakeBars(data_rng, 2000, x, labels);
    Rng init(7);
    ll::models::Vae vae(BarsConfig(false), 64, 0, init);
    const auto history = TrainBars(vae, x, nullptr, 400, 9);

    // Metric names and shapes.
    const auto& first = history.front();
    for (const char* name : {"loss", "recon", "kl", "elbo", "beta", "grad_norm", "kl_dim_0", "kl_dim_3"})
    {
        INFO(name);
        CHECK(std::any_of(first.begin(), first.end(), [&](const auto& kv) { return kv.first == name; }));
    }
    CHECK(first.size() == 6 + 4);
    double kl_sum = 0;
    for (int j = 0; j < 4; ++j)
    {
        kl_sum += Metric(first, "kl_dim_" + std::to_string(j));
    }
    CHECK(kl_sum == doctest::Approx(Metric(first, "kl")).epsilon(1e-4));

    auto mean_loss = [&](std::size_t from, std::size_t to)
    {
        double s = 0;
        for (std::size_t i = from; i < to; ++i)
        {
            s += Metric(history[i], "loss");
        }
        return s / static_cast<double>(to - from);
    };
    const double start = mean_loss(0, 5);
    const double end = mean_loss(380, 400);
    MESSAGE("negative ELBO: first 5 steps " << start << ", last 20 steps " << end);
    // 64 pixels start above 64 log 2 = 44 nats (measured 54.8); after 400 steps measured 29.6. Require a drop of
    // at least 15 nats.
    CHECK(start > 35.0);
    CHECK(end < start - 15.0);

    // Held-out bounds on fresh bars.
    nn::MatrixF test_x, test_labels;
    MakeBars(data_rng, 500, test_x, test_labels);
    Rng eval_rng(13);
    const double elbo = ll::eval::EvaluateElbo(vae, test_x, nullptr, eval_rng);
    const double iwae50 = ll::eval::EvaluateIwae(vae, test_x, nullptr, 50, eval_rng);
    MESSAGE("test ELBO " << elbo << ", IWAE(50) " << iwae50);
    CHECK(elbo < 0.0);
    CHECK(elbo > -end - 5.0); // close to the training bound
    CHECK(iwae50 < 0.0);
    CHECK(iwae50 > elbo);

    // IWAE with k = 1 is the ELBO in expectation: over 8 x 500 examples the two estimates agree within 0.3 nats
    // (measured per-example standard deviation ~4 nats, so the standard error of the difference is ~0.1).
    nn::MatrixF many(64, 4000);
    for (int r = 0; r < 8; ++r)
    {
        many.middleCols(r * 500, 500) = test_x;
    }
    const double elbo_many = ll::eval::EvaluateElbo(vae, many, nullptr, eval_rng);
    const double iwae1 = ll::eval::EvaluateIwae(vae, many, nullptr, 1, eval_rng);
    MESSAGE("ELBO " << elbo_many << ", IWAE(1) " << iwae1);
    CHECK(std::abs(iwae1 - elbo_many) < 0.3);

    // The dataset overloads see the same numbers as the matrix ones (same chunks, same noise).
    ll::data::ImageDataset ds;
    ds.name = "bars";
    ds.rows = ds.cols = 8;
    ds.count = 300;
    for (nn::Index col = 0; col < 300; ++col)
    {
        for (nn::Index i = 0; i < 64; ++i)
        {
            ds.pixels.push_back(test_x(i, col) > 0.5f ? 255 : 0);
        }
    }
    Rng r1(31), r2(31);
    const double from_ds = ll::eval::EvaluateIwae(vae, ds, 0, 5, r1);
    const double from_matrix = ll::eval::EvaluateIwae(vae, test_x.leftCols(300), nullptr, 5, r2);
    CHECK(from_ds == doctest::Approx(from_matrix).epsilon(1e-9));
    Rng r3(32), r4(32);
    CHECK(ll::eval::EvaluateElbo(vae, ds, 100, r3) ==
          doctest::Approx(ll::eval::EvaluateElbo(vae, test_x.leftCols(100), nullptr, r4)).epsilon(1e-9));
}

TEST_CASE("VAE: the same seed gives the same metrics twice")
{
    Rng data_rng(5);
    nn::MatrixF x, labels;
    MakeBars(data_rng, 300, x, labels);
    auto run = [&]()
    {
        Rng init(21);
        ll::models::Vae vae(BarsConfig(false), 64, 0, init);
        return TrainBars(vae, x, nullptr, 30, 22);
    };
    const auto a = run();
    const auto b = run();
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        CHECK(a[i] == b[i]); // bit-identical names and values
    }
}

TEST_CASE("VAE: a conditional VAE learns to decode bars of the requested orientation")
{
    Rng data_rng(5);
    nn::MatrixF x, labels;
    MakeBars(data_rng, 2000, x, labels);
    Rng init(17);
    ll::models::Vae vae(BarsConfig(true), 64, 2, init);
    CHECK(vae.NumClasses() == 2);
    TrainBars(vae, x, &labels, 400, 19);

    // Decode 200 prior samples per class. Horizontal bars are constant along rows: the spread within rows is
    // small compared with the spread within columns; vertical bars the other way round.
    Rng rng(23);
    for (int cls = 0; cls < 2; ++cls)
    {
        nn::MatrixF one_hot = nn::MatrixF::Zero(2, 200);
        one_hot.row(cls).setOnes();
        nn::MatrixF out;
        vae.Sample(rng, 200, &one_hot, out);
        REQUIRE(out.rows() == 64);
        REQUIRE(out.cols() == 200);
        CHECK(out.minCoeff() >= 0.0f);
        CHECK(out.maxCoeff() <= 1.0f);
        double within_rows = 0, within_cols = 0;
        for (nn::Index s = 0; s < out.cols(); ++s)
        {
            const Eigen::Map<const Eigen::Matrix<float, 8, 8>> img(out.col(s).data()); // img(c, r) = pixel (r, c)
            for (int k = 0; k < 8; ++k)
            {
                within_rows += (img.col(k).array() - img.col(k).mean()).square().sum(); // row r = k
                within_cols += (img.row(k).array() - img.row(k).mean()).square().sum(); // column c = k
            }
        }
        MESSAGE("class " << cls << ": spread within rows " << within_rows << ", within columns " << within_cols);
        if (cls == 0)
        {
            CHECK(within_rows * 3 < within_cols);
        }
        else
        {
            CHECK(within_cols * 3 < within_rows);
        }
    }
    // The bounds work with labels too.
    Rng eval_rng(29);
    const nn::MatrixF test_x = x.leftCols(300), test_labels = labels.leftCols(300);
    const double elbo = ll::eval::EvaluateElbo(vae, test_x, &test_labels, eval_rng);
    const double iwae = ll::eval::EvaluateIwae(vae, test_x, &test_labels, 20, eval_rng);
    MESSAGE("conditional: ELBO " << elbo << ", IWAE(20) " << iwae);
    CHECK(iwae > elbo);
    CHECK_THROWS_AS(ll::eval::EvaluateElbo(vae, test_x, nullptr, eval_rng), std::invalid_argument);

    nn::MatrixF z(4, 3), out;
    z.setZero();
    CHECK_THROWS_AS(vae.Decode(z, nullptr, out), std::invalid_argument); // labels required
}

TEST_CASE("VAE: hyperparameters, networks, clones and unsupported calls")
{
    Rng rng(2);
    ll::models::Vae vae(BarsConfig(false), 64, 0, rng);
    CHECK(vae.Family() == ll::models::Family::Vae);
    CHECK(vae.Formula().find("KL(q(z|x) || p(z))") != std::string::npos);
    ExperimentConfig config;
    config.vae = BarsConfig(false);
    CHECK(ll::models::LiveHyperNames(config) == std::vector<std::string>{"lr", "batch_size", "beta", "warmup_steps"});

    using ll::models::SetLiveHyper;
    SetLiveHyper(config, "lr", 5e-4);
    vae.ApplyLiveSettings(config);
    REQUIRE(vae.Optimizers().size() == 1);
    CHECK(vae.Optimizers()[0]->Config().learning_rate == doctest::Approx(5e-4));
    SetLiveHyper(config, "beta", 4);
    vae.ApplyLiveSettings(config);
    CHECK(vae.BetaAt(10) == 4.0);
    CHECK(vae.Formula().find("beta * KL") != std::string::npos);
    SetLiveHyper(config, "warmup_steps", 10);
    vae.ApplyLiveSettings(config);
    CHECK(vae.BetaAt(5) == doctest::Approx(2.0));
    CHECK_THROWS_WITH_AS(SetLiveHyper(config, "gamma", 1), doctest::Contains("unknown hyperparameter \"gamma\""),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(SetLiveHyper(config, "beta", -1), doctest::Contains("[0, 1000]"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(SetLiveHyper(config, "lr", 0), doctest::Contains("(0, 10]"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(SetLiveHyper(config, "warmup_steps", 2.5), doctest::Contains("whole number"),
                         std::invalid_argument);

    const auto nets = vae.Networks();
    REQUIRE(nets.size() == 2);
    CHECK(nets[0].role == "encoder");
    CHECK(nets[0].params.front().name == "E.0.weight");
    CHECK(nets[1].role == "decoder");
    CHECK(nets[1].params.front().name == "Dec.0.weight");
    CHECK(nets[0].params.front().value->rows() == 64);
    CHECK(nets[0].params.front().value->cols() == 64);
    CHECK(nets[0].params[2].value->rows() == 8); // the head: 2 x latent

    nn::MatrixF x(64, 5), mu, logvar;
    x.setConstant(0.5f);
    vae.Encode(x, nullptr, mu, logvar);
    CHECK(mu.rows() == 4);
    CHECK(logvar.cols() == 5);

    // The clone decodes identically, has no optimizer and refuses to train.
    auto clone = vae.CloneForInference();
    nn::MatrixF z(4, 6), a, b;
    Rng zr(4);
    vae.SampleLatent(zr, 6, z);
    vae.Decode(z, nullptr, a);
    clone->Decode(z, nullptr, b);
    CHECK(a == b);
    CHECK(clone->Optimizers().empty());
    CHECK(clone->CanEncode());
    CHECK_FALSE(clone->CanScore());
    CHECK_THROWS_AS(clone->Score(x, nullptr, a), std::logic_error);
    CHECK_THROWS_AS(clone->GeneratorOutputGrad(z, nullptr, a), std::logic_error);

    ExperimentConfig plain;
    Rng mr(1);
    auto model = ll::models::MakeModel(plain, 64, 0, mr);
    CHECK(model->Family() == ll::models::Family::Vae);
    plain.family = static_cast<ll::models::Family>(7); // no such family: only a cast can make one
    CHECK_THROWS_AS(ll::models::MakeModel(plain, 64, 0, mr), std::invalid_argument);
}
