// The lab window (see lab_window.h).
#include "ui/views/lab_window.h"

#include "ui/gl/window_cover.h"
#include "ui/views/data_view.h"
#include "ui/views/toy2d_view.h"
#include "ui/views/view_table.h"
#include "ui/widgets/theme.h"

#include <imgui.h>
#include <imgui_internal.h> // GImGui->MovingWindow

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <span>
#include <stdexcept>

namespace ll::ui
{

namespace
{

constexpr const char* kControlsTitle = "Controls";

float ControlsWidth(float display_w) { return std::clamp(display_w * 0.25f, 300.0f, 440.0f); }

// The first view of the table that suits the snapshot's data, or -1 when none does.
int ViewForData(const train::Snapshot& snap)
{
    const std::span<const ViewRow> views = ViewTable();
    for (std::size_t i = 0; i < views.size(); ++i)
    {
        if (views[i].suits != nullptr && views[i].suits(snap))
        {
            return static_cast<int>(i);
        }
    }
    return -1;
}

} // namespace

LabWindow::LabWindow(train::Session& session, const LabOptions& options) : m_session(session)
{
    m_ctx.session = &session;
    m_ctx.snapshot = session.Latest();
    m_ctx.history = &m_history;
    m_ctx.new_rows = &m_block;
    if (!options.runs_dir.empty())
    {
        m_runs = std::make_unique<RunLibrary>(options.runs_dir);
        m_ctx.runs = m_runs.get();
    }
    for (const ViewRow& view : ViewTable())
    {
        m_views.push_back(view.make(options));
    }
    m_order.reserve(m_views.size());
    m_hidden.reserve(m_views.size());
    m_blank.reserve(m_views.size());
}

LabWindow::~LabWindow() = default;

void LabWindow::FocusView(const std::string& id)
{
    const int view = FindView(id);
    if (view < 0)
    {
        throw std::invalid_argument("unknown view '" + id + "' (" + ViewIdList() + ")");
    }
    m_focus = view;
    m_focus_full = true;
    m_view_chosen = true;
}

void LabWindow::Open(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p(path);
    if (fs::is_directory(p, ec))
    {
        for (const auto& view : m_views)
        {
            if (auto* data = dynamic_cast<DataView*>(view.get()))
            {
                data->OpenFolder(path);
                FocusView("data");
                return;
            }
        }
    }
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!fs::exists(p, ec))
    {
        m_file.Report("Cannot open '" + path + "': it does not exist.");
    }
    else if (ext == ".json")
    {
        if (!m_controls.LoadPreset(m_session, path))
        {
            m_file.Report("Could not open the preset: " + m_controls.PresetError());
        }
    }
    else if (ext == ".ckpt")
    {
        m_file.LoadFrom(path);
    }
    else
    {
        m_file.Report("Cannot open '" + path + "': the lab opens data folders (MNIST-format IDX files or images), "
                      "presets (.json) and checkpoints (.ckpt).");
    }
}

void LabWindow::StartDrawing()
{
    for (const auto& view : m_views)
    {
        if (auto* toy = dynamic_cast<Toy2DView*>(view.get()))
        {
            toy->RequestDrawing();
            FocusView("toy2d");
        }
    }
}

bool LabWindow::Loading() const
{
    const bool runs_loading = m_runs != nullptr && (m_runs->Busy() || m_runs->Listing()->version == 0);
    return runs_loading || std::any_of(m_views.begin(), m_views.end(), [](const auto& view) { return view->Loading(); });
}

bool LabWindow::Settling() const
{
    return std::any_of(m_views.begin(), m_views.end(), [](const auto& view) { return view->Settling(); });
}

