// MakeModel (dispatch on the experiment's family) and the Model methods only some families support.
#include "core/models/model.h"

#include "core/models/config.h"
#include "core/models/gan.h"
#include "core/models/vae.h"

#include <stdexcept>

namespace ll::models
{

void Model::Encode(const nn::MatrixF&, const nn::MatrixF*, nn::MatrixF&, nn::MatrixF&)
{
    throw std::logic_error("Encode: a " + util::NameOf(Family()) + " (" + Objective() + ") has no encoder");
}

void Model::Score(const nn::MatrixF&, const nn::MatrixF*, nn::MatrixF&)
{
    throw std::logic_error("Score: a " + util::NameOf(Family()) + " (" + Objective() + ") has no discriminator");
}

void Model::GeneratorOutputGrad(const nn::MatrixF&, const nn::MatrixF*, nn::MatrixF&)
{
    throw std::logic_error("GeneratorOutputGrad: a " + util::NameOf(Family()) + " (" + Objective() +
                           ") has no generator loss");
}

std::unique_ptr<Model> MakeModel(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng)
{
    return MakeModel(config, nn::Shape::Flat(data_dim), num_classes, rng);
}

std::unique_ptr<Model> MakeModel(const ExperimentConfig& config, const nn::Shape& data_shape, int num_classes,
                                 Rng& rng)
{
    switch (config.family)
    {
    case Family::Vae:
        return MakeVae(config, data_shape, num_classes, rng);
    case Family::Gan:
        return std::make_unique<Gan>(config, data_shape, num_classes, rng);
    }
    throw std::invalid_argument("family must be one of " + NamesOf(Family{}).Allowed() + ", got value " +
                                std::to_string(static_cast<int>(config.family)));
}

} // namespace ll::models
