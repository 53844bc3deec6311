// Tiles many small images into one RGBA8 picture (for a GL texture): the tiler is core's (core/io/image_io.h),
// named here for the UI's code.
#pragma once

#include "core/io/image_io.h"

namespace ll::ui
{

using io::GridLayout;
using io::MakeGridLayout;
using io::RgbaImage;
using io::TileImages;

} // namespace ll::ui
