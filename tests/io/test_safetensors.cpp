// safetensors: the writer's layout, round trips, the bounded reader's refusals (each names the file and the
// reason), atomic saves; and the model exporter: the exported tensors evaluated as the nn.Sequential their metadata
// describes (row-major (out, in) weights, in double here) reproduce the lab's decoder, generator, encoder and
// discriminator outputs.
#include "../data/data_test_util.h"
#include "export_test_util.h"

#include "core/io/model_export.h"
#include "core/io/safetensors.h"
#include "core/train/experiment.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>

using namespace ll;
using data::test::ErrorOf;
using data::test::TempDir;

namespace
{

io::SafetensorsFile Sample()
{
    io::SafetensorsFile f;
    f.metadata = {{"format", "pt"}, {"note", "two tensors"}};
    const float w[6] = {1, 2, 3, 4, 5, 6};
    f.tensors.push_back(io::SafeTensor::FromFloats("0.weight", {2, 3}, w));
    io::SafeTensor ids;
    ids.name = "ids";
    ids.dtype = io::SafeDtype::I64;
    ids.shape = {2};
    const std::int64_t v[2] = {-7, 1LL << 40};
    ids.bytes.assign(reinterpret_cast<const char*>(v), sizeof v);
    f.tensors.push_back(ids);
    return f;
}

// The file around another header (the data section kept).
std::string WithHeader(const std::string& bytes, const std::string& header)
{
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    const std::uint64_t m = header.size();
    std::string out(8, '\0');
    std::memcpy(out.data(), &m, 8);
    return out + header + bytes.substr(8 + n);
}

std::string Refusal(const std::string& bytes)
{
    return ErrorOf([&] { io::DecodeSafetensors(bytes, "x.safetensors"); });
}

// Runs the layer list of an exported file on x (in, n) in double, as PyTorch's nn.Sequential would.
Eigen::MatrixXd RunSequential(const io::SafetensorsFile& file, const Eigen::MatrixXd& x)
{
    const auto layers = nlohmann::json::parse(*file.Meta("latentlab_layers"));
    Eigen::MatrixXd h = x;
    for (std::size_t i = 0; i < layers.size(); ++i)
    {
        const std::string kind = layers[i][0];
        const auto& kw = layers[i][1];
        if (kind == "Linear")
        {
            const io::SafeTensor* w = file.Find(std::to_string(i) + ".weight");
            REQUIRE(w != nullptr);
            REQUIRE(w->shape == std::vector<std::int64_t>{kw["out_features"].get<std::int64_t>(),
                                                          kw["in_features"].get<std::int64_t>()});
            const std::vector<float> wv = w->ToFloats();
            Eigen::MatrixXd wm(w->shape[0], w->shape[1]);
            for (Eigen::Index r = 0; r < wm.rows(); ++r)
            {
                for (Eigen::Index c = 0; c < wm.cols(); ++c)
                {
                    wm(r, c) = wv[static_cast<std::size_t>(r * wm.cols() + c)]; // row-major, as torch stores it
                }
            }
            Eigen::MatrixXd y = wm * h;
            if (kw["bias"].get<bool>())
            {
                const io::SafeTensor* b = file.Find(std::to_string(i) + ".bias");
                REQUIRE(b != nullptr);
                REQUIRE(b->shape == std::vector<std::int64_t>{wm.rows()});
                const std::vector<float> bv = b->ToFloats();
                for (Eigen::Index r = 0; r < y.rows(); ++r)
                {
                    y.row(r).array() += bv[static_cast<std::size_t>(r)];
                }
            }
            h = y;
        }
        else if (kind == "ReLU") h = h.array().max(0.0);
        else if (kind == "LeakyReLU")
        {
            const double s = kw["negative_slope"];
            h = h.unaryExpr([s](double v) { return v > 0 ? v : s * v; });
        }
        else if (kind == "Tanh") h = h.array().tanh();
        else if (kind == "Sigmoid") h = (1.0 + (-h.array()).exp()).inverse();
        else if (kind == "Softplus") h = h.unaryExpr([](double v) { return std::log1p(std::exp(v)); });
        else FAIL("unexpected layer kind " << kind);
    }
    return h;
}

} // namespace

TEST_CASE("safetensors: a file round-trips names, dtypes, shapes, values and metadata")
{
    const io::SafetensorsFile f = Sample();
    const io::SafetensorsFile g = io::DecodeSafetensors(io::EncodeSafetensors(f), "mem");
    REQUIRE(g.tensors.size() == 2);
    CHECK(g.metadata == f.metadata);
    for (std::size_t i = 0; i < 2; ++i)
    {
        CHECK(g.tensors[i].name == f.tensors[i].name);
        CHECK(g.tensors[i].dtype == f.tensors[i].dtype);
        CHECK(g.tensors[i].shape == f.tensors[i].shape);
        CHECK(g.tensors[i].bytes == f.tensors[i].bytes);
    }
    CHECK(g.Find("0.weight")->ToFloats() == std::vector<float>{1, 2, 3, 4, 5, 6});
    CHECK(ErrorOf([&] { g.Find("ids")->ToFloats(); }) == "tensor 'ids' is I64, expected F32");
}

