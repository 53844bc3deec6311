// Experiment <-> checkpoint state: every tensor by name and shape, optimizer step counts, RNG, batch iterator,
// step and events. Restoring validates the whole checkpoint against a freshly built experiment before copying.
// Same thread contract as Experiment: the owning (training) thread only.
#include "core/io/checkpoint.h"
#include "core/train/experiment.h"

#include <set>
#include <stdexcept>

namespace ll::train
{

namespace
{

// Every tensor the checkpoint of this model holds, by checkpoint name.
std::vector<nn::ParamRef<float>> StateTensors(models::Model& model)
{
    std::vector<nn::ParamRef<float>> out;
    for (const auto& net : model.Networks())
    {
        for (const auto& p : net.params)
        {
            out.push_back({std::string(io::kParamTensorPrefix) + p.name, p.value, nullptr});
        }
    }
    for (auto* opt : model.Optimizers())
    {
        for (const auto& t : opt->StateTensors())
        {
            out.push_back({std::string(io::kOptimTensorPrefix) + t.name, t.value, nullptr});
        }
    }
    for (const auto& t : model.ExtraState())
    {
        out.push_back({std::string(io::kExtraTensorPrefix) + t.name, t.value, nullptr});
    }
    return out;
}

} // namespace

io::CheckpointData Experiment::SaveState(const std::function<void(io::CheckpointTensor&)>& each_tensor)
{
    io::CheckpointData out;
    const auto add = [&](io::CheckpointTensor t) {
        if (each_tensor)
        {
            each_tensor(t);
        }
        out.tensors.push_back(std::move(t));
    };
    out.config = m_config;
    out.step = m_step;
    out.epoch = Epoch();
    out.rng = m_rng.GetState();
    if (data::BatchIterator* it = Iterator())
    {
        out.has_iterator = true;
        out.iterator_position = it->Position();
        out.iterator_epoch = it->Epoch();
        add(io::CheckpointTensor::FromInts("iterator/permutation", it->Permutation()));
    }
    for (const auto& name : HyperNames())
    {
        out.hypers.emplace_back(name, Hyper(name));
    }
    for (const auto& e : m_events)
    {
        out.events.push_back({e.step, e.name, e.old_value, e.new_value});
    }
    for (auto* opt : m_model->Optimizers())
    {
        out.optimizer_steps.push_back(opt->StepCount());
    }
    for (const auto& t : StateTensors(*m_model))
    {
        add(io::CheckpointTensor::FromMatrix(t.name, *t.value));
    }
    return out;
}

void Experiment::RestoreState(const io::CheckpointData& state, const std::string& source)
{
    const auto fail = [&](const std::string& reason) {
        return std::runtime_error("checkpoint '" + source + "': " + reason);
    };
    // Validate everything first.
    const auto targets = StateTensors(*m_model);
    std::set<std::string> expected;
    for (const auto& t : targets)
    {
        expected.insert(t.name);
        const io::CheckpointTensor* stored = state.Find(t.name);
        if (stored == nullptr)
        {
            throw fail("tensor '" + t.name + "' is missing (the checkpoint is of a different architecture)");
        }
        if (stored->type != io::TensorType::F32 || stored->rows != t.value->rows() || stored->cols != t.value->cols())
        {
            throw fail("tensor '" + t.name + "' has shape " + nn::ShapeText(stored->rows, stored->cols) + " " +
                       io::TensorTypeName(stored->type) + ", the model expects " +
                       nn::ShapeText(t.value->rows(), t.value->cols()) + " f32");
        }
    }
    data::BatchIterator* it = Iterator();
    if (it != nullptr)
    {
        expected.insert("iterator/permutation");
    }
    for (const auto& t : state.tensors)
    {
        if (expected.count(t.name) == 0 && t.name.rfind("history/", 0) != 0)
        {
            throw fail("unexpected tensor '" + t.name + "' (the checkpoint is of a different architecture)");
        }
    }
    if (state.has_iterator != (it != nullptr))
    {
        throw fail(state.has_iterator ? "holds a batch iterator but the data is sampled (toy)"
                                      : "has no batch iterator but the data is a data set");
    }
    const auto optimizers = m_model->Optimizers();
    if (state.optimizer_steps.size() != optimizers.size())
    {
        throw fail("holds " + std::to_string(state.optimizer_steps.size()) + " optimizer step counts, the model has " +
                   std::to_string(optimizers.size()) + " optimizers");
    }
    for (const std::int64_t s : state.optimizer_steps)
    {
        if (s < 0)
        {
            throw fail("negative optimizer step count");
        }
    }
    if (it != nullptr)
    {
        const io::CheckpointTensor* perm = state.Find("iterator/permutation");
        if (perm == nullptr || perm->type != io::TensorType::I64 || perm->cols != 1)
        {
            throw fail("tensor 'iterator/permutation' is missing or not an (n, 1) i64 tensor");
        }
        try
        {
            it->Restore(perm->ToInts(), state.iterator_position, state.iterator_epoch); // validates the permutation
        }
        catch (const std::invalid_argument& e)
        {
            throw fail(e.what());
        }
    }

    // Then copy.
    for (const auto& t : targets)
    {
        state.Find(t.name)->ToMatrix(*t.value);
    }
    for (std::size_t k = 0; k < optimizers.size(); ++k)
    {
        optimizers[k]->SetStepCount(state.optimizer_steps[k]);
    }
    m_rng.SetState(state.rng);
    m_step = state.step;
    m_events.clear();
    for (const auto& e : state.events)
    {
        m_events.push_back({e.step, e.name, e.old_value, e.new_value});
    }
}

std::unique_ptr<Experiment> Experiment::FromState(const io::CheckpointData& state, ExperimentData data,
                                                  const std::string& source)
{
    std::unique_ptr<Experiment> exp;
    try
    {
        exp = std::make_unique<Experiment>(state.config, std::move(data));
    }
    catch (const std::exception& e)
    {
        throw std::runtime_error("checkpoint '" + source + "': cannot build its experiment: " + e.what());
    }
    exp->RestoreState(state, source);
    return exp;
}

} // namespace ll::train
