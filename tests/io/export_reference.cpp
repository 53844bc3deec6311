// Test tool for the PyTorch check (export_torch_check.py): writes checkpoints of the export test models and the
// lab's own outputs for a part, so that Python can compare PyTorch's result on the exported file with them.
//   export_reference checkpoint NAME OUT.ckpt        a perturbed fresh model of io::test::ExportConfig(NAME), or of
//                                                    the preset NAME (perturbed relative to each tensor's scale)
//   export_reference outputs CKPT PART N OUT.st      "input" (N, in) and "output" (N, out), float32, batch-first
// The inputs: latent codes from the model's prior (generator, decoder) or uniform [0, 1) data (encoder,
// discriminator), each followed by a one-hot label cycling through the classes for conditional models.
#include "export_test_util.h"

#include "core/io/config_json.h"
#include "core/io/model_export.h"

#include <iostream>

using namespace ll;

namespace
{

int Outputs(const std::string& checkpoint, const std::string& part_name, int n, const std::string& out)
{
    io::CheckpointModel ckpt = io::ModelFromCheckpoint(io::LoadCheckpointFile(checkpoint), checkpoint);
    models::Model& model = *ckpt.model;
    const io::ExportPart part = io::NamesOf(io::ExportPart{}).Parse(part_name, "part");
    const int classes = ckpt.num_classes;
    nn::MatrixF labels = nn::MatrixF::Zero(std::max(classes, 1), n);
    for (int j = 0; j < n; ++j)
    {
        labels(j % std::max(classes, 1), j) = 1.0f;
    }
    const nn::MatrixF* y = classes > 0 ? &labels : nullptr;
    Rng rng(17);
    nn::MatrixF x, result;
    if (part == io::ExportPart::Generator || part == io::ExportPart::Decoder)
    {
        model.SampleLatent(rng, n, x);
        model.Decode(x, y, result);
    }
    else
    {
        x.resize(ckpt.data_dim, n);
        for (Eigen::Index i = 0; i < x.size(); ++i)
        {
            x.data()[i] = static_cast<float>(rng.Uniform());
        }
        if (part == io::ExportPart::Discriminator)
        {
            model.Score(x, y, result);
        }
        else
        {
            nn::MatrixF mu, logvar;
            model.Encode(x, y, mu, logvar);
            result.resize(mu.rows() * 2, n);
            result << mu, logvar;
        }
    }
    nn::MatrixF input(x.rows() + classes, n); // (features, n) column-major is (n, features) row-major
    input.topRows(x.rows()) = x;
    if (classes > 0)
    {
        input.bottomRows(classes) = labels;
    }
    io::SafetensorsFile file;
    file.tensors.push_back(io::SafeTensor::FromFloats("input", {n, input.rows()}, input.data()));
    file.tensors.push_back(io::SafeTensor::FromFloats("output", {n, result.rows()}, result.data()));
    io::SaveSafetensorsFile(out, file);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try
    {
        const std::vector<std::string> a(argv + 1, argv + argc);
        if (a.size() == 3 && a[0] == "checkpoint")
        {
            const bool test_model = a[1] == "gan-image" || a[1] == "gan-toy-hinge" || a[1] == "vae-image" ||
                                    a[1] == "vae-toy-gaussian" || a[1] == "gan-conv-colour";
            io::SaveCheckpointFile(a[2], test_model ? io::test::PerturbedCheckpoint(io::test::ExportConfig(a[1]), 3)
                                                    : io::test::PerturbedCheckpoint(
                                                          io::LoadPreset(a[1], io::FindPresetDir()), 3, true));
            return 0;
        }
        if (a.size() == 5 && a[0] == "outputs")
        {
            return Outputs(a[1], a[2], std::stoi(a[3]), a[4]);
        }
        std::cerr << "usage: export_reference checkpoint NAME OUT.ckpt | outputs CKPT PART N OUT.safetensors\n";
        return 2;
    }
    catch (const std::exception& e)
    {
        std::cerr << "export_reference: " << e.what() << "\n";
        return 1;
    }
}
