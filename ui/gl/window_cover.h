// What a window draws over, for a software rasteriser. Under Xvfb (Mesa's llvmpipe) every pixel a frame fills costs
// CPU that training also wants, so the lab window leaves out what nobody would see: views entirely covered by another
// draw nothing, and a window with nothing drawn under it leaves its background to the screen's clear (which is the
// windows' background colour). Both decisions use last frame's rectangles and display order.
#pragma once

#include <span>

struct ImGuiWindow;

namespace ll::ui
{

// True when the window called title was entirely covered last frame by a window in front of it (child windows,
// popups and tooltips do not count). False for a window that does not exist yet or is collapsed.
bool HiddenBehindOthers(const char* title);

// True when a window before the window called title in display order overlapped it last frame, so that something
// would show through a missing background. Windows in `blank` draw nothing this frame and do not count; neither do
// child windows (drawn inside their parents) nor slivers under half a pixel wide (pixels are covered at their
// centres). True, to be safe, for a window that does not exist yet.
bool DrawnUnder(const char* title, std::span<const ImGuiWindow* const> blank);

} // namespace ll::ui
