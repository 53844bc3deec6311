// The network description: the layer-kind table against the layers it builds, shape inference and parameter counts
// of the dcgan and conv-vae networks (hand-computed), the memory estimate, the validation messages, the
// Auto init rule, and MakeMlp (the `hidden` short form) building exactly the layers it always built.
#include "core/nn/batch_norm.h"
#include "core/nn/conv.h"
#include "core/nn/network_spec.h"
#include "core/nn/shape_layers.h"
#include "nn_test_util.h"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace ll;
using namespace ll::nn;
using namespace ll::nn::test;

namespace
{

LayerSpec L(LayerKind kind, std::initializer_list<std::pair<const char*, double>> args = {})
{
    return MakeLayerSpec(kind, args);
}

LayerSpec ConvSpec(double out, double kernel, double stride, double pad)
{
    return L(LayerKind::Conv, {{"out", out}, {"kernel", kernel}, {"stride", stride}, {"pad", pad}});
}

LayerSpec ConvTSpec(double out, double kernel, double stride, double pad)
{
    return L(LayerKind::ConvTranspose, {{"out", out}, {"kernel", kernel}, {"stride", stride}, {"pad", pad}});
}

LayerSpec Dense(double out)
{
    return L(LayerKind::Linear, {{"out", out}});
}

// The issue's `dcgan` and `conv-vae` networks.
std::vector<LayerSpec> DcganG()
{
    return {Dense(1024),
            L(LayerKind::BatchNorm),
            L(LayerKind::ReLU),
            Dense(128 * 7 * 7),
            L(LayerKind::BatchNorm),
            L(LayerKind::ReLU),
            L(LayerKind::Reshape, {{"c", 128}, {"h", 7}, {"w", 7}}),
            ConvTSpec(64, 4, 2, 1),
            L(LayerKind::BatchNorm),
            L(LayerKind::ReLU),
            ConvTSpec(1, 4, 2, 1),
            L(LayerKind::Sigmoid)};
}

std::vector<LayerSpec> DcganD()
{
    return {ConvSpec(64, 4, 2, 1),
            L(LayerKind::LeakyReLU),
            ConvSpec(128, 4, 2, 1),
            L(LayerKind::BatchNorm),
            L(LayerKind::LeakyReLU),
            Dense(1024),
            L(LayerKind::BatchNorm),
            L(LayerKind::LeakyReLU),
            Dense(1)};
}

std::vector<LayerSpec> ConvVaeEncoder()
{
    return {ConvSpec(32, 4, 2, 1), L(LayerKind::ReLU), ConvSpec(64, 4, 2, 1), L(LayerKind::ReLU),
            Dense(256),       L(LayerKind::ReLU), Dense(40)};
}

std::vector<LayerSpec> ConvVaeDecoder()
{
    return {Dense(256),
            L(LayerKind::ReLU),
            Dense(3136),
            L(LayerKind::ReLU),
            L(LayerKind::Reshape, {{"c", 64}, {"h", 7}, {"w", 7}}),
            ConvTSpec(32, 4, 2, 1),
            L(LayerKind::ReLU),
            ConvTSpec(1, 4, 2, 1)};
}

const Shape kImage{1, 28, 28};

void CheckSummary(const NetworkSummary& s, const std::vector<Shape>& outputs, const std::vector<Index>& params,
                  Index total)
{
    REQUIRE(s.layers.size() == outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i)
    {
        CAPTURE(i);
        CAPTURE(s.layers[i].description);
        CHECK(s.layers[i].index == i);
        CHECK(s.layers[i].output == outputs[i]);
        CHECK(s.layers[i].params == params[i]);
        CHECK(s.layers[i].input == (i == 0 ? s.input : outputs[i - 1]));
    }
    CHECK(s.params == total);
    CHECK(s.output == outputs.back());
}

std::string ErrorOf(const std::function<void()>& f)
{
    try
    {
        f();
    }
    catch (const std::invalid_argument& e)
    {
        return e.what();
    }
    return "(no error)";
}

// The chain MakeMlp built before it went through the layer list, written out by hand.
Sequential<double> HandMlp(const MlpSpec& spec, Rng& rng)
{
    const bool relu_family = spec.hidden == ActivationKind::ReLU || spec.hidden == ActivationKind::LeakyReLU;
    Sequential<double> net;
    net.SetInputSize(spec.sizes.front());
    for (std::size_t i = 0; i + 1 < spec.sizes.size(); ++i)
    {
        const bool last = i + 2 == spec.sizes.size();
        InitKind init = (!last && relu_family) ? InitKind::He : InitKind::Xavier;
        if (spec.init == MlpInit::He)
            init = InitKind::He;
        if (spec.init == MlpInit::Xavier)
            init = InitKind::Xavier;
        if (spec.init == MlpInit::Torch)
            init = InitKind::Torch;
        auto linear = std::make_unique<Linear<double>>(spec.sizes[i], spec.sizes[i + 1], spec.bias, init, rng);
        if (spec.spectral_norm)
        {
            linear->EnableSpectralNorm(rng);
        }
        net.Add(std::move(linear));
        const ActivationKind act = last ? spec.output : spec.hidden;
        if (act != ActivationKind::Identity)
        {
            net.Add(std::make_unique<Activation<double>>(act, spec.leaky_slope));
        }
    }
    return net;
}

void CheckSameNetwork(Sequential<double>& a, Sequential<double>& b)
{
    REQUIRE(a.Size() == b.Size());
    for (std::size_t i = 0; i < a.Size(); ++i)
    {
        CHECK(a.At(i).Kind() == b.At(i).Kind());
    }
    const auto pa = a.Params("G.");
    const auto pb = b.Params("G.");
    REQUIRE(pa.size() == pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i)
    {
        CAPTURE(pa[i].name);
        CHECK(pa[i].name == pb[i].name);
        CHECK(*pa[i].value == *pb[i].value);
    }
    const auto sa = a.State("G.");
    const auto sb = b.State("G.");
    REQUIRE(sa.size() == sb.size());
    for (std::size_t i = 0; i < sa.size(); ++i)
    {
        CHECK(sa[i].name == sb[i].name);
        CHECK(*sa[i].value == *sb[i].value);
    }
}

} // namespace

