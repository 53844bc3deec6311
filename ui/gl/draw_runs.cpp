// Splitting ImGui's triangles into solid and blended runs (see draw_runs.h).
#include "ui/gl/draw_runs.h"

#include <cmath>

namespace ll::ui
{

namespace
{

bool SolidVertex(const ImDrawVert& v, ImVec2 white_uv)
{
    return (v.col & IM_COL32_A_MASK) == IM_COL32_A_MASK && v.uv.x == white_uv.x && v.uv.y == white_uv.y;
}

float Area(const ImDrawVert& a, const ImDrawVert& b, const ImDrawVert& c)
{
    return 0.5f * std::abs((b.pos.x - a.pos.x) * (c.pos.y - a.pos.y) - (c.pos.x - a.pos.x) * (b.pos.y - a.pos.y));
}

} // namespace

void SplitDrawRuns(const ImDrawList& list, unsigned first, unsigned count, unsigned vtx_offset, ImVec2 white_uv,
                   float min_area, std::vector<DrawRun>& out)
{
    out.clear();
    const ImDrawIdx* idx = list.IdxBuffer.Data + first;
    const ImDrawVert* vtx = list.VtxBuffer.Data + vtx_offset;
    unsigned blended_from = 0; // start of the blended stretch not yet emitted
    unsigned i = 0;
    const auto emit = [&](unsigned from, unsigned to, bool solid) {
        if (to > from)
        {
            out.push_back(DrawRun{first + from, to - from, solid});
        }
    };
    while (i + 3 <= count)
    {
        // The longest stretch of solid triangles from i.
        unsigned j = i;
        float area = 0.0f;
        while (j + 3 <= count)
        {
            const ImDrawVert& a = vtx[idx[j]];
            const ImDrawVert& b = vtx[idx[j + 1]];
            const ImDrawVert& c = vtx[idx[j + 2]];
            if (!SolidVertex(a, white_uv) || !SolidVertex(b, white_uv) || !SolidVertex(c, white_uv))
            {
                break;
            }
            area += Area(a, b, c);
            j += 3;
        }
        if (j > i && area >= min_area)
        {
            emit(blended_from, i, false);
            emit(i, j, true);
            blended_from = j;
            i = j;
        }
        else
        {
            i = j > i ? j : i + 3; // a short solid stretch, or one blended triangle: stays blended
        }
    }
    emit(blended_from, count, false);
}

} // namespace ll::ui
