// A batch source for model tests: a fresh sample of a 2-D toy distribution for every batch (no labels).
#pragma once

#include "core/data/toy2d.h"
#include "core/models/model.h"

namespace ll::test
{

class ToySource final : public models::BatchSource
{
public:
    ToySource(data::ToyKind kind, Eigen::Index batch) : m_sampler(kind), m_batch(batch) {}
    models::Batch Next(Rng& rng) override
    {
        m_sampler.Sample(rng, m_batch, m_x);
        return models::Batch{&m_x, nullptr};
    }
    const data::ToySampler& Sampler() const { return m_sampler; }

private:
    data::ToySampler m_sampler;
    Eigen::Index m_batch;
    nn::MatrixF m_x;
};

} // namespace ll::test
