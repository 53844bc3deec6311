// InfoGAN (Chen et al. 2016): latent codes c beside the noise z, and the information term that makes each code
// mean something. G reads [z; c]; an auxiliary head Q on D's body predicts c from G(z, c); G and Q minimise
// lambda L_I with L_I = sum over categorical codes of the cross-entropy of Q's logits against c, plus sum over
// continuous codes of the Gaussian negative log-likelihood of c under Q's (mean, log-variance). Since
// I(c; G(z, c)) >= H(c) - E[CE], log K - CE is a lower bound on a categorical code's mutual information.
// The codes, the loss and its gradients (templated for the double-precision checks), and Q itself (InfoHead).
// Used by one thread at a time, as the GAN that owns it.
#pragma once

#include "core/models/config.h"
#include "core/nn/optimizer.h"
#include "core/nn/sequential.h"
#include "core/util/rng.h"

#include <memory>
#include <string>
#include <vector>

namespace ll::models
{

// The codes of an experiment (gan.info_categorical, gan.info_k, gan.info_continuous, gan.info_lambda).
struct InfoCodes
{
    int categorical = 0; // categorical codes, each uniform over k values, one-hot in G's input
    int k = 10;          // values per categorical code
    int continuous = 0;  // continuous codes, each uniform in [-1, 1]
    double lambda = 1.0; // weight of L_I in G's and Q's losses
    double continuous_std = 0; // > 0: Q's Gaussian has this fixed sd (its log-variance output is unused); 0: learned

    bool Active() const { return categorical > 0 || continuous > 0; }
    // Rows of c in G's input: categorical * k one-hot entries, then the continuous values.
    nn::Index Dim() const { return static_cast<nn::Index>(categorical) * k + continuous; }
    // Rows of Q's output: k logits per categorical code, then (mean, log-variance) per continuous code.
    nn::Index QOutputs() const { return static_cast<nn::Index>(categorical) * k + 2 * continuous; }
    // The first row of continuous code j in c (after the one-hot blocks).
    nn::Index ContinuousRow(int j) const { return static_cast<nn::Index>(categorical) * k + j; }
};

InfoCodes InfoCodesOf(const GanConfig& config);

// c (Dim(), n): each categorical code a uniformly drawn one-hot block, each continuous code U(-1, 1); column by
// column, categorical codes first.
void SampleCodes(const InfoCodes& codes, Rng& rng, nn::Index n, nn::MatrixF& c);
// One column's codes into c[0 .. Dim()) (a model's latent column, below its noise).
void SampleCodeColumn(const InfoCodes& codes, Rng& rng, float* c);
// The value (in [0, k)) categorical code `code` takes in every column of a model's latent (noise rows, then the
// codes' Dim() rows): the index of its one-hot block's largest entry.
std::vector<int> LatentCodeValues(const InfoCodes& codes, const nn::MatrixF& latent, int code);

// What one evaluation of L_I measured, unweighted, as batch means.
struct InfoTerms
{
    double loss = 0;       // lambda * L_I (what G and Q minimise)
    double ce = 0;         // sum over categorical codes of the mean cross-entropy (nats)
    double nll = 0;        // sum over continuous codes of the mean Gaussian NLL (nats)
    double mi_bound = 0;   // mean over categorical codes of log k - CE: I(c; G(z, c)) >= this (nats)
    double accuracy = 0;   // share of categorical codes Q's argmax recovers (over codes and samples)
};

// sum += t, field by field (means over several D updates); Scaled: every field times f.
void Accumulate(InfoTerms& sum, const InfoTerms& t);
InfoTerms Scaled(InfoTerms t, double f);

// The bound b of a continuous code's log-variance: Q's raw output r gives s = b tanh(r / b), so the variance stays
// in [exp(-b), exp(b)].
inline constexpr double kInfoLogVarBound = 4.0;

// L_I from Q's output q (QOutputs(), B) and the codes c (Dim(), B) that made the samples: returns lambda L_I and
// writes grad = d(lambda L_I)/dq (QOutputs(), B). Cross-entropy per categorical code: logsumexp(l) - l_y with the
// column maximum subtracted, d/dl = (softmax(l) - onehot(y)) / B. Gaussian NLL per continuous code with mean m and
// log-variance s = b tanh(r / b) (kInfoLogVarBound): 0.5 log(2 pi) + s / 2 + (c - m)^2 exp(-s) / 2,
// d/dm = -(c - m) exp(-s) / B, d/dr = (1 - (c - m)^2 exp(-s)) (1 - tanh^2(r / b)) / (2 B). With a fixed sd
// (codes.continuous_std = sigma > 0) s = 2 log sigma and d/dr = 0. c is a constant (G's gradient reaches c's samples
// through q only).
template <typename T>
T InfoLoss(const InfoCodes& codes, const nn::Matrix<T>& q, const nn::Matrix<T>& c, nn::Matrix<T>& grad,
           InfoTerms* terms = nullptr);

// The layer of D whose input Q reads: the input of D's last layer with parameters (its score layer), i.e. the
// features of D's body. Throws std::invalid_argument when D has no layer with parameters before that one.
std::size_t InfoTapLayer(nn::Sequential<float>& d);

// Q: Linear(features, kQHidden) -> LeakyReLU(0.2) -> Linear(kQHidden, QOutputs()) on the input of D's tap layer,
// with its own optimizer (gan.d_opt's settings: Q moves with D's body). Parameters "Q.<i>.weight"/"bias".
class InfoHead
{
public:
    static constexpr nn::Index kQHidden = 128;

    InfoHead(const InfoCodes& codes, nn::Sequential<float>& d, const nn::OptimizerConfig& opt, Rng& rng);
    InfoHead(const InfoHead& other, bool for_inference); // Q's layers and settings; no optimizer

    const InfoCodes& Codes() const { return m_codes; }
    std::size_t TapLayer() const { return m_tap; }

    // After D.Forward on G(z, c): Q on D's body features (D.LayerInput(TapLayer())), L_I against c (Dim(), B).
    // Returns d(lambda L_I)/d(features) (features, B) for D.Backward's side gradient; with accumulate, Q's
    // parameter gradients get d(lambda L_I)/dQ added (Q's update), else they are untouched (G's update).
    const nn::MatrixF& Grad(const nn::MatrixF& features, const nn::MatrixF& c, bool accumulate, InfoTerms& terms);
    // Q's predictions for features: (QOutputs(), B).
    const nn::MatrixF& Predict(const nn::MatrixF& features);

    void ZeroGrad();
    void Step(); // one optimizer update from the accumulated gradients
    void SetLearningRate(double lr);
    std::vector<nn::ParamRef<float>>& Params() { return m_params; }
    nn::Sequential<float>& Network() { return m_q; }
    nn::Optimizer<float>* Optimizer() { return m_opt.get(); }

private:
    InfoCodes m_codes;
    std::size_t m_tap = 0;
    nn::Sequential<float> m_q;
    std::vector<nn::ParamRef<float>> m_params;
    std::unique_ptr<nn::Optimizer<float>> m_opt; // null in an inference copy
    nn::MatrixF m_grad_q; // (QOutputs(), B)
};

// Why codes and packing (gan.pack > 1) are refused together: Validate and the GAN's constructor say the same.
std::string InfoWithPackMessage(int pack);

// The information term in the formula shown beside the plots ("" without codes).
std::string InfoFormula(const InfoCodes& codes);

} // namespace ll::models
