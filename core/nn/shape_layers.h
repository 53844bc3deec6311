// Layers that only move values: Reshape / Flatten (metadata only: the batch is passed through untouched, since a
// channels-last example is the same column whatever its shape) and nearest-neighbour Upsample by an integer factor.
#pragma once

#include "core/nn/layer.h"

namespace ll::nn
{

// Relabels the shape of each example: input and output shapes have the same size. Forward returns x itself and
// Backward dy itself (valid as long as the caller's matrices are). Flatten is the same layer with a flat output.
template <typename T>
class Reshape final : public Layer<T>
{
public:
    // flatten = true: the "flatten" kind (output must then be flat).
    Reshape(const Shape& input, const Shape& output, bool flatten = false);

    std::string Kind() const override;
    Index OutputSize(Index) const override { return m_out.Size(); }
    Shape OutputShape(const Shape&) const override { return m_out; }
    const Matrix<T>& Forward(const Matrix<T>& x) override;
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) override;
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) override;
    bool CurvatureFree() const override { return true; }
    std::unique_ptr<Layer<T>> Clone() const override;

private:
    Shape m_in, m_out;
    bool m_flatten = false;
    Index m_batch = -1; // columns of the last Forward
};

// y (C, f*H, f*W) = x (C, H, W) with every pixel repeated f x f times. dx sums each f x f block of dy.
template <typename T>
class Upsample final : public Layer<T>
{
public:
    Upsample(const Shape& input, Index factor);

    std::string Kind() const override;
    Index OutputSize(Index) const override { return m_out.Size(); }
    Shape OutputShape(const Shape&) const override { return m_out; }
    const Matrix<T>& Forward(const Matrix<T>& x) override;
    const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) override;
    const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) override;
    bool CurvatureFree() const override { return true; }
    std::unique_ptr<Layer<T>> Clone() const override;

    Index Factor() const { return m_factor; }

private:
    void Up(const Matrix<T>& in, Matrix<T>& out) const;   // (C*H*W, B) -> (C*fH*fW, B)
    void Down(const Matrix<T>& in, Matrix<T>& out) const; // adjoint: block sums

    Shape m_in, m_out;
    Index m_factor;
    Index m_batch = -1;
    Matrix<T> m_y;   // (C*fH*fW, B)
    Matrix<T> m_dx;  // (C*H*W, B)
    Matrix<T> m_ddy; // (C*fH*fW, B)
};

// Conditional image models: label planes. out ((C + K)*H*W, B) holds, per pixel, the image's C channels and then the
// K label values of its example (x: (C*H*W, B) of `image`, labels: (K, B), e.g. one-hot classes). No allocation
// once out has its shape.
template <typename T>
void AppendLabelPlanes(const Matrix<T>& x, const Shape& image, const Matrix<T>& labels, Matrix<T>& out);

// The image part of a gradient over label-planed inputs: dx ((C + K)*H*W, B) -> out (C*H*W, B).
template <typename T>
void DropLabelPlanes(const Matrix<T>& dx, const Shape& image, Index label_count, Matrix<T>& out);

} // namespace ll::nn
