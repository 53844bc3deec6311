// What D sees: labels appended to an example (as rows for a flat one, as planes for an image), m examples packed
// into one D input (gan_pack.h), and the way back: the data part of a gradient with respect to D's input, spread
// over the packed slots. Split from gan.cpp; every loss and penalty calls these.
#include "core/models/gan.h"

#include "core/models/gan_pack.h"
#include "core/nn/shape_layers.h"

#include <stdexcept>
#include <string>

namespace ll::models
{

void Gan::CheckLabels(const nn::MatrixF* labels, nn::Index n, const char* what) const
{
    if (m_num_classes == 0)
    {
        return;
    }
    if (labels == nullptr)
    {
        throw std::invalid_argument(std::string("conditional GAN ") + what + ": labels are required");
    }
    if (labels->rows() != m_num_classes || labels->cols() != n)
    {
        throw std::invalid_argument(std::string("conditional GAN ") + what + ": labels are (" +
                                    std::to_string(labels->rows()) + ", " + std::to_string(labels->cols()) +
                                    "), expected (" + std::to_string(m_num_classes) + ", " + std::to_string(n) + ")");
    }
}

const nn::MatrixF& Gan::WithLabels(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& buffer) const
{
    if (m_num_classes == 0)
    {
        return x;
    }
    if (buffer.rows() != x.rows() + m_num_classes || buffer.cols() != x.cols())
    {
        buffer.resize(x.rows() + m_num_classes, x.cols());
    }
    buffer.topRows(x.rows()) = x;
    buffer.bottomRows(m_num_classes) = *labels;
    return buffer;
}

const nn::MatrixF& Gan::ExampleInput(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& buffer) const
{
    if (m_num_classes == 0 || !m_label_planes)
    {
        return WithLabels(x, labels, buffer);
    }
    nn::AppendLabelPlanes(x, m_data_shape, *labels, buffer);
    return buffer;
}

const nn::MatrixF& Gan::DataPart(const nn::MatrixF& dx, nn::MatrixF& out) const
{
    if (m_num_classes == 0)
    {
        return dx;
    }
    if (m_label_planes)
    {
        nn::DropLabelPlanes(dx, m_data_shape, m_num_classes, out);
    }
    else
    {
        out = dx.topRows(m_data_dim);
    }
    return out;
}

void Gan::SpreadDataPart(const nn::MatrixF& g, nn::MatrixF& u)
{
    if (m_num_classes == 0)
    {
        u = g;
        return;
    }
    if (m_zero_labels.rows() != m_num_classes || m_zero_labels.cols() != g.cols())
    {
        m_zero_labels = nn::MatrixF::Zero(m_num_classes, g.cols());
    }
    if (m_label_planes)
    {
        nn::AppendLabelPlanes(g, m_data_shape, m_zero_labels, u);
    }
    else
    {
        WithLabels(g, &m_zero_labels, u);
    }
}

const nn::MatrixF& Gan::DInput(const nn::MatrixF& x, const nn::MatrixF* labels, nn::MatrixF& with_labels,
                               nn::MatrixF& packed, bool repeated) const
{
    const nn::MatrixF& one = ExampleInput(x, labels, with_labels); // (example size, m n)
    if (m_pack == 1)
    {
        return one;
    }
    if (repeated)
    {
        PackRepeated(one, m_d_example, m_pack, packed);
    }
    else
    {
        PackExamples(one, m_d_example, m_pack, packed);
    }
    return packed; // (m example size, n)
}

const nn::MatrixF& Gan::PackedDataPart(const nn::MatrixF& dx, bool repeated, nn::MatrixF& out)
{
    if (m_pack == 1)
    {
        return DataPart(dx, out);
    }
    if (repeated)
    {
        SumPackSlots(dx, m_d_example, m_pack, m_d_dx); // the point is in every slot: its gradient is the sum
    }
    else
    {
        UnpackExamples(dx, m_d_example, m_pack, m_d_dx);
    }
    return DataPart(m_d_dx, out); // m_d_dx itself when unconditional
}

void Gan::SpreadToPacked(const nn::MatrixF& g, nn::MatrixF& u)
{
    if (m_pack == 1)
    {
        SpreadDataPart(g, u);
        return;
    }
    SpreadDataPart(g, m_d_dx);
    PackExamples(m_d_dx, m_d_example, m_pack, u);
}

} // namespace ll::models
