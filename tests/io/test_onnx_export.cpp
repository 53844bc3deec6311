// The ONNX export's own pieces: the protobuf encoder's bytes against hand-encoded ones, the model's header and
// graph (names, operators, initializers) in the bytes, and the refusals (a layer kind without an ONNX node, a
// reshape the channels-last layout cannot express). The graph's validity and numbers are checked by python3-onnx in
// export_onnx_passes_checker_and_matches_lab.
#include "../data/data_test_util.h"
#include "export_test_util.h"

#include "core/io/model_export.h"
#include "core/io/onnx_export.h"
#include "core/io/protobuf_writer.h"

#include <doctest/doctest.h>

#include <filesystem>

using namespace ll;
using data::test::ErrorOf;
using data::test::TempDir;

namespace
{

std::string Hex(const std::string& bytes)
{
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    for (const char ch : bytes)
    {
        const auto b = static_cast<unsigned char>(ch);
        out += out.empty() ? "" : " ";
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

bool Contains(const std::string& bytes, const std::string& part) { return bytes.find(part) != std::string::npos; }

} // namespace

TEST_CASE("Protobuf writer: varints, negative ints, floats, bytes and nested messages are the wire format's bytes")
{
    io::ProtoWriter child;
    child.Varint(1, 1);
    io::ProtoWriter w;
    w.Varint(1, 150);     // the protobuf guide's example: 08 96 01
    w.Int(2, -1);         // ten bytes of two's complement
    w.Float(3, 1.0f);     // 0x3f800000 little-endian
    w.Bytes(4, "hi");
    w.Message(5, child);
    w.Varint(16, 0);      // a field past 15 takes a two-byte tag
    CHECK(Hex(w.Data()) == "08 96 01 10 ff ff ff ff ff ff ff ff ff 01 1d 00 00 80 3f 22 02 68 69 2a 02 08 01 80 01 00");
    CHECK(ErrorOf([] { io::ProtoWriter().Varint(0, 1); }) == "protobuf: field number 0 is out of range");
}

TEST_CASE("ONNX: a model starts with IR version 7, imports opset 13 and names its nodes, tensors and metadata")
{
    io::CheckpointModel ckpt =
        io::ModelFromCheckpoint(io::test::PerturbedCheckpoint(io::test::ExportConfig("gan-conv-colour"), 3), "m.ckpt");
    const io::ExportedNetwork g = io::ExportNetwork(ckpt, io::ExportPart::Generator);
    CHECK(g.input == std::vector<std::int64_t>{8});
    CHECK(g.output == std::vector<std::int64_t>{3, 8, 8});
    const std::string bytes = io::EncodeOnnx(g);
    CHECK(Hex(bytes.substr(0, 2)) == "08 07"); // ModelProto.ir_version = 7
    for (const char* op : {"Gemm", "Relu", "Reshape", "Resize", "ConvTranspose", "BatchNormalization", "LeakyRelu",
                           "Conv", "Tanh"})
    {
        CAPTURE(op);
        CHECK(Contains(bytes, op));
    }
    for (const char* name : {"0.weight", "0.bias", "2.shape", "3.scales", "4.weight", "5.running_var", "7.weight",
                             "latentlab_layers", "latentlab_output_shape", "input", "output", "batch", "latentlab"})
    {
        CAPTURE(name);
        CHECK(Contains(bytes, name));
    }
    CHECK(!Contains(bytes, "num_batches_tracked")); // a PyTorch state-dict entry, not an ONNX input
    // opset_import {domain "", version 13}: field 8, 4 bytes: 0a 00 10 0d.
    CHECK(Contains(bytes, std::string("\x42\x04\x0a\x00\x10\x0d", 6)));
    const std::int64_t weights = g.ParameterCount();
    CHECK(bytes.size() > static_cast<std::size_t>(weights) * 4); // every float written raw
    // The safetensors file of the same network names its tensors by the same indices.
    const io::SafetensorsFile st = io::ToSafetensors(g);
    REQUIRE(st.Find("5.num_batches_tracked") != nullptr);
    CHECK(st.Find("5.num_batches_tracked")->dtype == io::SafeDtype::I64);
    CHECK(st.Find("4.weight")->shape == std::vector<std::int64_t>{16, 8, 3, 3}); // ConvTranspose2d (Cin, Cout, k, k)
    CHECK(st.Find("7.weight")->shape == std::vector<std::int64_t>{3, 8, 3, 3});  // Conv2d (Cout, Cin, k, k)
}

TEST_CASE("ONNX: a layer kind without an ONNX node, and a network without layers, are refused by name")
{
    io::ExportedNetwork net;
    net.part = "generator";
    net.input = net.output = {4};
    CHECK(ErrorOf([&] { io::EncodeOnnx(net); }) == "generator: has no layers to export");
    io::ExportLayer odd;
    odd.kind = "PixelShuffle";
    odd.in = odd.out = {4};
    net.layers.push_back(odd);
    CHECK(ErrorOf([&] { io::EncodeOnnx(net); }) == "generator layer 0 (PixelShuffle) has no ONNX node in the exporter");
}

TEST_CASE("Export: a reshape between two image shapes is refused by name, and nothing is written")
{
    models::ExperimentConfig config = io::test::ExportConfig("gan-conv-colour");
    using nn::LayerKind;
    config.gan.generator.layers = {
        nn::MakeLayerSpec(LayerKind::Linear, {{"out", 64}}),
        nn::MakeLayerSpec(LayerKind::Reshape, {{"c", 16}, {"h", 2}, {"w", 2}}),
        nn::MakeLayerSpec(LayerKind::Reshape, {{"c", 4}, {"h", 4}, {"w", 4}}),
        nn::MakeLayerSpec(LayerKind::ConvTranspose, {{"out", 3}, {"kernel", 4}, {"stride", 2}, {"pad", 1}}),
    };
    TempDir dir("onnx_refuse");
    const auto ckpt_path = dir.Path() / "m.ckpt";
    io::SaveCheckpointFile(ckpt_path, io::test::PerturbedCheckpoint(config, 3));
    for (const io::ExportFormat format : {io::ExportFormat::Safetensors, io::ExportFormat::Onnx})
    {
        const auto out = dir.Path() / ("g." + util::NameOf(format));
        CHECK(ErrorOf([&] { io::ExportModelFile(ckpt_path, format, io::ExportPart::Generator, out); }) ==
              "checkpoint '" + ckpt_path.string() +
                  "': generator layer 2 (reshape) reshapes 16x2x2 into 4x4x4: between two image shapes the "
                  "channels-last relabelling is a permutation in PyTorch's NCHW, which the exporter does not write");
        CHECK(!std::filesystem::exists(out));
    }
    // The discriminator of the same checkpoint exports.
    const auto d = dir.Path() / "d.onnx";
    const io::ExportedNetwork written = io::ExportModelFile(ckpt_path, io::ExportFormat::Onnx,
                                                            io::ExportPart::Discriminator, d);
    CHECK(std::filesystem::file_size(d) == io::EncodeOnnx(written).size());
    CHECK(written.input == std::vector<std::int64_t>{3, 8, 8});
}

TEST_CASE("Export: a PacGAN checkpoint rebuilds with its data size, and its D reads the packed examples")
{
    models::ExperimentConfig config = io::test::ExportConfig("gan-toy-hinge");
    config.gan.pack = 3;
    io::CheckpointModel ckpt = io::ModelFromCheckpoint(io::test::PerturbedCheckpoint(config, 3), "pac.ckpt");
    CHECK(ckpt.data_dim == 2);
    CHECK(io::ExportNetwork(ckpt, io::ExportPart::Generator).output == std::vector<std::int64_t>{2});
    CHECK(io::ExportNetwork(ckpt, io::ExportPart::Discriminator).input == std::vector<std::int64_t>{6});
}
