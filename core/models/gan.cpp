// The GAN family: generator and discriminator built from their plans (networks.h), k D-steps per G-step. The
// objectives live in gan_objective.cpp (DiscriminatorTerm/GeneratorTerm), D's penalties (WGAN-GP, R1) and weight
// clipping in gan_penalties.cpp, D's input (labels, packing) and the way back in gan_inputs.cpp.
// Two independent switches (layer.h): spectral norm's power iteration stays off (u, v frozen) except for the first
// forward of each update, so every loss of one update sees the same sigma; BatchNorm uses batch statistics in every
// training forward of G and D (the trained networks stay in that mode) and running statistics for sampling, scoring
// and the views (EvalScope).
// Packing (gan.pack = m): D's input is m examples (gan_pack.h), each laid out as D takes one example (labels
// concatenated or as planes); every loss and penalty is over packed inputs.
// InfoGAN (gan_info.cpp): Q on D's body and the noise with its codes; parameters, optimisers, state and live settings
// by name are in gan_state.cpp.
#include "core/models/gan.h"

#include "core/models/config.h"
#include "core/models/hyperparams.h"
#include "core/models/networks.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ll::models
{

namespace
{

void ZeroGrads(const std::vector<nn::ParamRef<float>>& params)
{
    for (const auto& p : params)
    {
        p.grad->setZero();
    }
}

// BatchNorm on running statistics for the scope's lifetime (inference on the training model), batch statistics
// again after it unless the model is an inference copy (always on running statistics).
class EvalScope
{
public:
    EvalScope(nn::Sequential<float>& net, bool inference) : m_net(net), m_restore(!inference)
    {
        m_net.SetBatchStatistics(false);
    }
    ~EvalScope()
    {
        if (m_restore)
        {
            m_net.SetBatchStatistics(true);
        }
    }
    EvalScope(const EvalScope&) = delete;
    EvalScope& operator=(const EvalScope&) = delete;

private:
    nn::Sequential<float>& m_net;
    bool m_restore;
};

} // namespace

// ---------------------------------------------------------------------------------------------------------
// Construction

Gan::Gan(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng)
    : Gan(config, nn::Shape::Flat(data_dim), num_classes, rng)
{
}

Gan::Gan(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes, Rng& rng)
{
    const nn::Index data_dim = data_shape.Size();
    CheckHypers(config); // the table's ranges (Validate checks them too; tests build models directly)
    const GanConfig& gc = config.gan;
    m_objective = gc.objective;
    m_uniform_noise = gc.noise == GanNoise::Uniform;
    if (data_dim < 1)
    {
        throw std::invalid_argument("GAN: data dimension must be >= 1, got " + std::to_string(data_dim));
    }
    if (gc.noise_dim < 1)
    {
        throw std::invalid_argument("gan.noise_dim must be >= 1, got " + std::to_string(gc.noise_dim));
    }
    if (gc.conditional && num_classes < 1)
    {
        throw std::invalid_argument("gan.conditional needs labelled data, but the data has no classes");
    }
    m_data_dim = data_dim;
    m_data_shape = data_shape;
    m_noise_dim = gc.noise_dim;
    m_num_classes = gc.conditional ? num_classes : 0;
    m_r1_gamma = static_cast<float>(gc.r1_gamma);
    m_pack = gc.pack;
    // G: [z; y] -> x; D: x (with labels) -> raw score (logit / critic value).
    const std::vector<NetworkPlan> plans = PlanNetworks(config, data_shape, num_classes);
    m_label_planes = plans[1].label_planes;
    m_d_example = plans[1].example;
    const int d_batchnorm = FirstBatchNorm(plans[1].layers);
    if (d_batchnorm >= 0 && (m_objective == GanObjective::WganGp || m_r1_gamma > 0.0f))
    {
        throw std::invalid_argument(PenaltyWithBatchNormMessage(d_batchnorm, m_objective == GanObjective::WganGp));
    }
    m_g = BuildPlan<float>(plans[0], rng);
    m_d = BuildPlan<float>(plans[1], rng);
    m_g.SetPowerIteration(false); // batch statistics stay on: these are the trained networks
    m_d.SetPowerIteration(false);
    m_g_params = m_g.Params("G.");
    m_d_params = m_d.Params("D.");
    m_g_ema = static_cast<float>(gc.g_ema);
    m_g_batchnorm = FirstBatchNorm(plans[0].layers) >= 0;
    if (m_g_ema > 0.0f)
    {
        m_g_avg = m_g; // the average starts at G's initial weights
        m_g_avg.SetTraining(false); // never trained: running statistics, frozen power iteration
        m_g_avg_params = m_g_avg.Params("G_ema.");
        ReleaseGradients(m_g_avg_params);
    }
    m_lr_decay_steps = gc.lr_decay_steps;
    m_lr_decay_to = gc.lr_decay_to;
    m_g_opt = std::make_unique<nn::Optimizer<float>>(m_g_params, gc.g_opt);
    m_d_opt = std::make_unique<nn::Optimizer<float>>(m_d_params, gc.d_opt);
    BuildInfoHead(config, rng);
    ApplyLiveSettings(config);
}

Gan::Gan(const Gan& other, bool /*for_inference*/)
    : m_objective(other.m_objective), m_uniform_noise(other.m_uniform_noise), m_data_dim(other.m_data_dim),
      m_data_shape(other.m_data_shape), m_label_planes(other.m_label_planes), m_inference(true),
      m_noise_dim(other.m_noise_dim), m_num_classes(other.m_num_classes), m_d_steps(other.m_d_steps),
      m_pack(other.m_pack), m_d_example(other.m_d_example),
      m_real_label(other.m_real_label), m_clip(other.m_clip), m_gp_lambda(other.m_gp_lambda),
      m_gp_target(other.m_gp_target),
      m_r1_gamma(other.m_r1_gamma), m_g_ema(other.m_g_ema), m_g_batchnorm(other.m_g_batchnorm), m_g(other.m_g),
      m_d(other.m_d), m_g_avg(other.m_g_avg),
      m_info(other.m_info), m_q(other.m_q ? std::make_unique<InfoHead>(*other.m_q, true) : nullptr)
{
    m_g.SetTraining(false); // an inference copy: running statistics, frozen power iteration
    m_d.SetTraining(false);
    m_g_avg.SetTraining(false);
    m_g_params = m_g.Params("G.");
    m_d_params = m_d.Params("D.");
    if (m_g_ema > 0.0f)
    {
        m_g_avg_params = m_g_avg.Params("G_ema.");
    }
    // No optimizer, no accumulated gradients: the copy keeps only what inference reads.
    ReleaseGradients(m_g_params);
    ReleaseGradients(m_d_params);
    ReleaseGradients(m_g_avg_params);
}

std::unique_ptr<Model> Gan::CloneForInference() const
{
    return std::unique_ptr<Model>(new Gan(*this, true));
}

std::unique_ptr<Model> MakeGan(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng)
{
    return std::make_unique<Gan>(config, data_dim, num_classes, rng);
}

// ---------------------------------------------------------------------------------------------------------
// Losses and gradients

const nn::MatrixF& Gan::GeneratorForward(const nn::MatrixF& z, const nn::MatrixF* labels, bool training)
{
    if (z.rows() != LatentDim())
    {
        throw std::invalid_argument("GAN generator: noise has " + std::to_string(z.rows()) + " rows, expected " +
                                    std::to_string(LatentDim()));
    }
    CheckLabels(labels, z.cols(), "generator");
    m_g.SetPowerIteration(training);
    const nn::MatrixF& fake = m_g.Forward(WithLabels(z, labels, m_g_in));
    m_g.SetPowerIteration(false);
    return fake;
}

DiscriminatorStats Gan::DiscriminatorGrad(const nn::MatrixF& real, const nn::MatrixF* labels, const nn::MatrixF& z,
                                          const nn::MatrixF* eps, bool power_iteration)
{
    const nn::Index n = real.cols();
    if (real.rows() != m_data_dim || z.cols() != n)
    {
        throw std::invalid_argument("GAN discriminator step: real batch is (" + std::to_string(real.rows()) + ", " +
                                    std::to_string(n) + ") and noise has " + std::to_string(z.cols()) +
                                    " columns; expected (" + std::to_string(m_data_dim) + ", B) and B columns");
    }
    if (n < m_pack || n % m_pack != 0)
    {
        throw std::invalid_argument("GAN discriminator step: " + std::to_string(n) +
                                    " examples do not fill whole packs of gan.pack = " + std::to_string(m_pack));
    }
    CheckLabels(labels, n, "discriminator step");
    ZeroGrads(m_d_params);
    if (m_q)
    {
        m_q->ZeroGrad();
    }
    const nn::MatrixF& fake = GeneratorForward(z, labels, false); // (data_dim, n), valid until G's next Forward

    DiscriminatorStats stats;
    // Real then fake: each Backward must follow its own Forward (layers cache their inputs). Scores (1, n / m).
    m_d.SetPowerIteration(power_iteration);
    m_s_real = m_d.Forward(DInput(real, labels, m_d_in_real, m_pk_real));
    m_d.SetPowerIteration(false);
    stats.loss = DiscriminatorTerm(m_s_real, true, m_grad_real);
    m_d.Backward(m_grad_real, true, false); // D's own update never uses dLoss/dx: skip the first layer's dx

    m_s_fake = m_d.Forward(DInput(fake, labels, m_d_in_fake, m_pk_fake));
    stats.loss += DiscriminatorTerm(m_s_fake, false, m_grad_fake);
    BackwardFakeScores(z, true, false, m_info_d); // with codes, Q and D's body also take lambda L_I's gradient

    stats.real = MeanScoreMetric(m_s_real);
    stats.fake = MeanScoreMetric(m_s_fake);
    stats.w_estimate = m_s_real.cast<double>().mean() - m_s_fake.cast<double>().mean();

    if (m_objective == GanObjective::WganGp)
    {
        const nn::Index packs = n / m_pack;
        if (eps == nullptr || eps->rows() != 1 || eps->cols() != packs)
        {
            throw std::invalid_argument("wgan_gp discriminator step: eps must be (1, " + std::to_string(packs) +
                                        "), one weight per D input");
        }
        stats.gp = GradientPenalty(real, fake, labels, *eps);
        stats.loss += m_gp_lambda * stats.gp;
    }
    if (m_r1_gamma > 0.0f)
    {
        stats.r1 = R1Penalty(real, labels);
        stats.loss += 0.5 * m_r1_gamma * stats.r1;
    }
    return stats;
}

const nn::MatrixF& Gan::GeneratorOutputGradMean(const nn::MatrixF& z, const nn::MatrixF* labels, bool training,
                                                double& loss, bool repeated)
{
    const nn::MatrixF& fake = GeneratorForward(z, labels, training); // (data_dim, N)
    if (!repeated && fake.cols() % m_pack != 0)
    {
        throw std::invalid_argument("GAN generator step: " + std::to_string(fake.cols()) +
                                    " samples do not fill whole packs of gan.pack = " + std::to_string(m_pack));
    }
    m_s_fake = m_d.Forward(DInput(fake, labels, m_d_in_fake, m_pk_fake, repeated)); // D's power iteration frozen
    loss = GeneratorTerm(m_s_fake, m_grad_fake);
    // accumulate = false: the G step must not touch D's (or Q's) gradients (and skips computing them). With codes,
    // the information term's gradient reaches G(z) through Q and D's body.
    return PackedDataPart(BackwardFakeScores(z, false, true, m_info_g), repeated, m_dfake); // (data_dim, N)
}

double Gan::GeneratorGrad(const nn::MatrixF& z, const nn::MatrixF* labels)
{
    ZeroGrads(m_g_params);
    double loss = 0;
    const nn::MatrixF& dfake = GeneratorOutputGradMean(z, labels, true, loss);
    m_g.Backward(dfake, true, false); // nobody needs dLoss/dz
    return loss;
}

double Gan::LearningRateFactor(std::int64_t step) const
{
    if (m_lr_decay_steps <= 0)
    {
        return 1.0;
    }
    const double t = std::clamp(static_cast<double>(step) / static_cast<double>(m_lr_decay_steps), 0.0, 1.0);
    return 1.0 + (m_lr_decay_to - 1.0) * t;
}

namespace
{
// BatchNorm's state entries ("<prefix><i>.running_mean" / "running_var", as BatchNorm::CollectState names them).
bool IsBatchNormStatistic(const std::string& name)
{
    const auto ends_with = [&](const char* tail) {
        const std::size_t n = std::char_traits<char>::length(tail);
        return name.size() >= n && name.compare(name.size() - n, n, tail) == 0;
    };
    return ends_with(".running_mean") || ends_with(".running_var");
}
} // namespace

void Gan::UpdateGeneratorAverage(const nn::MatrixF& z, const nn::MatrixF* labels)
{
    if (m_g_ema <= 0.0f)
    {
        return;
    }
    const float keep = m_g_ema;
    for (std::size_t i = 0; i < m_g_params.size(); ++i)
    {
        nn::MatrixF& avg = *m_g_avg_params[i].value;
        avg = keep * avg + (1.0f - keep) * *m_g_params[i].value;
    }
    // Spectral norm's power-iteration vectors follow G's (close enough once the average tracks G).
    std::vector<nn::ParamRef<float>> g_state = m_g.State("G.");
    std::vector<nn::ParamRef<float>> avg_state = m_g_avg.State("G_ema.");
    for (std::size_t i = 0; i < g_state.size(); ++i)
    {
        if (!IsBatchNormStatistic(g_state[i].name))
        {
            *avg_state[i].value = *g_state[i].value;
        }
    }
    // BatchNorm's running statistics are the average's own: G's belong to other weights, and normalising the
    // average's activations with them puts its samples off the modes. One forward of the average with batch
    // statistics on this G step's noise moves them by BatchNorm's momentum (no gradient, no random draw).
    if (m_g_batchnorm)
    {
        m_g_avg.SetBatchStatistics(true);
        (void)m_g_avg.Forward(WithLabels(z, labels, m_g_in));
        m_g_avg.SetBatchStatistics(false);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Training step

Batch Gan::PackOfBatches(BatchSource& source, Rng& rng, const char* what)
{
    auto next = [&]() {
        const Batch batch = source.Next(rng);
        if (batch.x == nullptr || batch.x->cols() < 1)
        {
            throw std::runtime_error(std::string("GAN ") + what + ": the batch source gave an empty batch");
        }
        return batch;
    };
    const Batch first = next();
    if (m_pack == 1)
    {
        return first;
    }
    // m batches side by side (each copied before the next call invalidates it): m B independent samples.
    const nn::Index b = first.x->cols();
    m_batch_x.resize(first.x->rows(), m_pack * b);
    m_batch_x.leftCols(b) = *first.x;
    if (first.labels != nullptr)
    {
        m_batch_labels.resize(first.labels->rows(), m_pack * b);
        m_batch_labels.leftCols(b) = *first.labels;
    }
    for (int k = 1; k < m_pack; ++k)
    {
        const Batch batch = next();
        if (batch.x->cols() != b || batch.x->rows() != m_batch_x.rows() ||
            (batch.labels == nullptr) != (first.labels == nullptr))
        {
            throw std::runtime_error(std::string("GAN ") + what + ": the " + std::to_string(m_pack) +
                                     " batches of one pack differ in size or labelling");
        }
        m_batch_x.middleCols(k * b, b) = *batch.x;
        if (batch.labels != nullptr)
        {
            m_batch_labels.middleCols(k * b, b) = *batch.labels;
        }
    }
    return Batch{&m_batch_x, first.labels != nullptr ? &m_batch_labels : nullptr};
}

void Gan::TrainStep(BatchSource& source, Rng& rng, std::int64_t step, StepPhase phase, Metrics& out)
{
    if (!m_g_opt || !m_d_opt)
    {
        throw std::logic_error("Gan::TrainStep: this is an inference copy (no optimizers)");
    }
    if (m_lr_decay_steps > 0)
    {
        // From the step alone, so a resumed run continues the schedule exactly.
        const double factor = LearningRateFactor(step);
        m_g_opt->SetLearningRate(m_g_lr * factor);
        m_d_opt->SetLearningRate(m_d_lr * factor);
        if (m_q)
        {
            m_q->SetLearningRate(m_d_lr * factor); // Q moves with D
        }
    }
    if (phase != StepPhase::GeneratorOnly)
    {
        DiscriminatorStats mean;
        InfoTerms info; // sums over the D updates
        double grad_norm = 0;
        for (int k = 0; k < m_d_steps; ++k)
        {
            const Batch batch = PackOfBatches(source, rng, "discriminator step"); // (data_dim, m B)
            const nn::Index n = batch.x->cols();
            SampleLatent(rng, n, m_z);
            if (m_objective == GanObjective::WganGp)
            {
                const nn::Index packs = n / m_pack; // one interpolation weight per D input
                if (m_eps.rows() != 1 || m_eps.cols() != packs)
                {
                    m_eps.resize(1, packs);
                }
                for (nn::Index j = 0; j < packs; ++j)
                {
                    m_eps(0, j) = static_cast<float>(rng.Uniform());
                }
            }
            const DiscriminatorStats s = DiscriminatorGrad(*batch.x, batch.labels, m_z, &m_eps, true);
            grad_norm += nn::GradNorm(m_d_params);
            m_d_opt->Step();
            if (m_q)
            {
                m_q->Step();
                Accumulate(info, m_info_d);
            }
            if (m_objective == GanObjective::WganClip)
            {
                ClipCritic();
            }
            mean.loss += s.loss;
            mean.real += s.real;
            mean.fake += s.fake;
            mean.w_estimate += s.w_estimate;
            mean.gp += s.gp;
            mean.r1 += s.r1;
        }
        const double inv_k = 1.0 / m_d_steps;
        out.emplace_back("d_loss", mean.loss * inv_k);
        out.emplace_back("d_real", mean.real * inv_k);
        out.emplace_back("d_fake", mean.fake * inv_k);
        if (UsesCritic(m_objective))
        {
            out.emplace_back("w_estimate", mean.w_estimate * inv_k);
        }
        if (m_objective == GanObjective::WganGp)
        {
            out.emplace_back("gp", mean.gp * inv_k);
        }
        if (m_r1_gamma > 0.0f)
        {
            out.emplace_back("r1_penalty", mean.r1 * inv_k);
        }
        out.emplace_back("d_grad_norm", grad_norm * inv_k);
        AppendInfoMetrics(Scaled(info, inv_k), out);
    }

    if (phase != StepPhase::DiscriminatorOnly)
    {
        // Its size and labels (m batches when packing); the pixels are not used.
        const Batch batch = PackOfBatches(source, rng, "generator step");
        SampleLatent(rng, batch.x->cols(), m_z);
        const double g_loss = GeneratorGrad(m_z, batch.labels);
        const double g_norm = nn::GradNorm(m_g_params);
        m_g_opt->Step();
        UpdateGeneratorAverage(m_z, batch.labels);
        out.emplace_back("g_loss", g_loss);
        out.emplace_back("g_grad_norm", g_norm);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Inference

void Gan::Decode(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& out)
{
    if (m_g_ema <= 0.0f)
    {
        EvalScope eval(m_g, m_inference); // running statistics (see the file comment)
        out = GeneratorForward(z, labels, false);
        return;
    }
    if (z.rows() != LatentDim())
    {
        throw std::invalid_argument("GAN generator: noise has " + std::to_string(z.rows()) + " rows, expected " +
                                    std::to_string(LatentDim()));
    }
    CheckLabels(labels, z.cols(), "generator");
    out = m_g_avg.Forward(WithLabels(z, labels, m_g_in)); // the average, always in evaluation mode
}

void Gan::Score(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& out)
{
    if (x.rows() != m_data_dim)
    {
        throw std::invalid_argument("GAN score: input has " + std::to_string(x.rows()) + " rows, expected " +
                                    std::to_string(m_data_dim));
    }
    CheckLabels(labels, x.cols(), "score");
    EvalScope eval(m_d, m_inference);
    out = m_d.Forward(DInput(x, labels, m_d_in_real, m_pk_real, true)); // packed: D(x, x, ..., x)
}

void Gan::GeneratorOutputGrad(const nn::MatrixF& z, const nn::MatrixF* labels, nn::MatrixF& grad)
{
    double loss = 0;
    EvalScope eval_g(m_g, m_inference);
    EvalScope eval_d(m_d, m_inference);
    // The generator losses are means over the n points: times n gives each point's own dloss/dG(z). Packed: the
    // point in every slot of one D input, D(G(z), ..., G(z)).
    grad = GeneratorOutputGradMean(z, labels, false, loss, true) * static_cast<float>(z.cols());
}

} // namespace ll::models