TEST_CASE("Layer kinds: the table's names parse, and every row builds a layer of its name, shape and parameter count")
{
    CHECK(LayerKinds().size() == 12);
    for (std::size_t i = 0; i < LayerKinds().size(); ++i)
    {
        const LayerKindInfo& info = LayerKinds()[i];
        CAPTURE(info.name);
        CHECK(static_cast<std::size_t>(info.kind) == i); // rows in enum order
        CHECK(ParseLayerKind(info.name) == info.kind);
        CHECK(std::string(LayerKindName(info.kind)) == info.name);
        // A spec with every required argument given, on an image input every kind accepts.
        LayerSpec spec;
        spec.kind = info.kind;
        for (const LayerArg& arg : info.args)
        {
            spec.args.push_back(arg.required ? 2.0 : arg.default_value);
        }
        Shape input{3, 6, 5};
        if (info.kind == LayerKind::Reshape)
        {
            spec.args = {2, 3, 15};
        }
        if (info.kind == LayerKind::Conv || info.kind == LayerKind::ConvTranspose)
        {
            spec.Set("kernel", 3);
            spec.Set("stride", 2);
            spec.Set("pad", 1);
        }
        const NetworkSummary summary = SummarizeNetwork("N", {spec}, input);
        Rng rng(1);
        Sequential<float> f = BuildNetwork<float>("N", {spec}, input, NetworkOptions{}, rng);
        Sequential<double> d = BuildNetwork<double>("N", {spec}, input, NetworkOptions{}, rng);
        REQUIRE(f.Size() == 1);
        CHECK(f.At(0).Kind() == info.name);
        CHECK(d.At(0).Kind() == info.name);
        CHECK(f.InputShape() == input);
        CHECK(f.OutputShape() == summary.output);
        CHECK(d.OutputShape() == summary.output);
        CHECK(static_cast<Index>(f.ParamCount()) == summary.params);
        // The layer really maps a batch of the input size to the inferred output size.
        const MatrixF x = MatrixF::Random(input.Size(), 2);
        CHECK(f.Forward(x).rows() == summary.output.Size());
    }
    CHECK_THROWS_AS(ParseLayerKind("dense"), std::invalid_argument);
    CHECK(ErrorOf([] { ParseLayerKind("dense"); }).find("conv_transpose") != std::string::npos);
}

