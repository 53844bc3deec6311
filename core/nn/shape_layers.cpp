// Reshape / Flatten and nearest Upsample: forward, backward and the (trivial) double backward.
#include "core/nn/shape_layers.h"

#include "core/nn/network_spec.h"
#include "core/nn/parallel.h"

#include <algorithm>
#include <stdexcept>

namespace ll::nn
{

namespace
{

void CheckRows(const char* what, Index rows, Index expected)
{
    if (rows != expected)
    {
        throw std::invalid_argument(std::string(what) + ": input has " + std::to_string(rows) + " rows, expected " +
                                    std::to_string(expected));
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------------------
// Reshape

template <typename T>
Reshape<T>::Reshape(const Shape& input, const Shape& output, bool flatten)
    : m_in(input), m_out(output), m_flatten(flatten)
{
    if (!input.Valid() || !output.Valid() || input.Size() != output.Size() || (flatten && !output.IsFlat()))
    {
        throw std::invalid_argument("Reshape: input " + input.Text() + " has " + std::to_string(input.Size()) +
                                    " features, the shape " + output.Text() + " needs " +
                                    std::to_string(output.Size()));
    }
}

template <typename T>
std::string Reshape<T>::Kind() const
{
    return LayerKindName(m_flatten ? LayerKind::Flatten : LayerKind::Reshape);
}

template <typename T>
const Matrix<T>& Reshape<T>::Forward(const Matrix<T>& x)
{
    CheckRows(m_flatten ? "Flatten" : "Reshape", x.rows(), m_in.Size());
    m_batch = x.cols();
    return x;
}

template <typename T>
const Matrix<T>& Reshape<T>::Backward(const Matrix<T>& dy, bool)
{
    if (m_batch < 0)
    {
        throw std::runtime_error(Kind() + "::Backward called before Forward");
    }
    CheckRows(m_flatten ? "Flatten::Backward" : "Reshape::Backward", dy.rows(), m_out.Size());
    return dy;
}

template <typename T>
const Matrix<T>& Reshape<T>::BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx)
{
    if (m_batch < 0)
    {
        throw std::runtime_error(Kind() + "::BackwardOfBackward called before Forward and Backward");
    }
    EnsureShape(dp_dx, u.rows(), u.cols());
    dp_dx.setZero();
    return u;
}

template <typename T>
std::unique_ptr<Layer<T>> Reshape<T>::Clone() const
{
    return std::make_unique<Reshape<T>>(m_in, m_out, m_flatten);
}

// ---------------------------------------------------------------------------------------------------------
// Upsample

template <typename T>
Upsample<T>::Upsample(const Shape& input, Index factor) : m_in(input), m_factor(factor)
{
    if (!input.Valid() || factor < 1)
    {
        throw std::invalid_argument("Upsample: input " + input.Text() + ", factor " + std::to_string(factor) +
                                    ": sizes and factor must be >= 1");
    }
    m_out = Shape{input.c, input.h * factor, input.w * factor};
}

template <typename T>
std::string Upsample<T>::Kind() const
{
    return LayerKindName(LayerKind::Upsample);
}

template <typename T>
void Upsample<T>::Up(const Matrix<T>& in, Matrix<T>& out) const
{
    const Index c = m_in.c, f = m_factor, w = m_in.w, ow = m_out.w;
    const Index rows = in.cols() * m_out.h; // output rows (b, oy)
    EnsureShape(out, m_out.Size(), in.cols());
    const T* src = in.data();
    T* dst = out.data();
    ParallelFor(rows, std::max<Index>(1, 32768 / (ow * c)),
                [&](Index r0, Index r1)
                {
                    for (Index r = r0; r < r1; ++r)
                    {
                        const Index b = r / m_out.h;
                        const Index iy = (r - b * m_out.h) / f;
                        const T* s = src + (b * m_in.h + iy) * w * c;
                        T* d = dst + r * ow * c;
                        for (Index ix = 0; ix < w; ++ix)
                        {
                            for (Index e = 0; e < f; ++e, d += c)
                            {
                                std::copy(s + ix * c, s + (ix + 1) * c, d);
                            }
                        }
                    }
                });
}

template <typename T>
void Upsample<T>::Down(const Matrix<T>& in, Matrix<T>& out) const
{
    const Index c = m_in.c, f = m_factor, w = m_in.w, ow = m_out.w;
    const Index rows = in.cols() * m_in.h; // input rows (b, iy)
    EnsureShape(out, m_in.Size(), in.cols());
    const T* src = in.data();
    T* dst = out.data();
    ParallelFor(rows, std::max<Index>(1, 32768 / (ow * c * f)),
                [&](Index r0, Index r1)
                {
                    for (Index r = r0; r < r1; ++r)
                    {
                        const Index b = r / m_in.h;
                        const Index iy = r - b * m_in.h;
                        T* d = dst + r * w * c;
                        std::fill(d, d + w * c, T(0));
                        for (Index a = 0; a < f; ++a)
                        {
                            const T* s = src + (b * m_out.h + iy * f + a) * ow * c;
                            for (Index ix = 0; ix < w; ++ix)
                            {
                                for (Index e = 0; e < f; ++e, s += c)
                                {
                                    for (Index k = 0; k < c; ++k)
                                    {
                                        d[ix * c + k] += s[k];
                                    }
                                }
                            }
                        }
                    }
                });
}

template <typename T>
const Matrix<T>& Upsample<T>::Forward(const Matrix<T>& x)
{
    CheckRows("Upsample", x.rows(), m_in.Size());
    m_batch = x.cols();
    Up(x, m_y);
    return m_y;
}

template <typename T>
const Matrix<T>& Upsample<T>::Backward(const Matrix<T>& dy, bool)
{
    if (m_batch < 0)
    {
        throw std::runtime_error("Upsample::Backward called before Forward");
    }
    CheckRows("Upsample::Backward", dy.rows(), m_out.Size());
    Down(dy, m_dx);
    return m_dx;
}

template <typename T>
const Matrix<T>& Upsample<T>::BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx)
{
    if (m_batch < 0)
    {
        throw std::runtime_error("Upsample::BackwardOfBackward called before Forward and Backward");
    }
    // dx = Down(dy): P = <u, Down(dy)> = <Up(u), dy>.
    CheckRows("Upsample::BackwardOfBackward", u.rows(), m_in.Size());
    Up(u, m_ddy);
    EnsureShape(dp_dx, u.rows(), u.cols());
    dp_dx.setZero();
    return m_ddy;
}

template <typename T>
std::unique_ptr<Layer<T>> Upsample<T>::Clone() const
{
    return std::make_unique<Upsample<T>>(m_in, m_factor);
}

// ---------------------------------------------------------------------------------------------------------
// Label planes

template <typename T>
void AppendLabelPlanes(const Matrix<T>& x, const Shape& image, const Matrix<T>& labels, Matrix<T>& out)
{
    const Index c = image.c, k = labels.rows(), pixels = image.Pixels();
    if (x.rows() != image.Size() || labels.cols() != x.cols())
    {
        throw std::invalid_argument("AppendLabelPlanes: x is (" + std::to_string(x.rows()) + ", " +
                                    std::to_string(x.cols()) + ") for images " + image.Text() + " and labels (" +
                                    std::to_string(labels.rows()) + ", " + std::to_string(labels.cols()) + ")");
    }
    EnsureShape(out, (c + k) * pixels, x.cols());
    for (Index b = 0; b < x.cols(); ++b)
    {
        const T* src = x.data() + b * image.Size();
        const T* lab = labels.data() + b * k;
        T* dst = out.data() + b * (c + k) * pixels;
        for (Index p = 0; p < pixels; ++p, src += c, dst += c + k)
        {
            std::copy(src, src + c, dst);
            std::copy(lab, lab + k, dst + c);
        }
    }
}

template <typename T>
void DropLabelPlanes(const Matrix<T>& dx, const Shape& image, Index label_count, Matrix<T>& out)
{
    const Index c = image.c, k = label_count, pixels = image.Pixels();
    if (dx.rows() != (c + k) * pixels)
    {
        throw std::invalid_argument("DropLabelPlanes: dx has " + std::to_string(dx.rows()) + " rows, expected " +
                                    std::to_string((c + k) * pixels) + " for images " + image.Text() + " and " +
                                    std::to_string(k) + " label planes");
    }
    EnsureShape(out, image.Size(), dx.cols());
    for (Index b = 0; b < dx.cols(); ++b)
    {
        const T* src = dx.data() + b * (c + k) * pixels;
        T* dst = out.data() + b * image.Size();
        for (Index p = 0; p < pixels; ++p, src += c + k, dst += c)
        {
            std::copy(src, src + c, dst);
        }
    }
}

template void AppendLabelPlanes<float>(const Matrix<float>&, const Shape&, const Matrix<float>&, Matrix<float>&);
template void AppendLabelPlanes<double>(const Matrix<double>&, const Shape&, const Matrix<double>&, Matrix<double>&);
template void DropLabelPlanes<float>(const Matrix<float>&, const Shape&, Index, Matrix<float>&);
template void DropLabelPlanes<double>(const Matrix<double>&, const Shape&, Index, Matrix<double>&);

template class Reshape<float>;
template class Reshape<double>;
template class Upsample<float>;
template class Upsample<double>;

} // namespace ll::nn
