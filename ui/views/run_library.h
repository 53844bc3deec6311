// The runs directory as the window sees it. A worker thread of its own lists and reads the run folders (ReadRun with
// the curves of every metric, at a fixed level of detail: core/io/run_curves.h; a run whose files did not change is
// not read again), deletes and renames runs, and decodes their sample pictures; the UI thread takes the latest
// listing (a pointer swap under a tiny mutex) and never waits on disk. The selection and the comparison's choices
// (x by step or wall time, seeds grouped) live here too: the Runs view sets them, the Plots view reads them.
// Public methods: UI thread only (the worker touches only what the mutex guards).
#pragma once

#include "core/io/image_io.h"
#include "core/io/run_folder.h"

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

private:
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
    std::thread m_worker;
};

} // namespace ll::ui
