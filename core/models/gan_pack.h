// PacGAN packing (Lin et al. 2018): D judges m examples at once, concatenated into one input, all real or all
// generated. An MLP D gets the m feature vectors stacked; a convolutional D gets them along the channels (examples
// are stored channels-last, HWC, see core/nn/shape.h, so channel concatenation interleaves the m examples pixel by
// pixel). Pure functions of their inputs: safe from any thread on data the caller owns.
#pragma once

#include "core/nn/shape.h"
#include "core/nn/tensor.h"

namespace ll::models
{

// The shape D sees for m packed examples of shape `example`: (m c, h, w); a flat example of n features gives m n.
nn::Shape PackedShape(const nn::Shape& example, nn::Index m);

// x (example.Size(), m n) -> packed (m example.Size(), n): packed column j holds examples j m, ..., j m + m - 1 (its
// slot k is example j m + k). Throws std::invalid_argument when x's rows do not match the example or its columns
// are not a multiple of m (m >= 1).
void PackExamples(const nn::MatrixF& x, const nn::Shape& example, nn::Index m, nn::MatrixF& packed);

// The inverse of PackExamples (and its adjoint, so it also carries dLoss/dpacked back to dLoss/dx):
// packed (m example.Size(), n) -> x (example.Size(), m n).
void UnpackExamples(const nn::MatrixF& packed, const nn::Shape& example, nn::Index m, nn::MatrixF& x);

// Every example packed with m - 1 copies of itself: x (example.Size(), n) -> (m example.Size(), n). What the lab's
// views show of a packed D at one point (its field, and G's arrows through SumPackSlots).
void PackRepeated(const nn::MatrixF& x, const nn::Shape& example, nn::Index m, nn::MatrixF& packed);

// The adjoint of PackRepeated: the m slots' gradients summed, (m example.Size(), n) -> (example.Size(), n).
void SumPackSlots(const nn::MatrixF& packed, const nn::Shape& example, nn::Index m, nn::MatrixF& x);

} // namespace ll::models
