// GL-free maths for the 2-D view and the latent explorer: interpolation between codes (lerp, slerp), a two-axis
// PCA projection, colour maps and the class palette, and the latent grids the explorer decodes. Tested in tests/ui.
#pragma once

#include "core/nn/tensor.h"
#include "ui/widgets/image_grid.h"

#include <cstdint>
#include <vector>

namespace ll::ui
{

// --- Interpolation between two latent codes (vectors of the same size). ---
nn::VectorF Lerp(const nn::VectorF& a, const nn::VectorF& b, float t); // (1 - t) a + t b
// Spherical interpolation along the great circle between the directions of a and b (White 2016): unit-norm
// inputs stay on the unit sphere. Falls back to Lerp when a and b are (anti)parallel or one is zero.
nn::VectorF Slerp(const nn::VectorF& a, const nn::VectorF& b, float t);
// `steps` codes from a to b inclusive (steps >= 2), linear or spherical: (dim, steps).
nn::MatrixF InterpolationPath(const nn::VectorF& a, const nn::VectorF& b, int steps, bool spherical);

// --- PCA: the leading axes of a cloud of points (dim, n), from the eigen-decomposition of its covariance. ---
struct Pca
{
    nn::VectorF mean;      // (dim)
    nn::MatrixF axes;      // (dim, k): unit columns, largest variance first; sign: largest-|.| entry positive
    nn::VectorF variances; // (k) eigenvalues, descending
};
// k <= dim; n >= 2. Throws std::invalid_argument otherwise.
Pca FitPca(const nn::MatrixF& points, int k = 2);
// Coordinates of points (dim, n) along the axes: (k, n).
nn::MatrixF Project(const Pca& pca, const nn::MatrixF& points);

// --- Colours, packed like ImGui's IM_COL32 (R in the lowest byte, A in the highest). ---
std::uint32_t PackRgba(int r, int g, int b, int a = 255);
// Sequential (dark blue -> teal -> green -> yellow, viridis-like) and diverging (purple -> dark grey -> green,
// dark in the middle so light points stay visible on it) maps of t in [0, 1] (clamped).
std::uint32_t SequentialColor(float t, int alpha = 255);
std::uint32_t DivergingColor(float t, int alpha = 255);
// Ten distinct colours for classes (tab10-like); class i uses ClassColor(i % 10).
std::uint32_t ClassColor(int index, int alpha = 255);
// Hue wheel colour of an angle in radians (points coloured by where they are, to match data and latent views).
std::uint32_t AngleColor(float radians, int alpha = 255);

// A res x res scalar field (index ix + res * iy, iy upward) as an RGBA image with the top row first (iy = res - 1),
// value v mapped to t = (v - lo) / (hi - lo) through the diverging or sequential map.
RgbaImage FieldImage(const std::vector<float>& field, int res, float lo, float hi, bool diverging);

// --- Latent grids for the explorer. ---
// Codes sweeping dims dim_x and dim_y of `base` over [-extent, extent] on a side x side grid: (dim, side^2),
// column c + side * r has dim_x = grid[c] (left to right) and dim_y = grid[side - 1 - r] (top row = +extent).
nn::MatrixF SweepGrid(const nn::VectorF& base, int dim_x, int dim_y, int side, float extent);
// One row per dimension (the first `rows` dims): row d varies dim d alone over [-extent, extent] in `steps`
// values, the other dims from base: (dim, rows * steps), column s + steps * d.
nn::MatrixF TraversalCodes(const nn::VectorF& base, int rows, int steps, float extent);
// The same for chosen dimensions: row r varies dims[r] alone: (dim, dims.size() * steps), column s + steps * r.
nn::MatrixF TraversalOf(const nn::VectorF& base, const std::vector<int>& dims, int steps, float extent);
// InfoGAN's categorical code grid: one row per value v of a one-hot block of k rows starting at row `top`, one
// column per code in bases (dim, cols) (their z held fixed down a column): (dim, k * cols), column j + cols * v is
// bases.col(j) with the block set to one-hot(v).
nn::MatrixF CodeValueGrid(const nn::MatrixF& bases, nn::Index top, int k);
// Sets a one-hot block of k rows at `top` in code to value v (every other entry of the block 0).
void SetOneHot(nn::VectorF& code, nn::Index top, int k, int v);

} // namespace ll::ui
