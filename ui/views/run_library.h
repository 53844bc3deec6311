// The runs directory as the window sees it. A worker thread of its own lists and reads the run folders (ReadRun with
// the curves of every metric, at a fixed level of detail: core/io/run_curves.h; a run whose files did not change is
// not read again), deletes and renames runs, and decodes their sample pictures; the UI thread takes the latest
// listing (a pointer swap under a tiny mutex) and never waits on disk. The selection and the comparison's choices
// (x by step or wall time, seeds grouped) live here too: the Runs view sets them, the Plots view reads them.
// The run the window's session is recording is read from its folder once; after that its row and curves follow the
// metric rows the window drains from the session (SetRecording, AddRecordingRows), not its CSV read again.
// Public methods: UI thread only (the worker touches only what the mutex guards).
#pragma once

#include "core/io/image_io.h"
#include "core/io/run_folder.h"
#include "core/train/session.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ll::ui
{

using io::RunEntry;

struct RunListing
{
    std::vector<RunEntry> runs; // oldest first
    std::string error;          // the runs directory could not be listed (it may not exist yet)
    double seconds = 0;         // how long the listing took
    double first_seconds = 0;   // how long the first listing took (every run read afresh)
    std::uint64_t version = 0;  // increases with every listing
    // The entry of a run folder, or nullptr.
    const RunEntry* Find(const std::string& dir) const;
};

class RunLibrary
{
public:
    explicit RunLibrary(std::filesystem::path dir);
    ~RunLibrary();
    RunLibrary(const RunLibrary&) = delete;
    RunLibrary& operator=(const RunLibrary&) = delete;

    const std::filesystem::path& Dir() const { return m_dir; }
    // Lists the folder again (queued; runs whose files are unchanged keep their curves).
    void Refresh();
    std::shared_ptr<const RunListing> Listing() const; // never null
    bool Busy() const;
    // Waits until every queued job is done (tests, and `latentlab --screenshot` through Busy); false on timeout.
    bool WaitIdle(std::chrono::milliseconds timeout) const;
    // Queued on the worker; refusals and failures come back through TakeMessage. Refresh after each.
    void Delete(const std::filesystem::path& run);
    void Rename(const std::filesystem::path& run, const std::string& name);
    std::string TakeMessage();
    // A sample picture decoded on the worker: nullptr until it is (the call asks for it once).
    std::shared_ptr<const io::RgbaImage> Image(const std::filesystem::path& file);

    // Shared by the views (UI thread).
    std::vector<std::string> selected; // run folders, in the order they were selected
    bool by_wall = false;              // x axis: running time instead of step
    bool group_seeds = true;           // runs that differ only in seed: one mean line with a min-max band
    bool IsSelected(const std::string& dir) const;
    void Toggle(const std::string& dir);
    // Selects every listed run that is not damaged (--select-runs all), or the newest n.
    void SelectNewest(std::size_t n);

    // The folder the window's session records into and the generation it belongs to (Snapshot::run_dir and
    // ::generation, every frame; "" = none). A new one is listed at once and read from disk that one time (a continued
    // run's earlier rows, as its CSV holds them); a renamed one keeps its rows.
    void SetRecording(const std::filesystem::path& dir, std::uint64_t generation);
    // The rows the window drained from the session this frame (every frame; a new generation starts afresh). Rows
    // after the step the folder was read at extend the recording run's curves, steps, time and last values, which
    // Listing() shows in place of its folder's (from the next listing on); its CSV is not read again.
    void AddRecordingRows(const train::MetricBlock& rows);

private:
    // The recording run as the window knows it (UI thread only).
    struct LiveRun
    {
        std::string dir;                 // "" = not recording
        std::uint64_t generation = 0;    // of the rows below
        bool based = false;              // the folder's first read is in curves (else the rows wait in pending)
        train::MetricBlock pending;      // rows of this generation drained before that read
        io::RunCurves curves;            // the read's curves, then every row after its last step
        std::vector<double> last_values; // per series of curves (NaN: none yet)
        std::int64_t steps = 0;          // the last row's step and running time
        double wall_seconds = 0;
        std::int64_t base_steps = 0;     // the folder's read holds the rows up to this step
    };
    void TakeBase();                                   // UI thread: the folder's first read, once it is listed
    void AppendLive(const train::MetricBlock& rows); // points after their series' last
    std::shared_ptr<const RunListing> WorkerListing() const;

    void Post(std::function<void()> job);
    void WorkerMain();
    void List(); // worker

    std::filesystem::path m_dir;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;              // jobs queued
    mutable std::condition_variable m_idle_cv; // a job finished
    std::deque<std::function<void()>> m_jobs;
    bool m_stop = false;
    bool m_refresh_queued = false;
    int m_running = 0; // jobs taken and not finished
    std::shared_ptr<const RunListing> m_listing;
    std::string m_message;
    std::map<std::string, std::shared_ptr<const io::RgbaImage>> m_images; // decoded (null while queued)

    // Worker only: what each run folder was read from, so an unchanged run is not read again.
    struct Stamp
    {
        std::uintmax_t csv_size = 0;
        std::filesystem::file_time_type csv_time, summary_time, config_time;
        bool operator==(const Stamp&) const = default;
    };
    std::map<std::string, std::pair<Stamp, RunEntry>> m_cache;
    std::uint64_t m_version = 0;
    std::string m_live_dir;     // guarded: the recording run, whose CSV is read only while m_live_read is false
    bool m_live_read = false;

    LiveRun m_live;                                          // UI thread
    mutable std::shared_ptr<const RunListing> m_merged;      // UI thread: the worker's listing with m_live in it
    std::thread m_worker;
};

} // namespace ll::ui
