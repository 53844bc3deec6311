// The runs directory read off the UI thread (see run_library.h).
#include "ui/views/run_library.h"

#include "core/data/image_decode.h"
#include "core/io/bounded_read.h"
#include "core/train/run_recorder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

namespace ll::ui
{

namespace fs = std::filesystem;

namespace
{

constexpr std::size_t kMaxImages = 24; // decoded sample pictures kept

fs::file_time_type TimeOf(const fs::path& path)
{
    std::error_code ec;
    const fs::file_time_type t = fs::last_write_time(path, ec);
    return ec ? fs::file_time_type() : t;
}

} // namespace

const RunEntry* RunListing::Find(const std::string& dir) const
{
    for (const RunEntry& run : runs)
    {
        if (run.info.dir.string() == dir)
        {
            return &run;
        }
    }
    return nullptr;
}

RunLibrary::RunLibrary(fs::path dir) : m_dir(std::move(dir)), m_listing(std::make_shared<RunListing>())
{
    m_worker = std::thread([this] { WorkerMain(); });
    Refresh(); // listed from the start: the view opens on it, --select-runs waits for it
}

RunLibrary::~RunLibrary()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
        m_jobs.clear();
    }
    m_cv.notify_all();
    m_worker.join();
}

void RunLibrary::Post(std::function<void()> job)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
}

void RunLibrary::WorkerMain()
{
    while (true)
    {
        std::function<void()> job;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
            if (m_stop)
            {
                return;
            }
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
            ++m_running;
        }
        try
        {
            job();
        }
        catch (const std::exception& e)
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_message = e.what();
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            --m_running;
        }
        m_idle_cv.notify_all();
    }
}

bool RunLibrary::WaitIdle(std::chrono::milliseconds timeout) const
{
    std::unique_lock<std::mutex> lock(m_mutex);
    return m_idle_cv.wait_for(lock, timeout, [&] { return m_running == 0 && m_jobs.empty(); });
}

void RunLibrary::Refresh()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_refresh_queued)
        {
            return;
        }
        m_refresh_queued = true;
    }
    Post([this] {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_refresh_queued = false;
        }
        List();
    });
}

void RunLibrary::List()
{
    const auto start = std::chrono::steady_clock::now();
    auto listing = std::make_shared<RunListing>();
    std::vector<fs::path> dirs;
    std::error_code ec;
    if (!fs::is_directory(m_dir, ec))
    {
        listing->error = "no runs yet: '" + m_dir.string() + "' does not exist (a run is kept from its first step)";
    }
    else
    {
        try
        {
            dirs = io::ListRunDirs(m_dir);
        }
        catch (const std::exception& e)
        {
            listing->error = e.what();
        }
    }
    std::string live_dir; // the recording run: read once, then its rows come from the window (SetRecording)
    bool live_read = false;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        live_dir = m_live_dir;
        live_read = m_live_read;
    }
    // Which runs changed since they were last read.
    std::vector<Stamp> stamps(dirs.size());
    std::vector<std::size_t> to_read;
    listing->runs.resize(dirs.size());
    for (std::size_t i = 0; i < dirs.size(); ++i)
    {
        Stamp& st = stamps[i];
        const fs::path csv = dirs[i] / io::kRunMetricsFile;
        st.csv_size = fs::file_size(csv, ec);
        st.csv_size = ec ? 0 : st.csv_size;
        st.csv_time = TimeOf(csv);
        st.summary_time = TimeOf(dirs[i] / io::kRunSummaryFile);
        st.config_time = TimeOf(dirs[i] / io::kRunConfigFile);
        const auto it = m_cache.find(dirs[i].string());
        const bool live_kept = live_read && dirs[i].string() == live_dir && it != m_cache.end();
        if (live_kept)
        {
            st = it->second.first; // as last read: once the run ends, its changed files are read again
        }
        if (it != m_cache.end() && it->second.first == st)
        {
            listing->runs[i] = it->second.second;
            listing->runs[i].sample_steps = io::SampleSteps(dirs[i], listing->runs[i].sample_stem.empty()
                                                                         ? "samples"
                                                                         : listing->runs[i].sample_stem);
        }
        else
        {
            to_read.push_back(i);
        }
    }
    // The changed runs, on this thread and one helper (the parse is CPU-bound; the training thread runs at a lower
    // priority, and 2 cores is the machine the lab is planned for).
    std::vector<fs::path> read_dirs;
    for (std::size_t i : to_read)
    {
        read_dirs.push_back(dirs[i]);
    }
    std::vector<RunEntry> read = io::ReadRunEntries(read_dirs, 2);
    for (std::size_t k = 0; k < to_read.size(); ++k)
    {
        listing->runs[to_read[k]] = std::move(read[k]);
    }
    std::map<std::string, std::pair<Stamp, RunEntry>> cache;
    for (std::size_t i = 0; i < dirs.size(); ++i)
    {
        cache.emplace(dirs[i].string(), std::make_pair(stamps[i], listing->runs[i]));
    }
    m_cache = std::move(cache);
    listing->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    listing->version = ++m_version;
    std::lock_guard<std::mutex> lock(m_mutex);
    listing->first_seconds = m_listing->version == 0 ? listing->seconds : m_listing->first_seconds;
    m_listing = std::move(listing);
    if (!live_dir.empty() && live_dir == m_live_dir)
    {
        m_live_read = true; // read afresh in this listing (or it is not there): from now on the window's rows
    }
}

