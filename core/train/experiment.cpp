// One experiment: data, live model, training RNG and batch source; hyperparameter changes as recorded events.
// The views (sample grids, 2-D view, evaluation) are in experiment_views.cpp.
#include "core/train/experiment.h"

#include "core/data/idx.h"
#include "core/eval/judge_eval.h"
#include "core/data/image_folder.h"
#include "core/models/hyperparams.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace ll::train
{

namespace
{
constexpr int kViewPoints = 512;
constexpr int kReconImages = 32;

std::string DataDir(const models::ExperimentConfig& config, const std::string& data_dir)
{
    if (!data_dir.empty())
    {
        return data_dir;
    }
    return config.data.dir;
}
} // namespace

Rng DerivedRng(std::uint64_t seed, RngStream stream, std::uint64_t sub)
{
    // Rng seeds through splitmix64, so mixing the ids in with odd constants gives unrelated streams.
    const std::uint64_t mixed = seed ^ (0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(stream) + 1)) ^
                                (0xD1B54A32D192ED03ull * (sub + 1));
    return Rng(mixed);
}

std::string DataKey(const models::ExperimentConfig& config, const std::string& data_dir)
{
    const auto& d = config.data;
    switch (d.kind)
    {
    case models::DataKind::Toy:
        if (d.toy == data::ToyKind::Custom)
        {
            // The drawing itself is the data: a hash of its points and spread tells two drawings apart.
            std::uint64_t h = 1469598103934665603ull; // FNV-1a over the floats' bytes
            const auto mix = [&h](const void* p, std::size_t n) {
                for (std::size_t i = 0; i < n; ++i)
                {
                    h = (h ^ static_cast<const unsigned char*>(p)[i]) * 1099511628211ull;
                }
            };
            mix(d.points.data(), d.points.size() * sizeof(data::Mode));
            mix(&d.spread, sizeof d.spread);
            return "toy:custom:" + std::to_string(d.points.size()) + ":" + std::to_string(h);
        }
        return "toy:" + data::ToyName(d.toy);
    case models::DataKind::FashionMnist:
        return "fashion-mnist:" + data::ResolveDataDir(DataDir(config, data_dir));
    case models::DataKind::Idx:
        return "idx:" + DataDir(config, data_dir);
    case models::DataKind::Folder:
        return "folder:" + DataDir(config, data_dir) + ":" + std::to_string(d.image_size) +
               (d.grayscale ? ":gray" : ":rgb");
    }
    throw std::invalid_argument("data.kind must be one of " + models::NamesOf(models::DataKind{}).Allowed());
}

ExperimentData LoadExperimentData(const models::ExperimentConfig& config, const std::string& data_dir)
{
    ExperimentData out;
    out.key = DataKey(config, data_dir);
    const auto& d = config.data;
    if (d.kind == models::DataKind::Toy)
    {
        out.toy = d.toy == data::ToyKind::Custom
                      ? std::make_shared<const data::ToySampler>(d.points, static_cast<float>(d.spread))
                      : std::make_shared<const data::ToySampler>(d.toy);
        return out;
    }
    const std::string dir = DataDir(config, data_dir);
    const bool idx = d.kind == models::DataKind::Idx;
    if (d.kind == models::DataKind::FashionMnist || idx)
    {
        if (idx && dir.empty())
        {
            throw std::invalid_argument("data.dir must name a folder of IDX files for data.kind 'idx'");
        }
        const std::string resolved = idx ? dir : data::ResolveDataDir(dir);
        auto train = data::LoadFashionMnist(resolved, "train");
        auto test = data::LoadFashionMnist(resolved, "t10k");
        if (idx)
        {
            // Any MNIST-format set: its classes are numbered, not Fashion-MNIST's garments.
            for (auto* ds : {&train, &test})
            {
                ds->class_names.clear();
                for (int c = 0; c < ds->num_classes; ++c)
                {
                    ds->class_names.push_back(std::to_string(c));
                }
            }
        }
        out.train = std::make_shared<const data::ImageDataset>(std::move(train));
        out.test = std::make_shared<const data::ImageDataset>(std::move(test));
        return out;
    }
    if (dir.empty())
    {
        throw std::invalid_argument("data.dir must name a folder of images for data.kind 'folder'");
    }
    // A folder has no held-out split: evaluation uses the training images (said in the UI's help).
    out.train = std::make_shared<const data::ImageDataset>(data::LoadImageFolder(dir, d.image_size, d.grayscale));
    out.test = out.train;
    return out;
}

// The batches the live model trains on: converted per batch into preallocated matrices (no allocation once
// shapes repeat). Toy data is sampled fresh from the training RNG.
class Experiment::Source final : public models::BatchSource
{
public:
    Source(const ExperimentData& data, std::int64_t batch, bool with_labels)
        : m_ds(data.train.get()), m_toy(data.toy.get()), m_batch(batch), m_with_labels(with_labels)
    {
        if (m_ds != nullptr)
        {
            if (batch > m_ds->count)
            {
                throw std::invalid_argument("batch_size " + std::to_string(batch) + " exceeds the " +
                                            std::to_string(m_ds->count) + " examples of " + m_ds->name);
            }
            m_it = data::BatchIterator(m_ds->count, batch);
        }
    }

