// The shipped Fashion-MNIST judge on real data: its test accuracy, real images against the test set at the floor,
// the distance growing with noise and blur, a one-class generator covering one class, and the refusals (a 2-D toy,
// another image size, a model checkpoint read as a judge, a model of another size). Reads Debian's
// dataset-fashion-mnist (scripts/install-deps.sh installs it) and assets/judge/fashion-mnist.judge.
#include "core/data/idx.h"
#include "core/eval/judge_eval.h"
#include "core/eval/metric_catalog.h"
#include "core/io/checkpoint.h"
#include "core/io/config_json.h"
#include "core/train/experiment.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>

namespace fs = std::filesystem;
namespace nn = ll::nn;
using ll::data::ImageDataset;
using ll::eval::ComputeStats;
using ll::eval::FrechetDistance;

namespace
{

constexpr std::int64_t kN = 2000; // images per side: a few seconds of the judge per case

ll::eval::Judge ShippedJudge()
{
    const fs::path path = fs::path(LATENTLAB_SOURCE_DIR) / "assets" / "judge" / "fashion-mnist.judge";
    REQUIRE_MESSAGE(fs::exists(path), "the shipped judge is missing: " << path);
    return ll::eval::LoadJudge(path);
}

const ImageDataset& Split(const char* split)
{
    static const ImageDataset train = ll::data::LoadFashionMnist(ll::data::ResolveDataDir(""), "train");
    static const ImageDataset test = ll::data::LoadFashionMnist(ll::data::ResolveDataDir(""), "t10k");
    return std::string(split) == "train" ? train : test;
}

// Examples [begin, begin + n) of a data set as floats (features, n).
nn::MatrixF Images(const ImageDataset& ds, std::int64_t begin, std::int64_t n)
{
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
    {
        idx[static_cast<std::size_t>(i)] = begin + i;
    }
    nn::MatrixF x;
    ll::data::GatherBatch(ds, idx.data(), n, x);
    return x;
}

// The first n examples as a data set of their own (what an evaluator compares with).
std::shared_ptr<const ImageDataset> Head(const ImageDataset& ds, std::int64_t n)
{
    auto out = std::make_shared<ImageDataset>(ds);
    out->count = n;
    out->pixels.resize(static_cast<std::size_t>(n * ds.Features()));
    out->labels.resize(static_cast<std::size_t>(n));
    return out;
}

double Distance(ll::eval::Judge& judge, const nn::MatrixF& a, const nn::MatrixF& b)
{
    nn::MatrixF fa, fb;
    judge.Classify(a, &fa, nullptr);
    judge.Classify(b, &fb, nullptr);
    return FrechetDistance(ComputeStats(fa), ComputeStats(fb));
}

// One pass of a 3x3 box blur over 28x28 images (features, n), edges clamped.
nn::MatrixF Blur(const nn::MatrixF& x)
{
    nn::MatrixF out(x.rows(), x.cols());
    for (nn::Index j = 0; j < x.cols(); ++j)
    {
        for (int r = 0; r < 28; ++r)
        {
            for (int c = 0; c < 28; ++c)
            {
                float sum = 0;
                for (int dr = -1; dr <= 1; ++dr)
                {
                    for (int dc = -1; dc <= 1; ++dc)
                    {
                        const int rr = std::clamp(r + dr, 0, 27), cc = std::clamp(c + dc, 0, 27);
                        sum += x(rr * 28 + cc, j);
                    }
                }
                out(r * 28 + c, j) = sum / 9.0f;
            }
        }
    }
    return out;
}

// A generator that draws only one class: it returns real training images of that class in turn.
class OneClassModel final : public ll::models::Model
{
public:
    OneClassModel(const ImageDataset& ds, int label) : m_ds(ds)
    {
        for (std::int64_t i = 0; i < ds.count; ++i)
        {
            if (ds.labels[static_cast<std::size_t>(i)] == label)
            {
                m_indices.push_back(i);
            }
        }
    }
    ll::models::Family Family() const override { return ll::models::Family::Gan; }
    std::string Objective() const override { return "test"; }
    std::string Formula() const override { return ""; }
    void TrainStep(ll::models::BatchSource&, ll::Rng&, std::int64_t, ll::models::StepPhase,
                   ll::models::Metrics&) override
    {
    }
    nn::Index DataDim() const override { return m_ds.Features(); }
    nn::Shape DataShape() const override { return nn::Shape{m_ds.channels, m_ds.rows, m_ds.cols}; }
    nn::Index LatentDim() const override { return 1; }
    int NumClasses() const override { return 0; }
    void SampleLatent(ll::Rng&, nn::Index n, nn::MatrixF& z) const override { z.setZero(1, n); }
    void Decode(const nn::MatrixF& z, const nn::MatrixF*, nn::MatrixF& out) override
    {
        std::vector<std::int64_t> idx;
        for (nn::Index j = 0; j < z.cols(); ++j)
        {
            idx.push_back(m_indices[m_next++ % m_indices.size()]);
        }
        ll::data::GatherBatch(m_ds, idx.data(), z.cols(), out);
    }
    std::vector<ll::models::Network> Networks() override { return {}; }
    std::vector<nn::Optimizer<float>*> Optimizers() override { return {}; }
    void ApplyLiveSettings(const ll::models::ExperimentConfig&) override {}
    std::unique_ptr<Model> CloneForInference() const override { return std::make_unique<OneClassModel>(*this); }

private:
    const ImageDataset& m_ds;
    std::vector<std::int64_t> m_indices;
    std::size_t m_next = 0;
};

} // namespace

