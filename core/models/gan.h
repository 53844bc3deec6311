// The GAN family behind the Model interface: generator and discriminator (critic) built from their layer lists
// (MLPs, or convolutional as DCGAN), six objectives (minimax, non-saturating, least squares, WGAN with clipping,
// WGAN-GP, hinge + spectral norm), k D-steps per G-step, optional class conditioning (one-hot concatenated to z;
// label planes for a conv D), PacGAN packing (D judges gan.pack samples at once). Used by one thread at a time (the
// training thread); see model.h.
// BatchNorm: every training forward of G and D normalises with the batch's statistics; sampling (Decode), scoring
// and the 2-D view's arrows use the running statistics.
#pragma once

#include "core/models/config.h"
#include "core/models/info_codes.h"
#include "core/models/model.h"
#include "core/nn/sequential.h"
#include "core/nn/shape.h"

#include <memory>
#include <string>

namespace ll::models
{

// What one discriminator loss evaluation measured (see Gan::DiscriminatorGrad).
struct DiscriminatorStats
{
    double loss = 0;       // D's full loss (including gp_lambda * gp for wgan_gp)
    double real = 0;       // mean sigmoid(D(x)) for BCE objectives, else mean raw score
    double fake = 0;       // the same on G(z)
    double w_estimate = 0; // mean D(x) - mean D(G(z)) (raw scores)
    double gp = 0;         // wgan_gp: mean((||grad_x D(x_hat)||_2 - 1)^2), unweighted; else 0
    double r1 = 0;         // r1_gamma > 0: mean ||grad_x D(x_real)||_2^2, unweighted (loss adds r1_gamma / 2 * r1)
    // With packing (gan.pack = m > 1) every mean is over D's packed inputs, and x, x_hat are packed inputs: the
    // penalties' gradients are taken with respect to all m samples' data values at once.
};

class Gan final : public Model
{
public:
    // data_dim: features of one example; num_classes > 0 with config.gan.conditional makes a conditional GAN.
    // data_dim == 2 is treated as toy data (G's default output: identity; otherwise sigmoid for [0, 1] images).
    Gan(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng);
    // Data of this shape (channels x height x width; toys are Shape::Flat(2)).
    Gan(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng);

    models::Family Family() const override { return models::Family::Gan; }
    std::string Objective() const override { return util::NameOf(m_objective); }
    std::string Formula() const override;

    // Both: d_steps D updates (each on a fresh real batch), then one G update (one more batch, for its size and
    // labels). DiscriminatorOnly: the D updates only; GeneratorOnly: the G update only. D metrics are means
    // over the step's D updates.
    void TrainStep(BatchSource& source, Rng& rng, std::int64_t step, StepPhase phase, Metrics& out) override;

    nn::Index DataDim() const override { return m_data_dim; }
    nn::Shape DataShape() const override { return m_data_shape; }
    // [z; c]: the noise, then the InfoGAN codes (none without them).
    nn::Index LatentDim() const override { return m_noise_dim + m_info.Dim(); }
    InfoCodes Codes() const override { return m_info; }
    int NumClasses() const override { return m_num_classes; }

    void SampleLatent(Rng& rng, nn::Index n, nn::MatrixF& z) const override;
    void Decode(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& out) override;
    bool CanScore() const override { return true; }
    void Score(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& out) override;
    void GeneratorOutputGrad(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& grad) override;

    std::vector<Network> Networks() override;
    std::vector<nn::Optimizer<float>*> Optimizers() override;
    std::vector<nn::ParamRef<float>> ExtraState() override;

    // g_lr, d_lr (the learning-rate schedule scales them from the next step on), d_steps, real_label, clip,
    // gp_lambda, gp_target.
    void ApplyLiveSettings(const ExperimentConfig& config) override;

    std::unique_ptr<Model> CloneForInference() const override;

    // --- The pieces of a step, public for tests and for the lab's "explain this step" views. ---