void LabWindow::IngestMetrics()
{
    m_session.DrainMetrics(m_block);
    if (m_runs != nullptr) // the recording run's row and curves follow these rows, not its CSV
    {
        m_runs->SetRecording(m_ctx.snapshot->run_dir, m_ctx.snapshot->generation);
        m_runs->AddRecordingRows(m_block);
    }
    if (m_block.Rows() == 0)
    {
        return;
    }
    if (m_block.generation != m_generation)
    {
        m_generation = m_block.generation;
        m_history.Clear();
        m_series_of_column.clear();
    }
    while (m_series_of_column.size() < m_block.names.size())
    {
        m_series_of_column.push_back(m_history.IndexOf(m_block.names[m_series_of_column.size()]));
    }
    for (std::size_t c = 0; c < m_block.columns.size(); ++c)
    {
        const std::vector<double>& column = m_block.columns[c];
        const std::size_t series = m_series_of_column[c];
        for (std::size_t r = 0; r < column.size(); ++r)
        {
            // NaN pads the rows where a sparse series (an evaluation) has no value: skip it.
            if (!std::isnan(column[r]))
            {
                m_history.Append(series, m_block.steps[r], column[r]);
            }
        }
    }
    m_ctx.history_generation = m_generation;
}

void LabWindow::DrawMenuBar()
{
    if (!ImGui::BeginMainMenuBar())
    {
        return;
    }
    ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1.0f), "Latent Lab");
    ImGui::Separator();
    m_file.DrawMenu(m_ctx);
    ImGui::Separator();
    const std::span<const ViewRow> views = ViewTable();
    for (std::size_t i = 0; i < views.size(); ++i)
    {
        if (ImGui::MenuItem(views[i].title))
        {
            m_focus = static_cast<int>(i);
            m_focus_full = false;
            m_view_chosen = true;
        }
    }
    ImGui::Separator();
    if (ImGui::BeginMenu("Layout"))
    {
        if (ImGui::MenuItem("Reset layout"))
        {
            m_force_layout = true;
        }
        ImGui::EndMenu();
    }
    ImGui::Separator();
    m_file.DrawNote();
    const train::Snapshot& snap = *m_ctx.snapshot;
    char right[160];
    std::snprintf(right, sizeof(right), "%s  |  %s  |  step %lld", snap.config ? snap.config->name.c_str() : "-",
                  train::StatusName(snap.status), static_cast<long long>(snap.step));
    const float w = ImGui::CalcTextSize(right).x;
    ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX() + 20, ImGui::GetWindowWidth() - w - 16));
    ImGui::TextColored(StatusColor(static_cast<int>(snap.status)), "%s", right);
    ImGui::EndMainMenuBar();
}

// Default arrangement: Controls on the left, the middle view (Plots), the other views stacked on the right (the front
// one depends on the data: the view whose row suits it). A view focused by FocusView (--view)
// takes the whole area right of the controls; the menu only brings a view to the front.
void LabWindow::PlaceWindow(int view, float menu_height)
{
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float ctrl_w = ControlsWidth(display.x);
    const float rest = display.x - ctrl_w;
    const float h = display.y - menu_height;
    const ImGuiCond cond = m_force_layout ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    if (view < 0)
    {
        ImGui::SetNextWindowPos(ImVec2(0, menu_height), cond);
        ImGui::SetNextWindowSize(ImVec2(ctrl_w, h), cond);
        return;
    }
    if (view == m_focus)
    {
        ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always);
        ImGui::SetNextWindowFocus();
        if (!m_focus_full)
        {
            return;
        }
        ImGui::SetNextWindowPos(ImVec2(ctrl_w, menu_height), ImGuiCond_Always);
        ImGui::SetNextWindowSize(ImVec2(rest, h), ImGuiCond_Always);
        return;
    }
    const float plots_w = std::floor(rest * 0.5f);
    if (ViewTable()[static_cast<std::size_t>(view)].slot == ViewSlot::Middle)
    {
        ImGui::SetNextWindowPos(ImVec2(ctrl_w, menu_height), cond);
        ImGui::SetNextWindowSize(ImVec2(plots_w, h), cond);
    }
    else
    {
        ImGui::SetNextWindowPos(ImVec2(ctrl_w + plots_w, menu_height), cond);
        ImGui::SetNextWindowSize(ImVec2(rest - plots_w, h), cond);
    }
}

