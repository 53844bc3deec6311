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
    throw std::logic_error("Encode: a " + Family() + " (" + Objective() + ") has no encoder");
}

void Model::Score(const nn::MatrixF&, const nn::MatrixF*, nn::MatrixF&)
{
    throw std::logic_error("Score: a " + Family() + " (" + Objective() + ") has no discriminator");
}

void Model::GeneratorOutputGrad(const nn::MatrixF&, const nn::MatrixF*, nn::MatrixF&)
{
    throw std::logic_error("GeneratorOutputGrad: a " + Family() + " (" + Objective() + ") has no generator loss");
}

std::unique_ptr<Model> MakeModel(const ExperimentConfig& config, nn::Index data_dim, int num_classes, Rng& rng)
{
    if (config.family == "vae")
    {
        return MakeVae(config, data_dim, num_classes, rng);
    }
    if (config.family == "gan")
    {
        return MakeGan(config, data_dim, num_classes, rng);
    }
    throw std::invalid_argument("family must be one of \"vae\", \"gan\", got \"" + config.family + "\"");
}

} // namespace ll::models
