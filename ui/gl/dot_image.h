// A round dot as a small RGBA8 image, so that a scatter of many points is one textured quad per point (2 triangles)
// instead of an anti-aliased polygon or two (about 50 triangles, each a setup cost for a software rasteriser).
// GL-free; tested in tests/ui.
#pragma once

#include "ui/widgets/image_grid.h"

namespace ll::ui
{

// White inside `radius` pixels of the centre, then a ring `outline` pixels wide of grey `shade` (0 = black) at
// opacity `outline_alpha`, then transparent. Each pixel holds the average of 8x8 samples (alpha, and colour
// weighted by alpha), so the edges are anti-aliased. The image is square, with the dot centred and at least one
// transparent pixel around it; drawn at 1:1 scale and tinted by a colour, the fill takes that colour and the ring
// that colour times `shade`. Throws std::invalid_argument unless 0 < radius <= 64 and 0 <= outline <= 16.
RgbaImage DotImage(float radius, float outline, float shade = 0.05f, float outline_alpha = 0.8f);

} // namespace ll::ui