TEST_CASE("safetensors: the layout is the format's, with the data 8-byte aligned after the header")
{
    const std::string bytes = io::EncodeSafetensors(Sample());
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    CHECK((8 + n) % 8 == 0);
    REQUIRE(bytes.size() == 8 + n + 24 + 16);
    const auto header = nlohmann::json::parse(bytes.substr(8, n));
    CHECK(header["__metadata__"]["format"] == "pt");
    CHECK(header["0.weight"]["dtype"] == "F32");
    CHECK(header["0.weight"]["shape"] == nlohmann::json::array({2, 3}));
    CHECK(header["0.weight"]["data_offsets"] == nlohmann::json::array({0, 24}));
    CHECK(header["ids"]["data_offsets"] == nlohmann::json::array({24, 40}));
    float first = 0;
    std::memcpy(&first, bytes.data() + 8 + n + 4, 4);
    CHECK(first == 2.0f); // row-major: (0, 1) follows (0, 0)
}

TEST_CASE("safetensors: the writer refuses duplicate and reserved names and bytes that do not match the shape")
{
    io::SafetensorsFile f = Sample();
    f.tensors[1].name = "0.weight";
    CHECK(ErrorOf([&] { io::EncodeSafetensors(f); }) == "safetensors: tensor '0.weight': the name appears twice");
    f = Sample();
    f.tensors[1].name = "__metadata__";
    CHECK(ErrorOf([&] { io::EncodeSafetensors(f); }).find("reserved") != std::string::npos);
    f = Sample();
    f.tensors[0].shape = {3, 3};
    CHECK(ErrorOf([&] { io::EncodeSafetensors(f); }) ==
          "safetensors: tensor '0.weight': shape [3, 3] F32 does not match its 24 bytes");
}

TEST_CASE("safetensors: the reader refuses truncated files and header lengths past the end or the cap")
{
    const std::string bytes = io::EncodeSafetensors(Sample());
    CHECK(Refusal(bytes.substr(0, 5)) ==
          "safetensors 'x.safetensors': file of 5 bytes is shorter than the 8-byte header length");
    CHECK(Refusal(bytes.substr(0, 40)).find("runs past the end of the file (40 bytes)") != std::string::npos);
    std::string huge = bytes;
    const std::uint64_t big = std::uint64_t{1} << 62;
    std::memcpy(huge.data(), &big, 8);
    CHECK(Refusal(huge).find("larger than the limit of 16 MiB") != std::string::npos);
    CHECK(Refusal(bytes.substr(0, bytes.size() - 1)).find("run past the data") != std::string::npos);
    CHECK(Refusal(bytes + "x").find("the tensors cover 40 of the 41 data bytes") != std::string::npos);
}

TEST_CASE("safetensors: the reader refuses bad headers by the tensor and the reason")
{
    const std::string b = io::EncodeSafetensors(Sample());
    const auto with = [&](const std::string& h) { return Refusal(WithHeader(b, h)); };
    const std::string ids = R"("ids":{"dtype":"I64","shape":[2],"data_offsets":[24,40]})";
    CHECK(with("[1,2]").find("the header is not a JSON object") != std::string::npos);
    CHECK(with("{\"a\":").find("invalid JSON") != std::string::npos);
    CHECK(with(R"({"w":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,24]},)" + ids + "}")
              .find("tensor 'w': dtype \"BF16\" is not supported") != std::string::npos);
    CHECK(with(R"({"w":{"dtype":"F32","shape":[2,4],"data_offsets":[0,24]},)" + ids + "}")
              .find("tensor 'w': shape [2, 4] F32 does not match its 24 bytes") != std::string::npos);
    CHECK(with(R"({"w":{"dtype":"F32","shape":[-2,-3],"data_offsets":[0,24]},)" + ids + "}")
              .find("not a non-negative integer") != std::string::npos);
    CHECK(with(R"({"w":{"dtype":"F32","shape":[6],"data_offsets":[24,0]},)" + ids + "}")
              .find("begin <= end") != std::string::npos);
    CHECK(with(R"({"w":{"dtype":"F32","shape":[6],"data_offsets":[0,24]},)"
               R"("ids":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}})")
              .find("tensor 'ids' starts at byte 16, inside the tensor before it") != std::string::npos);
    CHECK(with(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]},)" + ids + "}")
              .find("leaving a hole after byte 0") != std::string::npos);
    CHECK(with(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,24]},)" + ids +
               "}")
              .find("does not match") != std::string::npos);
    CHECK(with(R"({"__metadata__":{"a":1},"w":{"dtype":"F32","shape":[6],"data_offsets":[0,24]},)" + ids + "}")
              .find("__metadata__ 'a' is not a string") != std::string::npos);
    CHECK(with(std::string(100000, '[') + std::string(100000, ']')).find("JSON nested deeper than 8") != std::string::npos);
}

