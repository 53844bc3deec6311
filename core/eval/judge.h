// The image judge: a small conv classifier trained by the lab itself (judge_train.h), whose penultimate features
// (kJudgeFeatures after the last hidden ReLU) are the space the image metrics (judge_metrics.h) work in, as FID works
// in Inception's. A Judge is used by one thread at a time (its network keeps per-call buffers); copy it for another.
#pragma once

#include "core/data/dataset.h"
#include "core/nn/network_spec.h"
#include "core/nn/sequential.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ll::eval
{

inline constexpr nn::Index kJudgeFeatures = 128; // width of the penultimate layer

// The judge's architecture, declared once: conv 16 (3x3) -> BN -> ReLU -> conv 32 (4x4, stride 2) -> BN -> ReLU ->
// conv 64 (4x4, stride 2) -> BN -> ReLU -> flatten -> linear 128 -> ReLU (the features) -> linear `classes`
// (logits). For a 1x28x28 input: 28x28x16, 14x14x32, 7x7x64, 128, classes.
std::vector<nn::LayerSpec> JudgeLayers(int classes);

// What a judge file records besides the weights.
struct JudgeInfo
{
    std::string dataset;          // "fashion-mnist", "mnist", ...
    nn::Shape input{1, 28, 28};   // (C, H, W) of the images it reads
    int classes = 10;
    std::vector<std::string> class_names;
    std::int64_t steps = 0;       // training steps it had
    int epochs = 0;
    std::uint64_t seed = 0;
    int threads = 0;              // training threads (the weights repeat bit for bit at this count)
    double test_accuracy = 0;     // on the real test set when it was made
};

class Judge
{
public:
    // A fresh judge, weights drawn from rng (He for the ReLU layers).
    Judge(const JudgeInfo& info, Rng& rng);

    const JudgeInfo& Info() const { return m_info; }
    JudgeInfo& MutableInfo() { return m_info; }
    nn::Sequential<float>& Net() { return m_net; }

    // Logits (classes, B) of a training batch x (C*H*W, B) in [0, 1], in training mode (BatchNorm's batch
    // statistics); the caller runs Net().Backward.
    const nn::MatrixF& TrainForward(const nn::MatrixF& x);

    // Evaluation mode, in batches of at most 100 columns: x (C*H*W, n) in [0, 1] -> features (kJudgeFeatures, n)
    // and class probabilities (classes, n); either output may be nullptr. Throws std::invalid_argument when x's
    // rows are not the judge's input size (names both shapes).
    void Classify(const nn::MatrixF& x, nn::MatrixF* features, nn::MatrixF* probs);
    // The same for a data set's examples [0, n) (all when n <= 0 or n > count).
    void Classify(const data::ImageDataset& ds, std::int64_t n, nn::MatrixF* features, nn::MatrixF* probs);

    // Fraction of the data set's first n examples (all when n <= 0) whose most probable class is their label.
    double Accuracy(const data::ImageDataset& ds, std::int64_t n = 0);

    // Throws std::invalid_argument with a plain sentence when images of shape `shape` cannot be judged.
    void CheckInput(const nn::Shape& shape, const std::string& what) const;

private:
    // Runs columns [0, n) through a copy of the network, chunk(begin, cols) giving each pass's input.
    template <typename Chunk>
    void ClassifyColumns(nn::Index n, Chunk&& chunk, nn::MatrixF* features, nn::MatrixF* probs);

    JudgeInfo m_info;
    nn::Sequential<float> m_net;
    nn::MatrixF m_chunk; // (C*H*W, <= 100) columns of one evaluation pass, freed after each Classify
};

// The lab's checkpoint container (LLCKPT, CRC32, bounded reader) holding the weights as "param/J.<i>.<name>", the
// BatchNorm statistics as "extra/J.<i>.<name>" and the JudgeInfo in the header (config name "judge-<dataset>").
void SaveJudge(const std::filesystem::path& path, Judge& judge);
// Throws std::runtime_error naming the file: unreadable, corrupt, not a judge, or weights of another shape.
Judge LoadJudge(const std::filesystem::path& path);
// True when the checkpoint file's config is a judge's (so a model command can say "that is a judge, not a model").
bool IsJudgeConfigName(const std::string& name);

// Where the shipped judge of a data set lives: $LATENTLAB_JUDGE_DIR, else the source tree's assets/judge, else
// /usr/share/latentlab/judge; file <dataset>.judge. Empty path when none exists.
std::filesystem::path FindJudgeFile(const std::string& dataset);

} // namespace ll::eval
