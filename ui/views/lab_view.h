// What every view of the lab window is: a stateful ImGui panel with a Draw() for the contents of the window the lab
// opens for it (ImGui's examples' shape), made from the lab's options by its row in the view table (view_table.h).
// Main (GL/ImGui) thread only.
#pragma once

#include "ui/lab_context.h"

#include <cstdint>
#include <string>

namespace ll::ui
{

// What the views are made from (the window's command line).
struct LabOptions
{
    std::string data_dir;                  // --data ("" = $LATENTLAB_DATA or the Debian default)
    std::string dataset = "fashion-train"; // the Data view's first source
    std::uint64_t seed = 1;                // the Data view's examples
    std::string runs_dir;                  // --runs (the Runs view lists it)
};

class LabView
{
public:
    virtual ~LabView() = default;
    // Draws the contents of the current window (between its ImGui::Begin and End).
    virtual void Draw(LabContext& ctx) = 0;
    // True while the view still loads what it shows (the Data view's dataset): a screenshot waits for it.
    virtual bool Loading() const { return false; }
    // True when the view drew this frame and has more to show without new input or data (the Plots view spreads a
    // refresh of its plots over frames): the window draws another frame instead of waiting.
    virtual bool Settling() const { return false; }
};

} // namespace ll::ui