TEST_CASE("safetensors: a header listing more tensors than the cap is refused before they are read")
{
    std::string h = "{";
    for (int i = 0; i < 70000; ++i)
    {
        h += (i ? ",\"t" : "\"t") + std::to_string(i) + R"(":{"dtype":"F32","shape":[0],"data_offsets":[0,0]})";
    }
    h += "}";
    const std::string bytes = WithHeader(io::EncodeSafetensors({}), h);
    CHECK(Refusal(bytes).find("at most 65536 tensors") != std::string::npos);
}

TEST_CASE("safetensors: a save replaces the file whole, and a failed save leaves the old file and no temporary")
{
    TempDir dir("safetensors_save");
    const auto path = dir.Path() / "model.safetensors";
    io::SaveSafetensorsFile(path, Sample());
    const io::SafetensorsFile loaded = io::LoadSafetensorsFile(path);
    CHECK(loaded.tensors.size() == 2);
    io::SafetensorsFile bad = Sample();
    bad.tensors[0].shape = {7};
    CHECK(!ErrorOf([&] { io::SaveSafetensorsFile(path, bad); }).empty());
    CHECK(io::LoadSafetensorsFile(path).tensors.size() == 2);
    const auto missing = dir.Path() / "no-such-folder" / "m.safetensors";
    CHECK(ErrorOf([&] { io::SaveSafetensorsFile(missing, Sample()); }).find("cannot write") != std::string::npos);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.Path()))
    {
        ++entries;
    }
    CHECK(entries == 1);
    std::ofstream(dir.File("not.safetensors")) << "hello";
    CHECK(ErrorOf([&] { io::LoadSafetensorsFile(dir.File("not.safetensors")); })
              .find("safetensors '" + dir.File("not.safetensors") + "': file of 5 bytes") != std::string::npos);
}

TEST_CASE("Export: every part of each model kind, run as its nn.Sequential, reproduces the lab within 1e-5")
{
    for (const std::string name : {"gan-image", "gan-toy-hinge", "vae-image", "vae-toy-gaussian"})
    {
        CAPTURE(name);
        const models::ExperimentConfig config = io::test::ExportConfig(name);
        const io::CheckpointData state =
            io::DecodeCheckpoint(io::EncodeCheckpoint(io::test::PerturbedCheckpoint(config, 3)), "mem.ckpt");
        io::CheckpointModel ckpt = io::ModelFromCheckpoint(state, "mem.ckpt");
        REQUIRE(ckpt.data_dim == io::test::ExportDataDim(config));
        REQUIRE(ckpt.num_classes == io::test::ExportClasses(config));
        models::Model& model = *ckpt.model;
        const int n = 7, classes = ckpt.num_classes;
        Rng rng(9);
        nn::MatrixF labels = nn::MatrixF::Zero(std::max(classes, 1), n);
        for (int j = 0; j < n; ++j)
        {
            labels(j % std::max(classes, 1), j) = 1.0f;
        }
        const nn::MatrixF* y = classes > 0 ? &labels : nullptr;
        const auto with_labels = [&](const nn::MatrixF& a) {
            Eigen::MatrixXd in(a.rows() + classes, n);
            in.topRows(a.rows()) = a.cast<double>();
            if (classes > 0)
            {
                in.bottomRows(classes) = labels.cast<double>();
            }
            return in;
        };
        const bool gan = config.family == models::Family::Gan;
        for (const io::ExportPart part : gan ? std::vector{io::ExportPart::Generator, io::ExportPart::Discriminator}
                                             : std::vector{io::ExportPart::Decoder, io::ExportPart::Encoder})
        {
            CAPTURE(util::NameOf(part));
            const io::SafetensorsFile file =
                io::DecodeSafetensors(io::EncodeSafetensors(io::ExportSafetensors(ckpt, part)), "mem");
            CHECK(*file.Meta("latentlab_part") == util::NameOf(part));
            CHECK(*file.Meta("latentlab_preset") == name);
            CHECK(*file.Meta("latentlab_step") == "123");
            nn::MatrixF input, lab;
            if (part == io::ExportPart::Generator || part == io::ExportPart::Decoder)
            {
                model.SampleLatent(rng, n, input);
                model.Decode(input, y, lab);
            }
            else
            {
                input = nn::MatrixF::Random(ckpt.data_dim, n).array().abs();
                if (part == io::ExportPart::Discriminator)
                {
                    model.Score(input, y, lab);
                }
                else
                {
                    nn::MatrixF mu, logvar;
                    model.Encode(input, y, mu, logvar);
                    lab.resize(mu.rows() * 2, n);
                    lab << mu, logvar;
                }
            }
            CHECK(std::stoll(*file.Meta("latentlab_input_size")) == input.rows() + classes);
            CHECK(std::stoll(*file.Meta("latentlab_output_size")) == lab.rows());
            const Eigen::MatrixXd torch_like = RunSequential(file, with_labels(input));
            REQUIRE(torch_like.rows() == lab.rows());
            const double diff = (torch_like - lab.cast<double>()).cwiseAbs().maxCoeff();
            CHECK(diff < 1e-5);
            CHECK(lab.cwiseAbs().maxCoeff() > 1e-3); // not a trivially zero output
        }
    }
}

