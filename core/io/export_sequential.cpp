// The lab's layers as PyTorch's. A lab image column is channels-last: feature (y * W + x) * C + c. PyTorch holds the
// same image as (C, H, W) and flattens it to c * H * W + y * W + x. The mapping walks the network with the layout
// PyTorch's tensor has at each point: an NCHW image, or a flat vector whose entry j holds the lab's feature perm[j]
// (the identity, except after a Flatten of an image with several channels and positions). A Linear reading a permuted
// vector takes its weight's columns in that order; a Linear whose output an Unflatten turns into an image gives its
// rows (and those of any BatchNorm1d between them) in PyTorch's order.
#include "core/io/export_sequential.h"

#include "core/nn/batch_norm.h"
#include "core/nn/conv.h"
#include "core/nn/shape_layers.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>

namespace ll::io
{

namespace
{

using Perm = std::vector<std::int64_t>; // PyTorch's flat index j -> the lab's feature perm[j]; empty: identity

struct PendingTensor
{
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values; // row-major
};

struct PendingLayer
{
    ExportLayer layer; // without tensors until the end
    std::vector<PendingTensor> tensors;
};

// Entry j = c * H * W + p of PyTorch's flattened (C, H, W) is the lab's feature p * C + c.
Perm ChwToLab(const nn::Shape& s)
{
    const std::int64_t pixels = s.Pixels();
    Perm perm(static_cast<std::size_t>(s.Size()));
    for (std::int64_t c = 0; c < s.c; ++c)
    {
        for (std::int64_t p = 0; p < pixels; ++p)
        {
            perm[static_cast<std::size_t>(c * pixels + p)] = p * s.c + c;
        }
    }
    return perm;
}

bool IsIdentity(const Perm& perm)
{
    for (std::size_t j = 0; j < perm.size(); ++j)
    {
        if (perm[j] != static_cast<std::int64_t>(j))
        {
            return false;
        }
    }
    return true;
}

std::vector<std::int64_t> Dims(const nn::Shape& s)
{
    return s.IsFlat() ? std::vector<std::int64_t>{s.c} : std::vector<std::int64_t>{s.c, s.h, s.w};
}

std::vector<float> Column(const nn::MatrixF& m) { return std::vector<float>(m.data(), m.data() + m.size()); }

// A kernel matrix as the lab holds it, (rows, k*k*inner) with columns (ky, kx, inner), in PyTorch's (rows, inner,
// k, k) order: Conv2d's weight has rows = out and inner = in channels, ConvTranspose2d's rows = in, inner = out.
std::vector<float> KernelToTorch(const nn::MatrixF& w, std::int64_t rows, std::int64_t inner, std::int64_t k)
{
    std::vector<float> out(static_cast<std::size_t>(w.size()));
    std::size_t n = 0;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < inner; ++c)
            for (std::int64_t ky = 0; ky < k; ++ky)
                for (std::int64_t kx = 0; kx < k; ++kx)
                {
                    out[n++] = w(r, (ky * k + kx) * inner + c);
                }
    return out;
}

// Rows of a row-major (rows, cols) block reordered: out row j = in row perm[j].
void PermuteRows(std::vector<float>& values, std::int64_t cols, const Perm& perm)
{
    std::vector<float> out(values.size());
    for (std::size_t j = 0; j < perm.size(); ++j)
    {
        std::memcpy(out.data() + static_cast<std::int64_t>(j) * cols,
                    values.data() + perm[j] * cols, static_cast<std::size_t>(cols) * sizeof(float));
    }
    values.swap(out);
}

// W / sigma with the lab's evaluation-mode sigma = u^T W v (u (rows), v (cols) frozen).
nn::MatrixF SpectralNormalised(const nn::MatrixF& w, const nn::MatrixF& u, const nn::MatrixF& v,
                               const std::string& where)
{
    const float sigma = (u.transpose() * (w * v))(0, 0);
    if (!(std::abs(sigma) > 0.0f) || !std::isfinite(sigma))
    {
        throw std::invalid_argument(where + ": spectral norm estimate is not usable");
    }
    return w / sigma;
}

// Is a network starting with this layer read as an NCHW image by PyTorch?
bool Spatial(nn::Layer<float>& layer, const nn::Shape& input)
{
    return !input.IsFlat() && (dynamic_cast<nn::Conv2d<float>*>(&layer) != nullptr ||
                               dynamic_cast<nn::ConvTranspose2d<float>*>(&layer) != nullptr ||
                               dynamic_cast<nn::Upsample<float>*>(&layer) != nullptr ||
                               dynamic_cast<nn::BatchNorm<float>*>(&layer) != nullptr);
}

std::string ActivationClass(nn::ActivationKind kind)
{
    switch (kind)
    {
    case nn::ActivationKind::Identity: return "Identity";
    case nn::ActivationKind::ReLU: return "ReLU";
    case nn::ActivationKind::LeakyReLU: return "LeakyReLU";
    case nn::ActivationKind::Tanh: return "Tanh";
    case nn::ActivationKind::Sigmoid: return "Sigmoid";
    case nn::ActivationKind::Softplus: return "Softplus";
    }
    return "Identity";
}

class Mapper
{
public:
    explicit Mapper(const std::string& part) : m_part(part) {}

