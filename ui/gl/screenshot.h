// Reading back the rendered frame and writing it as a PNG (for --screenshot and the GUI smoke test).
// Main (GL) thread only.
#pragma once

#include "ui/widgets/image_grid.h"

#include <string>

namespace ll::ui
{

// The current read framebuffer's (0, 0, width, height) as RGBA8, flipped so the top row comes first.
RgbaImage ReadFramebuffer(int width, int height);

// Writes an RGBA8 image as PNG; throws std::runtime_error naming the path on failure.
void WritePng(const std::string& path, const RgbaImage& image);

} // namespace ll::ui
