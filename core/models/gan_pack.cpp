// PacGAN packing: the copies between m examples and one packed D input (see gan_pack.h). One example's column
// of c*h*w values is, in memory, a (c, h*w) matrix (channels-last); slot k of a packed column is rows k c .. k c + c
// - 1 of a (m c, h*w) matrix. For a flat example (h = w = 1) that is plain stacking.
#include "core/models/gan_pack.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ll::models
{

namespace
{

void CheckPack(const nn::Shape& example, nn::Index m, const char* what)
{
    if (!example.Valid() || m < 1)
    {
        throw std::invalid_argument(std::string(what) + ": the example shape " + example.Text() +
                                    " and the pack size " + std::to_string(m) + " must be positive");
    }
}

// Slot k of a packed column (m c, pixels) <-> one example's column (c, pixels).
void ToSlot(const float* example, float* packed, const nn::Shape& shape, nn::Index m, nn::Index k)
{
    const nn::Index c = shape.c;
    for (nn::Index p = 0; p < shape.Pixels(); ++p)
    {
        std::copy_n(example + p * c, c, packed + (p * m + k) * c);
    }
}

void FromSlot(const float* packed, float* example, const nn::Shape& shape, nn::Index m, nn::Index k)
{
    const nn::Index c = shape.c;
    for (nn::Index p = 0; p < shape.Pixels(); ++p)
    {
        std::copy_n(packed + (p * m + k) * c, c, example + p * c);
    }
}

} // namespace

nn::Shape PackedShape(const nn::Shape& example, nn::Index m)
{
    CheckPack(example, m, "PackedShape");
    return nn::Shape{m * example.c, example.h, example.w};
}

void PackExamples(const nn::MatrixF& x, const nn::Shape& example, nn::Index m, nn::MatrixF& packed)
{
    CheckPack(example, m, "PackExamples");
    if (x.rows() != example.Size() || x.cols() % m != 0)
    {
        throw std::invalid_argument("PackExamples: input is (" + std::to_string(x.rows()) + ", " +
                                    std::to_string(x.cols()) + "); expected " + std::to_string(example.Size()) +
                                    " rows and a multiple of the pack size " + std::to_string(m) + " columns");
    }
    const nn::Index n = x.cols() / m;
    packed.resize(m * example.Size(), n);
    for (nn::Index j = 0; j < n; ++j)
    {
        for (nn::Index k = 0; k < m; ++k)
        {
            ToSlot(x.col(j * m + k).data(), packed.col(j).data(), example, m, k);
        }
    }
}

void UnpackExamples(const nn::MatrixF& packed, const nn::Shape& example, nn::Index m, nn::MatrixF& x)
{
    CheckPack(example, m, "UnpackExamples");
    if (packed.rows() != m * example.Size())
    {
        throw std::invalid_argument("UnpackExamples: packed input has " + std::to_string(packed.rows()) +
                                    " rows, expected " + std::to_string(m * example.Size()));
    }
    const nn::Index n = packed.cols();
    x.resize(example.Size(), m * n);
    for (nn::Index j = 0; j < n; ++j)
    {
        for (nn::Index k = 0; k < m; ++k)
        {
            FromSlot(packed.col(j).data(), x.col(j * m + k).data(), example, m, k);
        }
    }
}

void PackRepeated(const nn::MatrixF& x, const nn::Shape& example, nn::Index m, nn::MatrixF& packed)
{
    CheckPack(example, m, "PackRepeated");
    if (x.rows() != example.Size())
    {
        throw std::invalid_argument("PackRepeated: input has " + std::to_string(x.rows()) + " rows, expected " +
                                    std::to_string(example.Size()));
    }
    packed.resize(m * example.Size(), x.cols());
    for (nn::Index j = 0; j < x.cols(); ++j)
    {
        for (nn::Index k = 0; k < m; ++k)
        {
            ToSlot(x.col(j).data(), packed.col(j).data(), example, m, k);
        }
    }
}

void SumPackSlots(const nn::MatrixF& packed, const nn::Shape& example, nn::Index m, nn::MatrixF& x)
{
    CheckPack(example, m, "SumPackSlots");
    if (packed.rows() != m * example.Size())
    {
        throw std::invalid_argument("SumPackSlots: packed input has " + std::to_string(packed.rows()) +
                                    " rows, expected " + std::to_string(m * example.Size()));
    }
    const nn::Index c = example.c;
    x.setZero(example.Size(), packed.cols());
    for (nn::Index j = 0; j < packed.cols(); ++j)
    {
        const float* from = packed.col(j).data();
        float* to = x.col(j).data();
        for (nn::Index p = 0; p < example.Pixels(); ++p)
        {
            for (nn::Index k = 0; k < m; ++k)
            {
                for (nn::Index ch = 0; ch < c; ++ch)
                {
                    to[p * c + ch] += from[(p * m + k) * c + ch];
                }
            }
        }
    }
}

} // namespace ll::models
