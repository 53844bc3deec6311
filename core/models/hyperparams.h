// The hyperparameter table: every numeric setting of an experiment declared once, with its JSON key, its short
// name (what sessions, events and checkpoints call it), label and tooltip, allowed range, slider range and scale,
// which family / objectives it applies to, whether it changes the running experiment (live) or applies on reset,
// and where it lives in an ExperimentConfig. Validate, the JSON reader and writer (config_json.cpp), Experiment
// (SetHyper, Hyper, checkpoints), the models (ApplyLiveSettings reads the config) and the controls panel all
// iterate it: a new hyperparameter is one row, a field in its config struct, and its use in the model.
//
// Settings of a part a family has several of are rows keyed relative to the part and expanded once for each role
// (hyperparams.cpp): an optimizer's beta1, beta2, epsilon, momentum, rho and weight_decay for gan.g_opt, gan.d_opt
// and vae.opt (InfoGAN's Q steps with gan.d_opt), a network's leaky_slope for gan.generator, gan.discriminator,
// vae.encoder and vae.decoder. An expanded row's key and short name are the full path ("gan.g_opt.beta1"). The
// learning rates stay rows of their own: they are live, with a label and short name per role ("g_lr").
// Still checked by hand in config.cpp (CheckNet): what is not one number: hidden widths (a list), activations
// and init (choices), layer lists.
// Pure data and functions: safe from any thread.
#pragma once

#include "core/models/config.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ll::models
{

enum class HyperScale
{
    Linear,
    Log, // sliders move the exponent (learning rates, penalty weights)
};

enum class HyperWhen
{
    Live,    // Session::SetHyper changes the running experiment at the next step boundary (recorded as an event)
    OnReset, // edited in the pending config; applies when the experiment is rebuilt
};

// Where a setting lives in a config: its field, as one of the numeric types configs use.
using HyperField = std::variant<double*, int*, std::int64_t*>;

// Bit per GanObjective, for the rows that act only under some objectives.
constexpr std::uint32_t ObjectiveBit(GanObjective objective)
{
    return 1u << static_cast<unsigned>(objective);
}
constexpr std::uint32_t kAllObjectives = 0xFFFFFFFFu;

struct Hyperparam
{
    const char* key = "";      // JSON path, e.g. "gan.gp_lambda"; also the key Validate's messages name
    const char* name = "";     // short name: "gp_lambda" (Session::SetHyper, events, checkpoints' "hypers")
    const char* label = "";    // the controls panel's label; "" = not shown there
    const char* tooltip = "";
    double lo = 0, hi = 0;     // allowed range, closed unless marked open
    bool lo_open = false, hi_open = false;
    double slider_lo = 0, slider_hi = 0; // the slider's span (a narrower, useful part of [lo, hi]; Ctrl+click types
                                         // any allowed value)
    HyperScale scale = HyperScale::Linear;
    std::optional<Family> family;        // nullopt: every family (run settings such as batch_size)
    std::uint32_t objectives = kAllObjectives; // GAN rows: the objectives it acts under (the UI shows it only there)
    HyperWhen when = HyperWhen::OnReset;
    std::function<HyperField(ExperimentConfig& config)> field; // (expanded rows capture their role's part)

    bool Live() const { return when == HyperWhen::Live; }
    bool Integer() const;                 // int and int64 fields: whole values only
    std::string RangeText() const;        // "[1, 100]", "(0, 10]"
};

// Every row, in the order the controls panel shows them; the expanded rows (not shown) last.
std::span<const Hyperparam> Hyperparams();
// The row with this short name, or nullptr.
const Hyperparam* FindHyper(std::string_view name);

// The row belongs to the config's family (or to every family).
bool InFamily(const Hyperparam& h, Family family);
// In the family and, for GAN rows, acting under the config's objective (the controls panel shows exactly these).
bool ActsOn(const Hyperparam& h, const ExperimentConfig& config);

double GetHyper(const Hyperparam& h, const ExperimentConfig& config);
// Writes value into the row's field (whole-number fields take the value rounded); no checks.
void PutHyper(const Hyperparam& h, ExperimentConfig& config, double value);
// Throws std::invalid_argument "<key> must be in [lo, hi], got v" (or "must be a whole number").
void CheckHyperValue(const Hyperparam& h, double value);
// Every row of the config's family, in table order (Validate and the models' constructors).
void CheckHypers(const ExperimentConfig& config);

// Live changes by short name. SetLiveHyper checks that the name is a live setting of the config's family and the
// value is allowed, then writes it; throws std::invalid_argument naming the setting otherwise.
void SetLiveHyper(ExperimentConfig& config, std::string_view name, double value);
std::vector<std::string> LiveHyperNames(const ExperimentConfig& config); // live rows of the family, table order
// Value of any row of the config's family by short name; NaN for unknown names and the other family's rows.
double HyperValue(const ExperimentConfig& config, std::string_view name);

// A number as Validate's messages quote it: whole numbers whole ("1000000000", not "1e+09").
std::string FormatNumber(double v);

} // namespace ll::models