TEST_CASE("Network spec: the dcgan generator's shapes and parameter counts")
{
    const NetworkSummary s = SummarizeNetwork("G", DcganG(), Shape::Flat(64));
    // Linear 64*1024 + 1024; BN 2*1024; Linear 1024*6272 + 6272; BN 2*6272; ConvT 128*16*64 + 64; BN 2*64;
    // ConvT 64*16*1 + 1.
    CheckSummary(s,
                 {Shape::Flat(1024), Shape::Flat(1024), Shape::Flat(1024), Shape::Flat(6272), Shape::Flat(6272),
                  Shape::Flat(6272), Shape{128, 7, 7}, Shape{64, 14, 14}, Shape{64, 14, 14}, Shape{64, 14, 14},
                  Shape{1, 28, 28}, Shape{1, 28, 28}},
                 {66560, 2048, 0, 6428800, 12544, 0, 0, 131136, 128, 0, 1025, 0}, 6642241);
    Rng rng(1);
    Sequential<float> g = BuildNetwork<float>("G", DcganG(), Shape::Flat(64), NetworkOptions{}, rng);
    CHECK(g.ParamCount() == 6642241);
    CHECK(g.OutputShape() == kImage);
    CHECK_NOTHROW(CheckOutputShape(s, kImage, "the data"));
    CHECK(g.Params("G.")[2].name == "G.1.weight"); // BatchNorm's gamma
    CHECK(g.State("G.").size() == 6);              // three BatchNorms, two running statistics each
}

TEST_CASE("Network spec: the dcgan discriminator's shapes and parameter counts")
{
    const NetworkSummary s = SummarizeNetwork("D", DcganD(), kImage);
    // Conv 64*16*1 + 64; Conv 128*16*64 + 128; BN 2*128; Linear 6272*1024 + 1024; BN 2*1024; Linear 1024 + 1.
    CheckSummary(s,
                 {Shape{64, 14, 14}, Shape{64, 14, 14}, Shape{128, 7, 7}, Shape{128, 7, 7}, Shape{128, 7, 7},
                  Shape::Flat(1024), Shape::Flat(1024), Shape::Flat(1024), Shape::Flat(1)},
                 {1088, 0, 131200, 256, 0, 6423552, 2048, 0, 1025}, 6559169);
    CHECK_NOTHROW(CheckOutputShape(s, Shape::Flat(1), "a score"));
}

TEST_CASE("Network spec: the conv-vae encoder's and decoder's shapes and parameter counts")
{
    const NetworkSummary enc = SummarizeNetwork("encoder", ConvVaeEncoder(), kImage);
    // Conv 32*16 + 32; Conv 64*16*32 + 64; Linear 3136*256 + 256; Linear 256*40 + 40.
    CheckSummary(enc,
                 {Shape{32, 14, 14}, Shape{32, 14, 14}, Shape{64, 7, 7}, Shape{64, 7, 7}, Shape::Flat(256),
                  Shape::Flat(256), Shape::Flat(40)},
                 {544, 0, 32832, 0, 803072, 0, 10280}, 846728);
    const NetworkSummary dec = SummarizeNetwork("decoder", ConvVaeDecoder(), Shape::Flat(20));
    // Linear 20*256 + 256; Linear 256*3136 + 3136; ConvT 64*16*32 + 32; ConvT 32*16*1 + 1.
    CheckSummary(dec,
                 {Shape::Flat(256), Shape::Flat(256), Shape::Flat(3136), Shape::Flat(3136), Shape{64, 7, 7},
                  Shape{32, 14, 14}, Shape{32, 14, 14}, Shape{1, 28, 28}},
                 {5376, 0, 805952, 0, 0, 32800, 0, 513}, 844641);
    const std::string text = FormatSummary(dec, 128);
    CHECK(text.find("decoder: input 20") != std::string::npos);
    CHECK(text.find("conv_transpose, out 32, kernel 4, stride 2, pad 1") != std::string::npos);
    CHECK(text.find("32x14x14") != std::string::npos);
    CHECK(text.find("805,952") != std::string::npos);
    CHECK(text.find("total 844,641 parameters") != std::string::npos);
}

