// Conv2d and ConvTranspose2d: forward, backward (dW, db, dx) and double backward as im2col / col2im around one
// nn::Gemm each. No allocation once the batch size repeats.
#include "core/nn/conv.h"

#include "core/nn/network_spec.h"
#include "core/nn/gemm.h"

#include <cmath>
#include <stdexcept>

namespace ll::nn
{

namespace
{

void CheckConvArgs(const char* what, const Shape& input, Index out_channels, Index kernel, Index stride, Index pad)
{
    if (!input.Valid() || out_channels < 1 || kernel < 1 || stride < 1 || pad < 0)
    {
        throw std::invalid_argument(std::string(what) + ": input " + input.Text() + ", out " +
                                    std::to_string(out_channels) + ", kernel " + std::to_string(kernel) +
                                    ", stride " + std::to_string(stride) + ", pad " + std::to_string(pad) +
                                    ": sizes, kernel and stride must be >= 1 and pad >= 0");
    }
}

// Weights and bias as the kinds say; fans as PyTorch computes them for a (rows, cols) weight of a k x k kernel.
template <typename T>
void InitConv(Matrix<T>& w, Matrix<T>& b, bool has_bias, Index kernel, InitKind init, Rng& rng)
{
    const double fan_in = static_cast<double>(w.cols());
    const double fan_out = static_cast<double>(w.rows() * kernel * kernel);
    InitWeights(w, init, rng, fan_in, fan_out);
    if (has_bias && init == InitKind::Torch)
    {
        InitUniform(b, 1.0 / std::sqrt(fan_in), rng);
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------------------
// Conv2d

template <typename T>
Conv2d<T>::Conv2d(const Shape& input, Index out_channels, Index kernel, Index stride, Index pad, bool bias,
                  InitKind init, Rng& rng)
    : m_in(input), m_has_bias(bias)
{
    CheckConvArgs("Conv2d", input, out_channels, kernel, stride, pad);
    m_g.channels = input.c;
    m_g.image_h = input.h;
    m_g.image_w = input.w;
    m_g.kernel = kernel;
    m_g.stride = stride;
    m_g.pad = pad;
    m_g.grid_h = ConvExtent(input.h, kernel, stride, pad);
    m_g.grid_w = ConvExtent(input.w, kernel, stride, pad);
    if (m_g.grid_h < 1 || m_g.grid_w < 1)
    {
        throw std::invalid_argument("Conv2d: input " + input.Text() + " with pad " + std::to_string(pad) +
                                    " is smaller than the kernel " + std::to_string(kernel));
    }
    m_out = Shape{out_channels, m_g.grid_h, m_g.grid_w};
    m_w.resize(out_channels, m_g.PatchRows());
    m_dw = Matrix<T>::Zero(out_channels, m_g.PatchRows());
    if (m_has_bias)
    {
        m_b = Matrix<T>::Zero(out_channels, 1);
        m_db = Matrix<T>::Zero(out_channels, 1);
    }
    InitConv(m_w, m_b, m_has_bias, kernel, init, rng);
}

template <typename T>
std::string Conv2d<T>::Kind() const
{
    return LayerKindName(LayerKind::Conv);
}

template <typename T>
const Matrix<T>& Conv2d<T>::Forward(const Matrix<T>& x)
{
    if (x.rows() != m_in.Size())
    {
        throw std::invalid_argument("Conv2d " + m_in.Text() + " -> " + m_out.Text() + ": input has " +
                                    std::to_string(x.rows()) + " rows, expected " + std::to_string(m_in.Size()));
    }
    const Index batch = x.cols();
    const Index n = m_g.GridPositions() * batch;
    const Index k = m_g.PatchRows();
    const Index cout = m_out.c;
    m_x = &x;
    if (m_sn.Enabled())
    {
        m_sn.Normalize(m_w, m_training, "Conv2d");
    }
    const T* cols = x.data();
    if (!m_g.Pointwise())
    {
        EnsureShape(m_cols, k, n);
        Im2Col(m_g, batch, x.data(), m_cols.data());
        m_cols_of_x = true;
        cols = m_cols.data();
    }
    EnsureShape(m_y, m_out.Size(), batch);
    // y (Cout, P*B) = b + W (Cout, K) cols (K, P*B): the bias written first and the product added onto it.
    if (m_has_bias)
    {
        SetBiasRows(m_y.data(), cout, n, m_b.data());
    }
    Gemm<T>(Trans::No, Trans::No, cout, n, k, T(1), WeightData(), cout, cols, k, m_has_bias ? T(1) : T(0),
            m_y.data(), cout);
    return m_y;
}

template <typename T>
const T* Conv2d<T>::ColsOfX()
{
    if (m_g.Pointwise())
    {
        return m_x->data();
    }
    if (!m_cols_of_x)
    {
        EnsureShape(m_cols, m_g.PatchRows(), m_g.GridPositions() * m_x->cols());
        Im2Col(m_g, m_x->cols(), m_x->data(), m_cols.data());
        m_cols_of_x = true;
    }
    return m_cols.data();
}

template <typename T>
template <typename Product>
void Conv2d<T>::AccumulateWeightGrad(Product&& g)
{
    if (!m_sn.Enabled())
    {
        g(T(1), m_dw.data()); // dW += ...
        return;
    }
    Matrix<T>& scratch = m_sn.GradScratch();
    EnsureShape(scratch, m_dw.rows(), m_dw.cols());
    g(T(0), scratch.data()); // dL/dW_eff
    m_sn.AccumulateGrad(scratch, m_dw);
}

template <typename T>
const Matrix<T>& Conv2d<T>::Backward(const Matrix<T>& dy, bool accumulate)
{
    BackwardImpl(dy, accumulate, true);
    return m_dx;
}

template <typename T>
void Conv2d<T>::BackwardParamsOnly(const Matrix<T>& dy)
{
    BackwardImpl(dy, true, false);
}

template <typename T>
void Conv2d<T>::BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx)
{
    if (m_x == nullptr)
    {
        throw std::runtime_error("Conv2d::Backward called before Forward");
    }
    const Index batch = m_x->cols();
    if (dy.rows() != m_out.Size() || dy.cols() != batch)
    {
        throw std::invalid_argument("Conv2d::Backward: dy is " + ShapeText(dy.rows(), dy.cols()) + ", expected " +
                                    ShapeText(m_out.Size(), batch));
    }
    const Index n = m_g.GridPositions() * batch;
    const Index k = m_g.PatchRows();
    const Index cout = m_out.c;
    m_dy = &dy;
    if (accumulate)
    {
        // dW (Cout, K) += dy (Cout, P*B) cols^T; db += row sums of dy.
        const T* cols = ColsOfX();
        AccumulateWeightGrad([&](T beta, T* dw)
                             { Gemm<T>(Trans::No, Trans::Yes, cout, k, n, T(1), dy.data(), cout, cols, k, beta, dw, cout); });
        if (m_has_bias)
        {
            AccumulateRowSums(dy.data(), cout, n, m_db.data());
        }
    }
    if (need_dx)
    {
        EnsureShape(m_dx, m_in.Size(), batch);
        if (m_g.Pointwise())
        {
            Gemm<T>(Trans::Yes, Trans::No, k, n, cout, T(1), WeightData(), cout, dy.data(), cout, T(0), m_dx.data(), k);
        }
        else
        {
            // dcols (K, P*B) = W^T dy, into the patch buffer (the parameter gradient above is done with it).
            EnsureShape(m_cols, k, n);
            Gemm<T>(Trans::Yes, Trans::No, k, n, cout, T(1), WeightData(), cout, dy.data(), cout, T(0),
                    m_cols.data(), k);
            m_cols_of_x = false;
            Col2Im(m_g, batch, m_cols.data(), m_dx.data());
        }
    }
}

template <typename T>
const Matrix<T>& Conv2d<T>::BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx)
{
    if (m_dy == nullptr || m_x == nullptr)
    {
        throw std::runtime_error("Conv2d::BackwardOfBackward called before Forward and Backward");
    }
    const Matrix<T>& dy = *m_dy;
    const Index batch = dy.cols();
    if (u.rows() != m_in.Size() || u.cols() != batch)
    {
        throw std::invalid_argument("Conv2d::BackwardOfBackward: u is " + ShapeText(u.rows(), u.cols()) +
                                    ", expected " + ShapeText(m_in.Size(), batch));
    }
    // dx = col2im(W^T dy), so P = <u, dx> = <W im2col(u), dy>: dP/d(dy) = W im2col(u), dP/dW = dy im2col(u)^T.
    const Index n = m_g.GridPositions() * batch;
    const Index k = m_g.PatchRows();
    const Index cout = m_out.c;
    const T* ucols = u.data();
    if (!m_g.Pointwise())
    {
        EnsureShape(m_cols, k, n);
        Im2Col(m_g, batch, u.data(), m_cols.data());
        m_cols_of_x = false;
        ucols = m_cols.data();
    }
    EnsureShape(m_ddy, m_out.Size(), batch);
    Gemm<T>(Trans::No, Trans::No, cout, n, k, T(1), WeightData(), cout, ucols, k, T(0), m_ddy.data(), cout);
    AccumulateWeightGrad([&](T beta, T* dw)
                         { Gemm<T>(Trans::No, Trans::Yes, cout, k, n, T(1), dy.data(), cout, ucols, k, beta, dw, cout); });
    EnsureShape(dp_dx, m_in.Size(), batch);
    dp_dx.setZero();
    return m_ddy;
}

template <typename T>
void Conv2d<T>::CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out)
{
    out.push_back({prefix + "weight", &m_w, &m_dw});
    if (m_has_bias)
    {
        out.push_back({prefix + "bias", &m_b, &m_db});
    }
}

template <typename T>
void Conv2d<T>::CollectState(const std::string& prefix, std::vector<ParamRef<T>>& out)
{
    if (m_sn.Enabled())
    {
        out.push_back({prefix + "sn_u", &m_sn.U(), nullptr});
        out.push_back({prefix + "sn_v", &m_sn.V(), nullptr});
    }
}

template <typename T>
void Conv2d<T>::ZeroGrad()
{
    m_dw.setZero();
    m_db.setZero();
}

template <typename T>
std::unique_ptr<Layer<T>> Conv2d<T>::Clone() const
{
    auto copy = std::make_unique<Conv2d<T>>(*this);
    copy->m_x = nullptr;
    copy->m_dy = nullptr;
    copy->m_cols.resize(0, 0);
    copy->m_cols_of_x = false;
    copy->m_y.resize(0, 0);
    copy->m_dx.resize(0, 0);
    copy->m_ddy.resize(0, 0);
    copy->m_sn.DropScratch();
    return copy;
}

// ---------------------------------------------------------------------------------------------------------
// ConvTranspose2d

template <typename T>
ConvTranspose2d<T>::ConvTranspose2d(const Shape& input, Index out_channels, Index kernel, Index stride, Index pad,
                                    Index output_pad, bool bias, InitKind init, Rng& rng)
    : m_in(input), m_output_pad(output_pad), m_has_bias(bias)
{
    CheckConvArgs("ConvTranspose2d", input, out_channels, kernel, stride, pad);
    if (output_pad < 0 || output_pad >= stride)
    {
        throw std::invalid_argument("ConvTranspose2d: output padding " + std::to_string(output_pad) +
                                    " must be >= 0 and smaller than the stride " + std::to_string(stride));
    }
    m_g.channels = out_channels;
    m_g.image_h = ConvTransposeExtent(input.h, kernel, stride, pad, output_pad);
    m_g.image_w = ConvTransposeExtent(input.w, kernel, stride, pad, output_pad);
    m_g.kernel = kernel;
    m_g.stride = stride;
    m_g.pad = pad;
    m_g.grid_h = input.h;
    m_g.grid_w = input.w;
    if (m_g.image_h < 1 || m_g.image_w < 1)
    {
        throw std::invalid_argument("ConvTranspose2d: input " + input.Text() + " with kernel " +
                                    std::to_string(kernel) + ", stride " + std::to_string(stride) + ", pad " +
                                    std::to_string(pad) + " gives an empty output");
    }
    m_out = Shape{out_channels, m_g.image_h, m_g.image_w};
    m_w.resize(input.c, m_g.PatchRows());
    m_dw = Matrix<T>::Zero(input.c, m_g.PatchRows());
    if (m_has_bias)
    {
        m_b = Matrix<T>::Zero(out_channels, 1);
        m_db = Matrix<T>::Zero(out_channels, 1);
    }
    InitConv(m_w, m_b, m_has_bias, kernel, init, rng);
}

template <typename T>
std::string ConvTranspose2d<T>::Kind() const
{
    return LayerKindName(LayerKind::ConvTranspose);
}

template <typename T>
const Matrix<T>& ConvTranspose2d<T>::Forward(const Matrix<T>& x)
{
    if (x.rows() != m_in.Size())
    {
        throw std::invalid_argument("ConvTranspose2d " + m_in.Text() + " -> " + m_out.Text() + ": input has " +
                                    std::to_string(x.rows()) + " rows, expected " + std::to_string(m_in.Size()));
    }
    const Index batch = x.cols();
    const Index n = m_g.GridPositions() * batch; // H*W*B
    const Index k = m_g.PatchRows();
    const Index cin = m_in.c;
    const Index cout = m_out.c;
    m_x = &x;
    EnsureShape(m_y, m_out.Size(), batch);
    if (m_g.Pointwise() && m_output_pad == 0)
    {
        if (m_has_bias)
        {
            SetBiasRows(m_y.data(), cout, n, m_b.data());
        }
        Gemm<T>(Trans::Yes, Trans::No, cout, n, cin, T(1), m_w.data(), cin, x.data(), cin, m_has_bias ? T(1) : T(0),
                m_y.data(), cout);
    }
    else
    {
        // cols (K, H*W*B) = W^T (K, Cin) x (Cin, H*W*B), then summed into the output image, which starts at b.
        EnsureShape(m_cols, k, n);
        Gemm<T>(Trans::Yes, Trans::No, k, n, cin, T(1), m_w.data(), cin, x.data(), cin, T(0), m_cols.data(), k);
        m_cols_of_dy = false;
        Col2Im(m_g, batch, m_cols.data(), m_y.data(), m_has_bias ? m_b.data() : nullptr);
    }
    return m_y;
}

template <typename T>
const T* ConvTranspose2d<T>::ColsOfDy()
{
    if (m_g.Pointwise() && m_output_pad == 0)
    {
        return m_dy->data();
    }
    if (!m_cols_of_dy)
    {
        EnsureShape(m_cols, m_g.PatchRows(), m_g.GridPositions() * m_dy->cols());
        Im2Col(m_g, m_dy->cols(), m_dy->data(), m_cols.data());
        m_cols_of_dy = true;
    }
    return m_cols.data();
}

template <typename T>
const Matrix<T>& ConvTranspose2d<T>::Backward(const Matrix<T>& dy, bool accumulate)
{
    BackwardImpl(dy, accumulate, true);
    return m_dx;
}

template <typename T>
void ConvTranspose2d<T>::BackwardParamsOnly(const Matrix<T>& dy)
{
    BackwardImpl(dy, true, false);
}

template <typename T>
void ConvTranspose2d<T>::BackwardImpl(const Matrix<T>& dy, bool accumulate, bool need_dx)
{
    if (m_x == nullptr)
    {
        throw std::runtime_error("ConvTranspose2d::Backward called before Forward");
    }
    const Index batch = m_x->cols();
    if (dy.rows() != m_out.Size() || dy.cols() != batch)
    {
        throw std::invalid_argument("ConvTranspose2d::Backward: dy is " + ShapeText(dy.rows(), dy.cols()) +
                                    ", expected " + ShapeText(m_out.Size(), batch));
    }
    const Index n = m_g.GridPositions() * batch;
    const Index k = m_g.PatchRows();
    const Index cin = m_in.c;
    const Index cout = m_out.c;
    m_dy = &dy;
    m_cols_of_dy = false; // a new dy
    const T* dcols = ColsOfDy(); // (K, H*W*B) = im2col(dy)
    if (accumulate)
    {
        // dW (Cin, K) += x (Cin, H*W*B) dcols^T; db += row sums of dy (Cout, Ho*Wo*B).
        Gemm<T>(Trans::No, Trans::Yes, cin, k, n, T(1), m_x->data(), cin, dcols, k, T(1), m_dw.data(), cin);
        if (m_has_bias)
        {
            AccumulateRowSums(dy.data(), cout, m_out.Pixels() * batch, m_db.data());
        }
    }
    if (need_dx)
    {
        // dx (Cin, H*W*B) = W (Cin, K) dcols
        EnsureShape(m_dx, m_in.Size(), batch);
        Gemm<T>(Trans::No, Trans::No, cin, n, k, T(1), m_w.data(), cin, dcols, k, T(0), m_dx.data(), cin);
    }
}

template <typename T>
const Matrix<T>& ConvTranspose2d<T>::BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx)
{
    if (m_dy == nullptr || m_x == nullptr)
    {
        throw std::runtime_error("ConvTranspose2d::BackwardOfBackward called before Forward and Backward");
    }
    const Index batch = m_dy->cols();
    if (u.rows() != m_in.Size() || u.cols() != batch)
    {
        throw std::invalid_argument("ConvTranspose2d::BackwardOfBackward: u is " + ShapeText(u.rows(), u.cols()) +
                                    ", expected " + ShapeText(m_in.Size(), batch));
    }
    // dx = W im2col(dy), so P = <u, dx>: dP/dW = u im2col(dy)^T and dP/d(dy) = col2im(W^T u).
    const Index n = m_g.GridPositions() * batch;
    const Index k = m_g.PatchRows();
    const Index cin = m_in.c;
    const Index cout = m_out.c;
    const T* dcols = ColsOfDy();
    Gemm<T>(Trans::No, Trans::Yes, cin, k, n, T(1), u.data(), cin, dcols, k, T(1), m_dw.data(), cin);
    EnsureShape(m_ddy, m_out.Size(), batch);
    if (m_g.Pointwise() && m_output_pad == 0)
    {
        Gemm<T>(Trans::Yes, Trans::No, cout, n, cin, T(1), m_w.data(), cin, u.data(), cin, T(0), m_ddy.data(), cout);
    }
    else
    {
        EnsureShape(m_cols, k, n);
        Gemm<T>(Trans::Yes, Trans::No, k, n, cin, T(1), m_w.data(), cin, u.data(), cin, T(0), m_cols.data(), k);
        m_cols_of_dy = false;
        Col2Im(m_g, batch, m_cols.data(), m_ddy.data());
    }
    EnsureShape(dp_dx, m_in.Size(), batch);
    dp_dx.setZero();
    return m_ddy;
}

template <typename T>
void ConvTranspose2d<T>::CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out)
{
    out.push_back({prefix + "weight", &m_w, &m_dw});
    if (m_has_bias)
    {
        out.push_back({prefix + "bias", &m_b, &m_db});
    }
}

template <typename T>
void ConvTranspose2d<T>::ZeroGrad()
{
    m_dw.setZero();
    m_db.setZero();
}

template <typename T>
std::unique_ptr<Layer<T>> ConvTranspose2d<T>::Clone() const
{
    auto copy = std::make_unique<ConvTranspose2d<T>>(*this);
    copy->m_x = nullptr;
    copy->m_dy = nullptr;
    copy->m_cols.resize(0, 0);
    copy->m_cols_of_dy = false;
    copy->m_y.resize(0, 0);
    copy->m_dx.resize(0, 0);
    copy->m_ddy.resize(0, 0);
    return copy;
}

template class Conv2d<float>;
template class Conv2d<double>;
template class ConvTranspose2d<float>;
template class ConvTranspose2d<double>;

} // namespace ll::nn
