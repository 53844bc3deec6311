// The config's JSON keys, declared once: one field list per section (Fields), const or not, so the same list serves
// the reader and the writer of config_json.cpp and they cannot drift apart. v(key, field) names a key; v.TableRows()
// stands for the section's rows of the hyperparameter table (ForTableRows: the rows whose key lies in the section).
#pragma once

#include "core/models/config.h"
#include "core/models/hyperparams.h"

#include <string>
#include <type_traits>
#include <variant>

namespace ll::io::detail
{

using models::DataConfig;
using models::ExperimentConfig;
using models::GanConfig;
using models::NetConfig;
using models::VaeConfig;
using nn::OptimizerConfig;

template <typename C>
concept IsData = std::is_same_v<std::remove_const_t<C>, DataConfig>;
template <typename C>
concept IsNet = std::is_same_v<std::remove_const_t<C>, NetConfig>;
template <typename C>
concept IsOptimizer = std::is_same_v<std::remove_const_t<C>, OptimizerConfig>;
template <typename C>
concept IsGan = std::is_same_v<std::remove_const_t<C>, GanConfig>;
template <typename C>
concept IsVae = std::is_same_v<std::remove_const_t<C>, VaeConfig>;
template <typename C>
concept IsExperiment = std::is_same_v<std::remove_const_t<C>, ExperimentConfig>;
template <typename T>
concept IsSection = IsData<T> || IsNet<T> || IsOptimizer<T> || IsGan<T> || IsVae<T> || IsExperiment<T>;

template <IsData C, typename V>
void Fields(C& c, V& v)
{
    v("kind", c.kind);
    v("toy", c.toy);
    v("dir", c.dir);
    v("image_size", c.image_size);
    v("grayscale", c.grayscale);
    v("points", c.points);
    v("spread", c.spread);
    v.TableRows();
}

template <IsNet C, typename V>
void Fields(C& c, V& v)
{
    v("hidden", c.hidden);
    v("activation", c.activation);
    v.TableRows(); // leaky_slope
    v("output_activation", c.output_activation);
    v("spectral_norm", c.spectral_norm);
    v("init", c.init);
    v("layers", c.layers);
}

template <IsOptimizer C, typename V>
void Fields(C& c, V& v)
{
    v("kind", c.kind);
    v.TableRows(); // learning_rate, beta1, beta2, epsilon, momentum, rho, weight_decay
}

template <IsGan C, typename V>
void Fields(C& c, V& v)
{
    v("objective", c.objective);
    v("noise", c.noise);
    v("conditional", c.conditional);
    v.TableRows(); // noise_dim, d_steps, real_label, clip, gp_lambda, r1_gamma, g_ema, lr_decay_steps, ...
    v("generator", c.generator);
    v("discriminator", c.discriminator);
    v("g_opt", c.g_opt);
    v("d_opt", c.d_opt);
}

template <IsVae C, typename V>
void Fields(C& c, V& v)
{
    v("likelihood", c.likelihood);
    v("conditional", c.conditional);
    v.TableRows(); // latent_dim, beta, warmup_steps, gaussian_sigma
    v("encoder", c.encoder);
    v("decoder", c.decoder);
    v("opt", c.opt);
}

template <IsExperiment C, typename V>
void Fields(C& c, V& v)
{
    v("name", c.name);
    v("description", c.description);
    v("family", c.family);
    v("seed", c.seed);
    v.TableRows(); // batch_size, steps, metrics_every, eval_every, sample_every, eval_samples, iwae_k
    v("data", c.data);
    v("gan", c.gan);
    v("vae", c.vae);
}

// Calls visit(leaf, field) for every table row whose key is prefix + "." + leaf ("gan" + "d_steps"), in table
// order. field is the row's typed field in root (double, int or std::int64_t).
template <typename Visit>
void ForTableRows(const ExperimentConfig& root, const std::string& prefix, Visit visit)
{
    for (const models::Hyperparam& h : models::Hyperparams())
    {
        const std::string key = h.key;
        const std::size_t dot = key.rfind('.');
        const std::string parent = dot == std::string::npos ? std::string() : key.substr(0, dot);
        if (parent == prefix)
        {
            const std::string leaf = key.substr(dot == std::string::npos ? 0 : dot + 1);
            std::visit([&](auto* field) { visit(leaf, *field); }, h.field(const_cast<ExperimentConfig&>(root)));
        }
    }
}

} // namespace ll::io::detail