TEST_CASE("Network spec: the memory estimate counts parameters four times and every layer buffer per example")
{
    // conv 1x4x4 -> 2x4x4 (kernel 3, pad 1): output 32 + input gradient 16 + patches 9 * 16 = 192 floats; relu
    // 32 + 32; flatten nothing; linear 3 + 32. Parameters 2*9 + 2 and 32*3 + 3.
    const std::vector<LayerSpec> layers{ConvSpec(2, 3, 1, 1), L(LayerKind::ReLU), L(LayerKind::Flatten), Dense(3)};
    const NetworkSummary s = SummarizeNetwork("N", layers, Shape{1, 4, 4});
    CHECK(s.params == 119);
    CHECK(s.layers[0].buffer_floats == 192);
    CHECK(s.layers[2].buffer_floats == 0);
    CHECK(s.ParameterBytes() == 119 * 16);
    CHECK(s.ActivationBytes(10) == (192 + 64 + 0 + 35) * 10 * 4);
    CHECK(s.TrainingBytes(10) == s.ParameterBytes() + s.ActivationBytes(10));
    // A pointwise conv keeps no patch matrix.
    CHECK(SummarizeNetwork("N", {ConvSpec(2, 1, 1, 0)}, Shape{3, 4, 4}).layers[0].buffer_floats == 32 + 48);
}

TEST_CASE("Network spec: a mismatch names the network, the layer, its description, its input and what it needs")
{
    // Layer 2 leaves 64x3x3 (kernel 4, stride 4 on 14x14), which layer 3's kernel 4 cannot cover without padding.
    const std::vector<LayerSpec> d{ConvSpec(64, 4, 2, 1), L(LayerKind::LeakyReLU), ConvSpec(64, 4, 4, 0), ConvSpec(8, 4, 2, 0)};
    CHECK(ErrorOf([&] { SummarizeNetwork("D", d, kImage); }) ==
          "D layer 3 (conv, out 8, kernel 4, stride 2): input 64x3x3 is smaller than the kernel (4 with pad 0)");
    Rng rng(1);
    CHECK(ErrorOf([&] { BuildNetwork<float>("D", d, kImage, NetworkOptions{}, rng); }) ==
          "D layer 3 (conv, out 8, kernel 4, stride 2): input 64x3x3 is smaller than the kernel (4 with pad 0)");
    const std::vector<LayerSpec> g{Dense(6272), L(LayerKind::Reshape, {{"c", 128}, {"h", 7}, {"w", 8}})};
    CHECK(ErrorOf([&] { SummarizeNetwork("G", g, Shape::Flat(64)); }) ==
          "G layer 1 (reshape, c 128, h 7, w 8): input 6272 has 6272 values; reshape to 128x7x8 needs 7168");
    const std::vector<LayerSpec> flat{Dense(1024), ConvTSpec(64, 4, 2, 1)};
    CHECK_NOTHROW(SummarizeNetwork("G", flat, Shape::Flat(64))); // a transposed conv may grow a 1x1 input
    const std::vector<LayerSpec> conv_on_flat{Dense(1024), ConvSpec(64, 4, 2, 1)};
    CHECK(ErrorOf([&] { SummarizeNetwork("E", conv_on_flat, Shape::Flat(64)); }) ==
          "E layer 1 (conv, out 64, kernel 4, stride 2, pad 1): input 1024 is flat: a conv needs channels x height x "
          "width (reshape it first)");
    LayerSpec bad_pad = ConvTSpec(8, 3, 2, 1);
    bad_pad.Set("output_pad", 2);
    CHECK(ErrorOf([&] { SummarizeNetwork("G", {bad_pad}, Shape{4, 3, 3}); }) ==
          "G layer 0 (conv_transpose, out 8, kernel 3, stride 2, pad 1, output_pad 2): input 4x3x3 needs an output "
          "padding smaller than the stride (2 >= 2)");
    const NetworkSummary wrong = SummarizeNetwork("G", {Dense(1024), L(LayerKind::Reshape, {{"c", 64}, {"h", 4},
                                                                                          {"w", 4}})},
                                                  Shape::Flat(8));
    CHECK(ErrorOf([&] { CheckOutputShape(wrong, kImage, "the data"); }) ==
          "G: output 64x4x4 (1024 values) does not match the data 1x28x28 (784 values)");
    CHECK(ErrorOf([&] { SummarizeNetwork("G", {}, Shape::Flat(8)); }) == "G: the network has no layers");
    NetworkOptions sn;
    sn.spectral_norm = true;
    CHECK(ErrorOf([&] { BuildNetwork<float>("G", DcganG(), Shape::Flat(64), sn, rng); }) ==
          "G layer 7 (conv_transpose, out 64, kernel 4, stride 2, pad 1): spectral normalisation is implemented for "
          "linear and conv layers only");
    Sequential<float> d_sn = BuildNetwork<float>("D", DcganD(), kImage, sn, rng);
    const auto state = d_sn.State("D.");
    REQUIRE(state.size() == 4 * 2 + 2 * 2); // sn_u, sn_v of 2 convs and 2 linears; running stats of 2 BatchNorms
    CHECK(state[0].name == "D.0.sn_u");
    CHECK(state[0].value->rows() == 64);
    CHECK(state[1].name == "D.0.sn_v");
    CHECK(state[1].value->rows() == 16);
}

