// Batching: uint8 -> float gathering, one-hot labels, and the seeded epoch iterator (coverage, determinism,
// batch-size changes, checkpoint restore).
#include "core/data/dataset.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>

using namespace ll::data;

namespace
{

ImageDataset SmallDataset(std::int64_t count, int rows, int cols)
{
    ImageDataset ds;
    ds.name = "small";
    ds.rows = rows;
    ds.cols = cols;
    ds.count = count;
    ds.pixels.resize(static_cast<std::size_t>(count) * rows * cols);
    for (std::size_t k = 0; k < ds.pixels.size(); ++k)
    {
        ds.pixels[k] = static_cast<std::uint8_t>((k * 7 + 3) % 256);
    }
    for (std::int64_t i = 0; i < count; ++i)
    {
        ds.labels.push_back(static_cast<std::uint8_t>(i % 4));
    }
    ds.num_classes = 4;
    return ds;
}

// The indices of one epoch, batch after batch; checks the epoch counter on the way.
std::vector<std::int64_t> OneEpoch(BatchIterator& it, ll::Rng& rng, std::int64_t count)
{
    const std::int64_t batches = count / it.BatchSize();
    const std::int64_t epoch_before = it.Epoch();
    std::vector<std::int64_t> seen;
    for (std::int64_t b = 0; b < batches; ++b)
    {
        CHECK(it.Epoch() == epoch_before);
        const std::int64_t* idx = it.Next(rng);
        seen.insert(seen.end(), idx, idx + it.BatchSize());
    }
    CHECK(it.Epoch() == epoch_before + 1);
    return seen;
}

} // namespace

TEST_CASE("GatherBatch: columns are the examples' bytes divided by 255, without reallocating a same-shape output")
{
    const ImageDataset ds = SmallDataset(6, 2, 3);
    const std::int64_t idx[] = {4, 0, 4};
    ll::nn::MatrixF out;
    GatherBatch(ds, idx, 3, out);
    REQUIRE(out.rows() == 6);
    REQUIRE(out.cols() == 3);
    for (int j = 0; j < 3; ++j)
    {
        for (int k = 0; k < 6; ++k)
        {
            CHECK(out(k, j) == doctest::Approx(ds.Example(idx[j])[k] / 255.0f).epsilon(1e-7));
        }
    }
    CHECK(out.minCoeff() >= 0.0f);
    CHECK(out.maxCoeff() <= 1.0f);
    const float* buffer = out.data();
    const std::int64_t idx2[] = {1, 2, 3};
    GatherBatch(ds, idx2, 3, out);
    CHECK(out.data() == buffer);
    CHECK(out(0, 0) == doctest::Approx(ds.Example(1)[0] / 255.0f));
}

TEST_CASE("GatherBatch: an index outside the dataset is refused")
{
    const ImageDataset ds = SmallDataset(6, 2, 3);
    const std::int64_t idx[] = {0, 6};
    ll::nn::MatrixF out;
    CHECK_THROWS_AS(GatherBatch(ds, idx, 2, out), std::out_of_range);
    const std::int64_t negative[] = {-1};
    CHECK_THROWS_AS(GatherBatch(ds, negative, 1, out), std::out_of_range);
}

TEST_CASE("GatherOneHot: one 1 per column at the label, and unlabelled data is refused")
{
    ImageDataset ds = SmallDataset(8, 1, 1);
    const std::int64_t idx[] = {5, 2, 7};
    ll::nn::MatrixF y;
    GatherOneHot(ds, idx, 3, y);
    REQUIRE(y.rows() == 4);
    REQUIRE(y.cols() == 3);
    for (int j = 0; j < 3; ++j)
    {
        CHECK(y.col(j).sum() == 1.0f);
        CHECK(y(ds.labels[static_cast<std::size_t>(idx[j])], j) == 1.0f);
    }
    ds.labels.clear();
    ds.num_classes = 0;
    CHECK_THROWS_AS(GatherOneHot(ds, idx, 3, y), std::invalid_argument);
}

TEST_CASE("BatchIterator: each epoch visits every index exactly once and advances the epoch counter")
{
    const std::int64_t count = 100;
    BatchIterator it(count, 10);
    ll::Rng rng(1);
    CHECK(it.Epoch() == 0);
    for (int e = 0; e < 3; ++e)
    {
        std::vector<std::int64_t> seen = OneEpoch(it, rng, count);
        std::sort(seen.begin(), seen.end());
        REQUIRE(seen.size() == static_cast<std::size_t>(count));
        for (std::int64_t i = 0; i < count; ++i)
        {
            CHECK(seen[static_cast<std::size_t>(i)] == i);
        }
    }
    CHECK(it.Epoch() == 3);
}