    void Run(nn::Sequential<float>& net, ExportedNetwork& out)
    {
        nn::Shape shape = net.InputShape();
        m_image = net.Size() > 0 && Spatial(net.At(0), shape);
        m_dims = m_image ? Dims(shape) : std::vector<std::int64_t>{shape.Size()};
        for (std::size_t i = 0; i < net.Size(); ++i)
        {
            nn::Layer<float>& layer = net.At(i);
            m_where = m_part + " layer " + std::to_string(i) + " (" + layer.Kind() + ")";
            const nn::Shape next = layer.OutputShape(shape);
            Map(layer, shape, next);
            shape = next;
        }
        if (!m_image && !IsIdentity(m_perm))
        {
            throw std::invalid_argument(m_part + ": ends in a flattened image of several channels, whose order "
                                                 "differs between the lab (channels last) and PyTorch: cannot be "
                                                 "exported");
        }
        out.input = m_layers.empty() ? m_dims : m_layers.front().layer.in;
        out.output = m_dims;
        for (PendingLayer& p : m_layers)
        {
            for (const PendingTensor& t : p.tensors)
            {
                p.layer.tensors.push_back(SafeTensor::FromFloats(t.name, t.shape, t.values.data()));
            }
            if (p.layer.kind.rfind("BatchNorm", 0) == 0)
            {
                // PyTorch's counter of training batches (read only when momentum is None): the lab keeps none.
                SafeTensor count;
                count.name = "num_batches_tracked";
                count.dtype = SafeDtype::I64;
                count.bytes.assign(sizeof(std::int64_t), '\0');
                p.layer.tensors.push_back(std::move(count));
            }
            out.layers.push_back(std::move(p.layer));
        }
    }

private:
    PendingLayer& Emit(const std::string& kind, const nlohmann::ordered_json& kwargs,
                       const std::vector<std::int64_t>& out_dims)
    {
        PendingLayer p;
        p.layer.kind = kind;
        p.layer.kwargs = kwargs.dump();
        p.layer.in = m_dims;
        p.layer.out = out_dims;
        m_dims = out_dims;
        m_layers.push_back(std::move(p));
        return m_layers.back();
    }

    void NeedImage() const
    {
        if (!m_image)
        {
            throw std::invalid_argument(m_where + " reads an image the export holds as a flat vector: cannot be "
                                                  "exported");
        }
    }

    void Flatten()
    {
        const std::int64_t c = m_dims[0], h = m_dims[1], w = m_dims[2];
        Emit("Flatten", nlohmann::ordered_json::object(), {c * h * w});
        m_perm = ChwToLab(nn::Shape{c, h, w});
        m_image = false;
        m_last_linear = -1;
    }

