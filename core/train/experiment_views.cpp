// The views of an experiment: sample grids, reconstructions, the 2-D view and evaluation. Each is a function of
// the model passed in (a frozen clone on the training thread) and of inputs fixed at build time.
#include "core/train/experiment.h"

#include "core/eval/code_agreement.h"
#include "core/eval/judge_eval.h"
#include "core/eval/toy_metrics.h"
#include "core/eval/vae_bounds.h"
#include "core/io/image_io.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ll::train
{

namespace
{

// Tiles images (features, n) in [0, 1] into an RGBA8 grid of `cols` columns (io::TileImages' layout).
ImageGrid Tile(const nn::MatrixF& images, int cols, int img_h, int img_w, int channels)
{
    io::TileLayout layout;
    layout.cols = cols;
    io::RgbaImage img = io::TileImages(images, img_h, img_w, channels, layout);
    ImageGrid g;
    g.width = img.width;
    g.height = img.height;
    g.cols = cols;
    g.rows = static_cast<int>((images.cols() + cols - 1) / cols);
    g.rgba = std::move(img.pixels);
    return g;
}

} // namespace

ImageGrid Experiment::RenderSamples(models::Model& model) const
{
    if (!HasImages())
    {
        return {};
    }
    nn::MatrixF out;
    model.Decode(m_fixed_noise, m_fixed_labels.size() > 0 ? &m_fixed_labels : nullptr, out);
    const auto& ds = *m_data.train;
    const int classes = model.NumClasses();
    ImageGrid g = Tile(out, classes > 0 ? 10 : 8, ds.rows, ds.cols, ds.channels); // conditional: a row per class
    g.step = m_step;
    return g;
}

ImageGrid Experiment::RenderReconstructions(models::Model& model) const
{
    if (!HasImages() || !model.CanEncode() || m_recon_inputs.cols() == 0)
    {
        return {};
    }
    const nn::MatrixF* labels = m_recon_labels.size() > 0 ? &m_recon_labels : nullptr;
    nn::MatrixF mu, logvar, recon;
    model.Encode(m_recon_inputs, labels, mu, logvar);
    model.Decode(mu, labels, recon); // the posterior mean's decoding: a deterministic picture
    // Rows alternate: 8 inputs, then their 8 reconstructions.
    constexpr int kCols = 8;
    const nn::Index n = m_recon_inputs.cols();
    const int pair_rows = static_cast<int>((n + kCols - 1) / kCols);
    nn::MatrixF tiles = nn::MatrixF::Zero(m_recon_inputs.rows(), static_cast<nn::Index>(pair_rows) * 2 * kCols);
    for (nn::Index i = 0; i < n; ++i)
    {
        const nn::Index r = i / kCols, c = i % kCols;
        tiles.col((2 * r) * kCols + c) = m_recon_inputs.col(i);
        tiles.col((2 * r + 1) * kCols + c) = recon.col(i);
    }
    const auto& ds = *m_data.train;
    ImageGrid g = Tile(tiles, kCols, ds.rows, ds.cols, ds.channels);
    g.step = m_step;
    return g;
}

View2D Experiment::Make2DView(models::Model& model, const View2DOptions& options) const
{
    View2D v;
    if (!IsToy())
    {
        return v;
    }
    v.step = m_step;
    v.extent = m_data.toy->Extent();
    const nn::Index n = std::clamp<nn::Index>(options.points, 1, m_view_real.cols());
    v.real = m_view_real.leftCols(n);
    const nn::MatrixF noise = m_view_noise.leftCols(n);
    model.Decode(noise, nullptr, v.generated);
    if (const models::InfoCodes codes = model.Codes(); codes.categorical > 0)
    {
        v.generated_codes = models::LatentCodeValues(codes, noise, 0);
        v.code_values = codes.k;
    }

    // The manifold: the image of a regular grid over the first two latent dimensions, others at 0.
    const bool uniform = m_config.family == models::Family::Gan && m_config.gan.noise == models::GanNoise::Uniform;
    v.latent_extent = uniform ? 1.0f : 2.5f;
    v.manifold_res = std::max(2, options.manifold_res);
    const int mres = v.manifold_res;
    nn::MatrixF z = nn::MatrixF::Zero(model.LatentDim(), static_cast<nn::Index>(mres) * mres);
    for (int j = 0; j < mres; ++j)
    {
        for (int i = 0; i < mres; ++i)
        {
            const float a = -v.latent_extent + 2.0f * v.latent_extent * static_cast<float>(i) / (mres - 1);
            const float b = -v.latent_extent + 2.0f * v.latent_extent * static_cast<float>(j) / (mres - 1);
            z(0, i + mres * j) = a;
            if (z.rows() > 1)
            {
                z(1, i + mres * j) = b;
            }
        }
    }
    model.Decode(z, nullptr, v.manifold);

    if (model.CanScore())
    {
        v.field_res = std::max(2, options.field_res);
        const int res = v.field_res;
        nn::MatrixF grid(2, static_cast<nn::Index>(res) * res);
        const float cell = 2.0f * v.extent / static_cast<float>(res);
        for (int iy = 0; iy < res; ++iy)
        {
            for (int ix = 0; ix < res; ++ix)
            {
                grid(0, ix + res * iy) = -v.extent + (static_cast<float>(ix) + 0.5f) * cell;
                grid(1, ix + res * iy) = -v.extent + (static_cast<float>(iy) + 0.5f) * cell;
            }
        }
        nn::MatrixF scores;
        model.Score(grid, nullptr, scores);
        v.field_is_probability = m_config.family == models::Family::Gan && models::UsesBce(m_config.gan.objective);
        v.field.resize(static_cast<std::size_t>(res) * res);
        for (nn::Index k = 0; k < scores.cols(); ++k)
        {
            const float s = scores(0, k);
            v.field[static_cast<std::size_t>(k)] = v.field_is_probability ? 1.0f / (1.0f + std::exp(-s)) : s;
        }
        const auto [lo, hi] = std::minmax_element(v.field.begin(), v.field.end());
        v.field_min = *lo;
        v.field_max = *hi;

        const nn::Index a = std::clamp<nn::Index>(options.arrows, 0, n);
        if (a > 0)
        {
            nn::MatrixF grad;
            model.GeneratorOutputGrad(noise.leftCols(a), nullptr, grad);
            v.arrow_points = v.generated.leftCols(a);
            v.arrow_descent = -grad;
        }
    }
    if (model.CanEncode())
    {
        nn::MatrixF logvar; // (latent, n)
        model.Encode(v.real, nullptr, v.latent_means, logvar);
        v.latent_sds = (0.5f * logvar.array()).exp().matrix();
        model.Decode(v.latent_means, nullptr, v.reconstructions);
    }
    return v;
}

models::Metrics Experiment::Evaluate(models::Model& model, bool full) const
{
    return EvaluateAt(model, full, m_step, m_config);
}

models::Metrics Experiment::EvaluateAt(models::Model& model, bool full, std::int64_t step,
                                       const models::ExperimentConfig& config) const
{
    models::Metrics out;
    Rng rng = DerivedRng(config.seed, RngStream::Evaluation, static_cast<std::uint64_t>(step));
    if (IsToy())
    {
        const auto& toy = *m_data.toy;
        const nn::Index n = std::max(2, config.eval_samples);
        nn::MatrixF real, generated;
        toy.Sample(rng, n, real);
        if (model.CanEncode())
        {
            // A VAE on 2-D data: its bounds on fresh data points, plus the sample metrics below.
            out.emplace_back("test_elbo", eval::EvaluateElbo(model, real, nullptr, rng));
            out.emplace_back("test_iwae", eval::EvaluateIwae(model, real, nullptr, config.iwae_k, rng));
        }
        model.Sample(rng, n, nullptr, generated);
        if (toy.HasModes())
        {
            const eval::ModeCoverage cov = eval::MeasureModeCoverage(generated, toy);
            out.emplace_back("modes_covered", cov.modes_covered);
            out.emplace_back("modes_total", cov.modes_total);
            out.emplace_back("high_quality", cov.high_quality);
            out.emplace_back("reverse_kl", cov.reverse_kl);
        }
        const eval::GridDivergence div = eval::MeasureGridDivergence(real, generated, toy.Extent());
        out.emplace_back("grid_kl", div.kl_bits);
        out.emplace_back("grid_js", div.js_bits);
        out.emplace_back("mmd", eval::Mmd2(real, generated));
        const models::InfoCodes codes = model.Codes();
        if (codes.categorical > 0 && toy.HasModes())
        {
            // InfoGAN: the first categorical code against the nearest mode, on fresh samples of its own stream.
            Rng code_rng = DerivedRng(config.seed, RngStream::Evaluation,
                                      static_cast<std::uint64_t>(step) + (1ull << 61));
            nn::MatrixF z, x;
            model.SampleLatent(code_rng, n, z);
            model.Decode(z, nullptr, x);
            const eval::CodeAgreement a =
                eval::MeasureCodeAgreement(models::LatentCodeValues(codes, z, 0), codes.k,
                                           eval::NearestModes(x, toy.Modes()), static_cast<int>(toy.Modes().size()));
            out.emplace_back("code_purity", a.purity);
            out.emplace_back("code_match", a.match);
        }
        return out;
    }
    if (model.CanEncode() && m_data.test != nullptr)
    {
        // In training a subset keeps the pause short; the full set at the end of a headless run.
        const std::int64_t elbo_n = full ? 0 : 1000;
        const std::int64_t iwae_n = full ? 0 : 200;
        out.emplace_back("test_elbo", eval::EvaluateElbo(model, *m_data.test, elbo_n, rng));
        out.emplace_back("test_iwae", eval::EvaluateIwae(model, *m_data.test, iwae_n, config.iwae_k, rng));
    }
    const auto judge_start = std::chrono::steady_clock::now();
    if (eval::ImageJudgeEvaluator* judge = JudgeFor(config, nullptr))
    {
        // Its own stream: adding the judge changes none of the numbers above.
        Rng judge_rng = DerivedRng(config.seed, RngStream::Evaluation, static_cast<std::uint64_t>(step) + (1ull << 62));
        const nn::Index n = full ? kJudgeFullSamples : std::max(10, config.eval_samples);
        models::Metrics judged = judge->Evaluate(model, n, judge_rng);
        for (auto& [name, value] : judged)
        {
            if (name == "judge_seconds") // the first evaluation's also loads the judge and reads the test set
            {
                value = std::chrono::duration<double>(std::chrono::steady_clock::now() - judge_start).count();
            }
        }
        out.insert(out.end(), judged.begin(), judged.end());
        const models::InfoCodes codes = model.Codes();
        if (codes.categorical > 0 && model.NumClasses() == 0)
        {
            // InfoGAN: the first categorical code against the class the judge reads in each sample.
            Rng code_rng = DerivedRng(config.seed, RngStream::Evaluation,
                                      static_cast<std::uint64_t>(step) + (1ull << 61));
            const nn::Index classes = judge->GetJudge().Info().classes;
            nn::MatrixF z, x, probs;
            model.SampleLatent(code_rng, n, z);
            model.Decode(z, nullptr, x);
            judge->GetJudge().Classify(x.cwiseMax(0.0f).cwiseMin(1.0f), nullptr, &probs); // (classes, n)
            std::vector<int> judged_class(static_cast<std::size_t>(n));
            for (nn::Index j = 0; j < n; ++j)
            {
                nn::Index c = 0;
                probs.col(j).maxCoeff(&c);
                judged_class[static_cast<std::size_t>(j)] = static_cast<int>(c);
            }
            const eval::CodeAgreement a = eval::MeasureCodeAgreement(models::LatentCodeValues(codes, z, 0), codes.k,
                                                                     judged_class, static_cast<int>(classes));
            out.emplace_back("judge_code_purity", a.purity);
            out.emplace_back("judge_code_match", a.match);
        }
    }
    return out;
}

eval::ImageJudgeEvaluator* Experiment::ImageJudge(std::string* why) const
{
    return JudgeFor(m_config, why);
}

eval::ImageJudgeEvaluator* Experiment::JudgeFor(const models::ExperimentConfig& config, std::string* why) const
{
    if (!m_judge_tried)
    {
        m_judge_tried = true;
        const std::string kind = util::NameOf(config.data.kind);
        const std::string dataset = eval::JudgeDatasetFor(kind);
        if (!HasImages())
        {
            m_judge_why = "the image judge reads images; this experiment's data is the 2-D toy '" +
                          util::NameOf(config.data.toy) + "'";
        }
        else if (dataset.empty())
        {
            m_judge_why = "no image judge reads '" + kind + "' data (judges: fashion-mnist, and mnist for an idx folder)";
        }
        else if (const auto path = eval::FindJudgeFile(dataset); path.empty())
        {
            m_judge_why = "no " + dataset + " judge is installed (latentlab judge train --dataset " + dataset +
                          " makes one)";
        }
        else
        {
            try
            {
                eval::Judge judge = eval::LoadJudge(path);
                const auto& ds = *m_data.train;
                judge.CheckInput(nn::Shape{ds.channels, ds.rows, ds.cols}, "this experiment's data");
                m_judge = std::make_unique<eval::ImageJudgeEvaluator>(std::move(judge), m_data.train, m_data.test);
            }
            catch (const std::exception& e)
            {
                m_judge_why = e.what();
            }
        }
    }
    if (why != nullptr)
    {
        *why = m_judge_why;
    }
    return m_judge.get();
}

} // namespace ll::train