TEST_CASE("Layer specs: arguments are checked by name and range, and described as written")
{
    CHECK(ErrorOf([] { MakeLayerSpec(LayerKind::Conv, {{"out", 8}, {"kernel", 0}}); }) ==
          "conv.kernel must be an integer in [1, 15], got 0");
    CHECK(ErrorOf([] { MakeLayerSpec(LayerKind::Conv, {{"out", 8}, {"kernel", 2.5}}); }) ==
          "conv.kernel must be an integer in [1, 15], got 2.5");
    CHECK(ErrorOf([] { MakeLayerSpec(LayerKind::Linear); }) ==
          "linear.out must be an integer in [1, 16777216], got nothing (it is required)");
    CHECK(ErrorOf([] { MakeLayerSpec(LayerKind::Conv, {{"out", 8}, {"padding", 1}}); }) ==
          "conv has no argument 'padding' (it has out, kernel, stride, pad, bias)");
    CHECK(ErrorOf([] { MakeLayerSpec(LayerKind::LeakyReLU, {{"slope", 2}}); }) ==
          "leaky_relu.slope must be in [0, 1], got 2");
    CHECK(ErrorOf([] { MakeLayerSpec(LayerKind::Linear, {{"out", 4}, {"bias", 0.5}}); }) ==
          "linear.bias must be 0 or 1, got 0.5");
    // What a JSON reader does: defaults, then the given values by name, then the check.
    LayerSpec read = DefaultLayerSpec(LayerKind::Conv);
    CHECK_THROWS_AS(CheckLayerArgs(read), std::invalid_argument); // out and kernel are required
    read.Set("out", 16);
    read.Set("kernel", 5);
    CHECK_NOTHROW(CheckLayerArgs(read));
    CHECK(DescribeLayer(read) == "conv, out 16, kernel 5");
    LayerSpec spec = MakeLayerSpec(LayerKind::Linear, {{"out", 4}});
    CHECK(spec.IntArg("out") == 4);
    CHECK(spec.BoolArg("bias"));
    CHECK_THROWS_AS(spec.Arg("kernel"), std::invalid_argument);
    LayerSpec broken = spec;
    broken.args.pop_back();
    CHECK(ErrorOf([&] { SummarizeNetwork("G", {broken}, Shape::Flat(3)); }) ==
          "G layer 0: linear: 1 argument values for 2 arguments (out, bias)");
    CHECK(DescribeLayer(ConvSpec(128, 4, 2, 1)) == "conv, out 128, kernel 4, stride 2, pad 1");
    CHECK(DescribeLayer(MakeLayerSpec(LayerKind::Linear, {{"out", 1}, {"bias", 0}})) == "linear, out 1, no bias");
    CHECK(DescribeLayer(MakeLayerSpec(LayerKind::LeakyReLU)) == "leaky_relu");
    CHECK(DescribeLayer(MakeLayerSpec(LayerKind::LeakyReLU, {{"slope", 0.1}})) == "leaky_relu, slope 0.1");
    CHECK(DescribeLayer(MakeLayerSpec(LayerKind::Reshape, {{"c", 128}, {"h", 7}, {"w", 7}})) ==
          "reshape, c 128, h 7, w 7");
}

