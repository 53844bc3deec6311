// ONNX ModelProto from the exported Sequential. Field numbers are onnx.proto's (ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto), noted at each use.
#include "core/io/onnx_export.h"

#include "core/io/image_io.h"
#include "core/io/protobuf_writer.h"

#include <cstring>
#include <stdexcept>

namespace ll::io
{

namespace
{

constexpr int kFloat = 1; // TensorProto.DataType FLOAT
constexpr int kInt64 = 7; // TensorProto.DataType INT64

// AttributeProto.AttributeType
constexpr int kAttrFloat = 1;
constexpr int kAttrInt = 2;
constexpr int kAttrString = 3;
constexpr int kAttrInts = 7;

ProtoWriter TensorProto(const std::string& name, const std::vector<std::int64_t>& dims, int type,
                        std::string_view raw)
{
    ProtoWriter t;
    for (const std::int64_t d : dims)
    {
        t.Int(1, d); // dims
    }
    t.Int(2, type);     // data_type
    t.Bytes(8, name);   // name
    t.Bytes(9, raw);    // raw_data: little-endian
    return t;
}

ProtoWriter ValueInfo(const std::string& name, const std::vector<std::int64_t>& example)
{
    ProtoWriter shape; // TensorShapeProto
    ProtoWriter batch;
    batch.Bytes(2, "batch"); // Dimension.dim_param
    shape.Message(1, batch);
    for (const std::int64_t d : example)
    {
        ProtoWriter dim;
        dim.Int(1, d); // Dimension.dim_value
        shape.Message(1, dim);
    }
    ProtoWriter tensor; // TypeProto.Tensor
    tensor.Int(1, kFloat); // elem_type
    tensor.Message(2, shape);
    ProtoWriter type; // TypeProto
    type.Message(1, tensor); // tensor_type
    ProtoWriter info; // ValueInfoProto
    info.Bytes(1, name);
    info.Message(2, type);
    return info;
}

class Node
{
public:
    Node(std::string op, std::string name) : m_op(std::move(op)), m_name(std::move(name)) {}
    Node& In(const std::string& input) { m_inputs.push_back(input); return *this; }
    Node& Out(const std::string& output) { m_outputs.push_back(output); return *this; }
    Node& Attr(const std::string& name, std::int64_t value)
    {
        ProtoWriter a;
        a.Bytes(1, name);
        a.Int(3, value); // i
        a.Int(20, kAttrInt);
        m_attrs.push_back(std::move(a));
        return *this;
    }
    Node& Attr(const std::string& name, float value)
    {
        ProtoWriter a;
        a.Bytes(1, name);
        a.Float(2, value); // f
        a.Int(20, kAttrFloat);
        m_attrs.push_back(std::move(a));
        return *this;
    }
    Node& Attr(const std::string& name, const std::string& value)
    {
        ProtoWriter a;
        a.Bytes(1, name);
        a.Bytes(4, value); // s
        a.Int(20, kAttrString);
        m_attrs.push_back(std::move(a));
        return *this;
    }
    Node& Attr(const std::string& name, const std::vector<std::int64_t>& values)
    {
        ProtoWriter a;
        a.Bytes(1, name);
        for (const std::int64_t v : values)
        {
            a.Int(8, v); // ints
        }
        a.Int(20, kAttrInts);
        m_attrs.push_back(std::move(a));
        return *this;
    }
    ProtoWriter Proto() const
    {
        ProtoWriter n; // NodeProto
        for (const std::string& i : m_inputs)
        {
            n.Bytes(1, i);
        }
        for (const std::string& o : m_outputs)
        {
            n.Bytes(2, o);
        }
        n.Bytes(3, m_name);
        n.Bytes(4, m_op);
        for (const ProtoWriter& a : m_attrs)
        {
            n.Message(5, a);
        }
        return n;
    }

private:
    std::string m_op, m_name;
    std::vector<std::string> m_inputs, m_outputs;
    std::vector<ProtoWriter> m_attrs;
};

// The ONNX operator for a torch.nn class of the exported Sequential.
const char* OnnxOp(const std::string& kind)
{
    static const std::vector<std::pair<std::string, const char*>> ops{
        {"Linear", "Gemm"},          {"Conv2d", "Conv"},           {"ConvTranspose2d", "ConvTranspose"},
        {"BatchNorm1d", "BatchNormalization"},                     {"BatchNorm2d", "BatchNormalization"},
        {"Flatten", "Flatten"},      {"Unflatten", "Reshape"},     {"ReLU", "Relu"},
        {"LeakyReLU", "LeakyRelu"},  {"Tanh", "Tanh"},             {"Sigmoid", "Sigmoid"},
        {"Softplus", "Softplus"},    {"Identity", "Identity"},     {"Upsample", "Resize"},
    };
    for (const auto& [name, op] : ops)
    {
        if (name == kind)
        {
            return op;
        }
    }
    return nullptr;
}

} // namespace

std::string EncodeOnnx(const ExportedNetwork& network)
{
    ProtoWriter graph; // GraphProto
    std::string current = "input";
    for (std::size_t i = 0; i < network.layers.size(); ++i)
    {
        const ExportLayer& layer = network.layers[i];
        const char* op = OnnxOp(layer.kind);
        if (op == nullptr)
        {
            throw std::invalid_argument(network.part + " layer " + std::to_string(i) + " (" + layer.kind +
                                        ") has no ONNX node in the exporter");
        }
        const std::string prefix = std::to_string(i) + ".";
        const std::string output = i + 1 == network.layers.size() ? "output" : prefix + "out";
        Node node(op, prefix + layer.kind);
        node.In(current).Out(output);
        const auto tensor_input = [&](const char* name) {
            for (const SafeTensor& t : layer.tensors)
            {
                if (t.name == name)
                {
                    graph.Message(5, TensorProto(prefix + name, t.shape, kFloat, t.bytes)); // initializer
                    node.In(prefix + name);
                    return;
                }
            }
        };
        const std::vector<std::int64_t> square{layer.kernel, layer.kernel};
        const std::vector<std::int64_t> strides{layer.stride, layer.stride};
        const std::vector<std::int64_t> pads{layer.pad, layer.pad, layer.pad, layer.pad};
        if (layer.kind == "Linear")
        {
            tensor_input("weight"); // (out, in): y = x W^T + b
            tensor_input("bias");
            node.Attr("transB", std::int64_t{1});
        }
        else if (layer.kind == "Conv2d" || layer.kind == "ConvTranspose2d")
        {
            tensor_input("weight");
            tensor_input("bias");
            node.Attr("kernel_shape", square).Attr("strides", strides).Attr("pads", pads);
            if (layer.kind == "ConvTranspose2d")
            {
                node.Attr("output_padding", std::vector<std::int64_t>{layer.output_pad, layer.output_pad});
            }
        }
        else if (layer.kind == "BatchNorm1d" || layer.kind == "BatchNorm2d")
        {
            for (const char* name : {"weight", "bias", "running_mean", "running_var"})
            {
                tensor_input(name);
            }
            node.Attr("epsilon", static_cast<float>(layer.eps));
        }
        else if (layer.kind == "Flatten")
        {
            node.Attr("axis", std::int64_t{1});
        }
        else if (layer.kind == "Unflatten")
        {
            std::vector<std::int64_t> shape{0}; // 0: the batch, copied from the input (shape inference keeps it)
            shape.insert(shape.end(), layer.out.begin(), layer.out.end());
            std::string raw(shape.size() * sizeof(std::int64_t), '\0');
            std::memcpy(raw.data(), shape.data(), raw.size()); // little-endian, as the lab's targets are
            graph.Message(5, TensorProto(prefix + "shape", {static_cast<std::int64_t>(shape.size())}, kInt64, raw));
            node.In(prefix + "shape");
        }
        else if (layer.kind == "LeakyReLU")
        {
            node.Attr("alpha", static_cast<float>(layer.slope));
        }
        else if (layer.kind == "Upsample")
        {
            const std::vector<float> scales{1.0f, 1.0f, static_cast<float>(layer.factor),
                                            static_cast<float>(layer.factor)};
            std::string raw(scales.size() * sizeof(float), '\0');
            std::memcpy(raw.data(), scales.data(), raw.size());
            graph.Message(5, TensorProto(prefix + "scales", {4}, kFloat, raw));
            node.In("").In(prefix + "scales"); // roi unused
            node.Attr("mode", std::string("nearest"))
                .Attr("coordinate_transformation_mode", std::string("asymmetric"))
                .Attr("nearest_mode", std::string("floor"));
        }
        graph.Message(1, node.Proto()); // node
        current = output;
    }
    if (network.layers.empty())
    {
        throw std::invalid_argument(network.part + ": has no layers to export");
    }
    graph.Bytes(2, "latentlab_" + network.part);            // name
    graph.Message(11, ValueInfo("input", network.input));   // input
    graph.Message(12, ValueInfo("output", network.output)); // output

    ProtoWriter model; // ModelProto
    model.Int(1, kOnnxIrVersion);
    model.Bytes(2, "latentlab"); // producer_name
    ProtoWriter opset;           // OperatorSetIdProto
    opset.Bytes(1, "");
    opset.Int(2, kOnnxOpset);
    model.Message(8, opset);
    model.Message(7, graph);
    for (const auto& [key, value] : network.metadata)
    {
        ProtoWriter entry; // StringStringEntryProto
        entry.Bytes(1, key);
        entry.Bytes(2, value);
        model.Message(14, entry);
    }
    if (model.Data().size() >= kMaxOnnxBytes)
    {
        throw std::invalid_argument(network.part + ": the ONNX model would take " +
                                    std::to_string(model.Data().size()) + " bytes, past protobuf's 2 GiB limit");
    }
    return model.Take();
}

void SaveOnnxFile(const std::filesystem::path& path, const ExportedNetwork& network)
{
    WriteFileAtomic(path, EncodeOnnx(network));
}

} // namespace ll::io