std::shared_ptr<const RunListing> RunLibrary::WorkerListing() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_listing;
}

std::shared_ptr<const RunListing> RunLibrary::Listing() const
{
    const std::shared_ptr<const RunListing> listed = WorkerListing();
    if (m_merged != nullptr && m_merged->version == listed->version)
    {
        return m_merged; // made once per listing: the recording run's row as of that listing
    }
    m_merged = listed;
    const auto it = std::find_if(listed->runs.begin(), listed->runs.end(),
                                 [&](const RunEntry& run) { return run.info.dir.string() == m_live.dir; });
    if (m_live.dir.empty() || !m_live.based || it == listed->runs.end())
    {
        return m_merged;
    }
    auto merged = std::make_shared<RunListing>(*listed);
    RunEntry& entry = merged->runs[static_cast<std::size_t>(it - listed->runs.begin())];
    entry.curves = std::make_shared<const io::RunCurves>(m_live.curves);
    entry.info.steps = m_live.steps;
    entry.info.wall_seconds = m_live.wall_seconds;
    entry.info.final_metrics.clear();
    for (std::size_t i = 0; i < m_live.curves.names.size(); ++i)
    {
        if (!std::isnan(m_live.last_values[i]))
        {
            entry.info.final_metrics.emplace_back(m_live.curves.names[i], m_live.last_values[i]);
        }
    }
    m_merged = std::move(merged);
    return m_merged;
}

void RunLibrary::SetRecording(const fs::path& dir, std::uint64_t generation)
{
    const std::string path = dir.string();
    if (generation < m_live.generation || (generation == m_live.generation && path == m_live.dir))
    {
        return; // a snapshot older than the rows already taken, or nothing new
    }
    if (generation != m_live.generation || path.empty())
    {
        m_live = LiveRun{}; // a new run (Load, Reset), or recording stopped: nothing carries over
        m_live.generation = generation;
    }
    m_live.dir = path; // a rename keeps the rows and the base read from the old name
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_live_dir = path;
        m_live_read = false;
    }
    m_merged = nullptr;
    Refresh();
}

void RunLibrary::AddRecordingRows(const train::MetricBlock& rows)
{
    if (rows.generation > m_live.generation)
    {
        m_live = LiveRun{}; // rows of a new run before its first snapshot: they wait for its folder
        m_live.generation = rows.generation;
        std::lock_guard<std::mutex> lock(m_mutex);
        m_live_dir.clear();
        m_live_read = false;
    }
    if (rows.generation < m_live.generation)
    {
        return;
    }
    TakeBase();
    if (rows.Rows() == 0)
    {
        return;
    }
    if (m_live.based)
    {
        AppendLive(rows);
    }
    else
    {
        m_live.pending.Append(train::MetricBlock(rows));
    }
}

void RunLibrary::TakeBase()
{
    if (m_live.dir.empty() || m_live.based)
    {
        return;
    }
    std::shared_ptr<const RunListing> listing;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_live_read || m_live_dir != m_live.dir)
        {
            return; // not read since it became the recording run
        }
        listing = m_listing;
    }
    m_live.based = true; // steps 0: every pending row, unless the folder has rows
    if (const RunEntry* entry = listing->Find(m_live.dir); entry != nullptr && !entry->Damaged())
    {
        m_live.curves = *entry->curves;
        m_live.last_values.assign(m_live.curves.names.size(), std::nan(""));
        for (const auto& [name, value] : entry->info.final_metrics)
        {
            const auto at = std::find(m_live.curves.names.begin(), m_live.curves.names.end(), name);
            if (at != m_live.curves.names.end())
            {
                m_live.last_values[static_cast<std::size_t>(at - m_live.curves.names.begin())] = value;
            }
        }
        m_live.steps = entry->info.steps;
        m_live.base_steps = entry->info.steps;
        m_live.wall_seconds = entry->info.wall_seconds;
    }
    AppendLive(m_live.pending);
    m_live.pending = train::MetricBlock{};
}