    // D's loss on real x (data_dim, B) and fakes G(z), z (noise_dim, B); labels (classes, B) or nullptr.
    // Zeroes D's gradients and leaves dLoss/dD in them; no update. eps (1, B / m): the WGAN-GP interpolation
    // weights (x_hat = eps x + (1 - eps) G(z)), one per packed input, required for wgan_gp and ignored otherwise.
    // Packing m = gan.pack: B must be a multiple of m; columns j m .. j m + m - 1 form D's input j. power_iteration:
    // advance spectral-norm power iteration once on the real batch (training); false keeps u, v frozen.
    DiscriminatorStats DiscriminatorGrad(const nn::MatrixF& real, const nn::MatrixF* labels, const nn::MatrixF& z,
                                         const nn::MatrixF* eps, bool power_iteration);
    // G's loss on G(z), z (noise_dim, B) with B a multiple of the pack size, packed as DiscriminatorGrad packs;
    // zeroes G's gradients and leaves dLoss/dG in them. D's gradients are not touched.
    double GeneratorGrad(const nn::MatrixF& z, const nn::MatrixF* labels);

    nn::Sequential<float>& Generator() { return m_g; }
    // The moving average of G's weights that Decode (samples, evaluation) uses when gan.g_ema > 0; else G itself.
    nn::Sequential<float>& SamplingGenerator() { return m_g_ema > 0.0f ? m_g_avg : m_g; }
    double GeneratorEma() const { return m_g_ema; }
    double R1Gamma() const { return m_r1_gamma; }
    // The factor on both learning rates at a step: 1 at step 0, falling linearly to lr_decay_to at
    // lr_decay_steps, constant after; always 1 when lr_decay_steps is 0.
    double LearningRateFactor(std::int64_t step) const;
    nn::Sequential<float>& Discriminator() { return m_d; }
    GanObjective ObjectiveKind() const { return m_objective; }
    int DSteps() const { return m_d_steps; }
    // InfoGAN's Q on D's body (gan_info.cpp), or nullptr without codes.
    InfoHead* InfoQ() { return m_q.get(); }
    // Samples per D input (1 = no packing). Score and GeneratorOutputGrad, which look at single points, pack each
    // point with pack - 1 copies of itself: D(x, x, ..., x).
    int Pack() const { return m_pack; }

private:
    Gan(const Gan& other, bool for_inference); // CloneForInference: networks and settings, no optimizers

    // The objective switch, in one place (gan_objective.cpp). Each returns the loss term and writes
    // dTerm/dscores into grad. D's loss is DiscriminatorTerm(real scores, true) + DiscriminatorTerm(fake scores, false).
    float DiscriminatorTerm(const nn::MatrixF& scores, bool real, nn::MatrixF& grad) const;
    float GeneratorTerm(const nn::MatrixF& fake_scores, nn::MatrixF& grad) const;
    double MeanScoreMetric(const nn::MatrixF& scores) const; // sigmoid mean (BCE) or raw mean

