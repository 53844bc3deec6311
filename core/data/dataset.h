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

// Converts the examples at the given indices to floats in [0, 1] (byte / 255): out (features, n). Does not allocate
// when out already has that shape. Throws std::out_of_range for an index outside [0, count).
void GatherBatch(const ImageDataset& ds, const std::int64_t* indices, std::int64_t n, nn::MatrixF& out);

// One-hot labels for the given indices: out (num_classes, n). Throws std::invalid_argument when unlabelled.
void GatherOneHot(const ImageDataset& ds, const std::int64_t* indices, std::int64_t n, nn::MatrixF& out);

// Seeded mini-batches over a dataset: a permutation drawn from the session's RNG at the start of every epoch;
// the last incomplete batch of an epoch is dropped so every batch has the same shape. Owned by one session.
// The first permutation is drawn by the first Next(), so construction consumes no randomness. An epoch counts as
// completed as soon as no further full batch fits, i.e. right after its last batch is returned.
class BatchIterator
{
public:
    BatchIterator() = default;
    BatchIterator(std::int64_t count, std::int64_t batch_size); // throws unless count > 0, batch in [1, count]

    // Next batch's indices (batch_size of them, valid until the next call); reshuffles with rng when an epoch ends.
    const std::int64_t* Next(Rng& rng);
    std::int64_t BatchSize() const { return m_batch; }
    // Takes effect from the next batch; throws std::invalid_argument outside [1, count]. If the new size no longer
    // fits in what is left of the epoch, the rest is dropped and the epoch counted now.
    void SetBatchSize(std::int64_t batch_size);
    std::int64_t Epoch() const { return m_epoch; }       // completed epochs
    std::int64_t Position() const { return m_position; } // next example within the permutation; count when used up

    // The whole state, for checkpoints: Permutation() (empty before the first batch), Position(), Epoch(), plus
    // the session's Rng state. Restore on an iterator built with the same count and batch size (or set the batch
    // size right after); it validates the permutation and throws std::invalid_argument on a mismatch.
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
