// InfoGAN's codes, information loss and Q head (see info_codes.h).
#include "core/models/info_codes.h"

#include "core/models/hyperparams.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace ll::models
{

InfoCodes InfoCodesOf(const GanConfig& config)
{
    InfoCodes codes;
    codes.categorical = config.info_categorical;
    codes.k = config.info_k;
    codes.continuous = config.info_continuous;
    codes.lambda = config.info_lambda;
    codes.continuous_std = config.info_continuous_std;
    return codes;
}

void SampleCodeColumn(const InfoCodes& codes, Rng& rng, float* c)
{
    std::fill(c, c + codes.Dim(), 0.0f);
    for (int i = 0; i < codes.categorical; ++i)
    {
        const auto value = static_cast<nn::Index>(rng.Below(static_cast<std::uint64_t>(codes.k)));
        c[static_cast<nn::Index>(i) * codes.k + value] = 1.0f;
    }
    for (int i = 0; i < codes.continuous; ++i)
    {
        c[codes.ContinuousRow(i)] = static_cast<float>(rng.Uniform(-1.0, 1.0));
    }
}

void SampleCodes(const InfoCodes& codes, Rng& rng, nn::Index n, nn::MatrixF& c)
{
    c.resize(codes.Dim(), n);
    for (nn::Index j = 0; j < n; ++j)
    {
        SampleCodeColumn(codes, rng, c.col(j).data());
    }
}

std::vector<int> LatentCodeValues(const InfoCodes& codes, const nn::MatrixF& latent, int code)
{
    if (code < 0 || code >= codes.categorical || latent.rows() < codes.Dim())
    {
        throw std::invalid_argument("InfoGAN: no categorical code " + std::to_string(code) + " in a latent of " +
                                    std::to_string(latent.rows()) + " rows (" + std::to_string(codes.categorical) +
                                    " categorical codes, " + std::to_string(codes.Dim()) + " code rows)");
    }
    const nn::Index top = latent.rows() - codes.Dim() + static_cast<nn::Index>(code) * codes.k;
    std::vector<int> out(static_cast<std::size_t>(latent.cols()));
    for (nn::Index j = 0; j < latent.cols(); ++j)
    {
        nn::Index best = 0;
        latent.col(j).segment(top, codes.k).maxCoeff(&best);
        out[static_cast<std::size_t>(j)] = static_cast<int>(best);
    }
    return out;
}

void Accumulate(InfoTerms& sum, const InfoTerms& t)
{
    sum.loss += t.loss;
    sum.ce += t.ce;
    sum.nll += t.nll;
    sum.mi_bound += t.mi_bound;
    sum.accuracy += t.accuracy;
}

InfoTerms Scaled(InfoTerms t, double f)
{
    t.loss *= f;
    t.ce *= f;
    t.nll *= f;
    t.mi_bound *= f;
    t.accuracy *= f;
    return t;
}

template <typename T>
T InfoLoss(const InfoCodes& codes, const nn::Matrix<T>& q, const nn::Matrix<T>& c, nn::Matrix<T>& grad,
           InfoTerms* terms)
{
    const nn::Index b = q.cols();
    if (q.rows() != codes.QOutputs() || c.rows() != codes.Dim() || c.cols() != b || b < 1)
    {
        throw std::invalid_argument("InfoGAN loss: Q's output is (" + std::to_string(q.rows()) + ", " +
                                    std::to_string(b) + ") and the codes (" + std::to_string(c.rows()) + ", " +
                                    std::to_string(c.cols()) + "); expected (" + std::to_string(codes.QOutputs()) +
                                    ", B) and (" + std::to_string(codes.Dim()) + ", B), B >= 1");
    }
    grad.resize(q.rows(), b);
    const T inv_b = T(1) / static_cast<T>(b);
    const T lambda = static_cast<T>(codes.lambda);
    const nn::Index k = codes.k;
    double ce = 0;
    double nll = 0;
    double hits = 0;
    for (nn::Index j = 0; j < b; ++j)
    {
        for (int i = 0; i < codes.categorical; ++i)
        {
            const nn::Index top = static_cast<nn::Index>(i) * k; // logits and one-hot share the block's rows
            nn::Index y = 0;
            c.col(j).segment(top, k).maxCoeff(&y);
            nn::Index guess = 0;
            const T peak = q.col(j).segment(top, k).maxCoeff(&guess);
            T sum = 0;
            for (nn::Index r = 0; r < k; ++r)
            {
                sum += std::exp(q(top + r, j) - peak);
            }
            const T log_sum = peak + std::log(sum);
            ce += static_cast<double>(log_sum - q(top + y, j));
            hits += guess == y ? 1.0 : 0.0;
            for (nn::Index r = 0; r < k; ++r)
            {
                const T p = std::exp(q(top + r, j) - log_sum);
                grad(top + r, j) = lambda * inv_b * (p - (r == y ? T(1) : T(0)));
            }
        }
        for (int i = 0; i < codes.continuous; ++i)
        {
            const nn::Index mean_row = static_cast<nn::Index>(codes.categorical) * k + 2 * i;
            const T m = q(mean_row, j);
            // s = b tanh(r / b): the log-variance, bounded smoothly (an unbounded one runs to -inf once Q's
            // mean is close, and its gradient (c - m)^2 exp(-s) explodes with it).
            const bool fixed = codes.continuous_std > 0;
            const T bound = static_cast<T>(kInfoLogVarBound);
            const T t = fixed ? T(0) : std::tanh(q(mean_row + 1, j) / bound);
            const T s = fixed ? static_cast<T>(2.0 * std::log(codes.continuous_std)) : bound * t;
            const T err = c(codes.ContinuousRow(i), j) - m;
            const T inv_var = std::exp(-s);
            nll += 0.5 * std::log(2.0 * std::numbers::pi) + 0.5 * static_cast<double>(s) +
                   0.5 * static_cast<double>(err * err * inv_var);
            grad(mean_row, j) = -lambda * inv_b * err * inv_var;
            grad(mean_row + 1, j) =
                fixed ? T(0) : lambda * inv_b * T(0.5) * (T(1) - err * err * inv_var) * (T(1) - t * t);
        }
    }
    ce /= static_cast<double>(b);
    nll /= static_cast<double>(b);
    if (terms != nullptr)
    {
        terms->ce = ce;
        terms->nll = nll;
        terms->loss = codes.lambda * (ce + nll);
        terms->mi_bound =
            codes.categorical > 0 ? std::log(static_cast<double>(k)) - ce / codes.categorical : 0.0;
        terms->accuracy = codes.categorical > 0 ? hits / (static_cast<double>(b) * codes.categorical) : 0.0;
    }
    return static_cast<T>(codes.lambda * (ce + nll));
}

template float InfoLoss<float>(const InfoCodes&, const nn::MatrixF&, const nn::MatrixF&, nn::MatrixF&, InfoTerms*);
template double InfoLoss<double>(const InfoCodes&, const nn::Matrix<double>&, const nn::Matrix<double>&,
                                 nn::Matrix<double>&, InfoTerms*);

std::size_t InfoTapLayer(nn::Sequential<float>& d)
{
    std::vector<std::size_t> with_params;
    for (std::size_t i = 0; i < d.Size(); ++i)
    {
        std::vector<nn::ParamRef<float>> params;
        d.At(i).CollectParams("", params);
        if (!params.empty())
        {
            with_params.push_back(i);
        }
    }
    if (with_params.size() < 2)
    {
        throw std::invalid_argument("InfoGAN: Q shares D's body, so D needs a layer with parameters before its score "
                                    "layer (give gan.discriminator at least one hidden layer)");
    }
    return with_params.back();
}

namespace
{

// D's body features: the shape reaching layer `tap` from D's input.
nn::Index TapFeatures(const nn::Sequential<float>& d, std::size_t tap)
{
    nn::Shape shape = d.InputShape();
    for (std::size_t i = 0; i < tap; ++i)
    {
        shape = d.At(i).OutputShape(shape);
    }
    return shape.Size();
}

} // namespace

InfoHead::InfoHead(const InfoCodes& codes, nn::Sequential<float>& d, const nn::OptimizerConfig& opt, Rng& rng)
    : m_codes(codes), m_tap(InfoTapLayer(d))
{
    if (!codes.Active())
    {
        throw std::invalid_argument("InfoGAN: Q needs at least one code (gan.info_categorical or "
                                    "gan.info_continuous)");
    }
    nn::MlpSpec spec;
    spec.sizes = {TapFeatures(d, m_tap), kQHidden, codes.QOutputs()};
    spec.hidden = nn::ActivationKind::LeakyReLU;
    spec.output = nn::ActivationKind::Identity;
    spec.leaky_slope = 0.2;
    m_q = nn::MakeMlp<float>(spec, rng);
    m_params = m_q.Params("Q.");
    m_opt = std::make_unique<nn::Optimizer<float>>(m_params, opt);
}

InfoHead::InfoHead(const InfoHead& other, bool /*for_inference*/)
    : m_codes(other.m_codes), m_tap(other.m_tap), m_q(other.m_q)
{
    m_params = m_q.Params("Q.");
}

const nn::MatrixF& InfoHead::Predict(const nn::MatrixF& features)
{
    return m_q.Forward(features);
}

const nn::MatrixF& InfoHead::Grad(const nn::MatrixF& features, const nn::MatrixF& c, bool accumulate,
                                  InfoTerms& terms)
{
    const nn::MatrixF& q = m_q.Forward(features);
    InfoLoss(m_codes, q, c, m_grad_q, &terms);
    return m_q.Backward(m_grad_q, accumulate);
}

void InfoHead::ZeroGrad()
{
    m_q.ZeroGrad();
}

void InfoHead::Step()
{
    if (!m_opt)
    {
        throw std::logic_error("InfoHead::Step: an inference copy has no optimizer");
    }
    m_opt->Step();
}

void InfoHead::SetLearningRate(double lr)
{
    if (m_opt)
    {
        m_opt->SetLearningRate(lr);
    }
}

std::string InfoWithPackMessage(int pack)
{
    return "gan.pack = " + std::to_string(pack) + " with InfoGAN codes (gan.info_categorical / gan.info_continuous): "
           "Q predicts the code of one sample, but a packed D sees " + std::to_string(pack) +
           " samples at once; use gan.pack = 1 with codes";
}

std::string InfoFormula(const InfoCodes& codes)
{
    if (!codes.Active())
    {
        return "";
    }
    std::string text = "   InfoGAN: G and Q also minimise lambda L_I, L_I = ";
    if (codes.categorical > 0)
    {
        text += "E[-log Q(c_cat | G(z, c))]";
    }
    if (codes.continuous > 0)
    {
        text += std::string(codes.categorical > 0 ? " + " : "") + "E[-log N(c_cont; mu_Q, sigma_Q^2)]";
    }
    text += ", lambda = " + FormatNumber(codes.lambda);
    if (codes.categorical > 0)
    {
        text += "; I(c; G(z, c)) >= H(c) - E[CE] = log " + std::to_string(codes.k) + " - CE per categorical code";
    }
    return text;
}

} // namespace ll::models
