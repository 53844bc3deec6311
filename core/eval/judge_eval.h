// The image judge applied to a model: draws samples through the generator interface every model has
// (models::Model::Sample, with labels for conditional models), reads them with the judge (judge.h) and computes the
// image metrics (judge_metrics.h) against the real test set; and CAS (train on synthetic, test on real). Used by the
// experiment's periodic evaluation on the training thread (on a frozen clone) and by `latentlab eval`.
// An evaluator is used by one thread at a time.
#pragma once

#include "core/eval/judge.h"
#include "core/eval/judge_metrics.h"
#include "core/eval/judge_train.h"
#include "core/models/model.h"

#include <map>
#include <memory>

namespace ll::eval
{

// Images drawn from a model: x (features, n) clamped to [0, 1]; labels[j] the class column j was drawn for
// (conditional models; empty otherwise).
struct GeneratedImages
{
    nn::MatrixF x;
    std::vector<int> labels;
};
// n samples in chunks of 250 columns. Conditional models: label j % classes, or `label` for every sample when
// label >= 0 (std::invalid_argument outside [0, classes)). Unconditional models refuse a label.
GeneratedImages DrawImages(models::Model& model, nn::Index n, Rng& rng, int label = -1);

// The judge that reads a data set, by the dataset's name: "fashion-mnist" for Fashion-MNIST, "mnist" for an IDX
// folder (digits). Empty for data no judge is made for (image folders, 2-D toys).
std::string JudgeDatasetFor(const std::string& data_kind);

class ImageJudgeEvaluator
{
public:
    // test: the real test set the samples are compared with; train: the real training set (the floor's images).
    // Reads the test set's features once (10,000 images: a few seconds). Throws std::invalid_argument when the
    // data's image shape is not the judge's.
    ImageJudgeEvaluator(Judge judge, std::shared_ptr<const data::ImageDataset> train,
                        std::shared_ptr<const data::ImageDataset> test);

    // Metrics of n samples drawn from model (rng: the evaluation's stream): judge_fd and its floor judge_fd_floor
    // (n real training images against the test set), judge_precision, judge_recall (k = 3, against the first n test
    // images), judge_classes, judge_class_kl, judge_confidence, judge_accuracy (conditional models), judge_samples
    // (= n) and judge_seconds (the time it took). Throws std::invalid_argument when the model's images are not the
    // judge's shape (names both).
    models::Metrics Evaluate(models::Model& model, nn::Index n, Rng& rng);

    // The Frechet distance of the first n training images against the test set (cached per n).
    double Floor(nn::Index n);

    Judge& GetJudge() { return m_judge; }

private:
    Judge m_judge;
    std::shared_ptr<const data::ImageDataset> m_train, m_test;
    nn::MatrixF m_test_features; // (kJudgeFeatures, test count)
    FeatureStats m_test_stats;
    std::map<nn::Index, double> m_floor;
    std::map<nn::Index, KnnSet> m_real_balls; // the first n test images' k-NN balls, per n (they never change)
};

// Classification accuracy score (Ravuri & Vinyals 2019): the judge's architecture trained (options) on n labelled
// samples of a conditional model, its accuracy on the real test set; beside it the same training on the first n
// real training images. Throws std::invalid_argument for an unconditional model.
struct CasResult
{
    double synthetic = 0; // trained on samples
    double real = 0;      // trained on real images
    nn::Index n = 0;
    int epochs = 0;
};
CasResult ClassificationAccuracyScore(models::Model& model, const JudgeInfo& info, const data::ImageDataset& train,
                                      const data::ImageDataset& test, nn::Index n, const JudgeTrainOptions& options,
                                      Rng& rng);

} // namespace ll::eval
