// Held-out log-likelihood bounds of a VAE (see vae_bounds.h).
#include "core/eval/vae_bounds.h"

#include "core/models/vae.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ll::eval
{

using models::Model;
using models::Vae;
using models::VaeNet;
namespace
{

Vae& AsVae(Model& model, const char* what)
{
    auto* vae = dynamic_cast<Vae*>(&model);
    if (vae == nullptr)
    {
        throw std::invalid_argument(std::string(what) + ": the model (family \"" + util::NameOf(model.Family()) +
                                    "\") is not a VAE");
    }
    return *vae;
}

void CheckInputs(const char* what, Vae& vae, const nn::MatrixF& x, const nn::MatrixF* labels, nn::Index chunk)
{
    if (x.cols() == 0 || x.rows() != vae.DataDim())
    {
        throw std::invalid_argument(std::string(what) + ": x must be (" + std::to_string(vae.DataDim()) +
                                    ", n >= 1), got (" + std::to_string(x.rows()) + ", " +
                                    std::to_string(x.cols()) + ")");
    }
    if (vae.NumClasses() > 0 && (labels == nullptr || labels->cols() != x.cols()))
    {
        throw std::invalid_argument(std::string(what) + ": a conditional VAE needs one-hot labels for every example");
    }
    if (chunk < 1)
    {
        throw std::invalid_argument(std::string(what) + ": chunk must be >= 1");
    }
}

void FillNormal(Rng& rng, nn::MatrixF& m)
{
    float* p = m.data();
    for (nn::Index i = 0, n = m.size(); i < n; ++i)
    {
        p[i] = static_cast<float>(rng.Normal());
    }
}

// Runs f(x_chunk, labels_chunk) over the first max_examples examples of ds in chunks; returns the
// example-weighted mean of f's per-example means.
template <typename F>
double OverDataset(Model& model, const data::ImageDataset& ds, std::int64_t max_examples, const char* what, F f)
{
    const std::int64_t n = max_examples > 0 ? std::min(max_examples, ds.count) : ds.count;
    if (n < 1)
    {
        throw std::invalid_argument(std::string(what) + ": dataset '" + ds.name + "' has no examples");
    }
    if (model.NumClasses() > 0 && ds.num_classes != model.NumClasses())
    {
        throw std::invalid_argument(std::string(what) + ": dataset '" + ds.name + "' has " +
                                    std::to_string(ds.num_classes) + " classes, the model expects " +
                                    std::to_string(model.NumClasses()));
    }
    constexpr std::int64_t kGather = 1000;
    std::vector<std::int64_t> indices(static_cast<std::size_t>(n));
    std::iota(indices.begin(), indices.end(), std::int64_t{0});
    nn::MatrixF x, labels;
    double total = 0;
    for (std::int64_t start = 0; start < n; start += kGather)
    {
        const std::int64_t c = std::min(kGather, n - start);
        data::GatherBatch(ds, indices.data() + start, c, x);
        const nn::MatrixF* lp = nullptr;
        if (model.NumClasses() > 0)
        {
            data::GatherOneHot(ds, indices.data() + start, c, labels);
            lp = &labels;
        }
        total += f(x, lp) * static_cast<double>(c);
    }
    return total / static_cast<double>(n);
}

} // namespace

double EvaluateElbo(Model& model, const nn::MatrixF& x, const nn::MatrixF* labels, Rng& rng, nn::Index chunk)
{
    Vae& vae = AsVae(model, "EvaluateElbo");
    CheckInputs("EvaluateElbo", vae, x, labels, chunk);
    VaeNet<float>& net = vae.Net();
    const nn::Index n = x.cols();
    nn::MatrixF xb, lb, eps;
    double total = 0;
    for (nn::Index start = 0; start < n; start += chunk)
    {
        const nn::Index c = std::min(chunk, n - start);
        xb = x.middleCols(start, c);
        if (labels != nullptr)
        {
            lb = labels->middleCols(start, c);
        }
        eps.resize(vae.LatentDim(), c);
        FillNormal(rng, eps);
        const auto terms = net.Forward(xb, labels != nullptr ? &lb : nullptr, eps, 1.0f, false);
        total += -(terms.recon + terms.kl) * static_cast<double>(c);
    }
    return total / static_cast<double>(n);
}

double EvaluateIwae(Model& model, const nn::MatrixF& x, const nn::MatrixF* labels, int k, Rng& rng,
                    nn::Index chunk)
{
    Vae& vae = AsVae(model, "EvaluateIwae");
    CheckInputs("EvaluateIwae", vae, x, labels, chunk);
    if (k < 1)
    {
        throw std::invalid_argument("EvaluateIwae: k must be >= 1, got " + std::to_string(k));
    }
    VaeNet<float>& net = vae.Net();
    const nn::Index n = x.cols();
    const nn::Index d = vae.LatentDim();
    nn::MatrixF xb, lb, mu, logvar, sd, eps, z;
    nn::VectorF ll;
    Eigen::MatrixXd log_w; // (k, c): log p(x, z_i) - log q(z_i | x), one column per example
    double total = 0;
    for (nn::Index start = 0; start < n; start += chunk)
    {
        const nn::Index c = std::min(chunk, n - start);
        xb = x.middleCols(start, c);
        const nn::MatrixF* lp = nullptr;
        if (labels != nullptr)
        {
            lb = labels->middleCols(start, c);
            lp = &lb;
        }
        net.Encode(xb, lp, mu, logvar);
        sd = (0.5f * logvar.array()).exp().matrix();
        log_w.resize(k, c);
        eps.resize(d, c);
        z.resize(d, c);
        for (int i = 0; i < k; ++i)
        {
            FillNormal(rng, eps);
            z.array() = mu.array() + sd.array() * eps.array();
            net.LogLikelihoodPerExample(net.DecodeRaw(z, lp), xb, ll);
            // log p(z) - log q(z|x) = sum_j -z^2/2 + eps^2/2 + logvar/2 (the 2 pi terms cancel), in double.
            for (nn::Index col = 0; col < c; ++col)
            {
                double s = static_cast<double>(ll[col]);
                for (nn::Index j = 0; j < d; ++j)
                {
                    const double zj = z(j, col), ej = eps(j, col);
                    s += 0.5 * (ej * ej - zj * zj + static_cast<double>(logvar(j, col)));
                }
                log_w(i, col) = s;
            }
        }
        // log (1/k) sum_i exp(log_w_i), stabilised by the column maximum.
        const double log_k = std::log(static_cast<double>(k));
        for (nn::Index col = 0; col < c; ++col)
        {
            const double m = log_w.col(col).maxCoeff();
            total += m + std::log((log_w.col(col).array() - m).exp().sum()) - log_k;
        }
    }
    return total / static_cast<double>(n);
}

double EvaluateElbo(Model& model, const data::ImageDataset& ds, std::int64_t max_examples, Rng& rng)
{
    return OverDataset(model, ds, max_examples, "EvaluateElbo",
                       [&](const nn::MatrixF& x, const nn::MatrixF* labels)
                       { return EvaluateElbo(model, x, labels, rng); });
}

double EvaluateIwae(Model& model, const data::ImageDataset& ds, std::int64_t max_examples, int k, Rng& rng)
{
    return OverDataset(model, ds, max_examples, "EvaluateIwae",
                       [&](const nn::MatrixF& x, const nn::MatrixF* labels)
                       { return EvaluateIwae(model, x, labels, k, rng); });
}

} // namespace ll::eval