    // G's input: [z; labels] in buffer when conditional, else z itself. Valid while z and buffer are.
    const nn::MatrixF& WithLabels(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& buffer) const;
    // One example as D takes it, for x (data_dim, n): x itself, [x; labels], or x with label planes
    // (label_planes). Valid while x and buffer are.
    const nn::MatrixF& ExampleInput(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& buffer) const;
    // D's input for x (data_dim, m n): ExampleInput, then m consecutive examples packed into each of n columns (the
    // examples themselves when m = 1). repeated: each of x's columns packed with m - 1 copies of itself instead.
    const nn::MatrixF& DInput(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& with_labels,
                              nn::MatrixF& packed, bool repeated = false) const;
    // The data part of a gradient over one example's input: (example rows, n) -> out (data_dim, n). Returns dx
    // itself when unconditional.
    const nn::MatrixF& DataPart(const nn::MatrixF& dx, nn::MatrixF& out) const;
    // The same over D's packed inputs: (m example rows, n) -> (data_dim, m n), each example's slot unpacked (or, when
    // repeated, the m slots summed into (data_dim, n)).
    const nn::MatrixF& PackedDataPart(const nn::MatrixF& dx, bool repeated, nn::MatrixF& out);
    // The inverse for a penalty's u: g (data_dim, n) placed in one example's input layout with zeros on the label
    // entries.
    void SpreadDataPart(const nn::MatrixF& g, nn::MatrixF& u);
    // ... and in D's packed layout: g (data_dim, m n) -> u (m example rows, n).
    void SpreadToPacked(const nn::MatrixF& g, nn::MatrixF& u);
    // The next real batch for D: m = gan.pack batches of the source side by side, (data_dim, m B), labels too.
    Batch PackOfBatches(BatchSource& source, Rng& rng, const char* what);
    void CheckLabels(const nn::MatrixF* labels, nn::Index n, const char* what) const;
    // G forward on [z; labels] (eval mode unless training), returns G(z) (data_dim, n).
    const nn::MatrixF& GeneratorForward(const nn::MatrixF& z, const nn::MatrixF* labels, bool training);
    // The gradient penalty on x_hat: adds gp_lambda * dP/dparams to D's gradients, returns the unweighted P.
    double GradientPenalty(const nn::MatrixF& real, const nn::MatrixF& fake, const nn::MatrixF* labels,
                           const nn::MatrixF& eps);
    // R1 (Mescheder et al. 2018) on the real batch: adds r1_gamma/2 * dR/dparams to D's gradients, returns the
    // unweighted R = mean_j ||grad_x D(x_j)||^2 (data rows only; labels are constants).
    double R1Penalty(const nn::MatrixF& real, const nn::MatrixF* labels);
    void ClipCritic();
    // avg <- decay avg + (1 - decay) G for every parameter of G (after each G update, when g_ema > 0).
    // After G's update on noise z (and labels): the average's weights, and its BatchNorm statistics on z.
    void UpdateGeneratorAverage(const nn::MatrixF& z, const nn::MatrixF* labels);
    // Backprop of the generator term from D's scores on G(z) down to G's output: (data_dim, n), mean-reduced.
    // repeated: each G(z) packed with copies of itself (the views), else packed as in training.
    const nn::MatrixF& GeneratorOutputGradMean(const nn::MatrixF& z, const nn::MatrixF* labels, bool training,
                                               double& loss, bool repeated = false);

    // InfoGAN (gan_info.cpp). Builds Q on D's body when the config has codes (refuses packing with them).
    void BuildInfoHead(const ExperimentConfig& config, Rng& rng);
    // D's backward from m_grad_fake after D's forward on the fakes of latent z: without codes plain Backward; with
    // codes Q's information gradient joins at D's body (accumulate: Q's and D's update; else G's, Q untouched), and
    // terms gets what L_I measured.
    const nn::MatrixF& BackwardFakeScores(const nn::MatrixF& z, bool accumulate, bool need_input_grad,
                                          InfoTerms& terms);
    void AppendInfoMetrics(const InfoTerms& mean, Metrics& out) const; // info_loss, info_mi, ...

    GanObjective m_objective = GanObjective::NonSaturating;
    bool m_uniform_noise = false;
    nn::Index m_data_dim = 0;
    nn::Shape m_data_shape;
    bool m_label_planes = false; // conditional conv D: labels as input planes
    bool m_inference = false;    // an inference copy: BatchNorm always on running statistics
    nn::Index m_noise_dim = 0;
    int m_num_classes = 0; // 0 when unconditional
    int m_d_steps = 1;
    int m_pack = 1;          // samples per D input
    nn::Shape m_d_example;   // one sample as D's input holds it (NetworkPlan::example): labels included
    float m_real_label = 1.0f;
    float m_clip = 0.01f;
    float m_gp_lambda = 10.0f;
    float m_gp_target = 1.0f; // the gradient norm the penalty pulls towards
    float m_r1_gamma = 0.0f; // 0 = no R1 penalty
    float m_g_ema = 0.0f; // decay of G's weight average; 0 = no average
    bool m_g_batchnorm = false; // G has a BatchNorm layer (the average then keeps statistics of its own)
    double m_g_lr = 0;    // learning rates as configured / set by SetHyper; the optimizers run at these times
    double m_d_lr = 0;    // LearningRateFactor(step)
    std::int64_t m_lr_decay_steps = 0;
    double m_lr_decay_to = 1.0;

