// Interpolation, PCA, colour maps and latent grids for the latent explorer and the 2-D view (GL-free).
#include "ui/views/latent_math.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ll::ui
{

nn::VectorF Lerp(const nn::VectorF& a, const nn::VectorF& b, float t)
{
    return (1.0f - t) * a + t * b;
}

nn::VectorF Slerp(const nn::VectorF& a, const nn::VectorF& b, float t)
{
    const double na = a.cast<double>().norm();
    const double nb = b.cast<double>().norm();
    if (na < 1e-12 || nb < 1e-12)
    {
        return Lerp(a, b, t);
    }
    const double cos_omega = std::clamp(a.cast<double>().dot(b.cast<double>()) / (na * nb), -1.0, 1.0);
    const double omega = std::acos(cos_omega);
    const double sin_omega = std::sin(omega);
    if (sin_omega < 1e-6)
    {
        return Lerp(a, b, t); // (anti)parallel: the great circle is not defined
    }
    const double wa = std::sin((1.0 - t) * omega) / sin_omega;
    const double wb = std::sin(t * omega) / sin_omega;
    return (wa * a.cast<double>() + wb * b.cast<double>()).cast<float>();
}

nn::MatrixF InterpolationPath(const nn::VectorF& a, const nn::VectorF& b, int steps, bool spherical)
{
    if (steps < 2 || a.size() != b.size())
    {
        throw std::invalid_argument("InterpolationPath: need steps >= 2 and codes of equal size (steps " +
                                    std::to_string(steps) + ")");
    }
    nn::MatrixF out(a.size(), steps);
    for (int s = 0; s < steps; ++s)
    {
        const float t = static_cast<float>(s) / static_cast<float>(steps - 1);
        out.col(s) = spherical ? Slerp(a, b, t) : Lerp(a, b, t);
    }
    return out;
}

Pca FitPca(const nn::MatrixF& points, int k)
{
    const auto dim = points.rows();
    const auto n = points.cols();
    if (k < 1 || k > dim || n < 2)
    {
        throw std::invalid_argument("FitPca: need 1 <= k <= dim and at least 2 points (k " + std::to_string(k) +
                                    ", dim " + std::to_string(dim) + ", n " + std::to_string(n) + ")");
    }
    // Double precision: the covariance of thousands of float codes loses digits otherwise.
    const Eigen::MatrixXd x = points.cast<double>();
    const Eigen::VectorXd mean = x.rowwise().mean();
    const Eigen::MatrixXd centred = x.colwise() - mean;
    const Eigen::MatrixXd cov = centred * centred.transpose() / static_cast<double>(n - 1); // (dim, dim)
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(cov);
    if (solver.info() != Eigen::Success)
    {
        throw std::runtime_error("FitPca: eigen-decomposition did not converge");
    }
    Pca pca;
    pca.mean = mean.cast<float>();
    pca.axes.resize(dim, k);
    pca.variances.resize(k);
    for (int i = 0; i < k; ++i)
    {
        // Eigenvalues come ascending: the largest is last.
        const auto src = dim - 1 - i;
        Eigen::VectorXd axis = solver.eigenvectors().col(src);
        Eigen::Index largest = 0;
        axis.cwiseAbs().maxCoeff(&largest);
        if (axis(largest) < 0)
        {
            axis = -axis; // a fixed sign, so the scatter does not flip between model refreshes
        }
        pca.axes.col(i) = axis.cast<float>();
        pca.variances(i) = static_cast<float>(std::max(0.0, solver.eigenvalues()(src)));
    }
    return pca;
}

nn::MatrixF Project(const Pca& pca, const nn::MatrixF& points)
{
    if (points.rows() != pca.mean.size())
    {
        throw std::invalid_argument("Project: points have " + std::to_string(points.rows()) +
                                    " rows, the PCA was fitted on " + std::to_string(pca.mean.size()));
    }
    return pca.axes.transpose() * (points.colwise() - pca.mean);
}

std::uint32_t PackRgba(int r, int g, int b, int a)
{
    const auto c = [](int v) { return static_cast<std::uint32_t>(std::clamp(v, 0, 255)); };
    return c(r) | (c(g) << 8) | (c(b) << 16) | (c(a) << 24);
}

namespace
{

struct Stop
{
    float r, g, b;
};

// Piecewise-linear map through evenly spaced stops.
std::uint32_t MapStops(const Stop* stops, int count, float t, int alpha)
{
    if (!(t == t))
    {
        t = 0; // NaN shows as the low end rather than garbage
    }
    t = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(count - 1);
    const int i = std::min(static_cast<int>(t), count - 2);
    const float f = t - static_cast<float>(i);
    const Stop& a = stops[i];
    const Stop& b = stops[i + 1];
    return PackRgba(static_cast<int>(std::lround(a.r + f * (b.r - a.r))),
                    static_cast<int>(std::lround(a.g + f * (b.g - a.g))),
                    static_cast<int>(std::lround(a.b + f * (b.b - a.b))), alpha);
}

} // namespace

std::uint32_t SequentialColor(float t, int alpha)
{
    static const Stop kStops[] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    return MapStops(kStops, 5, t, alpha);
}

std::uint32_t DivergingColor(float t, int alpha)
{
    static const Stop kStops[] = {{118, 42, 131}, {88, 52, 110}, {38, 38, 44}, {36, 96, 60}, {27, 140, 70}};
    return MapStops(kStops, 5, t, alpha);
}

std::uint32_t ClassColor(int index, int alpha)
{
    static const Stop kPalette[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                      {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {160, 160, 160},
                                      {188, 189, 34},  {23, 190, 207}};
    const Stop& s = kPalette[((index % 10) + 10) % 10];
    return PackRgba(static_cast<int>(s.r), static_cast<int>(s.g), static_cast<int>(s.b), alpha);
}

std::uint32_t AngleColor(float radians, int alpha)
{
    // HSV with s = 0.65, v = 1: bright enough for a dark background.
    float h = radians / (2.0f * 3.14159265f);
    h -= std::floor(h);
    const float s = 0.65f, v = 1.0f;
    const float h6 = h * 6.0f;
    const int sector = static_cast<int>(h6) % 6;
    const float f = h6 - std::floor(h6);
    const float p = v * (1 - s), q = v * (1 - s * f), u = v * (1 - s * (1 - f));
    float r = v, g = u, b = p;
    switch (sector)
    {
    case 0: r = v; g = u; b = p; break;
    case 1: r = q; g = v; b = p; break;
    case 2: r = p; g = v; b = u; break;
    case 3: r = p; g = q; b = v; break;
    case 4: r = u; g = p; b = v; break;
    default: r = v; g = p; b = q; break;
    }
    return PackRgba(static_cast<int>(r * 255), static_cast<int>(g * 255), static_cast<int>(b * 255), alpha);
}

RgbaImage FieldImage(const std::vector<float>& field, int res, float lo, float hi, bool diverging)
{
    if (res <= 0 || field.size() != static_cast<std::size_t>(res) * static_cast<std::size_t>(res))
    {
        throw std::invalid_argument("FieldImage: field of " + std::to_string(field.size()) + " values for res " +
                                    std::to_string(res));
    }
    RgbaImage image;
    image.width = res;
    image.height = res;
    image.pixels.resize(static_cast<std::size_t>(res) * res * 4);
    const float span = hi > lo ? hi - lo : 1.0f;
    for (int row = 0; row < res; ++row)
    {
        const int iy = res - 1 - row; // top row of the image is the largest y
        for (int ix = 0; ix < res; ++ix)
        {
            const float t = (field[static_cast<std::size_t>(ix + res * iy)] - lo) / span;
            const std::uint32_t c = diverging ? DivergingColor(t) : SequentialColor(t);
            std::uint8_t* px = image.pixels.data() + (static_cast<std::size_t>(row) * res + ix) * 4;
            px[0] = static_cast<std::uint8_t>(c & 0xFF);
            px[1] = static_cast<std::uint8_t>((c >> 8) & 0xFF);
            px[2] = static_cast<std::uint8_t>((c >> 16) & 0xFF);
            px[3] = static_cast<std::uint8_t>((c >> 24) & 0xFF);
        }
    }
    return image;
}

nn::MatrixF SweepGrid(const nn::VectorF& base, int dim_x, int dim_y, int side, float extent)
{
    const auto dim = base.size();
    if (side < 2 || dim_x < 0 || dim_x >= dim || dim_y < 0 || dim_y >= dim)
    {
        throw std::invalid_argument("SweepGrid: dims " + std::to_string(dim_x) + ", " + std::to_string(dim_y) +
                                    " of a " + std::to_string(dim) + "-D code, side " + std::to_string(side));
    }
    nn::MatrixF out(dim, static_cast<nn::Index>(side) * side);
    const auto value = [&](int i) { return -extent + 2.0f * extent * static_cast<float>(i) / (side - 1); };
    for (int r = 0; r < side; ++r)
    {
        for (int c = 0; c < side; ++c)
        {
            auto col = out.col(c + side * r);
            col = base;
            col(dim_x) = value(c);
            col(dim_y) = value(side - 1 - r);
        }
    }
    return out;
}

nn::MatrixF TraversalCodes(const nn::VectorF& base, int rows, int steps, float extent)
{
    if (rows < 1 || rows > base.size() || steps < 2)
    {
        throw std::invalid_argument("TraversalCodes: " + std::to_string(rows) + " rows of a " +
                                    std::to_string(base.size()) + "-D code, " + std::to_string(steps) + " steps");
    }
    nn::MatrixF out(base.size(), static_cast<nn::Index>(rows) * steps);
    for (int d = 0; d < rows; ++d)
    {
        for (int s = 0; s < steps; ++s)
        {
            auto col = out.col(s + steps * d);
            col = base;
            col(d) = -extent + 2.0f * extent * static_cast<float>(s) / (steps - 1);
        }
    }
    return out;
}

nn::MatrixF TraversalOf(const nn::VectorF& base, const std::vector<int>& dims, int steps, float extent)
{
    if (dims.empty() || steps < 2)
    {
        throw std::invalid_argument("TraversalOf: " + std::to_string(dims.size()) + " dims, " +
                                    std::to_string(steps) + " steps (need at least 1 and 2)");
    }
    nn::MatrixF out(base.size(), static_cast<nn::Index>(dims.size()) * steps);
    for (std::size_t r = 0; r < dims.size(); ++r)
    {
        if (dims[r] < 0 || dims[r] >= base.size())
        {
            throw std::invalid_argument("TraversalOf: dim " + std::to_string(dims[r]) + " of a " +
                                        std::to_string(base.size()) + "-D code");
        }
        for (int s = 0; s < steps; ++s)
        {
            auto col = out.col(s + steps * static_cast<nn::Index>(r));
            col = base;
            col(dims[r]) = -extent + 2.0f * extent * static_cast<float>(s) / (steps - 1);
        }
    }
    return out;
}

nn::MatrixF CodeValueGrid(const nn::MatrixF& bases, nn::Index top, int k)
{
    if (k < 1 || top < 0 || top + k > bases.rows() || bases.cols() < 1)
    {
        throw std::invalid_argument("CodeValueGrid: a block of " + std::to_string(k) + " rows at row " +
                                    std::to_string(top) + " of " + std::to_string(bases.rows()) + "-D codes (" +
                                    std::to_string(bases.cols()) + " columns)");
    }
    const nn::Index cols = bases.cols();
    nn::MatrixF out(bases.rows(), k * cols);
    for (int v = 0; v < k; ++v)
    {
        out.middleCols(v * cols, cols) = bases;
        out.block(top, v * cols, k, cols).setZero();
        out.block(top + v, v * cols, 1, cols).setOnes();
    }
    return out;
}

void SetOneHot(nn::VectorF& code, nn::Index top, int k, int v)
{
    if (k < 1 || top < 0 || top + k > code.size() || v < 0 || v >= k)
    {
        throw std::invalid_argument("SetOneHot: value " + std::to_string(v) + " of a block of " + std::to_string(k) +
                                    " rows at row " + std::to_string(top) + " of a " + std::to_string(code.size()) +
                                    "-D code");
    }
    code.segment(top, k).setZero();
    code(top + v) = 1.0f;
}

} // namespace ll::ui