    models::Batch Next(Rng& rng) override
    {
        if (m_toy != nullptr)
        {
            m_toy->Sample(rng, m_batch, m_x);
            return {&m_x, nullptr};
        }
        const std::int64_t* idx = m_it.Next(rng);
        const std::int64_t n = m_it.BatchSize();
        data::GatherBatch(*m_ds, idx, n, m_x);
        if (m_with_labels)
        {
            data::GatherOneHot(*m_ds, idx, n, m_y);
            return {&m_x, &m_y};
        }
        return {&m_x, nullptr};
    }

    void SetBatchSize(std::int64_t batch)
    {
        if (m_ds != nullptr)
        {
            m_it.SetBatchSize(batch); // throws when larger than the data set
        }
        m_batch = batch;
    }
    std::int64_t Epoch() const { return m_ds != nullptr ? m_it.Epoch() : 0; }
    data::BatchIterator* Iterator() { return m_ds != nullptr ? &m_it : nullptr; }

private:
    const data::ImageDataset* m_ds;
    const data::ToySampler* m_toy;
    std::int64_t m_batch;
    bool m_with_labels;
    data::BatchIterator m_it;
    nn::MatrixF m_x; // (features, B)
    nn::MatrixF m_y; // (classes, B)
};

Experiment::Experiment(const models::ExperimentConfig& config, ExperimentData data)
    : m_config(config), m_data(std::move(data)), m_rng(config.seed)
{
    models::Validate(m_config);
    if (m_data.train == nullptr && m_data.toy == nullptr)
    {
        throw std::invalid_argument("Experiment: no data loaded for '" + m_config.name + "'");
    }
    const nn::Shape data_shape = m_data.toy != nullptr ? nn::Shape::Flat(2)
                                                       : nn::Shape{m_data.train->channels, m_data.train->rows,
                                                                   m_data.train->cols};
    const int classes = m_data.toy != nullptr ? 0 : m_data.train->num_classes;
    m_model = models::MakeModel(m_config, data_shape, classes, m_rng);
    const bool labels = m_model->NumClasses() > 0;
    m_source = std::make_unique<Source>(m_data, m_config.batch_size, labels);

    // Fixed inputs of the views, each from its own stream so they never draw from the training RNG.
    Rng fixed = DerivedRng(m_config.seed, RngStream::FixedNoise);
    const int classes_used = m_model->NumClasses();
    const nn::Index grid_n = classes_used > 0 ? classes_used * 10 : 64;
    m_model->SampleLatent(fixed, grid_n, m_fixed_noise);
    if (classes_used > 0)
    {
        m_fixed_labels = nn::MatrixF::Zero(classes_used, grid_n);
        for (nn::Index i = 0; i < grid_n; ++i)
        {
            m_fixed_labels(i / 10, i) = 1.0f; // one row of 10 per class
        }
    }
    if (m_data.test != nullptr && m_model->CanEncode())
    {
        const std::int64_t n = std::min<std::int64_t>(kReconImages, m_data.test->count);
        std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
        for (auto& i : idx)
        {
            i = static_cast<std::int64_t>(fixed.Below(static_cast<std::uint64_t>(m_data.test->count)));
        }
        data::GatherBatch(*m_data.test, idx.data(), n, m_recon_inputs);
        if (classes_used > 0)
        {
            data::GatherOneHot(*m_data.test, idx.data(), n, m_recon_labels);
        }
    }
    if (m_data.toy != nullptr)
    {
        Rng view = DerivedRng(m_config.seed, RngStream::View);
        m_data.toy->Sample(view, kViewPoints, m_view_real);
        m_model->SampleLatent(view, kViewPoints, m_view_noise);
    }
}

Experiment::~Experiment() = default;

void Experiment::Step(models::StepPhase phase, models::Metrics& out)
{
    if (m_step_hook)
    {
        m_step_hook(m_step);
    }
    if (m_model_hook)
    {
        m_model_hook(m_step, *m_model);
    }
    out.clear();
    m_model->TrainStep(*m_source, m_rng, m_step, phase, out);
    ++m_step;
}

std::int64_t Experiment::Epoch() const
{
    return m_source->Epoch();
}

data::BatchIterator* Experiment::Iterator()
{
    return m_source->Iterator();
}

std::vector<std::string> Experiment::HyperNames() const
{
    return models::LiveHyperNames(m_config);
}

double Experiment::Hyper(const std::string& name) const
{
    return models::HyperValue(m_config, name);
}

void Experiment::SetHyper(const std::string& name, double value)
{
    const double old_value = Hyper(name);
    models::ExperimentConfig trial = m_config;
    models::SetLiveHyper(trial, name, value); // the table: a live setting of this family, in range; throws naming it
    if (trial.batch_size != m_config.batch_size)
    {
        models::Validate(trial); // refuses sizes that would exhaust memory, with the estimate
        m_source->SetBatchSize(trial.batch_size);
    }
    m_model->ApplyLiveSettings(trial);
    m_config = std::move(trial);
    m_events.push_back({m_step, name, old_value, value});
}

bool Experiment::ParametersFinite(std::string& bad_name)
{
    for (const auto& net : m_model->Networks())
    {
        for (const auto& p : net.params)
        {
            if (!p.value->allFinite())
            {
                bad_name = p.name;
                return false;
            }
        }
    }
    return true;
}

} // namespace ll::train
