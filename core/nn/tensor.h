// Tensor aliases and the parameter record shared by layers, optimizers and checkpoints.
// Batches are (features, batch): one column is one example. Everything in nn/ is templated on the scalar so
// the same code runs in float (training) and double (finite-difference gradient checks).
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

namespace ll::nn
{

using Index = Eigen::Index;

template <typename T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>; // column-major, (rows, cols)

template <typename T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

using MatrixF = Matrix<float>;
using VectorF = Vector<float>;

// One trainable tensor: its name (unique within a model, e.g. "G.0.weight"), its value and its gradient.
// Optimizers and checkpoints see the same list, in the same order.
template <typename T>
struct ParamRef
{
    std::string name;
    Matrix<T>* value = nullptr;
    Matrix<T>* grad = nullptr;
};

using ParamList = std::vector<ParamRef<float>>;

// Resizes m to (rows, cols) only when its shape differs, so a layer's buffers allocate once for repeated batches.
template <typename T>
void EnsureShape(Matrix<T>& m, Index rows, Index cols)
{
    if (m.rows() != rows || m.cols() != cols)
    {
        m.resize(rows, cols);
    }
}

// "(rows, cols)": a matrix's shape in messages ("dy is (3, 8), expected (4, 8)").
inline std::string ShapeText(Index rows, Index cols)
{
    return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

} // namespace ll::nn
