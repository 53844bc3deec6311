// The lab's views, declared once: a row per view with its id (--view, LabWindow::FocusView), its title (the window's,
// the View menu's entry and the key of its saved layout), its place in the default arrangement, the data it shows
// best (that view comes forward when an experiment's data first shows) and how to make it. The lab window, its View
// menu, the default layout and the command line all iterate this table: a new view is its file and one row here.
#pragma once

#include "ui/views/lab_view.h"

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace ll::ui
{

// The default arrangement: Controls on the left, then a middle column and a right-hand stack of windows.
enum class ViewSlot
{
    Middle,
    Right,
};

struct ViewRow
{
    const char* id;    // "plots"
    const char* title; // "Plots"
    ViewSlot slot;
    // True when this view shows the snapshot's data best; null for a view never brought forward for the data.
    bool (*suits)(const train::Snapshot& snap);
    std::unique_ptr<LabView> (*make)(const LabOptions& options);
};

// Every view, in the View menu's order (also their stacking order at start: earlier rows in front).
std::span<const ViewRow> ViewTable();
// The index of the view with this id in ViewTable(), or -1.
int FindView(std::string_view id);
// "plots, samples, toy2d, latent, data, runs": the ids for --help and error messages.
std::string ViewIdList();

} // namespace ll::ui
