// Batch gathering (uint8 pixels -> floats in [0, 1], once per batch) and the seeded mini-batch iterator.
// Not thread-safe: a dataset is read-only once loaded, an iterator belongs to one training session.
#include "core/data/dataset.h"

#include <numeric>
#include <stdexcept>
#include <string>

namespace ll::data
{

namespace
{

void CheckIndex(const ImageDataset& ds, std::int64_t index, const char* what)
{
    if (index < 0 || index >= ds.count)
    {
        throw std::out_of_range(std::string(what) + " on '" + ds.name + "': index " + std::to_string(index) +
                                " outside [0, " + std::to_string(ds.count) + ")");
    }
}

} // namespace

void GatherBatch(const ImageDataset& ds, const std::int64_t* indices, std::int64_t n, nn::MatrixF& out)
{
    const std::int64_t features = ds.Features();
    if (n < 0 || (n > 0 && indices == nullptr))
    {
        throw std::invalid_argument("GatherBatch: bad index list (n = " + std::to_string(n) + ")");
    }
    if (static_cast<std::int64_t>(ds.pixels.size()) != ds.count * features)
    {
        throw std::invalid_argument("GatherBatch on '" + ds.name + "': pixel buffer holds " +
                                    std::to_string(ds.pixels.size()) +
                                    " bytes, expected count * features = " + std::to_string(ds.count * features));
    }
    // Eigen's resize keeps the buffer when the shape is unchanged, so steady-state training never allocates.
    out.resize(features, n); // (features, batch)
    constexpr float kScale = 1.0f / 255.0f;
    for (std::int64_t j = 0; j < n; ++j)
    {
        CheckIndex(ds, indices[j], "GatherBatch");
        const std::uint8_t* src = ds.Example(indices[j]);
        float* dst = out.data() + j * features; // column j is contiguous (column-major)
        for (std::int64_t k = 0; k < features; ++k)
        {
            dst[k] = static_cast<float>(src[k]) * kScale;
        }
    }
}

void GatherOneHot(const ImageDataset& ds, const std::int64_t* indices, std::int64_t n, nn::MatrixF& out)
{
    if (ds.labels.empty() || ds.num_classes <= 0)
    {
        throw std::invalid_argument("GatherOneHot: dataset '" + ds.name + "' has no labels");
    }
    if (static_cast<std::int64_t>(ds.labels.size()) != ds.count)
    {
        throw std::invalid_argument("GatherOneHot on '" + ds.name + "': " + std::to_string(ds.labels.size()) +
                                    " labels for " + std::to_string(ds.count) + " examples");
    }
    if (n < 0 || (n > 0 && indices == nullptr))
    {
        throw std::invalid_argument("GatherOneHot: bad index list (n = " + std::to_string(n) + ")");
    }
    out.setZero(ds.num_classes, n); // (classes, batch)
    for (std::int64_t j = 0; j < n; ++j)
    {
        CheckIndex(ds, indices[j], "GatherOneHot");
        const int label = ds.labels[static_cast<std::size_t>(indices[j])];
        if (label >= ds.num_classes)
        {
            throw std::out_of_range("GatherOneHot on '" + ds.name + "': label " + std::to_string(label) +
                                    " of example " + std::to_string(indices[j]) + " >= num_classes " +
                                    std::to_string(ds.num_classes));
        }
        out(label, j) = 1.0f;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// BatchIterator. Invariant: once an epoch can yield no further full batch, it has been counted and m_position is
// m_count, so the next call to Next() reshuffles. An empty m_perm means "not started": the first permutation is
// drawn by the first Next(), so creating an iterator consumes no randomness.

BatchIterator::BatchIterator(std::int64_t count, std::int64_t batch_size)
{
    if (count <= 0)
    {
        throw std::invalid_argument("BatchIterator: dataset is empty (count = " + std::to_string(count) + ")");
    }
    m_count = count;
    SetBatchSize(batch_size);
}

void BatchIterator::SetBatchSize(std::int64_t batch_size)
{
    if (batch_size < 1 || batch_size > m_count)
    {
        throw std::invalid_argument("BatchIterator: batch size " + std::to_string(batch_size) + " must be in [1, " +
                                    std::to_string(m_count) + "] (the number of examples)");
    }
    m_batch = batch_size;
    // A larger batch may no longer fit in what is left of this epoch: the remainder is dropped, the epoch ends.
    if (m_started && m_position < m_count && m_position + m_batch > m_count)
    {
        ++m_epoch;
        m_position = m_count;
    }
}

const std::int64_t* BatchIterator::Next(Rng& rng)
{
    if (m_count <= 0 || m_batch <= 0)
    {
        throw std::logic_error("BatchIterator::Next: iterator was default-constructed, not set up");
    }
    if (!m_started || m_position + m_batch > m_count)
    {
        // Fresh Fisher-Yates shuffle of the identity, so an epoch's order depends only on the RNG state.
        m_perm.resize(static_cast<std::size_t>(m_count));
        std::iota(m_perm.begin(), m_perm.end(), std::int64_t{0});
        for (std::int64_t i = m_count - 1; i > 0; --i)
        {
            const auto j = static_cast<std::int64_t>(rng.Below(static_cast<std::uint64_t>(i) + 1));
            std::swap(m_perm[static_cast<std::size_t>(i)], m_perm[static_cast<std::size_t>(j)]);
        }
        m_position = 0;
        m_started = true;
    }
    const std::int64_t* batch = m_perm.data() + m_position;
    m_position += m_batch;
    if (m_position + m_batch > m_count)
    {
        ++m_epoch;
        m_position = m_count;
    }
    return batch;
}

void BatchIterator::Restore(std::vector<std::int64_t> perm, std::int64_t position, std::int64_t epoch)
{
    if (epoch < 0)
    {
        throw std::invalid_argument("BatchIterator::Restore: negative epoch " + std::to_string(epoch));
    }
    if (perm.empty())
    {
        // The saved iterator had not started: the first Next() draws the first permutation, as it would have.
        if (position != 0)
        {
            throw std::invalid_argument("BatchIterator::Restore: position " + std::to_string(position) +
                                        " without a permutation");
        }
        m_perm.clear();
        m_position = 0;
        m_epoch = epoch;
        m_started = false;
        return;
    }
    if (m_count == 0)
    {
        m_count = static_cast<std::int64_t>(perm.size()); // default-constructed: adopt the saved size
    }
    if (static_cast<std::int64_t>(perm.size()) != m_count)
    {
        throw std::invalid_argument("BatchIterator::Restore: permutation of " + std::to_string(perm.size()) +
                                    " indices for a dataset of " + std::to_string(m_count) + " examples");
    }
    std::vector<char> seen(perm.size(), 0);
    for (const std::int64_t index : perm)
    {
        if (index < 0 || index >= m_count || seen[static_cast<std::size_t>(index)])
        {
            throw std::invalid_argument("BatchIterator::Restore: not a permutation of [0, " + std::to_string(m_count) +
                                        ") (bad or repeated index " + std::to_string(index) + ")");
        }
        seen[static_cast<std::size_t>(index)] = 1;
    }
    if (position < 0 || position > m_count)
    {
        throw std::invalid_argument("BatchIterator::Restore: position " + std::to_string(position) + " outside [0, " +
                                    std::to_string(m_count) + "]");
    }
    if (m_batch == 0)
    {
        m_batch = 1; // default-constructed: the caller sets the real batch size next
    }
    m_perm = std::move(perm);
    m_position = position;
    m_epoch = epoch;
    m_started = true;
}

} // namespace ll::data
