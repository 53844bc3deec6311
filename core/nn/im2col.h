// im2col / col2im for channels-last (HWC) image batches: the data movement that turns a convolution into one
// matrix product over the whole batch. A column of the patch matrix holds the kernel window of one output
// position, rows ordered (ky, kx, c), so each kernel row is one contiguous run of kernel * C values of the image.
// Thread contract: reentrant; the loops split across the calling thread's budget through ParallelFor.
#pragma once

#include "core/nn/tensor.h"

namespace ll::nn
{

// The geometry shared by a convolution and its transpose. The "image" side is (channels, image_h, image_w): the
// input of Conv2d, the output of ConvTranspose2d. The "grid" side is (grid_h, grid_w) window positions: the output
// of Conv2d, the input of ConvTranspose2d. Square kernels, equal stride and padding on both axes.
struct ConvGeometry
{
    Index channels = 1;
    Index image_h = 1, image_w = 1;
    Index kernel = 1, stride = 1, pad = 0;
    Index grid_h = 1, grid_w = 1;

    Index PatchRows() const { return kernel * kernel * channels; } // rows of the patch matrix
    Index GridPositions() const { return grid_h * grid_w; }
    Index ImageSize() const { return image_h * image_w * channels; } // features of one example
    // 1x1, stride 1, unpadded: the patch matrix of a batch is the batch itself, (C, H*W*B).
    bool Pointwise() const { return kernel == 1 && stride == 1 && pad == 0; }
};

// Window positions along one axis of a convolution: (in + 2 pad - kernel) / stride + 1; 0 when the padded input is
// smaller than the kernel.
inline Index ConvExtent(Index in, Index kernel, Index stride, Index pad)
{
    const Index span = in + 2 * pad - kernel;
    return span < 0 ? 0 : span / stride + 1;
}

// Output length along one axis of a transposed convolution: (in - 1) stride - 2 pad + kernel + output_pad.
inline Index ConvTransposeExtent(Index in, Index kernel, Index stride, Index pad, Index output_pad)
{
    return (in - 1) * stride - 2 * pad + kernel + output_pad;
}

// image: batch examples of ImageSize() values each (HWC), contiguous -> cols (PatchRows(), GridPositions() * batch),
// column (b * grid_h + gy) * grid_w + gx; padding reads as zero.
template <typename T>
void Im2Col(const ConvGeometry& g, Index batch, const T* image, T* cols);

// The adjoint of Im2Col: image = sum over windows of their columns (overwrites image, zero where no window
// reaches). Gathered per image row, so each image row is written by one thread only. With start (channels values),
// every pixel starts from start instead of zero: a transposed convolution's bias in the same pass.
template <typename T>
void Col2Im(const ConvGeometry& g, Index batch, const T* cols, T* image, const T* start = nullptr);

// y (rows, cols), column-major, = bias (rows) on every column: the start a product then adds onto (beta = 1), which
// saves the library's zeroing pass and a bias pass after it.
template <typename T>
void SetBiasRows(T* y, Index rows, Index cols, const T* bias);

// db (rows) += row sums of dy (rows, cols), column-major.
template <typename T>
void AccumulateRowSums(const T* dy, Index rows, Index cols, T* db);

} // namespace ll::nn
