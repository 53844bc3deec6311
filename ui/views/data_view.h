// The Data view: pick Fashion-MNIST (train / test) or a 2-D toy, and look at real examples (an image
// grid texture, or a scatter of samples) with a histogram plot below. Main (GL/ImGui) thread only; datasets load on
// a worker thread on first selection (the window keeps drawing and says so), and a missing dataset is shown as a
// message while the toys keep working. A folder the user opens (File > Open, a drop on the window, --open) is read
// the same way, as an MNIST-format IDX folder or else an image folder, and previewed here before "Train on this data"
// loads it into the session (which leaves the running experiment as it was when the data cannot be used).
#pragma once

#include "core/data/dataset.h"
#include "core/data/toy2d.h"
#include "core/models/config.h"
#include "core/util/rng.h"
#include "ui/gl/texture.h"
#include "ui/views/lab_view.h"

#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <vector>

namespace ll::ui
{

class DataView final : public LabView
{
public:
    // cli_data_dir: the --data argument ("" to use $LATENTLAB_DATA or the Debian default).
    explicit DataView(std::string cli_data_dir, std::uint64_t seed = 1);

    // Source names accepted by Select: "fashion-train", "fashion-test", then the toy names ("ring8", ...).
    static std::vector<std::string> SourceNames();
    // Selects a source by name; throws std::invalid_argument for an unknown name.
    void Select(const std::string& name);
    // Reads dir on a worker (an IDX folder's train split, else an image folder at the chosen size and colour) and
    // shows it; a folder that is neither is shown with both reasons.
    void OpenFolder(const std::string& dir);

    // Draws the browser inside the current window (the lab's "Data" view).
    void Draw(LabContext& ctx) override;
    // True while a dataset is being read (a screenshot waits for it), drawn or not.
    bool Loading() const override;

private:
    struct Loaded
    {
        data::ImageDataset dataset;
        models::DataKind kind = models::DataKind::FashionMnist; // what the folder turned out to be
    };
    struct ImageSource
    {
        std::string split; // "train" or "t10k"
        std::optional<data::ImageDataset> dataset;
        std::string error; // why it could not be loaded
        bool tried = false;
        std::future<Loaded> loading; // valid while the worker reads the files
        // An opened folder (not Fashion-MNIST): its path, and how an image folder is read.
        std::string dir;
        models::DataKind kind = models::DataKind::FashionMnist;
        int image_size = 28;
        bool grayscale = true;
    };

    bool IsImageSource() const { return m_opened_selected || m_selected < 2; }
    ImageSource& CurrentImages() { return m_opened_selected ? m_opened : m_images[m_selected]; }
    const ImageSource& CurrentImages() const { return m_opened_selected ? m_opened : m_images[m_selected]; }
    void DrawOpenedControls(LabContext& ctx);
    // The experiment to train on the opened folder: the running image experiment (or the family's Fashion-MNIST
    // preset when the run is on 2-D data) with its data section pointing at the folder.
    models::ExperimentConfig OpenedConfig(const train::Snapshot& snap) const;
    void EnsureLoaded(ImageSource& source); // starts the load on first use
    bool FinishLoad(ImageSource& source);   // takes a finished load's result; true when one arrived
    void Reshuffle();            // new random examples / samples
    void RebuildGrid();          // tiles the chosen examples into the texture
    void RebuildHistograms();
    void DrawSidebar(LabContext& ctx);
    void DrawImageView(float height);
    void DrawToyView(float height);
    void DrawHistogramPlot(float height);

    std::string m_data_dir;
    Rng m_rng;
    int m_selected = 0;
    ImageSource m_images[2];
    ImageSource m_opened;          // the folder opened last (tried = false until one is)
    bool m_opened_selected = false;
    std::string m_train_status;    // "Train on this data": what happened
    std::vector<std::int64_t> m_indices; // examples shown in the grid
    int m_grid_side = 10;
    bool m_show_labels = false;
    bool m_grid_dirty = true;
    Texture m_texture;
    GridLayout m_layout;

    std::optional<data::ToySampler> m_toy;
    nn::MatrixF m_toy_points; // (2, n)
    int m_toy_count = 2000;

    // Histogram series for the plot (x = bin centre, y = density).
    std::vector<double> m_hist_x, m_hist_a, m_hist_b;
    std::string m_hist_a_label, m_hist_b_label, m_hist_x_label;
    double m_mean_marker = 0.0;
};

} // namespace ll::ui
