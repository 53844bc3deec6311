// The hyperparameter table (see hyperparams.h): the rows, then the functions every consumer uses to read them.
#include "core/models/hyperparams.h"

#include <cmath>
#include <deque>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace ll::models
{

namespace
{

constexpr std::uint32_t kBceOrSquares = ObjectiveBit(GanObjective::Minimax) |
                                        ObjectiveBit(GanObjective::NonSaturating) |
                                        ObjectiveBit(GanObjective::LeastSquares);

// The rows, in the order the controls panel shows them: live settings, then those that apply on reset, then the
// run settings the panel does not show.
const Hyperparam kHyperparams[] = {
    {.key = "vae.opt.learning_rate", .name = "lr", .label = "learning rate", .tooltip = "The VAE's step size",
     .lo = 0, .hi = 10, .lo_open = true, .slider_lo = 1e-5, .slider_hi = 1e-1, .scale = HyperScale::Log,
     .family = Family::Vae, .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.vae.opt.learning_rate; }},
    {.key = "gan.g_opt.learning_rate", .name = "g_lr", .label = "G learning rate",
     .tooltip = "The generator's step size", .lo = 0, .hi = 10, .lo_open = true, .slider_lo = 1e-5,
     .slider_hi = 1e-1, .scale = HyperScale::Log, .family = Family::Gan, .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.g_opt.learning_rate; }},
    {.key = "gan.d_opt.learning_rate", .name = "d_lr", .label = "D learning rate",
     .tooltip = "The discriminator's step size", .lo = 0, .hi = 10, .lo_open = true, .slider_lo = 1e-5,
     .slider_hi = 1e-1, .scale = HyperScale::Log, .family = Family::Gan, .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.d_opt.learning_rate; }},
    {.key = "batch_size", .name = "batch_size", .label = "batch size", .tooltip = "Examples per training step",
     .lo = 1, .hi = 65536, .slider_lo = 8, .slider_hi = 1024, .scale = HyperScale::Log, .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.batch_size; }},
    {.key = "gan.d_steps", .name = "d_steps", .label = "D steps per G step",
     .tooltip = "Discriminator updates before each generator update", .lo = 1, .hi = 100, .slider_lo = 1,
     .slider_hi = 100, .scale = HyperScale::Log, .family = Family::Gan, .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.d_steps; }},
    {.key = "vae.beta", .name = "beta", .label = "beta (KL weight)",
     .tooltip = "Weight of the KL term: above 1 pushes toward a disentangled, blurrier code", .lo = 0, .hi = 1000,
     .slider_lo = 0, .slider_hi = 20, .scale = HyperScale::Log, .family = Family::Vae, .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.vae.beta; }},
    {.key = "vae.warmup_steps", .name = "warmup_steps", .label = "KL warm-up steps",
     .tooltip = "Beta ramps linearly from 0 to its value over these steps, so the code is used before KL bites",
     .lo = 0, .hi = 1e9, .slider_lo = 0, .slider_hi = 100000, .scale = HyperScale::Log, .family = Family::Vae,
     .when = HyperWhen::Live, .field = [](ExperimentConfig& c) -> HyperField { return &c.vae.warmup_steps; }},
    {.key = "gan.gp_lambda", .name = "gp_lambda", .label = "gradient penalty",
     .tooltip = "Weight of WGAN-GP's penalty on critic gradients away from norm 1", .lo = 0, .hi = 1000,
     .slider_lo = 0, .slider_hi = 100, .scale = HyperScale::Log, .family = Family::Gan,
     .objectives = ObjectiveBit(GanObjective::WganGp), .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.gp_lambda; }},
    {.key = "gan.gp_target", .name = "gp_target", .label = "penalty target norm",
     .tooltip = "The norm WGAN-GP pulls the critic's gradients towards (1 = 1-Lipschitz; below 1, a smoother critic)",
     .lo = 0, .hi = 100, .slider_lo = 0.01, .slider_hi = 10, .scale = HyperScale::Log, .family = Family::Gan,
     .objectives = ObjectiveBit(GanObjective::WganGp), .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.gp_target; }},
    {.key = "gan.real_label", .name = "real_label", .label = "real label",
     .tooltip = "Target for real examples in D's loss: below 1 is one-sided label smoothing", .lo = 0.5, .hi = 1,
     .slider_lo = 0.5, .slider_hi = 1, .family = Family::Gan, .objectives = kBceOrSquares, .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.real_label; }},
    {.key = "gan.clip", .name = "clip", .label = "weight clip", .tooltip = "WGAN critic weights are clipped to +-clip",
     .lo = 0, .hi = 10, .lo_open = true, .slider_lo = 1e-3, .slider_hi = 0.1, .scale = HyperScale::Log,
     .family = Family::Gan, .objectives = ObjectiveBit(GanObjective::WganClip), .when = HyperWhen::Live,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.clip; }},

    {.key = "gan.noise_dim", .name = "noise_dim", .label = "noise size",
     .tooltip = "Dimensions of the noise vector z the generator maps to data.", .lo = 1, .hi = 4096,
     .family = Family::Gan, .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.noise_dim; }},
    {.key = "gan.pack", .name = "pack", .label = "pack (samples per D input)",
     .tooltip = "PacGAN: D judges this many samples at once, all real or all generated, so a G that collapses onto "
                "a few modes is easy to catch (1 = off). A step draws pack x batch size samples of each.",
     .lo = 1, .hi = 16, .family = Family::Gan, .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.pack; }},
    {.key = "gan.info_categorical", .name = "info_categorical", .label = "InfoGAN categorical codes",
     .tooltip = "InfoGAN: categorical codes given to G beside z, each uniform over 'code values'; Q, a head on D's "
                "body, learns to read them back from G's samples, so each value comes to mean something (0 = off).",
     .lo = 0, .hi = 8, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.info_categorical; }},
    {.key = "gan.info_k", .name = "info_k", .label = "code values (K)",
     .tooltip = "InfoGAN: values of each categorical code (its mutual information with the samples is at most log K).",
     .lo = 2, .hi = 64, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.info_k; }},
    {.key = "gan.info_continuous", .name = "info_continuous", .label = "InfoGAN continuous codes",
     .tooltip = "InfoGAN: continuous codes, uniform in [-1, 1], that Q predicts as a Gaussian (0 = off).",
     .lo = 0, .hi = 16, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.info_continuous; }},
    {.key = "gan.info_lambda", .name = "info_lambda", .label = "information weight",
     .tooltip = "InfoGAN: lambda, the weight of the information term lambda L_I in G's and Q's losses.",
     .lo = 0, .hi = 100, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.info_lambda; }},
    {.key = "gan.info_continuous_std", .name = "info_continuous_std", .label = "continuous code sd (0 = learned)",
     .tooltip = "InfoGAN: the standard deviation of Q's Gaussian for each continuous code. 0: Q learns it (its "
                "log-variance is a second output); above 0: fixed, as the paper's MNIST code fixes it at 1, which "
                "asks G to make a code readable rather than exactly recoverable.",
     .lo = 0, .hi = 10, .slider_lo = 0, .slider_hi = 2, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.info_continuous_std; }},
    {.key = "vae.latent_dim", .name = "latent_dim", .label = "latent size",
     .tooltip = "Dimensions of the code z: 2 lets the latent explorer show the whole space.", .lo = 1, .hi = 4096,
     .family = Family::Vae, .field = [](ExperimentConfig& c) -> HyperField { return &c.vae.latent_dim; }},
    {.key = "gan.r1_gamma", .name = "r1_gamma", .label = "R1 gamma",
     .tooltip = "Penalise D's gradient on real data, gamma/2 E||grad D(x)||^2 (0 = off): it shows in the formula and "
                "the penalty plot.",
     .lo = 0, .hi = 1000, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.r1_gamma; }},
    {.key = "gan.g_ema", .name = "g_ema", .label = "G average decay",
     .tooltip = "Samples and evaluation use a moving average of G's weights with this decay, e.g. 0.999 (0 = off).",
     .lo = 0, .hi = 1, .hi_open = true, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.g_ema; }},
    {.key = "gan.lr_decay_steps", .name = "lr_decay_steps", .label = "LR decay steps",
     .tooltip = "Both learning rates fall linearly to 'LR decay to' times their value by this step (0 = off).",
     .lo = 0, .hi = 1e12, .family = Family::Gan,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.lr_decay_steps; }},
    {.key = "gan.lr_decay_to", .name = "lr_decay_to", .label = "LR decay to",
     .tooltip = "The fraction of each learning rate left after the decay, in [0, 1].", .lo = 0, .hi = 1,
     .family = Family::Gan, .field = [](ExperimentConfig& c) -> HyperField { return &c.gan.lr_decay_to; }},
    {.key = "vae.gaussian_sigma", .name = "gaussian_sigma", .lo = 1e-4, .hi = 100, .family = Family::Vae,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.vae.gaussian_sigma; }},

    {.key = "steps", .name = "steps", .lo = 0, .hi = 1e12,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.steps; }},
    {.key = "metrics_every", .name = "metrics_every", .lo = 1, .hi = 1e6,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.metrics_every; }},
    {.key = "eval_every", .name = "eval_every", .lo = 0, .hi = 1e9,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.eval_every; }},
    {.key = "sample_every", .name = "sample_every", .lo = 0, .hi = 1e9,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.sample_every; }},
    {.key = "eval_samples", .name = "eval_samples", .lo = 1, .hi = 1e6,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.eval_samples; }},
    {.key = "iwae_k", .name = "iwae_k", .lo = 1, .hi = 10000,
     .field = [](ExperimentConfig& c) -> HyperField { return &c.iwae_k; }},
};

