// The shape of one example flowing through a network: channels, height, width. Image activations are stored
// channels-last (HWC): feature (y * w + x) * c + ch of a column, as data::Dataset stores pixels, so a (c*h*w, B)
// batch is in memory a (c, h*w*B) matrix. A flat vector of n features is Shape{n, 1, 1}.
#pragma once

#include "core/nn/tensor.h"

#include <string>

namespace ll::nn
{

struct Shape
{
    Index c = 0;
    Index h = 1;
    Index w = 1;

    static Shape Flat(Index n) { return Shape{n, 1, 1}; }

    Index Size() const { return c * h * w; }
    Index Pixels() const { return h * w; } // positions per channel
    bool IsFlat() const { return h == 1 && w == 1; }
    bool Valid() const { return c >= 1 && h >= 1 && w >= 1; }

    // "64x7x7", or "784" for a flat shape.
    std::string Text() const
    {
        if (IsFlat())
        {
            return std::to_string(c);
        }
        return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
    }

    bool operator==(const Shape&) const = default;
};

} // namespace ll::nn