    nn::Sequential<float> m_g; // [z; y] (noise_dim + classes, B) -> (data_dim, B)
    nn::Sequential<float> m_d; // packed [x; y] (pack (data_dim + classes), B) -> (1, B) raw score
    std::vector<nn::ParamRef<float>> m_g_params; // "G.<i>.weight", ... (layer-owned, stable addresses)
    std::vector<nn::ParamRef<float>> m_d_params;
    // Exponential moving average of G (Yazici et al. 2019), only with g_ema > 0: same layers, never trained, in
    // evaluation mode; its values are checkpointed as extra state "G_ema.<i>.weight"/"bias".
    nn::Sequential<float> m_g_avg;
    std::vector<nn::ParamRef<float>> m_g_avg_params; // matches m_g_params one to one
    std::unique_ptr<nn::Optimizer<float>> m_g_opt; // null in an inference copy
    std::unique_ptr<nn::Optimizer<float>> m_d_opt;
    InfoCodes m_info;              // InfoGAN's codes (inactive: none)
    std::unique_ptr<InfoHead> m_q; // Q, with codes only
    InfoTerms m_info_d;            // L_I of the last D update's fakes
    InfoTerms m_info_g;            // L_I of the last G update's fakes
    nn::MatrixF m_codes;           // (codes, B) the codes of the fakes in hand

    // Buffers reused across steps (no allocation once shapes repeat).
    nn::MatrixF m_z;          // (noise_dim, B)
    nn::MatrixF m_eps;        // (1, B / pack): one interpolation weight per D input
    nn::MatrixF m_g_in;       // (noise_dim + classes, B)
    nn::MatrixF m_d_in_real;  // (data_dim + classes, B), conditional only
    nn::MatrixF m_d_in_fake;  // (data_dim + classes, B), conditional only
    nn::MatrixF m_d_in_hat;   // (data_dim + classes, B) x_hat with labels
    nn::MatrixF m_x_hat;      // (data_dim, B)
    nn::MatrixF m_s_real;     // (1, B / pack) scores, one per D input
    nn::MatrixF m_s_fake;     // (1, B)
    nn::MatrixF m_grad_real;  // (1, B) dLoss/dscores
    nn::MatrixF m_grad_fake;  // (1, B)
    nn::MatrixF m_ones;       // (1, B)
    nn::MatrixF m_gp_u;       // (pack example rows, B / pack) dP/d(grad_x D)
    nn::MatrixF m_d_in_r1;    // (data_dim + classes, B) the real batch with labels, for R1
    nn::MatrixF m_dfake;      // (data_dim, B) dLoss/dG(z) (conditional: the x rows of D's dx)
    nn::MatrixF m_gp_g;       // (data_dim, B) the data part of grad_x D for the penalties (every example's)
    nn::MatrixF m_gp_g_scaled;// (data_dim, B) dP/dg
    nn::MatrixF m_zero_labels;// (classes, B) zeros: the label planes of a penalty's u
    // Packing (pack m > 1): D's packed inputs (m example rows, B / m), the source's m batches side by side,
    // and D's input gradient unpacked (example rows, B).
    nn::MatrixF m_pk_real, m_pk_fake, m_pk_hat, m_pk_r1;
    nn::MatrixF m_batch_x, m_batch_labels;
    nn::MatrixF m_d_dx;
};

std::unique_ptr<Model> MakeGan(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng);


} // namespace ll::models