TEST_CASE("Export: a part the family does not have, and a checkpoint missing a tensor, are refused by name")
{
    const models::ExperimentConfig config = io::test::ExportConfig("gan-toy-hinge");
    io::CheckpointData state = io::test::PerturbedCheckpoint(config, 3);
    io::CheckpointModel ckpt = io::ModelFromCheckpoint(state, "g.ckpt");
    CHECK(ErrorOf([&] { io::ExportSafetensors(ckpt, io::ExportPart::Decoder); }) ==
          "cannot export the decoder of a gan: its parts are generator and discriminator");
    std::erase_if(state.tensors, [](const io::CheckpointTensor& t) { return t.name == "param/G.2.bias"; });
    CHECK(ErrorOf([&] { io::ModelFromCheckpoint(state, "g.ckpt"); }) ==
          "checkpoint 'g.ckpt': tensor 'param/G.2.bias' is missing, the model expects 16 x 1 f32");
    std::erase_if(state.tensors, [](const io::CheckpointTensor& t) { return t.name == "param/D.0.weight"; });
    CHECK(ErrorOf([&] { io::ModelFromCheckpoint(state, "g.ckpt"); }).find("tensor 'param/D.0.weight' is missing") !=
          std::string::npos);
}

TEST_CASE("Export: the file is written atomically and a failed export names the checkpoint")
{
    TempDir dir("export_file");
    const auto ckpt_path = dir.Path() / "m.ckpt";
    io::SaveCheckpointFile(ckpt_path, io::test::PerturbedCheckpoint(io::test::ExportConfig("vae-image"), 4));
    const auto out = dir.Path() / "decoder.safetensors";
    const io::ExportedNetwork written = io::ExportModelFile(ckpt_path, io::ExportFormat::Safetensors,
                                                            io::ExportPart::Decoder, out);
    const io::SafetensorsFile read = io::LoadSafetensorsFile(out);
    REQUIRE(read.tensors.size() == io::ToSafetensors(written).tensors.size());
    CHECK(read.tensors[0].name == "0.weight");
    CHECK(read.tensors[0].shape == std::vector<std::int64_t>{24, 4 + 10});
    CHECK(ErrorOf([&] {
              io::ExportModelFile(ckpt_path, io::ExportFormat::Safetensors, io::ExportPart::Generator,
                                  dir.Path() / "g.safetensors");
          }) == "checkpoint '" + ckpt_path.string() +
                    "': cannot export the generator of a vae: its parts are decoder and encoder");
    CHECK(ErrorOf([&] {
              io::ExportModelFile(ckpt_path, io::ExportFormat::Onnx, io::ExportPart::Generator,
                                  dir.Path() / "g.onnx");
          }).find("cannot export the generator of a vae") != std::string::npos);
    CHECK(!std::filesystem::exists(dir.Path() / "g.safetensors"));
    CHECK(!std::filesystem::exists(dir.Path() / "g.onnx"));
}

TEST_CASE("Export: an experiment's own checkpoint rebuilds the model it saved, output for output")
{
    for (const std::string name : {"gan-toy-hinge", "vae-toy-gaussian"})
    {
        CAPTURE(name);
        const models::ExperimentConfig config = io::test::ExportConfig(name);
        train::Experiment exp(config, train::LoadExperimentData(config, ""));
        const io::CheckpointData state = io::DecodeCheckpoint(io::EncodeCheckpoint(exp.SaveState()), "e.ckpt");
        io::CheckpointModel ckpt = io::ModelFromCheckpoint(state, "e.ckpt");
        Rng rng(3);
        nn::MatrixF z, ours, theirs;
        ckpt.model->SampleLatent(rng, 5, z);
        ckpt.model->Decode(z, nullptr, ours);
        exp.Live().Decode(z, nullptr, theirs);
        CHECK(ours == theirs);
    }
}