void RunLibrary::AppendLive(const train::MetricBlock& rows)
{
    std::vector<std::size_t> series_of_column(rows.names.size());
    for (std::size_t c = 0; c < rows.names.size(); ++c)
    {
        const auto at = std::find(m_live.curves.names.begin(), m_live.curves.names.end(), rows.names[c]);
        series_of_column[c] = static_cast<std::size_t>(at - m_live.curves.names.begin());
        if (at == m_live.curves.names.end())
        {
            m_live.curves.names.push_back(rows.names[c]);
            m_live.curves.series.emplace_back();
            m_live.last_values.push_back(std::nan(""));
        }
    }
    for (std::size_t r = 0; r < rows.Rows(); ++r)
    {
        // A point at or before its series' last is skipped: the folder's read holds it (a continued run's earlier
        // rows, as its CSV has them), or a rollback trains those steps again. A late evaluation row (its step is
        // behind the rows before it, session.h's hold_from) still adds its points: its series are behind too.
        for (std::size_t c = 0; c < rows.columns.size(); ++c)
        {
            const double value = rows.columns[c][r];
            io::CurveLod& series = m_live.curves.series[series_of_column[c]];
            if (!std::isnan(value) && rows.steps[r] > std::max(series.LastStep(), m_live.base_steps))
            {
                series.Append(rows.steps[r], rows.wall[r], value);
                m_live.last_values[series_of_column[c]] = value;
            }
        }
        if (rows.steps[r] > m_live.steps)
        {
            m_live.steps = rows.steps[r];
            m_live.wall_seconds = rows.wall[r];
        }
    }
}

bool RunLibrary::Busy() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_running > 0 || !m_jobs.empty();
}

void RunLibrary::Delete(const fs::path& run)
{
    Post([this, run] {
        // Only a run folder directly inside the runs directory is removed.
        std::error_code ec;
        if (run.parent_path() != m_dir || !io::IsRunFolder(run))
        {
            throw std::runtime_error("'" + run.string() + "' is not a run of " + m_dir.string());
        }
        fs::remove_all(run, ec);
        if (ec)
        {
            throw std::runtime_error("could not delete '" + run.string() + "': " + ec.message());
        }
    });
    Refresh();
}

void RunLibrary::Rename(const fs::path& run, const std::string& name)
{
    Post([this, run, name] {
        train::CheckRunName(name);
        const fs::path target = run.parent_path() / name;
        std::error_code ec;
        if (fs::exists(target, ec))
        {
            throw std::invalid_argument("run name '" + name + "': a run of that name exists");
        }
        fs::rename(run, target, ec);
        if (ec)
        {
            throw std::runtime_error("could not rename '" + run.string() + "': " + ec.message());
        }
    });
    Refresh();
}

std::string RunLibrary::TakeMessage()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return std::exchange(m_message, std::string());
}

std::shared_ptr<const io::RgbaImage> RunLibrary::Image(const fs::path& file)
{
    const std::string key = file.string();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_images.find(key);
        if (it != m_images.end())
        {
            return it->second;
        }
        if (m_images.size() >= kMaxImages)
        {
            m_images.clear(); // the views ask again for what they still show
        }
        m_images.emplace(key, nullptr);
    }
    Post([this, file, key] {
        const std::string bytes = io::ReadFileBounded(file, data::kMaxImageFileBytes, "sample picture");
        const data::DecodedImage decoded = data::DecodeImage(bytes, 3, file.string());
        auto image = std::make_shared<io::RgbaImage>();
        image->width = decoded.width;
        image->height = decoded.height;
        image->pixels.resize(static_cast<std::size_t>(decoded.width) * decoded.height * 4);
        for (std::size_t p = 0; p < static_cast<std::size_t>(decoded.width) * decoded.height; ++p)
        {
            image->pixels[4 * p] = decoded.pixels[3 * p];
            image->pixels[4 * p + 1] = decoded.pixels[3 * p + 1];
            image->pixels[4 * p + 2] = decoded.pixels[3 * p + 2];
            image->pixels[4 * p + 3] = 255;
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        m_images[key] = std::move(image);
    });
    return nullptr;
}

bool RunLibrary::IsSelected(const std::string& dir) const
{
    return std::find(selected.begin(), selected.end(), dir) != selected.end();
}

void RunLibrary::Toggle(const std::string& dir)
{
    const auto it = std::find(selected.begin(), selected.end(), dir);
    if (it == selected.end())
    {
        selected.push_back(dir);
    }
    else
    {
        selected.erase(it);
    }
}

void RunLibrary::SelectNewest(std::size_t n)
{
    const std::shared_ptr<const RunListing> listing = Listing();
    selected.clear();
    for (std::size_t i = listing->runs.size(); i-- > 0 && selected.size() < n;)
    {
        if (!listing->runs[i].Damaged())
        {
            selected.insert(selected.begin(), listing->runs[i].info.dir.string());
        }
    }
}

} // namespace ll::ui