// A setting of a part the config holds several of (an optimizer, a network), keyed relative to the part: a row
// whose key is the leaf ("beta1") and whose field points into the part. Its family and short name come from the
// role it is expanded for.
template <typename Part>
struct PartSetting
{
    Hyperparam row;
    HyperField (*field)(Part& part) = nullptr;
};

// Where a family keeps one of its parts: "gan.g_opt" -> config.gan.g_opt.
template <typename Part>
struct PartRole
{
    const char* key = "";
    Family family = Family::Vae;
    Part& (*part)(ExperimentConfig& config) = nullptr;
};

// An optimizer's settings after its learning rate (a live row of its own per role, above), in JSON order.
const PartSetting<nn::OptimizerConfig> kOptimizerSettings[] = {
    {{.key = "beta1", .lo = 0, .hi = 1, .hi_open = true},
     [](nn::OptimizerConfig& o) -> HyperField { return &o.beta1; }},
    {{.key = "beta2", .lo = 0, .hi = 1, .hi_open = true},
     [](nn::OptimizerConfig& o) -> HyperField { return &o.beta2; }},
    {{.key = "epsilon", .lo = 0, .hi = 1, .lo_open = true},
     [](nn::OptimizerConfig& o) -> HyperField { return &o.epsilon; }},
    {{.key = "momentum", .lo = 0, .hi = 1, .hi_open = true},
     [](nn::OptimizerConfig& o) -> HyperField { return &o.momentum; }},
    {{.key = "rho", .lo = 0, .hi = 1, .hi_open = true}, [](nn::OptimizerConfig& o) -> HyperField { return &o.rho; }},
    {{.key = "weight_decay", .lo = 0, .hi = 1}, [](nn::OptimizerConfig& o) -> HyperField { return &o.weight_decay; }},
};