TEST_CASE("BatchIterator: the last incomplete batch is dropped and indices within an epoch never repeat")
{
    const std::int64_t count = 10;
    BatchIterator it(count, 4); // 2 full batches per epoch, 2 examples dropped
    ll::Rng rng(2);
    for (int e = 0; e < 5; ++e)
    {
        std::vector<std::int64_t> seen = OneEpoch(it, rng, count);
        REQUIRE(seen.size() == 8);
        std::sort(seen.begin(), seen.end());
        CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
        CHECK(seen.front() >= 0);
        CHECK(seen.back() < count);
    }
    CHECK(it.Epoch() == 5);
}

TEST_CASE("BatchIterator: same seed same order; different epochs different orders")
{
    const std::int64_t count = 50;
    BatchIterator a(count, 5), b(count, 5);
    ll::Rng ra(99), rb(99);
    const auto a0 = OneEpoch(a, ra, count);
    const auto a1 = OneEpoch(a, ra, count);
    const auto b0 = OneEpoch(b, rb, count);
    const auto b1 = OneEpoch(b, rb, count);
    CHECK(a0 == b0);
    CHECK(a1 == b1);
    CHECK(a0 != a1);
    BatchIterator c(count, 5);
    ll::Rng rc(100);
    CHECK(OneEpoch(c, rc, count) != a0);
}

TEST_CASE("BatchIterator: batch sizes outside [1, count] are refused with a clear message")
{
    CHECK_THROWS_AS(BatchIterator(0, 1), std::invalid_argument);
    CHECK_THROWS_AS(BatchIterator(10, 0), std::invalid_argument);
    try
    {
        BatchIterator it(10, 11);
        FAIL("batch 11 of 10 accepted");
    }
    catch (const std::invalid_argument& e)
    {
        CHECK(std::string(e.what()).find("batch size 11 must be in [1, 10]") != std::string::npos);
    }
    BatchIterator it(10, 5);
    CHECK_THROWS_AS(it.SetBatchSize(-3), std::invalid_argument);
    CHECK(it.BatchSize() == 5);
    ll::Rng rng(1);
    BatchIterator unset;
    CHECK_THROWS_AS(unset.Next(rng), std::logic_error);
}

TEST_CASE("BatchIterator: a new batch size takes effect at the next batch; a batch that no longer fits ends the epoch")
{
    ll::Rng rng(4);
    BatchIterator it(10, 2);
    it.Next(rng);
    it.Next(rng); // position 4
    it.SetBatchSize(3);
    CHECK(it.Epoch() == 0);
    const std::int64_t* batch = it.Next(rng);
    CHECK(batch == it.Permutation().data() + 4);
    CHECK(it.Position() == 7);
    CHECK(it.Epoch() == 0); // 7 + 3 fits exactly
    it.SetBatchSize(4);     // 7 + 4 does not: the remaining 3 are dropped
    CHECK(it.Epoch() == 1);
    it.Next(rng);
    CHECK(it.Position() == 4);
    CHECK(it.Epoch() == 1);
}

TEST_CASE("BatchIterator: Restore with the saved permutation, position, epoch and RNG continues identically")
{
    const std::int64_t count = 30;
    BatchIterator a(count, 4);
    ll::Rng ra(17);
    for (int k = 0; k < 9; ++k) // into the second epoch
    {
        a.Next(ra);
    }
    const auto perm = a.Permutation();
    const auto position = a.Position();
    const auto epoch = a.Epoch();
    const auto rng_state = ra.GetState();

    BatchIterator b(count, 4);
    b.Restore(perm, position, epoch);
    ll::Rng rb(0);
    rb.SetState(rng_state);
    for (int k = 0; k < 20; ++k)
    {
        const std::int64_t* x = a.Next(ra);
        const std::int64_t* y = b.Next(rb);
        REQUIRE(std::equal(x, x + 4, y));
        REQUIRE(a.Epoch() == b.Epoch());
    }

    SUBCASE("an iterator saved before its first batch restores to the same first epoch")
    {
        BatchIterator fresh(count, 4), restored(count, 4);
        restored.Restore(fresh.Permutation(), fresh.Position(), fresh.Epoch());
        ll::Rng r1(5), r2(5);
        const std::int64_t* x = fresh.Next(r1);
        const std::int64_t* y = restored.Next(r2);
        CHECK(std::equal(x, x + 4, y));
    }
    SUBCASE("a state that is not a permutation is refused")
    {
        BatchIterator c(count, 4);
        auto bad = perm;
        bad[0] = bad[1];
        CHECK_THROWS_AS(c.Restore(bad, 0, 0), std::invalid_argument);
        CHECK_THROWS_AS(c.Restore(std::vector<std::int64_t>(5, 0), 0, 0), std::invalid_argument);
        CHECK_THROWS_AS(c.Restore(perm, count + 1, 0), std::invalid_argument);
        CHECK_THROWS_AS(c.Restore(perm, 0, -1), std::invalid_argument);
    }
}
