// The judge's network, its evaluation passes and its file (see judge.h).
#include "core/eval/judge.h"

#include "core/io/checkpoint.h"
#include "core/nn/losses.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace ll::eval
{

namespace
{

// Columns per evaluation pass. The layer buffers grow with it (at 500 the second convolution's patch matrix alone
// was 100 MB, about 300 MB in all); at 100 they are about 60 MB and the products are as fast.
constexpr nn::Index kChunk = 100;
constexpr const char* kPrefix = "J.";      // parameter names: J.<layer>.weight
constexpr const char* kConfigPrefix = "judge-";

nlohmann::json InfoToJson(const JudgeInfo& info)
{
    return {{"format", "latentlab-judge"},
            {"dataset", info.dataset},
            {"input", {info.input.c, info.input.h, info.input.w}},
            {"classes", info.classes},
            {"class_names", info.class_names},
            {"steps", info.steps},
            {"epochs", info.epochs},
            {"seed", info.seed},
            {"threads", info.threads},
            {"test_accuracy", info.test_accuracy}};
}

JudgeInfo InfoFromJson(const nlohmann::json& j)
{
    if (j.value("format", "") != "latentlab-judge")
    {
        throw std::runtime_error("its description is not a judge's ('format' is not 'latentlab-judge')");
    }
    JudgeInfo info;
    info.dataset = j.at("dataset").get<std::string>();
    const auto& in = j.at("input");
    info.input = nn::Shape{in.at(0).get<nn::Index>(), in.at(1).get<nn::Index>(), in.at(2).get<nn::Index>()};
    info.classes = j.at("classes").get<int>();
    info.class_names = j.at("class_names").get<std::vector<std::string>>();
    info.steps = j.at("steps").get<std::int64_t>();
    info.epochs = j.at("epochs").get<int>();
    info.seed = j.at("seed").get<std::uint64_t>();
    info.threads = j.at("threads").get<int>();
    info.test_accuracy = j.at("test_accuracy").get<double>();
    if (!info.input.Valid() || info.input.Size() > 4096 * 4 || info.classes < 2 || info.classes > 1000)
    {
        throw std::runtime_error("judge input " + info.input.Text() + " with " + std::to_string(info.classes) +
                                 " classes is outside what a judge can be");
    }
    return info;
}

} // namespace

std::vector<nn::LayerSpec> JudgeLayers(int classes)
{
    using nn::LayerKind;
    using nn::MakeLayerSpec;
    return {
        MakeLayerSpec(LayerKind::Conv, {{"out", 16}, {"kernel", 3}, {"stride", 1}, {"pad", 1}}),
        MakeLayerSpec(LayerKind::BatchNorm),
        MakeLayerSpec(LayerKind::ReLU),
        MakeLayerSpec(LayerKind::Conv, {{"out", 32}, {"kernel", 4}, {"stride", 2}, {"pad", 1}}),
        MakeLayerSpec(LayerKind::BatchNorm),
        MakeLayerSpec(LayerKind::ReLU),
        MakeLayerSpec(LayerKind::Conv, {{"out", 64}, {"kernel", 4}, {"stride", 2}, {"pad", 1}}),
        MakeLayerSpec(LayerKind::BatchNorm),
        MakeLayerSpec(LayerKind::ReLU),
        MakeLayerSpec(LayerKind::Flatten),
        MakeLayerSpec(LayerKind::Linear, {{"out", static_cast<double>(kJudgeFeatures)}}),
        MakeLayerSpec(LayerKind::ReLU), // its output: the features
        MakeLayerSpec(LayerKind::Linear, {{"out", static_cast<double>(classes)}}),
    };
}

Judge::Judge(const JudgeInfo& info, Rng& rng) : m_info(info)
{
    nn::NetworkOptions options;
    options.init = nn::MlpInit::He;
    m_net = nn::BuildNetwork<float>("judge", JudgeLayers(info.classes), info.input, options, rng);
}

const nn::MatrixF& Judge::TrainForward(const nn::MatrixF& x)
{
    m_net.SetTraining(true);
    return m_net.Forward(x);
}

void Judge::CheckInput(const nn::Shape& shape, const std::string& what) const
{
    if (shape == m_info.input || (shape.IsFlat() && shape.Size() == m_info.input.Size() && m_info.input.c == 1))
    {
        return;
    }
    throw std::invalid_argument("the " + m_info.dataset + " judge reads " + m_info.input.Text() + " images (" +
                                std::to_string(m_info.input.Size()) + " values); " + what + " has " + shape.Text() +
                                " (" + std::to_string(shape.Size()) + " values)");
}

template <typename Chunk>
void Judge::ClassifyColumns(nn::Index n, Chunk&& chunk, nn::MatrixF* features, nn::MatrixF* probs)
{
    const std::size_t feature_layer = m_net.Size() - 2; // the ReLU after linear 128
    if (features != nullptr)
    {
        features->resize(kJudgeFeatures, n);
    }
    if (probs != nullptr)
    {
        probs->resize(m_info.classes, n);
    }
    // A copy of the network for this call: its layer buffers are freed when it returns, so a judge kept for a
    // whole run holds only its weights between evaluations.
    nn::Sequential<float> net(m_net);
    net.SetTraining(false);
    nn::MatrixF p;
    for (nn::Index begin = 0; begin < n; begin += kChunk)
    {
        const nn::Index cols = std::min(kChunk, n - begin);
        const nn::MatrixF* h = &chunk(begin, cols);
        for (std::size_t i = 0; i < net.Size(); ++i)
        {
            h = &net.At(i).Forward(*h);
            if (i == feature_layer && features != nullptr)
            {
                features->middleCols(begin, cols) = *h;
            }
        }
        if (probs != nullptr)
        {
            nn::Softmax(*h, p);
            probs->middleCols(begin, cols) = p;
        }
    }
    m_chunk.resize(0, 0);
}

void Judge::Classify(const nn::MatrixF& x, nn::MatrixF* features, nn::MatrixF* probs)
{
    if (x.rows() != m_info.input.Size())
    {
        CheckInput(nn::Shape::Flat(x.rows()), "the batch");
    }
    const nn::Index n = x.cols();
    ClassifyColumns(n, [&](nn::Index begin, nn::Index cols) -> const nn::MatrixF& {
        m_chunk = x.middleCols(begin, cols);
        return m_chunk;
    }, features, probs);
}

void Judge::Classify(const data::ImageDataset& ds, std::int64_t n, nn::MatrixF* features, nn::MatrixF* probs)
{
    CheckInput(nn::Shape{ds.channels, ds.rows, ds.cols}, "data set '" + ds.name + "'");
    if (n <= 0 || n > ds.count)
    {
        n = ds.count;
    }
    // Gathered chunk by chunk: the whole test set as floats would be 31 MB beside its bytes.
    std::vector<std::int64_t> idx(static_cast<std::size_t>(kChunk));
    ClassifyColumns(n, [&](nn::Index begin, nn::Index cols) -> const nn::MatrixF& {
        for (nn::Index j = 0; j < cols; ++j)
        {
            idx[static_cast<std::size_t>(j)] = begin + j;
        }
        data::GatherBatch(ds, idx.data(), cols, m_chunk);
        return m_chunk;
    }, features, probs);
}

double Judge::Accuracy(const data::ImageDataset& ds, std::int64_t n)
{
    if (ds.labels.empty())
    {
        throw std::invalid_argument("data set '" + ds.name + "' has no labels to score the judge against");
    }
    nn::MatrixF probs;
    Classify(ds, n, nullptr, &probs);
    std::int64_t right = 0;
    for (nn::Index j = 0; j < probs.cols(); ++j)
    {
        nn::Index best = 0;
        probs.col(j).maxCoeff(&best);
        right += best == ds.labels[static_cast<std::size_t>(j)];
    }
    return probs.cols() > 0 ? static_cast<double>(right) / static_cast<double>(probs.cols()) : 0.0;
}

void SaveJudge(const std::filesystem::path& path, Judge& judge)
{
    io::CheckpointData data;
    data.config.name = kConfigPrefix + judge.Info().dataset;
    data.config.description = InfoToJson(judge.Info()).dump();
    data.step = judge.Info().steps;
    data.epoch = judge.Info().epochs;
    for (const auto& p : judge.Net().Params(kPrefix))
    {
        data.tensors.push_back(io::CheckpointTensor::FromMatrix("param/" + p.name, *p.value));
    }
    for (const auto& p : judge.Net().State(kPrefix))
    {
        data.tensors.push_back(io::CheckpointTensor::FromMatrix("extra/" + p.name, *p.value));
    }
    io::SaveCheckpointFile(path, data);
}

bool IsJudgeConfigName(const std::string& name) { return name.starts_with(kConfigPrefix); }

Judge LoadJudge(const std::filesystem::path& path)
{
    const io::CheckpointData data = io::LoadCheckpointFile(path);
    const auto fail = [&](const std::string& reason) {
        return std::runtime_error("judge '" + path.string() + "': " + reason);
    };
    if (!IsJudgeConfigName(data.config.name))
    {
        throw fail("a model checkpoint ('" + data.config.name + "'), not a judge's weights");
    }
    JudgeInfo info;
    try
    {
        info = InfoFromJson(nlohmann::json::parse(data.config.description));
    }
    catch (const nlohmann::json::exception& e)
    {
        throw fail(std::string("bad description: ") + e.what());
    }
    catch (const std::runtime_error& e)
    {
        throw fail(e.what());
    }
    Rng rng(0);
    Judge judge(info, rng);
    const auto restore = [&](const std::vector<nn::ParamRef<float>>& refs, const char* kind) {
        for (const auto& p : refs)
        {
            const io::CheckpointTensor* t = data.Find(std::string(kind) + p.name);
            if (t == nullptr)
            {
                throw fail("missing tensor '" + std::string(kind) + p.name + "'");
            }
            if (t->rows != p.value->rows() || t->cols != p.value->cols())
            {
                throw fail("tensor '" + t->name + "' is " + std::to_string(t->rows) + " x " +
                           std::to_string(t->cols) + ", the judge needs " + std::to_string(p.value->rows()) + " x " +
                           std::to_string(p.value->cols()));
            }
            t->ToMatrix(*p.value);
        }
        return refs.size();
    };
    const std::size_t n = restore(judge.Net().Params(kPrefix), "param/") + restore(judge.Net().State(kPrefix), "extra/");
    if (n != data.tensors.size())
    {
        throw fail(std::to_string(data.tensors.size() - n) + " tensors that are not the judge's");
    }
    return judge;
}

std::filesystem::path FindJudgeFile(const std::string& dataset)
{
    std::error_code ec;
    const std::string file = dataset + ".judge";
    std::vector<std::filesystem::path> dirs;
    if (const char* env = std::getenv("LATENTLAB_JUDGE_DIR"); env != nullptr && *env != '\0')
    {
        dirs.emplace_back(env);
    }
#ifdef LATENTLAB_ASSETS_DIR
    dirs.push_back(std::filesystem::path(LATENTLAB_ASSETS_DIR) / "judge");
#endif
    dirs.emplace_back("/usr/share/latentlab/judge");
    for (const auto& dir : dirs)
    {
        if (std::filesystem::is_regular_file(dir / file, ec))
        {
            return dir / file;
        }
    }
    return {};
}

} // namespace ll::eval
