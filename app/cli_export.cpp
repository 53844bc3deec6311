// `latentlab export --checkpoint C [--format safetensors] [--part P] --out FILE`.
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
    "usage: latentlab export --checkpoint FILE.ckpt --out FILE [--format safetensors] [--part PART]\n"
    "  Writes one network of a checkpoint as the tensors of the equivalent PyTorch nn.Sequential (load_state_dict\n"
    "  accepts them) with its layer list in the file's metadata. PART: generator or discriminator (GAN; default\n"
    "  generator), decoder or encoder (VAE; default decoder). MLP networks only for now; ONNX is not written yet.\n"
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
        const io::SafetensorsFile file = io::ExportModelFile(a.checkpoint, a.format, part, a.out);
        std::int64_t params = 0;
        for (const io::SafeTensor& t : file.tensors)
        {
            params += t.Elements();
        }
        out << "latentlab export: wrote " << a.out << " (" << util::NameOf(part) << ", " << file.tensors.size()
            << " tensors, " << params << " parameters)\n";
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
