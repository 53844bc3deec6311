// `latentlab export --checkpoint C [--format safetensors|onnx] [--part P] --out FILE`.
#include "app/cli_export.h"

#include "app/cli_args.h"
#include "core/io/model_export.h"

#include <iostream>
#include <optional>

namespace ll::app
{

namespace
{

const char* kExportUsage =
    "usage: latentlab export --checkpoint FILE.ckpt --out FILE [--format safetensors|onnx] [--part PART]\n"
    "  Writes one network of a checkpoint, MLP or convolutional, as the equivalent PyTorch nn.Sequential in\n"
    "  evaluation mode: safetensors (default: the tensors load_state_dict accepts, the layer list in the file's\n"
    "  metadata) or onnx (opset 13: the graph, its weights and the same metadata). Images are NCHW at a conv end.\n"
    "  PART: generator or discriminator (GAN; default generator), decoder or encoder (VAE; default decoder).\n"
    "  The file is written atomically: a failed export leaves nothing behind.\n";

struct ExportArgs
{
    std::string checkpoint, out;
    io::ExportFormat format = io::ExportFormat::Safetensors;
    std::optional<io::ExportPart> part;
    bool help = false;
};

ExportArgs ParseExportArgs(const std::vector<std::string>& args)
{
    ExportArgs a;
    ForEachOption(args, a.help, [&a](const std::string& flag, const std::string& value) {
        try
        {
            if (flag == "--checkpoint") a.checkpoint = value;
            else if (flag == "--out") a.out = value;
            else if (flag == "--format") a.format = io::NamesOf(io::ExportFormat{}).Parse(value, flag);
            else if (flag == "--part") a.part = io::NamesOf(io::ExportPart{}).Parse(value, flag);
            else throw UsageError("unknown option '" + flag + "'");
        }
        catch (const UsageError&)
        {
            throw;
        }
        catch (const std::invalid_argument& e)
        {
            throw UsageError(e.what());
        }
    });
    if (!a.help && (a.checkpoint.empty() || a.out.empty()))
    {
        throw UsageError("--checkpoint FILE.ckpt and --out FILE are required");
    }
    return a;
}

} // namespace

int RunExportArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err)
{
    ExportArgs a;
    if (const auto exit = ParseCommandLine(ParseExportArgs, args, "latentlab export", kExportUsage, out, err, a))
    {
        return *exit;
    }
    try
    {
        io::ExportPart part = io::ExportPart::Generator;
        if (a.part)
        {
            part = *a.part;
        }
        else
        {
            // The default needs the family: a header-only look would be cheaper, but the checkpoint is read anyway.
            part = io::DefaultExportPart(io::LoadCheckpointFile(a.checkpoint).config.family);
        }
        const io::ExportedNetwork network = io::ExportModelFile(a.checkpoint, a.format, part, a.out);
        out << "latentlab export: wrote " << a.out << " (" << util::NameOf(a.format) << ", " << util::NameOf(part)
            << ", " << network.layers.size() << " layers, " << network.ParameterCount() << " parameters)\n";
        return 0;
    }
    catch (const std::exception& e)
    {
        err << "latentlab export: error: " << e.what() << "\n";
        return kExitFailure;
    }
}

int RunExport(int argc, char** argv)
{
    return RunExportArgs(ToArgs(argc, argv), std::cout, std::cerr);
}

} // namespace ll::app
