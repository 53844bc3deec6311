// The judge's training loop (see judge_train.h).
#include "core/eval/judge_train.h"

#include "core/nn/losses.h"
#include "core/nn/optimizer.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace ll::eval
{

Judge TrainJudge(const data::ImageDataset& train, JudgeInfo info, const JudgeTrainOptions& options)
{
    if (train.labels.empty() || train.num_classes < 2)
    {
        throw std::invalid_argument("judge training: data set '" + train.name + "' has no class labels");
    }
    info.classes = train.num_classes;
    if (info.class_names.empty())
    {
        info.class_names = train.class_names;
    }
    info.seed = options.seed;
    info.epochs = options.epochs;
    Rng rng(options.seed);
    Judge judge(info, rng);
    judge.CheckInput(nn::Shape{train.channels, train.rows, train.cols}, "data set '" + train.name + "'");
    if (options.epochs < 1 || options.batch_size < 2 || train.count < options.batch_size)
    {
        throw std::invalid_argument("judge training: " + std::to_string(train.count) + " examples, batch " +
                                    std::to_string(options.batch_size) + ", " + std::to_string(options.epochs) +
                                    " epochs: need at least one batch and one epoch");
    }
    nn::OptimizerConfig adam;
    adam.kind = nn::OptimizerKind::Adam;
    adam.learning_rate = options.learning_rate;
    nn::Optimizer<float> optimizer(judge.Net().Params("J."), adam);

    data::BatchIterator batches(train.count, options.batch_size);
    const std::int64_t per_epoch = train.count / options.batch_size;
    const std::int64_t total = per_epoch * options.epochs;
    nn::MatrixF x, grad;
    std::vector<std::uint8_t> labels(static_cast<std::size_t>(options.batch_size));
    std::int64_t step = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch)
    {
        double loss_sum = 0;
        for (std::int64_t b = 0; b < per_epoch; ++b, ++step)
        {
            const std::int64_t* idx = batches.Next(rng);
            data::GatherBatch(train, idx, options.batch_size, x);
            for (int i = 0; i < options.batch_size; ++i)
            {
                labels[static_cast<std::size_t>(i)] = train.labels[static_cast<std::size_t>(idx[i])];
            }
            const nn::MatrixF& logits = judge.TrainForward(x);
            loss_sum += nn::SoftmaxCrossEntropy(logits, labels.data(), options.batch_size, grad);
            judge.Net().Backward(grad, true, false);
            const double t = static_cast<double>(step) / static_cast<double>(total);
            optimizer.SetLearningRate(options.learning_rate * 0.5 * (1.0 + std::cos(std::numbers::pi * t)));
            optimizer.StepAndZeroGrad();
        }
        if (options.progress)
        {
            options.progress(epoch, loss_sum / static_cast<double>(per_epoch));
        }
    }
    judge.MutableInfo().steps = step;
    return judge;
}

} // namespace ll::eval
