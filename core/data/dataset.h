// Datasets: images kept as uint8 (one row of pixels per example) and converted to floats per batch, and the
// seeded mini-batch iterator. 2-D toy data is sampled fresh each batch (see toy2d.h).
#pragma once

#include "core/nn/tensor.h"
#include "core/util/rng.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ll::data
{

// A set of images (or any fixed-size examples) with optional class labels.
struct ImageDataset
{
    std::string name;                 // e.g. "fashion-mnist/train"
    int rows = 0, cols = 0, channels = 1;
    std::int64_t count = 0;
    std::vector<std::uint8_t> pixels; // count * rows * cols * channels, example-major, row-major, channels last
    std::vector<std::uint8_t> labels; // count entries, or empty when unlabelled
    int num_classes = 0;              // 0 when unlabelled
    std::vector<std::string> class_names;

    int Features() const { return rows * cols * channels; }
    const std::uint8_t* Example(std::int64_t i) const { return pixels.data() + i * Features(); }
};

// Converts the examples at the given indices to floats in [0, 1]: out (features, indices.size()).
void GatherBatch(const ImageDataset& ds, const std::int64_t* indices, std::int64_t n, nn::MatrixF& out);

// One-hot labels for the given indices: out (num_classes, n).
void GatherOneHot(const ImageDataset& ds, const std::int64_t* indices, std::int64_t n, nn::MatrixF& out);

// Seeded mini-batches over a dataset: a permutation drawn from the session's RNG at the start of every epoch;
// the last incomplete batch of an epoch is dropped so every batch has the same shape.
class BatchIterator
{
public:
    BatchIterator() = default;
    BatchIterator(std::int64_t count, std::int64_t batch_size);

    // Next batch's indices (batch_size of them); reshuffles with rng when an epoch ends.
    const std::int64_t* Next(Rng& rng);
    std::int64_t BatchSize() const { return m_batch; }
    void SetBatchSize(std::int64_t batch_size); // takes effect from the next batch; throws if > count
    std::int64_t Epoch() const { return m_epoch; }       // completed epochs
    std::int64_t Position() const { return m_position; } // index of the next example within the permutation

    // The whole state, for checkpoints.
    const std::vector<std::int64_t>& Permutation() const { return m_perm; }
    void Restore(std::vector<std::int64_t> perm, std::int64_t position, std::int64_t epoch);

private:
    std::int64_t m_count = 0;
    std::int64_t m_batch = 0;
    std::vector<std::int64_t> m_perm;
    std::int64_t m_position = 0;
    std::int64_t m_epoch = 0;
    bool m_started = false;
};

} // namespace ll::data