    void Map(nn::Layer<float>& layer, const nn::Shape& in, const nn::Shape& out)
    {
        if (auto* linear = dynamic_cast<nn::Linear<float>*>(&layer))
        {
            if (m_image)
            {
                Flatten(); // a Linear reading an image reads its channels-last vector
            }
            nn::MatrixF w = linear->Weight(); // (out, in)
            if (linear->SpectralNorm())
            {
                w = SpectralNormalised(w, linear->SpectralU(), linear->SpectralV(), m_where);
            }
            PendingLayer& p = Emit("Linear", {{"in_features", w.cols()}, {"out_features", w.rows()},
                                              {"bias", linear->HasBias()}}, {w.rows()});
            PendingTensor weight{"weight", {w.rows(), w.cols()},
                                 std::vector<float>(static_cast<std::size_t>(w.size()))};
            for (Eigen::Index o = 0; o < w.rows(); ++o)
            {
                for (Eigen::Index j = 0; j < w.cols(); ++j)
                {
                    weight.values[static_cast<std::size_t>(o * w.cols() + j)] =
                        w(o, m_perm.empty() ? j : m_perm[static_cast<std::size_t>(j)]);
                }
            }
            p.tensors.push_back(std::move(weight));
            if (linear->HasBias())
            {
                p.tensors.push_back({"bias", {w.rows()}, Column(linear->Bias())});
            }
            m_perm.clear();
            m_last_linear = static_cast<std::ptrdiff_t>(m_layers.size()) - 1;
            m_bn_since.clear();
            return;
        }
        if (auto* conv = dynamic_cast<nn::Conv2d<float>*>(&layer))
        {
            NeedImage();
            const nn::ConvGeometry& g = conv->Geometry();
            nn::MatrixF w = conv->Weight(); // (Cout, k*k*Cin), columns (ky, kx, cin)
            if (conv->SpectralNormEnabled())
            {
                w = SpectralNormalised(w, conv->SpectralU(), conv->SpectralV(), m_where);
            }
            const std::int64_t cin = in.c, cout = out.c, k = g.kernel;
            PendingLayer& p = Emit("Conv2d", {{"in_channels", cin}, {"out_channels", cout}, {"kernel_size", k},
                                              {"stride", g.stride}, {"padding", g.pad}, {"bias", conv->HasBias()}},
                                   Dims(out));
            p.layer.kernel = k;
            p.layer.stride = g.stride;
            p.layer.pad = g.pad;
            p.tensors.push_back({"weight", {cout, cin, k, k}, KernelToTorch(w, cout, cin, k)});
            if (conv->HasBias())
            {
                p.tensors.push_back({"bias", {cout}, Column(conv->Bias())});
            }
            m_last_linear = -1;
            return;
        }
        if (auto* deconv = dynamic_cast<nn::ConvTranspose2d<float>*>(&layer))
        {
            NeedImage();
            const nn::ConvGeometry& g = deconv->Geometry();
            const nn::MatrixF& w = deconv->Weight(); // (Cin, k*k*Cout), columns (ky, kx, cout)
            const std::int64_t cin = in.c, cout = out.c, k = g.kernel;
            PendingLayer& p = Emit("ConvTranspose2d",
                                   {{"in_channels", cin}, {"out_channels", cout}, {"kernel_size", k},
                                    {"stride", g.stride}, {"padding", g.pad}, {"output_padding", deconv->OutputPad()},
                                    {"bias", deconv->HasBias()}},
                                   Dims(out));
            p.layer.kernel = k;
            p.layer.stride = g.stride;
            p.layer.pad = g.pad;
            p.layer.output_pad = deconv->OutputPad();
            p.tensors.push_back({"weight", {cin, cout, k, k}, KernelToTorch(w, cin, cout, k)});
            if (deconv->HasBias())
            {
                p.tensors.push_back({"bias", {cout}, Column(deconv->Bias())});
            }
            m_last_linear = -1;
            return;
        }
        if (auto* bn = dynamic_cast<nn::BatchNorm<float>*>(&layer))
        {
            const std::int64_t c = bn->Channels();
            PendingLayer& p = Emit(m_image ? "BatchNorm2d" : "BatchNorm1d",
                                   {{"num_features", m_image ? c : m_dims[0]}, {"eps", bn->Eps()},
                                    {"momentum", bn->Momentum()}},
                                   m_dims);
            p.layer.eps = bn->Eps();
            const auto vec = [&](const char* name, const nn::MatrixF& v) {
                PendingTensor t{name, {static_cast<std::int64_t>(v.size())}, Column(v)};
                if (!m_image && !m_perm.empty())
                {
                    PermuteRows(t.values, 1, m_perm);
                }
                p.tensors.push_back(std::move(t));
            };
            vec("weight", bn->Gamma());
            vec("bias", bn->Beta());
            vec("running_mean", bn->RunningMean());
            vec("running_var", bn->RunningVar());
            if (!m_image && m_perm.empty() && m_last_linear >= 0)
            {
                m_bn_since.push_back(m_layers.size() - 1);
            }
            return;
        }
        if (auto* act = dynamic_cast<nn::Activation<float>*>(&layer))
        {
            nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
            if (act->Type() == nn::ActivationKind::LeakyReLU)
            {
                kwargs["negative_slope"] = static_cast<double>(act->Slope());
            }
            PendingLayer& p = Emit(ActivationClass(act->Type()), kwargs, m_dims);
            p.layer.slope = static_cast<double>(act->Slope());
            return;
        }
        if (auto* up = dynamic_cast<nn::Upsample<float>*>(&layer))
        {
            NeedImage();
            PendingLayer& p = Emit("Upsample", {{"scale_factor", up->Factor()}, {"mode", "nearest"}}, Dims(out));
            p.layer.factor = up->Factor();
            m_last_linear = -1;
            return;
        }
        if (dynamic_cast<nn::Reshape<float>*>(&layer) != nullptr)
        {
            MapReshape(in, out);
            return;
        }
        throw std::invalid_argument(m_where + " cannot be exported: the exporter maps linear, conv, transposed conv, "
                                              "batchnorm, upsample, reshape / flatten and activation layers");
    }

