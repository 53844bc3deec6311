// The Data view's sources (data_view.h): the data sets it can show (Fashion-MNIST's splits, an opened folder, the
// 2-D toys), each loaded once on a worker thread of its own, the examples drawn from it, their grid texture and the
// pixel (or coordinate) histograms. The view polls the loads; it never waits on one. Main (ImGui) thread only.
#include "ui/views/data_view.h"

#include "core/data/idx.h"
#include "core/data/image_folder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <stdexcept>

namespace ll::ui
{

namespace
{

constexpr int kHistogramBins = 32;
// Density histogram of values in [lo, hi] over kHistogramBins bins (integrates to 1).
void Histogram(const std::vector<float>& values, double lo, double hi, std::vector<double>& out)
{
    out.assign(kHistogramBins, 0.0);
    if (values.empty() || !(hi > lo))
    {
        return;
    }
    const double width = (hi - lo) / kHistogramBins;
    for (float v : values)
    {
        const int bin = std::clamp(static_cast<int>((v - lo) / width), 0, kHistogramBins - 1);
        out[bin] += 1.0;
    }
    for (double& c : out)
    {
        c /= static_cast<double>(values.size()) * width;
    }
}

} // namespace

DataView::DataView(std::string cli_data_dir, std::uint64_t seed)
    : m_data_dir(data::ResolveDataDir(cli_data_dir)), m_rng(seed)
{
    m_images[0].split = "train";
    m_images[1].split = "t10k";
}

std::vector<std::string> DataView::SourceNames()
{
    std::vector<std::string> names = {"fashion-train", "fashion-test"};
    for (const std::string& toy : data::ToyNames())
    {
        names.push_back(toy);
    }
    return names;
}

void DataView::Select(const std::string& name)
{
    const std::vector<std::string> names = SourceNames();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
    {
        std::string known;
        for (const std::string& n : names)
        {
            known += (known.empty() ? "" : ", ") + n;
        }
        throw std::invalid_argument("unknown dataset '" + name + "' (known: " + known + ")");
    }
    m_selected = static_cast<int>(it - names.begin());
    m_opened_selected = false;
    if (IsImageSource())
    {
        m_toy.reset();
    }
    else
    {
        m_toy.emplace(data::ParseToy(name));
    }
    Reshuffle();
}

void DataView::EnsureLoaded(ImageSource& source)
{
    if (source.tried)
    {
        return;
    }
    source.tried = true;
    source.error.clear();
    source.dataset.reset();
    if (!source.dir.empty())
    {
        // An opened folder: MNIST-format files first, then images; when it is neither, both reasons.
        source.loading = std::async(std::launch::async, [dir = source.dir, size = source.image_size,
                                                         gray = source.grayscale] {
            std::string idx_error;
            try
            {
                return Loaded{data::LoadIdxFolder(dir, "train"), models::DataKind::Idx};
            }
            catch (const std::exception& e)
            {
                idx_error = e.what();
            }
            try
            {
                return Loaded{data::LoadImageFolder(dir, size, gray), models::DataKind::Folder};
            }
            catch (const std::exception& e)
            {
                throw std::runtime_error("'" + dir + "' is not a data folder the lab can read.\nAs MNIST-format IDX "
                                         "files: " + idx_error + "\nAs an image folder: " + e.what());
            }
        });
        return;
    }
    // Reading and inflating 60,000 images takes about half a second: a worker does it, the window goes on drawing.
    source.loading = std::async(std::launch::async, [dir = m_data_dir, split = source.split] {
        return Loaded{data::LoadFashionMnist(dir, split), models::DataKind::FashionMnist};
    });
}

void DataView::OpenFolder(const std::string& dir)
{
    if (m_opened.loading.valid())
    {
        m_opened.loading.wait(); // the previous folder's read: its result is dropped
    }
    m_opened.loading = {};
    m_opened.dir = dir;
    m_opened.split = "train";
    m_opened.tried = false;
    m_opened_selected = true;
    m_train_status.clear();
    m_toy.reset();
    Reshuffle();
}

bool DataView::Loading() const
{
    for (const ImageSource* source : {&m_images[0], &m_images[1], &m_opened})
    {
        if (source->loading.valid() && source->loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        {
            return true;
        }
    }
    return false;
}

bool DataView::FinishLoad(ImageSource& source)
{
    if (!source.loading.valid() ||
        source.loading.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    {
        return false;
    }
    try
    {
        Loaded loaded = source.loading.get();
        source.dataset = std::move(loaded.dataset);
        source.kind = loaded.kind;
    }
    catch (const std::exception& e)
    {
        source.error = e.what();
    }
    source.loading = {};
    return true;
}

void DataView::Reshuffle()
{
    if (IsImageSource())
    {
        ImageSource& source = CurrentImages();
        EnsureLoaded(source);
        m_indices.clear();
        if (source.dataset && source.dataset->count > 0)
        {
            const int shown = static_cast<int>(std::min<std::int64_t>(m_grid_side * m_grid_side,
                                                                     source.dataset->count));
            for (int i = 0; i < shown; ++i)
            {
                m_indices.push_back(static_cast<std::int64_t>(m_rng.Below(source.dataset->count)));
            }
        }
        m_grid_dirty = true;
    }
    else if (m_toy)
    {
        m_toy->Sample(m_rng, m_toy_count, m_toy_points);
    }
    RebuildHistograms();
}

void DataView::RebuildGrid()
{
    m_grid_dirty = false;
    const ImageSource& source = CurrentImages();
    if (!source.dataset || m_indices.empty())
    {
        m_texture.Reset();
        return;
    }
    const data::ImageDataset& ds = *source.dataset;
    std::vector<std::uint8_t> gathered;
    gathered.reserve(m_indices.size() * ds.Features());
    for (std::int64_t i : m_indices)
    {
        gathered.insert(gathered.end(), ds.Example(i), ds.Example(i) + ds.Features());
    }
    m_layout = MakeGridLayout(static_cast<int>(m_indices.size()), ds.cols, ds.rows, 2, m_grid_side);
    m_texture.Upload(TileImages(gathered.data(), static_cast<int>(m_indices.size()), ds.rows, ds.cols, ds.channels,
                                m_layout));
}

void DataView::RebuildHistograms()
{
    m_hist_x.clear();
    m_hist_a.clear();
    m_hist_b.clear();
    std::vector<float> a, b;
    double lo = 0, hi = 1;
    if (IsImageSource())
    {
        const ImageSource& source = CurrentImages();
        if (!source.dataset)
        {
            return;
        }
        const data::ImageDataset& ds = *source.dataset;
        // Shown examples vs the first (up to) 5000 of the split: pixel intensities in [0, 1].
        for (std::int64_t i : m_indices)
        {
            for (int k = 0; k < ds.Features(); ++k)
            {
                a.push_back(ds.Example(i)[k] / 255.0f);
            }
        }
        const std::int64_t reference = std::min<std::int64_t>(ds.count, 5000);
        b.reserve(static_cast<std::size_t>(reference * ds.Features()));
        for (std::int64_t i = 0; i < reference; ++i)
        {
            for (int k = 0; k < ds.Features(); ++k)
            {
                b.push_back(ds.Example(i)[k] / 255.0f);
            }
        }
        m_hist_a_label = "shown examples";
        m_hist_b_label = "first " + std::to_string(reference) + " of the split";
        m_hist_x_label = "pixel intensity";
    }
    else if (m_toy && m_toy_points.cols() > 0)
    {
        for (Eigen::Index j = 0; j < m_toy_points.cols(); ++j)
        {
            a.push_back(m_toy_points(0, j));
            b.push_back(m_toy_points(1, j));
        }
        hi = m_toy->Extent();
        lo = -hi;
        m_hist_a_label = "x";
        m_hist_b_label = "y";
        m_hist_x_label = "coordinate";
    }
    double sum = 0;
    for (float v : a)
    {
        sum += v;
    }
    m_mean_marker = a.empty() ? 0.0 : sum / static_cast<double>(a.size());
    Histogram(a, lo, hi, m_hist_a);
    Histogram(b, lo, hi, m_hist_b);
    for (int i = 0; i < kHistogramBins; ++i)
    {
        m_hist_x.push_back(lo + (hi - lo) * (i + 0.5) / kHistogramBins);
    }
}

} // namespace ll::ui