TEST_CASE("Judge: the shipped Fashion-MNIST judge classifies at least 91% of the real test set")
{
    ll::eval::Judge judge = ShippedJudge();
    const double accuracy = judge.Accuracy(Split("t10k"));
    MESSAGE("test accuracy " << accuracy);
    CHECK(accuracy >= 0.91);
    CHECK(judge.Info().test_accuracy == doctest::Approx(accuracy).epsilon(1e-9)); // what the file says it scored
}

TEST_CASE("Judge: real images against the test set sit at the floor, and noise and blur raise the distance")
{
    ll::eval::Judge judge = ShippedJudge();
    const nn::MatrixF test = Images(Split("t10k"), 0, kN);
    const nn::MatrixF floor_images = Images(Split("train"), 0, kN);
    const nn::MatrixF other_real = Images(Split("train"), kN, kN);
    const double floor = Distance(judge, floor_images, test);
    const double real = Distance(judge, other_real, test);
    MESSAGE("floor " << floor << ", other real images " << real);
    CHECK(real < 1.5 * floor);
    CHECK(real > floor / 1.5);

    ll::Rng rng(11);
    double previous = real;
    for (const float sd : {0.05f, 0.1f, 0.2f, 0.4f})
    {
        nn::MatrixF noisy = other_real;
        for (nn::Index i = 0; i < noisy.size(); ++i)
        {
            noisy.data()[i] = std::clamp(noisy.data()[i] + sd * static_cast<float>(rng.Normal()), 0.0f, 1.0f);
        }
        const double d = Distance(judge, noisy, test);
        MESSAGE("noise sd " << sd << ": " << d);
        CHECK(d > previous);
        previous = d;
    }
    previous = real;
    nn::MatrixF blurred = other_real;
    for (int pass = 1; pass <= 3; ++pass)
    {
        blurred = Blur(blurred);
        const double d = Distance(judge, blurred, test);
        MESSAGE("blur passes " << pass << ": " << d);
        CHECK(d > previous);
        previous = d;
    }
}

