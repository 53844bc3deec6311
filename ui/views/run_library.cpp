// The runs directory read off the UI thread (see run_library.h).
#include "ui/views/run_library.h"

#include "core/data/image_decode.h"
#include "core/io/bounded_read.h"
#include "core/train/run_recorder.h"

#include <algorithm>
#include <chrono>
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
}

std::shared_ptr<const RunListing> RunLibrary::Listing() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_listing;
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
