// Splitting ImGui's triangles into runs a software rasteriser can draw cheaply. Most of a lab frame's pixels are solid
// fills (window and frame backgrounds, plot areas, bars): every vertex samples the font atlas's white pixel with full
// alpha. Drawn without the texture and without blending they give the same pixels, and llvmpipe shades them several
// times faster (no texel fetches, no read of the framebuffer). GL-free, so it is tested without a display.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <vector>

namespace ll::ui
{

struct DrawRun
{
    unsigned first = 0; // offset into the command's indices
    unsigned count = 0; // number of indices (a multiple of 3)
    bool solid = false; // opaque, untextured: may be drawn without texture and blending
};

// Runs covering the `count` indices from `first` of `list`, in order and without gaps. A run is solid when each of
// its triangles has all three vertices at `white_uv` with alpha 255 and the run covers at least `min_area` pixels
// (smaller solid stretches stay in the neighbouring blended run: a state change costs more than they save).
// `vtx_offset` is added to every index (ImDrawCmd::VtxOffset).
void SplitDrawRuns(const ImDrawList& list, unsigned first, unsigned count, unsigned vtx_offset, ImVec2 white_uv,
                   float min_area, std::vector<DrawRun>& out);

} // namespace ll::ui
