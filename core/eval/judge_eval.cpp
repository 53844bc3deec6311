// The judge applied to a model's samples (see judge_eval.h).
#include "core/eval/judge_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace ll::eval
{

namespace
{

// Samples per generator pass. A conv generator's buffers grow with it (dcgan's G at 250: about 110 MB, most of it
// the first transposed convolution's patch matrix); at 64, its training batch, about 28 MB.
constexpr nn::Index kSampleChunk = 64;

// Images (features, n) in [0, 1] as a labelled uint8 data set (what IDX files and the judge's trainer hold).
data::ImageDataset ToDataset(const nn::MatrixF& x, const std::vector<int>& labels, const data::ImageDataset& like,
                             const std::string& name)
{
    data::ImageDataset ds;
    ds.name = name;
    ds.rows = like.rows;
    ds.cols = like.cols;
    ds.channels = like.channels;
    ds.count = x.cols();
    ds.num_classes = like.num_classes;
    ds.class_names = like.class_names;
    ds.pixels.resize(static_cast<std::size_t>(x.size()));
    for (nn::Index i = 0; i < x.size(); ++i)
    {
        ds.pixels[static_cast<std::size_t>(i)] =
            static_cast<std::uint8_t>(std::lround(std::clamp(x.data()[i], 0.0f, 1.0f) * 255.0f));
    }
    ds.labels.assign(labels.begin(), labels.end());
    return ds;
}

} // namespace

GeneratedImages DrawImages(models::Model& model, nn::Index n, Rng& rng, int label)
{
    const int classes = model.NumClasses();
    if (label >= 0 && classes == 0)
    {
        throw std::invalid_argument("this model is unconditional: it cannot draw samples of class " +
                                    std::to_string(label));
    }
    if (label >= classes && classes > 0)
    {
        throw std::invalid_argument("label " + std::to_string(label) + " is outside the model's classes [0, " +
                                    std::to_string(classes) + ")");
    }
    GeneratedImages out;
    out.x.resize(model.DataDim(), n);
    nn::MatrixF chunk, onehot;
    for (nn::Index begin = 0; begin < n; begin += kSampleChunk)
    {
        const nn::Index cols = std::min(kSampleChunk, n - begin);
        if (classes > 0)
        {
            onehot.setZero(classes, cols);
            for (nn::Index j = 0; j < cols; ++j)
            {
                const int y = label >= 0 ? label : static_cast<int>((begin + j) % classes);
                onehot(y, j) = 1.0f;
                out.labels.push_back(y);
            }
        }
        model.Sample(rng, cols, classes > 0 ? &onehot : nullptr, chunk);
        out.x.middleCols(begin, cols) = chunk.cwiseMax(0.0f).cwiseMin(1.0f);
    }
    return out;
}

std::string JudgeDatasetFor(const std::string& data_kind)
{
    if (data_kind == "fashion-mnist")
    {
        return "fashion-mnist";
    }
    if (data_kind == "idx")
    {
        return "mnist";
    }
    return "";
}

ImageJudgeEvaluator::ImageJudgeEvaluator(Judge judge, std::shared_ptr<const data::ImageDataset> train,
                                         std::shared_ptr<const data::ImageDataset> test)
    : m_judge(std::move(judge)), m_train(std::move(train)), m_test(std::move(test))
{
    if (m_train == nullptr || m_test == nullptr)
    {
        throw std::invalid_argument("the image judge needs the real training and test images");
    }
    m_judge.Classify(*m_test, 0, &m_test_features, nullptr);
    m_test_stats = ComputeStats(m_test_features);
}

double ImageJudgeEvaluator::Floor(nn::Index n)
{
    n = std::min<nn::Index>(n, m_train->count);
    if (const auto it = m_floor.find(n); it != m_floor.end())
    {
        return it->second;
    }
    nn::MatrixF features;
    m_judge.Classify(*m_train, n, &features, nullptr);
    const double floor = FrechetDistance(ComputeStats(features), m_test_stats);
    m_floor.emplace(n, floor);
    return floor;
}

models::Metrics ImageJudgeEvaluator::Evaluate(models::Model& model, nn::Index n, Rng& rng)
{
    const auto start = std::chrono::steady_clock::now();
    if (model.DataDim() != m_judge.Info().input.Size())
    {
        m_judge.CheckInput(nn::Shape::Flat(model.DataDim()), "the model's output");
    }
    if (n < 10)
    {
        throw std::invalid_argument("the image judge needs at least 10 samples, got " + std::to_string(n));
    }
    const GeneratedImages images = DrawImages(model, n, rng);
    nn::MatrixF features, probs;
    m_judge.Classify(images.x, &features, &probs);

    models::Metrics out;
    out.emplace_back("judge_fd", FrechetDistance(ComputeStats(features), m_test_stats));
    out.emplace_back("judge_fd_floor", Floor(n));
    const nn::Index n_real = std::min<nn::Index>(n, m_test_features.cols());
    constexpr int kNeighbours = 3;
    auto balls = m_real_balls.find(n_real);
    if (balls == m_real_balls.end())
    {
        balls = m_real_balls.emplace(n_real, MakeKnnSet(m_test_features.leftCols(n_real), kNeighbours)).first;
    }
    const PrecisionRecall pr = KnnPrecisionRecall(balls->second, MakeKnnSet(features, kNeighbours));
    out.emplace_back("judge_precision", pr.precision);
    out.emplace_back("judge_recall", pr.recall);
    const ClassHistogram hist = MeasureClasses(probs);
    out.emplace_back("judge_classes", hist.covered);
    out.emplace_back("judge_class_kl", hist.kl_bits);
    out.emplace_back("judge_confidence", hist.confidence);
    if (!images.labels.empty())
    {
        out.emplace_back("judge_accuracy", LabelAccuracy(probs, images.labels));
    }
    out.emplace_back("judge_samples", static_cast<double>(n));
    out.emplace_back("judge_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return out;
}

CasResult ClassificationAccuracyScore(models::Model& model, const JudgeInfo& info, const data::ImageDataset& train,
                                      const data::ImageDataset& test, nn::Index n, const JudgeTrainOptions& options,
                                      Rng& rng)
{
    if (model.NumClasses() == 0)
    {
        throw std::invalid_argument("CAS needs a conditional model (samples with labels); this one is unconditional");
    }
    n = std::min<nn::Index>(n, train.count);
    const GeneratedImages images = DrawImages(model, n, rng);
    const data::ImageDataset synthetic = ToDataset(images.x, images.labels, train, "samples");
    CasResult out;
    out.n = n;
    out.epochs = options.epochs;
    Judge on_samples = TrainJudge(synthetic, info, options);
    out.synthetic = on_samples.Accuracy(test);

    data::ImageDataset real = train;
    real.count = n;
    real.pixels.resize(static_cast<std::size_t>(n * train.Features()));
    real.labels.resize(static_cast<std::size_t>(n));
    Judge on_real = TrainJudge(real, info, options);
    out.real = on_real.Accuracy(test);
    return out;
}

} // namespace ll::eval
