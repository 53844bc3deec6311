// The lab window: the Controls panel and the views of the view table (view_table.h: Plots, Samples, 2-D view, Runs,
// Latent, Data) as ImGui windows in a default arrangement computed from the display size (the user's layout persists
// through ImGui's ini file). Once per frame it takes the session's latest snapshot and drains the new metric rows
// into the UI's own bounded history, then hands every panel the same LabContext. Main (GL/ImGui) thread only; never
// waits on the session.
#pragma once

#include "core/train/metric_history.h"
#include "core/train/session.h"
#include "ui/files/file_menu.h"
#include "ui/lab_context.h"
#include "ui/views/controls_panel.h"
#include "ui/views/lab_view.h"
#include "ui/views/run_library.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct ImGuiWindow;

namespace ll::ui
{

class LabWindow
{
public:
    LabWindow(train::Session& session, const LabOptions& options);
    ~LabWindow();
    LabWindow(const LabWindow&) = delete;
    LabWindow& operator=(const LabWindow&) = delete;

    // On the next frame, brings the view (an id of the view table) to the front and gives it the whole area right of
    // the controls. Throws std::invalid_argument for an unknown id.
    void FocusView(const std::string& id);

    // Opens what a path names (File > Open..., a drop on the window, --open): a folder is read as data and previewed
    // in the Data view, a .json file loads as a preset, a .ckpt file as a checkpoint. Anything else, or a file that
    // does not load, is said in a message box; the running experiment stays as it was.
    void Open(const std::string& path);
    // Turns on the 2-D view's drawing tool (with the loaded drawing, if the run is on one) and brings the view forward.
    void StartDrawing();

    ControlsPanel& Controls() { return m_controls; }
    RunLibrary* Runs() { return m_runs.get(); }
    // Selects the n newest runs for comparison once the runs directory is first listed (--select-runs).
    void SelectRunsWhenListed(std::size_t n) { m_select_runs = n; }
    FileMenu& Files() { return m_file; }
    const LabContext& Context() const { return m_ctx; }

    // Draws one frame of the lab (between ImGui::NewFrame and ImGui::Render).
    void Frame();
    // True while a view still loads what it shows (the Data view's dataset): a screenshot waits for it.
    bool Loading() const;
    bool Settling() const; // some view wants the next frame (LabView::Settling)

private:
    void IngestMetrics();
    void DrawMenuBar();
    void PlaceWindow(int view, float menu_height);

    train::Session& m_session;
    std::unique_ptr<RunLibrary> m_runs; // null without a runs directory
    std::size_t m_select_runs = 0;      // runs to select once listed (0 = none pending)
    LabContext m_ctx;
    train::MetricHistory m_history;
    train::MetricBlock m_block;
    std::vector<std::size_t> m_series_of_column; // history index of each MetricBlock column
    std::uint64_t m_generation = ~std::uint64_t{0};

    ControlsPanel m_controls;
    FileMenu m_file;
    std::vector<std::unique_ptr<LabView>> m_views; // one per row of the view table, in its order
    // Per frame: the order views are submitted in, and which are covered (see window_cover.h).
    std::vector<int> m_order;
    std::vector<bool> m_hidden;
    std::vector<const ImGuiWindow*> m_blank;

    int m_focus = -1;           // view to bring to the front on the next frame
    bool m_focus_full = false;  // ...and give it the whole area right of the controls
    bool m_force_layout = false; // "Layout > Reset layout": apply the default arrangement again
    bool m_first_frame = true;
    float m_display[2] = {0, 0}; // display size last frame: a resize re-places windows, so backgrounds stay that frame
    std::optional<models::DataKind> m_front_kind; // data kind the front view was last chosen for (none yet)
    bool m_view_chosen = false; // a view was asked for (--view, the menu) before the first experiment arrived
};

} // namespace ll::ui
