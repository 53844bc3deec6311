// The Runs view: the runs directory's runs (status, preset, steps, wall time, key final metrics; damaged runs with
// the reason), a selection whose curves the Plots view overlays, the config keys that differ between the selected
// runs, two selected runs' sample grids side by side at one step, and per run: open (its last checkpoint, paused:
// plots and samples back without retraining), resume (the same, then train on into the same run), rename, delete
// (asked first). Everything on disk goes through the RunLibrary's worker (run_library.h). Main (ImGui) thread only.
#pragma once

#include "ui/gl/texture.h"
#include "ui/views/lab_view.h"
#include "ui/views/run_library.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ll::ui
{

class RunsView final : public LabView
{
public:
    void Draw(LabContext& ctx) override;
    bool Loading() const override;

private:
    void DrawToolbar(LabContext& ctx, RunLibrary& library, const RunListing& listing);
    void DrawTable(LabContext& ctx, RunLibrary& library, const RunListing& listing);
    void DrawActions(LabContext& ctx, RunLibrary& library, const RunListing& listing);
    void DrawDifferences(const RunLibrary& library, const RunListing& listing);
    void DrawSideBySide(RunLibrary& library, const RunListing& listing);
    void DrawDeleteModal(RunLibrary& library);
    // The final metrics shown as columns: catalog metrics (evaluations first) that some listed run has, at most 4.
    void ChooseMetricColumns(const RunListing& listing);

    RunLibrary* m_library = nullptr;
    std::uint64_t m_listed = 0;           // the listing version the columns were chosen for
    std::uint64_t m_generation = 0;       // the session's run when the list was last refreshed
    std::string m_recording;              // the run folder the session records into ("" = none)
    std::vector<std::string> m_columns;   // metric names
    std::string m_focus;                  // the run the actions apply to (last clicked)
    char m_rename[128] = {};
    std::string m_delete;                 // the run the delete modal asks about
    std::string m_message;
    std::string m_diff_key;                         // listing version and selection of the differences below
    std::vector<std::string> m_diff_runs;           // run names (columns)
    std::vector<std::string> m_diff_keys;           // config keys (rows)
    std::vector<std::vector<std::string>> m_diff_values; // [key][run] as JSON text
    std::int64_t m_side_step = -1;        // the side-by-side step (-1 = the latest both have)
    Texture m_side[2];
    std::shared_ptr<const io::RgbaImage> m_side_uploaded[2];
    bool m_first = true;
    std::chrono::steady_clock::time_point m_live_refresh{}; // the recording run was last re-read
};

} // namespace ll::ui
