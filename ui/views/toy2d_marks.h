// The marks of the 2-D view, drawn on a Canvas2D: points as dots (one textured quad each), points coloured by their
// angle, the generator's warped grid, gradient arrows, posterior ellipses, a legend and a canvas title. Shared by the
// view (toy2d_view.cpp) and its drawing tool (toy2d_drawing.cpp). Main (ImGui) thread only.
#pragma once

#include "core/train/experiment.h"
#include "ui/gl/dot_sprite.h"
#include "ui/widgets/canvas_2d.h"

#include <imgui.h>

#include <utility>
#include <vector>

namespace ll::ui::toy2d
{

inline constexpr ImU32 kRealColor = IM_COL32(110, 230, 130, 255);      // green: "real", like the field's high end
inline constexpr ImU32 kRealNeutralColor = IM_COL32(96, 96, 108, 255); // real data under code colours
inline constexpr ImU32 kGeneratedColor = IM_COL32(215, 130, 255, 255); // purple: "generated", the field's low end
inline constexpr ImU32 kSampleColor = IM_COL32(245, 245, 250, 235);    // VAE samples from the prior
inline constexpr ImU32 kManifoldColor = IM_COL32(235, 235, 255, 80);
inline constexpr ImU32 kArrowColor = IM_COL32(255, 225, 110, 230);

// Dots with a dark ring: one textured quad each (a 2-D view shows a thousand or more).
void Points(const Canvas2D& canvas, const nn::MatrixF& points, ImU32 fill, DotSprite& dot, int row_x = 0,
            int row_y = 1);

// Each real point coloured by its angle around the cloud's centre, so a point and its code share a colour.
std::vector<ImU32> AngleColors(const nn::MatrixF& real);

// Points (2, n), each in its own colour (as many as there are colours).
void ColoredPoints(const Canvas2D& canvas, const nn::MatrixF& points, const std::vector<ImU32>& colors, DotSprite& dot);

// The warped grid: lines of constant z1 (along i) and of constant z0 (along j).
void Manifold(const Canvas2D& canvas, const train::View2D& view);

// Arrows of -dL_G/dG(z): direction as given, length proportional to the magnitude, the longest 36 px.
void Arrows(const Canvas2D& canvas, const train::View2D& view);

// Axis-aligned ellipses of a diagonal Gaussian, means and sds (dims, n) with rows 0 and 1 drawn, at `k` standard
// deviations, in the colour of their point and faint. At most ~kMaxEllipses of them (every stride-th point), so the
// cloud stays readable; those wholly outside the canvas are skipped (the canvas's clip rect cuts the rest).
void PosteriorEllipses(const Canvas2D& canvas, const nn::MatrixF& means, const nn::MatrixF& sds,
                       const std::vector<ImU32>& colors, float k);

// A legend box in the canvas's top-left corner.
void Legend(const Canvas2D& canvas, const std::vector<std::pair<ImU32, const char*>>& items);

// A title box in the canvas's top-right corner.
void CanvasTitle(const Canvas2D& canvas, const char* text);

} // namespace ll::ui::toy2d