void LabWindow::Frame()
{
    m_ctx.snapshot = m_session.Latest();
    IngestMetrics();
    if (m_select_runs > 0 && m_runs != nullptr && m_runs->Listing()->version > 0)
    {
        m_runs->SelectNewest(m_select_runs);
        m_select_runs = 0;
    }
    m_file.HandleShortcuts(m_ctx);
    if (!m_file.Modal()) // Space / S / R must not reach the run while the file dialog takes typing
    {
        m_controls.HandleKeys(m_ctx);
    }
    DrawMenuBar();
    const float menu_height = ImGui::GetFrameHeight();
    const train::Snapshot& snap = *m_ctx.snapshot;

    // A window appears in front of those submitted before it on its first frame, so the view to bring forward (the
    // focused one, or on the first frame the one that suits the data) is submitted last.
    // The experiment loads on the training thread, after the first frames: when its data kind first shows (or a new
    // preset changes it), the view that suits the data comes forward, unless a view was asked for before that.
    if (snap.config && snap.config->data.kind != m_front_kind)
    {
        const bool first = !m_front_kind.has_value();
        m_front_kind = snap.config->data.kind;
        if (m_focus < 0 && !(first && m_view_chosen))
        {
            m_focus = ViewForData(snap);
            m_focus_full = false;
        }
    }
    const int focus = m_focus;
    const int front = focus >= 0 ? focus : ViewForData(snap);
    const std::span<const ViewRow> views = ViewTable();
    const int count = static_cast<int>(views.size());
    // Later rows first, so that at start the earlier ones stack in front of them; the front view last of all.
    m_order.resize(views.size());
    std::iota(m_order.rbegin(), m_order.rend(), 0);
    std::stable_partition(m_order.begin(), m_order.end(), [&](int v) { return v != front; });

    // Views covered last frame draw nothing (no contents, title bar, border or background). The others leave out their
    // background where nothing is drawn under them; while windows move, change order or are placed, the rectangles of
    // last frame do not tell, so all keep their backgrounds.
    m_hidden.assign(views.size(), false);
    m_blank.clear();
    for (int view = 0; view < count; ++view)
    {
        const char* title = views[static_cast<std::size_t>(view)].title;
        m_hidden[static_cast<std::size_t>(view)] = view != focus && HiddenBehindOthers(title); // coming forward: drawn
        if (m_hidden[static_cast<std::size_t>(view)])
        {
            m_blank.push_back(ImGui::FindWindowByName(title));
        }
    }
    const bool settled = !m_first_frame && !m_force_layout && focus < 0 && GImGui->MovingWindow == nullptr &&
                         ImGui::GetIO().DisplaySize.x == m_display[0] && ImGui::GetIO().DisplaySize.y == m_display[1];
    m_display[0] = ImGui::GetIO().DisplaySize.x;
    m_display[1] = ImGui::GetIO().DisplaySize.y;
    const auto background = [&](const char* title) {
        return settled && !DrawnUnder(title, m_blank) ? ImGuiWindowFlags_NoBackground : 0;
    };
    constexpr ImGuiWindowFlags kBlank = ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoTitleBar |
                                        ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoScrollbar;

    PlaceWindow(-1, menu_height);
    if (ImGui::Begin(kControlsTitle, nullptr, background(kControlsTitle)))
    {
        m_controls.Draw(m_ctx);
    }
    ImGui::End();

    for (const int view : m_order)
    {
        const char* title = views[static_cast<std::size_t>(view)].title;
        const bool hidden = m_hidden[static_cast<std::size_t>(view)];
        PlaceWindow(view, menu_height);
        if (m_first_frame && view == front && focus < 0)
        {
            ImGui::SetNextWindowFocus();
        }
        if (hidden)
        {
            ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
        }
        const bool open = ImGui::Begin(title, nullptr, hidden ? kBlank : background(title));
        if (hidden)
        {
            ImGui::PopStyleVar();
        }
        if (open && !hidden)
        {
            m_views[static_cast<std::size_t>(view)]->Draw(m_ctx);
        }
        ImGui::End();
    }
    m_file.Frame(m_ctx); // the file dialog and its messages: modals, above every view
    if (const std::string open = m_file.TakeOpenRequest(); !open.empty())
    {
        Open(open);
    }

    if (focus >= 0 && m_focus == focus)
    {
        m_focus = -1;
    }
    m_first_frame = false;
    m_force_layout = false;
}

} // namespace ll::ui