// Every optimizer a family trains with (InfoGAN's Q shares gan.d_opt).
const PartRole<nn::OptimizerConfig> kOptimizerRoles[] = {
    {"gan.g_opt", Family::Gan, [](ExperimentConfig& c) -> nn::OptimizerConfig& { return c.gan.g_opt; }},
    {"gan.d_opt", Family::Gan, [](ExperimentConfig& c) -> nn::OptimizerConfig& { return c.gan.d_opt; }},
    {"vae.opt", Family::Vae, [](ExperimentConfig& c) -> nn::OptimizerConfig& { return c.vae.opt; }},
};

// A network's numeric settings (its widths, activations and init are checked in config.cpp's CheckNet).
const PartSetting<NetConfig> kNetSettings[] = {
    {{.key = "leaky_slope", .lo = 0, .hi = 1, .hi_open = true},
     [](NetConfig& n) -> HyperField { return &n.leaky_slope; }},
};

const PartRole<NetConfig> kNetRoles[] = {
    {"gan.generator", Family::Gan, [](ExperimentConfig& c) -> NetConfig& { return c.gan.generator; }},
    {"gan.discriminator", Family::Gan, [](ExperimentConfig& c) -> NetConfig& { return c.gan.discriminator; }},
    {"vae.encoder", Family::Vae, [](ExperimentConfig& c) -> NetConfig& { return c.vae.encoder; }},
    {"vae.decoder", Family::Vae, [](ExperimentConfig& c) -> NetConfig& { return c.vae.decoder; }},
};

// The whole table: kHyperparams, then each part's settings expanded for each of its roles, role by role.
struct Table
{
    std::deque<std::string> keys; // the expanded rows' keys (a deque: push_back keeps earlier strings in place)
    std::vector<Hyperparam> rows;

    template <typename Part, std::size_t NS, std::size_t NR>
    void Expand(const PartSetting<Part> (&settings)[NS], const PartRole<Part> (&roles)[NR])
    {
        for (const PartRole<Part>& role : roles)
        {
            for (const PartSetting<Part>& setting : settings)
            {
                Hyperparam h = setting.row;
                h.key = h.name = keys.emplace_back(std::string(role.key) + "." + setting.row.key).c_str();
                h.family = role.family;
                h.field = [part = role.part, field = setting.field](ExperimentConfig& c) { return field(part(c)); };
                rows.push_back(std::move(h));
            }
        }
    }

