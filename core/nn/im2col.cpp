// im2col / col2im over HWC batches, bias rows and row sums: the non-product loops of the convolutions.
#include "core/nn/im2col.h"

#include "core/nn/parallel.h"

#include <algorithm>
#include <cstring>

namespace ll::nn
{

namespace
{
// Work per ParallelFor chunk worth a thread: about this many values copied or added.
constexpr Index kValuesPerTask = 32768;

Index RowsPerTask(Index values_per_row)
{
    return std::max<Index>(1, kValuesPerTask / std::max<Index>(values_per_row, 1));
}
} // namespace

template <typename T>
void Im2Col(const ConvGeometry& g, Index batch, const T* image, T* cols)
{
    const Index c = g.channels, k = g.kernel, s = g.stride, p = g.pad;
    const Index rows = g.PatchRows();
    const Index run = k * c; // one kernel row: contiguous in the image when it lies inside
    const Index image_size = g.ImageSize();
    const Index grid_rows = batch * g.grid_h;
    ParallelFor(grid_rows, RowsPerTask(g.grid_w * rows),
                [&](Index r0, Index r1)
                {
                    for (Index r = r0; r < r1; ++r)
                    {
                        const Index b = r / g.grid_h;
                        const Index gy = r - b * g.grid_h;
                        const T* img = image + b * image_size;
                        T* col = cols + r * g.grid_w * rows; // column (r * grid_w + gx)
                        for (Index gx = 0; gx < g.grid_w; ++gx, col += rows)
                        {
                            const Index x0 = gx * s - p;
                            const Index kx0 = std::max<Index>(0, -x0);
                            const Index kx1 = std::min<Index>(k, g.image_w - x0);
                            for (Index ky = 0; ky < k; ++ky)
                            {
                                T* dst = col + ky * run;
                                const Index iy = gy * s - p + ky;
                                if (iy < 0 || iy >= g.image_h || kx0 >= kx1)
                                {
                                    std::fill(dst, dst + run, T(0));
                                    continue;
                                }
                                std::fill(dst, dst + kx0 * c, T(0));
                                std::memcpy(dst + kx0 * c, img + (iy * g.image_w + x0 + kx0) * c,
                                            static_cast<std::size_t>((kx1 - kx0) * c) * sizeof(T));
                                std::fill(dst + kx1 * c, dst + run, T(0));
                            }
                        }
                    }
                });
}

template <typename T>
void Col2Im(const ConvGeometry& g, Index batch, const T* cols, T* image, const T* start)
{
    const Index c = g.channels, k = g.kernel, s = g.stride, p = g.pad;
    const Index rows = g.PatchRows();
    const Index run = k * c;
    const Index image_rows = batch * g.image_h;
    const Index row_size = g.image_w * c;
    // Image row (b, iy) receives kernel row ky of every window row gy with gy * s - p + ky = iy.
    ParallelFor(image_rows, RowsPerTask(g.grid_w * run * ((k + s - 1) / s)),
                [&](Index r0, Index r1)
                {
                    for (Index r = r0; r < r1; ++r)
                    {
                        const Index b = r / g.image_h;
                        const Index iy = r - b * g.image_h;
                        T* img_row = image + r * row_size;
                        if (start == nullptr)
                        {
                            std::fill(img_row, img_row + row_size, T(0));
                        }
                        else
                        {
                            for (Index x = 0; x < g.image_w; ++x)
                            {
                                std::copy(start, start + c, img_row + x * c);
                            }
                        }
                        for (Index ky = (iy + p) % s; ky < k; ky += s)
                        {
                            const Index gy_s = iy + p - ky; // gy * s
                            if (gy_s < 0)
                            {
                                break;
                            }
                            const Index gy = gy_s / s;
                            if (gy >= g.grid_h)
                            {
                                continue;
                            }
                            const T* col = cols + (b * g.grid_h + gy) * g.grid_w * rows + ky * run;
                            for (Index gx = 0; gx < g.grid_w; ++gx, col += rows)
                            {
                                const Index x0 = gx * s - p;
                                const Index kx0 = std::max<Index>(0, -x0);
                                const Index kx1 = std::min<Index>(k, g.image_w - x0);
                                if (kx0 >= kx1)
                                {
                                    continue;
                                }
                                const T* src = col + kx0 * c;
                                T* dst = img_row + (x0 + kx0) * c;
                                const Index n = (kx1 - kx0) * c;
                                for (Index i = 0; i < n; ++i)
                                {
                                    dst[i] += src[i];
                                }
                            }
                        }
                    }
                });
}

template <typename T>
void SetBiasRows(T* y, Index rows, Index cols, const T* bias)
{
    ParallelFor(cols, RowsPerTask(rows),
                [&](Index j0, Index j1)
                {
                    for (Index j = j0; j < j1; ++j)
                    {
                        std::copy(bias, bias + rows, y + j * rows);
                    }
                });
}

template <typename T>
void AccumulateRowSums(const T* dy, Index rows, Index cols, T* db)
{
    // Blocks of rows, each summed over every column in a fixed order (the same result on any thread count),
    // accumulated in double so a long sum (a whole batch of pixels) keeps float's precision.
    constexpr Index kBlock = 256;
    const Index blocks = (rows + kBlock - 1) / kBlock;
    ParallelFor(blocks, std::max<Index>(1, kValuesPerTask / std::max<Index>(cols * kBlock, 1)),
                [&](Index q0, Index q1)
                {
                    double acc[kBlock];
                    for (Index q = q0; q < q1; ++q)
                    {
                        const Index i0 = q * kBlock;
                        const Index n = std::min(kBlock, rows - i0);
                        std::fill(acc, acc + n, 0.0);
                        for (Index j = 0; j < cols; ++j)
                        {
                            const T* col = dy + j * rows + i0;
                            for (Index i = 0; i < n; ++i)
                            {
                                acc[i] += static_cast<double>(col[i]);
                            }
                        }
                        for (Index i = 0; i < n; ++i)
                        {
                            db[i0 + i] += static_cast<T>(acc[i]);
                        }
                    }
                });
}

template void Im2Col<float>(const ConvGeometry&, Index, const float*, float*);
template void Im2Col<double>(const ConvGeometry&, Index, const double*, double*);
template void Col2Im<float>(const ConvGeometry&, Index, const float*, float*, const float*);
template void Col2Im<double>(const ConvGeometry&, Index, const double*, double*, const double*);
template void SetBiasRows<float>(float*, Index, Index, const float*);
template void SetBiasRows<double>(double*, Index, Index, const double*);
template void AccumulateRowSums<float>(const float*, Index, Index, float*);
template void AccumulateRowSums<double>(const double*, Index, Index, double*);

} // namespace ll::nn
