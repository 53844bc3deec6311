// A region of a window drawn once into a texture and shown from it, one opaque quad a frame, until what it shows
// changes. For a software rasteriser (Mesa's llvmpipe under Xvfb) every triangle has a cost of its own, and the 2-D
// view's field, manifold and points are thousands of them that change a few times a second while the window draws
// up to 60 frames; drawn from the texture, the same pixels cost one quad. The contents must cover the region with
// an opaque background. The picture is drawn by the active GlRenderer into a render target of the display's size,
// with the window's projection (so every vertex lands where it would on the screen and the pixels are the same),
// and only the region's pixels are cleared and drawn; without a GlRenderer (ImGui's OpenGL3 backend) the contents
// are drawn into the window every frame, as before. A region whose contents change in place keeps showing its
// picture for that frame and gets the new one between frames (DrawPending, after the swap: the time a frame-rate
// cap leaves idle), so the drawing does not lengthen a frame; a region that moved, or has no picture yet, is drawn
// at once.
// Main (GL/ImGui) thread only, between ImGui::NewFrame and ImGui::Render.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <memory>

namespace ll::ui
{

class CachedRegion
{
public:
    CachedRegion();
    ~CachedRegion();
    CachedRegion(const CachedRegion&) = delete;
    CachedRegion& operator=(const CachedRegion&) = delete;

    // Starts the region [min, max) of the current window. `key` stands for everything the contents depend on
    // (besides the region itself). Returns the draw list to draw the contents into, in screen coordinates, when
    // they must be drawn (the key or the region changed since the picture was made, or there is no picture); nullptr
    // when the picture still shows them. Pair with End().
    ImDrawList* Begin(ImVec2 min, ImVec2 max, std::uint64_t key);
    // Makes the picture from what was drawn (now, or by DrawPending) and shows the picture in the window.
    void End();
    // Draws the pictures whose contents changed in place this frame; the window's loop calls it after the swap (a
    // region whose picture is still pending at its next Begin draws it then).
    static void DrawPending();
    // Pictures made so far (for tests and measurements).
    int Redraws() const { return m_redraws; }
    // Off: every region draws its contents into the window each frame (tests compare the two; default on).
    static void SetEnabled(bool enabled);

private:
    struct Target; // the framebuffer object and its texture
    void DrawPicture(); // renders m_list into the target
    std::unique_ptr<Target> m_target;
    ImDrawList m_list;
    bool m_unsupported = false; // the driver refused the render target: the window draws the contents
    bool m_drawing = false;     // Begin returned m_list
    bool m_defer = false;       // ...for a picture in the same place: DrawPending draws it
    bool m_pending = false;     // m_list waits to be drawn into the picture
    bool m_valid = false;   // the texture holds the picture of m_key in m_origin, m_size
    std::uint64_t m_key = 0;
    ImVec2 m_min, m_max;    // the region as given, last time
    ImVec2 m_origin;        // its top-left whole pixel
    int m_width = 0, m_height = 0;         // its whole pixels
    int m_display_w = 0, m_display_h = 0;  // the render target's size
    int m_redraws = 0;
};

// Mixes v into a key for CachedRegion::Begin.
inline std::uint64_t MixKey(std::uint64_t key, std::uint64_t v)
{
    return (key ^ v) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
}

} // namespace ll::ui