    Table() : rows(std::begin(kHyperparams), std::end(kHyperparams))
    {
        Expand(kOptimizerSettings, kOptimizerRoles);
        Expand(kNetSettings, kNetRoles);
    }
};

const Table& TheTable()
{
    static const Table table;
    return table;
}

HyperField FieldOf(const Hyperparam& h, const ExperimentConfig& config)
{
    return h.field(const_cast<ExperimentConfig&>(config)); // only read through here
}

} // namespace

std::string FormatNumber(double v)
{
    // Whole numbers print whole ("1000000000", not "1e+09"), so messages quote the value as typed.
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    {
        return std::to_string(static_cast<long long>(v));
    }
    std::ostringstream s;
    s << v;
    return s.str();
}

bool Hyperparam::Integer() const
{
    static ExperimentConfig probe; // the field's type does not depend on the config; nothing is written
    return !std::holds_alternative<double*>(field(probe));
}

std::string Hyperparam::RangeText() const
{
    return std::string(lo_open ? "(" : "[") + FormatNumber(lo) + ", " + FormatNumber(hi) + (hi_open ? ")" : "]");
}

std::span<const Hyperparam> Hyperparams()
{
    return TheTable().rows;
}

const Hyperparam* FindHyper(std::string_view name)
{
    for (const Hyperparam& h : Hyperparams())
    {
        if (name == h.name)
        {
            return &h;
        }
    }
    return nullptr;
}

bool InFamily(const Hyperparam& h, Family family)
{
    return !h.family || *h.family == family;
}

bool ActsOn(const Hyperparam& h, const ExperimentConfig& config)
{
    if (!InFamily(h, config.family))
    {
        return false;
    }
    return h.family != Family::Gan || (h.objectives & ObjectiveBit(config.gan.objective)) != 0;
}

double GetHyper(const Hyperparam& h, const ExperimentConfig& config)
{
    return std::visit([](auto* p) { return static_cast<double>(*p); }, FieldOf(h, config));
}

void PutHyper(const Hyperparam& h, ExperimentConfig& config, double value)
{
    std::visit(
        [value](auto* p)
        {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_same_v<T, double>)
            {
                *p = value;
            }
            else
            {
                *p = static_cast<T>(std::llround(value));
            }
        },
        h.field(config));
}

void CheckHyperValue(const Hyperparam& h, double value)
{
    const bool lo_ok = h.lo_open ? value > h.lo : value >= h.lo;
    const bool hi_ok = h.hi_open ? value < h.hi : value <= h.hi;
    if (std::isnan(value) || !lo_ok || !hi_ok)
    {
        throw std::invalid_argument(std::string(h.key) + " must be in " + h.RangeText() + ", got " +
                                    FormatNumber(value));
    }
    if (h.Integer() && value != std::floor(value))
    {
        throw std::invalid_argument(std::string(h.key) + " must be a whole number, got " + FormatNumber(value));
    }
}

void CheckHypers(const ExperimentConfig& config)
{
    for (const Hyperparam& h : Hyperparams())
    {
        if (InFamily(h, config.family))
        {
            CheckHyperValue(h, GetHyper(h, config));
        }
    }
}

std::vector<std::string> LiveHyperNames(const ExperimentConfig& config)
{
    std::vector<std::string> names;
    for (const Hyperparam& h : Hyperparams())
    {
        if (h.Live() && InFamily(h, config.family))
        {
            names.emplace_back(h.name);
        }
    }
    return names;
}

void SetLiveHyper(ExperimentConfig& config, std::string_view name, double value)
{
    const Hyperparam* h = FindHyper(name);
    if (h == nullptr || !h->Live() || !InFamily(*h, config.family))
    {
        std::string known;
        for (const std::string& n : LiveHyperNames(config))
        {
            known += (known.empty() ? "\"" : ", \"") + n + "\"";
        }
        const std::string why = h == nullptr    ? "unknown hyperparameter"
                                : !h->Live()    ? "hyperparameter that applies on reset, not live:"
                                                : "hyperparameter of the other family:";
        throw std::invalid_argument(why + (" \"" + std::string(name) + "\" (live for a " +
                                           util::NameOf(config.family) + ": " + known + ")"));
    }
    try
    {
        CheckHyperValue(*h, value);
    }
    catch (const std::invalid_argument& e)
    {
        throw std::invalid_argument(std::string(h->name) + ": " + e.what()); // "d_lr: gan.d_opt.learning_rate ..."
    }
    PutHyper(*h, config, value);
}

double HyperValue(const ExperimentConfig& config, std::string_view name)
{
    const Hyperparam* h = FindHyper(name);
    if (h == nullptr || !InFamily(*h, config.family))
    {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return GetHyper(*h, config);
}

} // namespace ll::models
