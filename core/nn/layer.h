// The layer interface: Forward caches what Backward needs; Backward returns dx and accumulates parameter
// gradients; BackwardOfBackward differentiates the backward map itself (for gradient penalties, WGAN-GP).
// A layer is used by one thread at a time; Clone gives an independent copy (e.g. the UI's frozen decoder).
// Examples are columns of C*H*W features in channels-last order (shape.h); a layer that needs the spatial shape is
// constructed with its input Shape.
#pragma once

#include "core/nn/shape.h"
#include "core/nn/tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace ll::nn
{

template <typename T>
class Layer
{
public:
    virtual ~Layer() = default;

    // Short kind name: "linear", "relu", "leaky_relu", "tanh", "sigmoid", "softplus", ...
    virtual std::string Kind() const = 0;

    // Number of output features for a given number of input features.
    virtual Index OutputSize(Index input_size) const = 0;

    // Output shape of one example for an input shape. The default is flat (Linear); elementwise layers keep the
    // input's shape, and spatial layers (conv, reshape, ...) give their own.
    virtual Shape OutputShape(const Shape& input) const { return Shape::Flat(OutputSize(input.Size())); }

    // x: (in, B) -> y: (out, B). Caches x by pointer (no copy) for Backward: x must stay alive and unchanged
    // until the matching Backward / BackwardOfBackward. The returned reference stays valid until the next
    // Forward on this layer.
    virtual const Matrix<T>& Forward(const Matrix<T>& x) = 0;

    // dy: (out, B) -> dx: (in, B), for the input of the last Forward. Adds (+=) parameter gradients when
    // accumulate is true; with false only dx is computed (the gradient penalty's inner backward). dy is cached
    // by pointer for BackwardOfBackward and must outlive it. The returned dx stays valid until the next Backward.
    virtual const Matrix<T>& Backward(const Matrix<T>& dy, bool accumulate = true) = 0;

    // Backward that adds the parameter gradients and may skip dx (the first layer of a network whose input gradient
    // nobody needs: an encoder's, a generator's, D's in its own update). dy is cached as for Backward; the dx of an
    // earlier Backward may be left as it was or overwritten. The default simply runs Backward(dy, true).
    virtual void BackwardParamsOnly(const Matrix<T>& dy) { Backward(dy, true); }

    // Double backward. The last Backward computed dx = B(x, params, dy). Given u = dP/d(dx): (in, B), returns
    // dP/d(dy): (out, B), writes dP/dx: (in, B) into dp_dx (zero for layers linear in x), and adds dP/dparams
    // to the parameter gradients.
    virtual const Matrix<T>& BackwardOfBackward(const Matrix<T>& u, Matrix<T>& dp_dx) = 0;

    // Appends this layer's parameters, named prefix + "weight" / "bias".
    virtual void CollectParams(const std::string& prefix, std::vector<ParamRef<T>>& out) { (void)prefix; (void)out; }

    // Appends non-trainable state a checkpoint must keep for an exact resume (grad = nullptr): BatchNorm's
    // running statistics, spectral normalisation's power-iteration vectors.
    virtual void CollectState(const std::string& prefix, std::vector<ParamRef<T>>& out) { (void)prefix; (void)out; }

    // Sets this layer's parameter gradients to zero (no allocation).
    virtual void ZeroGrad() {}

    // Training or evaluation mode: both switches below at once.
    void SetTraining(bool training)
    {
        SetPowerIteration(training);
        SetBatchStatistics(training);
    }
    // Spectral normalisation: whether a Forward advances the power iteration (u, v) once. The GAN keeps this off
    // except for the first forward of an update, so every loss of one update sees the same sigma.
    virtual void SetPowerIteration(bool advance) { (void)advance; }
    // BatchNorm: normalise with the batch's statistics and update the running ones (every training forward), or
    // use the running statistics (sampling, evaluation). Independent of the power iteration.
    virtual void SetBatchStatistics(bool batch) { (void)batch; }

    // True when dx = B(x, dy) does not depend on x (Linear, ReLU, LeakyReLU, identity): BackwardOfBackward
    // then writes zeros into dp_dx, and Sequential can skip the forward-path pass for such a chain.
    virtual bool CurvatureFree() const { return false; }

    // A deep, independent copy (parameters and settings; caches need not be copied).
    virtual std::unique_ptr<Layer<T>> Clone() const = 0;
};

} // namespace ll::nn