    void MapReshape(const nn::Shape& in, const nn::Shape& out)
    {
        if (in == out || (in.IsFlat() && out.IsFlat()))
        {
            return; // a relabelling PyTorch's tensor does not need
        }
        if (!in.IsFlat() && out.IsFlat())
        {
            if (m_image)
            {
                Flatten();
            }
            return; // a vector already in the lab's order stays one
        }
        if (in.IsFlat() && !out.IsFlat())
        {
            const Perm need = ChwToLab(out);
            if (m_perm.empty() && !IsIdentity(need))
            {
                if (m_last_linear >= 0)
                {
                    // The Linear before gives its rows (and any BatchNorm1d since, its entries) in PyTorch's order.
                    PendingLayer& lin = m_layers[static_cast<std::size_t>(m_last_linear)];
                    for (PendingTensor& t : lin.tensors)
                    {
                        PermuteRows(t.values, t.shape.size() == 2 ? t.shape[1] : 1, need);
                    }
                    for (std::size_t b : m_bn_since)
                    {
                        for (PendingTensor& t : m_layers[b].tensors)
                        {
                            PermuteRows(t.values, 1, need);
                        }
                    }
                }
                else if (m_layers.empty())
                {
                    // The network starts by shaping its input: PyTorch's input is the NCHW image itself.
                    m_dims = Dims(out);
                    m_image = true;
                    return;
                }
                else
                {
                    throw std::invalid_argument(m_where + " makes an image of values no linear layer produced: the "
                                                          "channels-last order cannot be exported");
                }
            }
            else if (!m_perm.empty() && m_perm != need)
            {
                throw std::invalid_argument(m_where + " reshapes a flattened image into another shape: the "
                                                      "channels-last order cannot be exported");
            }
            Emit("Unflatten", {{"dim", 1}, {"unflattened_size", Dims(out)}}, Dims(out));
            m_perm.clear();
            m_image = true;
            m_last_linear = -1;
            return;
        }
        throw std::invalid_argument(m_where + " reshapes " + in.Text() + " into " + out.Text() +
                                    ": between two image shapes the channels-last relabelling is a permutation in "
                                    "PyTorch's NCHW, which the exporter does not write");
    }

    std::string m_part, m_where;
    std::vector<PendingLayer> m_layers;
    std::vector<std::int64_t> m_dims; // PyTorch's shape of one example at this point
    bool m_image = false;             // m_dims is (C, H, W)
    Perm m_perm;
    std::ptrdiff_t m_last_linear = -1;  // the Linear whose output (through activations, BatchNorm1d) is current
    std::vector<std::size_t> m_bn_since; // BatchNorm1d layers since m_last_linear
};

} // namespace

void MapSequential(nn::Sequential<float> net, const std::string& part, ExportedNetwork& network)
{
    net.SetTraining(false); // spectral norm: sigma from the frozen u, v; BatchNorm: running statistics
    Mapper(part).Run(net, network);
}

} // namespace ll::io