TEST_CASE("Network spec: Auto init is He before ReLU-family activations (through BatchNorm), Xavier for the last layer")
{
    // The dcgan D built from the list draws the same weights as its layers made by hand in the same order.
    Rng rng(3);
    Sequential<double> built = BuildNetwork<double>("D", DcganD(), kImage, NetworkOptions{}, rng);
    Rng hand_rng(3);
    Conv2d<double> c0(kImage, 64, 4, 2, 1, true, InitKind::He, hand_rng);
    Conv2d<double> c2(Shape{64, 14, 14}, 128, 4, 2, 1, true, InitKind::He, hand_rng);
    Linear<double> l5(6272, 1024, true, InitKind::He, hand_rng);
    Linear<double> l8(1024, 1, true, InitKind::Xavier, hand_rng);
    CHECK(dynamic_cast<Conv2d<double>&>(built.At(0)).Weight() == c0.Weight());
    CHECK(dynamic_cast<Conv2d<double>&>(built.At(2)).Weight() == c2.Weight());
    CHECK(dynamic_cast<Linear<double>&>(built.At(5)).Weight() == l5.Weight());
    CHECK(dynamic_cast<Linear<double>&>(built.At(8)).Weight() == l8.Weight());
    // Torch everywhere: weights and biases within 1/sqrt(fan_in).
    NetworkOptions torch;
    torch.init = MlpInit::Torch;
    Sequential<double> t = BuildNetwork<double>("D", DcganD(), kImage, torch, rng);
    CHECK(dynamic_cast<Conv2d<double>&>(t.At(2)).Bias().cwiseAbs().maxCoeff() <= 1.0 / std::sqrt(1024.0));
    CHECK(dynamic_cast<Conv2d<double>&>(t.At(2)).Bias().cwiseAbs().maxCoeff() > 0.0);
}

TEST_CASE("MakeMlp: the hidden short form builds exactly the layers, names and weights it always built")
{
    for (MlpInit init : {MlpInit::Auto, MlpInit::He, MlpInit::Xavier, MlpInit::Torch})
    {
        for (ActivationKind hidden : {ActivationKind::ReLU, ActivationKind::LeakyReLU, ActivationKind::Tanh})
        {
            for (ActivationKind output : {ActivationKind::Identity, ActivationKind::Sigmoid})
            {
                for (bool sn : {false, true})
                {
                    for (bool bias : {true, false})
                    {
                        CAPTURE(MlpInitName(init));
                        CAPTURE(ActivationName(hidden));
                        CAPTURE(ActivationName(output));
                        CAPTURE(sn);
                        CAPTURE(bias);
                        MlpSpec spec;
                        spec.sizes = {6, 9, 7, 3};
                        spec.init = init;
                        spec.hidden = hidden;
                        spec.output = output;
                        spec.spectral_norm = sn;
                        spec.bias = bias;
                        spec.leaky_slope = 0.1;
                        Rng a(11), b(11);
                        Sequential<double> made = MakeMlp<double>(spec, a);
                        Sequential<double> hand = HandMlp(spec, b);
                        CheckSameNetwork(made, hand);
                        CHECK(a.Next() == b.Next()); // the same number of draws
                        CHECK(made.InputShape() == Shape::Flat(6));
                        const std::vector<LayerSpec> layers = MlpLayers(spec);
                        CHECK(layers.size() == made.Size());
                    }
                }
            }
        }
    }
}
