// Trains the judge's architecture (judge.h) with the lab's own layers, loss and Adam: the shipped judges and CAS
// (train on synthetic, test on real) both come from here. Runs on the calling thread and its nn::ThreadPool (the
// caller sets one up, e.g. train::ConfigureTrainingThread); a run repeats bit for bit at a fixed seed and thread count.
#pragma once

#include "core/eval/judge.h"

#include <functional>

namespace ll::eval
{

struct JudgeTrainOptions
{
    int epochs = 4;
    int batch_size = 128;
    double learning_rate = 2e-3; // Adam (0.9, 0.999), cosine-decayed to 0 over the run
    std::uint64_t seed = 1;
    // Called after every epoch with the epoch (1-based) and its mean training loss; may be empty.
    std::function<void(int epoch, double loss)> progress;
};

// A judge of `info`'s input and classes trained on every labelled example of train. info.steps, epochs and seed
// are filled in (test_accuracy is the caller's to measure). Throws std::invalid_argument when the data set is
// unlabelled, of another image shape, or smaller than one batch.
Judge TrainJudge(const data::ImageDataset& train, JudgeInfo info, const JudgeTrainOptions& options);

} // namespace ll::eval
