// The Data view: pick Fashion-MNIST (train / test) or a 2-D toy, and look at real examples (an image
// grid texture, or a scatter of samples) with a histogram plot below. Main (GL/ImGui) thread only; datasets load on
// a worker thread on first selection (the window keeps drawing and says so), and a missing dataset is shown as a
// message while the toys keep working.
#pragma once

#include "core/data/dataset.h"
#include "core/data/toy2d.h"
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

    // Draws the browser inside the current window (the lab's "Data" view).
    void Draw(LabContext& ctx) override;
    // True while a dataset is being read (a screenshot waits for it), drawn or not.
    bool Loading() const override;

private:
    struct ImageSource
    {
        std::string split; // "train" or "t10k"
        std::optional<data::ImageDataset> dataset;
        std::string error; // why it could not be loaded
        bool tried = false;
        std::future<data::ImageDataset> loading; // valid while the worker reads the files
    };

    bool IsImageSource() const { return m_selected < 2; }
    ImageSource& CurrentImages() { return m_images[m_selected]; }
    void EnsureLoaded(ImageSource& source); // starts the load on first use
    bool FinishLoad(ImageSource& source);   // takes a finished load's result; true when one arrived
    void Reshuffle();            // new random examples / samples
    void RebuildGrid();          // tiles the chosen examples into the texture
    void RebuildHistograms();
    void DrawSidebar();
    void DrawImageView(float height);
    void DrawToyView(float height);
    void DrawHistogramPlot(float height);

    std::string m_data_dir;
    Rng m_rng;
    int m_selected = 0;
    ImageSource m_images[2];
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