TEST_CASE("Judge: a generator that draws a single class covers 1 class, real data all 10")
{
    ll::eval::ImageJudgeEvaluator evaluator(ShippedJudge(), Head(Split("train"), kN), Head(Split("t10k"), kN));
    OneClassModel trousers(Split("train"), 1);
    ll::Rng rng(1);
    const ll::models::Metrics m = evaluator.Evaluate(trousers, 1000, rng);
    const auto get = [&m](const std::string& name) {
        for (const auto& [n, v] : m)
        {
            if (n == name)
            {
                return v;
            }
        }
        FAIL("no metric " << name);
        return 0.0;
    };
    CHECK(get("judge_classes") == 1);
    CHECK(get("judge_class_kl") > 3.0); // log2(10) = 3.32 when every sample is one class
    CHECK(get("judge_fd") > 10 * get("judge_fd_floor"));
    CHECK(get("judge_samples") == 1000);
    for (const auto& [name, value] : m)
    {
        INFO(name);
        CHECK(ll::eval::FindMetric(name) != nullptr); // every series the judge logs has its catalog row
    }
    // Real images of every class, drawn the same way, cover all ten.
    nn::MatrixF probs;
    evaluator.GetJudge().Classify(Images(Split("train"), 0, 1000), nullptr, &probs);
    CHECK(ll::eval::MeasureClasses(probs).covered == 10);
}

TEST_CASE("Judge: a 2-D toy, another image size and a model checkpoint read as a judge get clear messages")
{
    ll::eval::Judge judge = ShippedJudge();
    CHECK_THROWS_WITH_AS(judge.CheckInput(nn::Shape{3, 32, 32}, "the model's output"),
                         doctest::Contains("reads 1x28x28 images (784 values); the model's output has 3x32x32"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(judge.Classify(nn::MatrixF::Zero(2, 5), nullptr, nullptr), doctest::Contains("2 values"),
                         std::invalid_argument);

    const fs::path presets = fs::path(LATENTLAB_SOURCE_DIR) / "assets" / "presets";
    ll::models::ExperimentConfig toy = ll::io::LoadPreset("gan-ring8", presets);
    ll::train::Experiment experiment(toy, ll::train::LoadExperimentData(toy, ""));
    std::string why;
    CHECK(experiment.ImageJudge(&why) == nullptr);
    CHECK(why.find("2-D toy 'ring8'") != std::string::npos);

    // A model of another size, handed to the evaluator directly.
    ll::eval::ImageJudgeEvaluator evaluator(std::move(judge), Head(Split("train"), 100), Head(Split("t10k"), 100));
    ll::train::Experiment toy_exp(toy, ll::train::LoadExperimentData(toy, ""));
    ll::Rng rng(1);
    CHECK_THROWS_WITH_AS(evaluator.Evaluate(toy_exp.Live(), 100, rng), doctest::Contains("has 2 (2 values)"),
                         std::invalid_argument);

    // A model checkpoint is not a judge.
    const fs::path ckpt = fs::temp_directory_path() / "latentlab_test_judge_model.ckpt";
    ll::io::SaveCheckpointFile(ckpt, toy_exp.SaveState());
    CHECK_THROWS_WITH_AS(ll::eval::LoadJudge(ckpt), doctest::Contains("a model checkpoint ('gan-ring8'), not a judge"),
                         std::runtime_error);
    fs::remove(ckpt);
}

TEST_CASE("Judge training: the same seed gives the same weights bit for bit, another seed other weights")
{
    const std::shared_ptr<const ImageDataset> small = Head(Split("train"), 1024);
    ll::eval::JudgeInfo info;
    info.dataset = "fashion-mnist";
    ll::eval::JudgeTrainOptions options;
    options.epochs = 1;
    options.batch_size = 128;
    const auto weights = [&](std::uint64_t seed) {
        options.seed = seed;
        ll::eval::Judge judge = ll::eval::TrainJudge(*small, info, options);
        std::vector<nn::MatrixF> out;
        for (const auto& p : judge.Net().Params("J."))
        {
            out.push_back(*p.value);
        }
        for (const auto& p : judge.Net().State("J."))
        {
            out.push_back(*p.value);
        }
        CHECK(judge.Info().steps == 8);
        return out;
    };
    const auto a = weights(1), b = weights(1), c = weights(2);
    REQUIRE(a.size() == b.size());
    bool same = true, differs = false;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        same = same && a[i] == b[i];
        differs = differs || a[i] != c[i];
    }
    CHECK(same);
    CHECK(differs);
    CHECK_THROWS_WITH_AS(ll::eval::TrainJudge(*Head(Split("train"), 100), info, options),
                         doctest::Contains("need at least one batch"), std::invalid_argument);
}
