// The view table (see view_table.h).
#include "ui/views/view_table.h"

#include "ui/views/data_view.h"
#include "ui/views/latent_view.h"
#include "ui/views/plots_view.h"
#include "ui/views/runs_view.h"
#include "ui/views/samples_view.h"
#include "ui/views/toy2d_view.h"

namespace ll::ui
{

namespace
{

template <class View>
std::unique_ptr<LabView> Make(const LabOptions&)
{
    return std::make_unique<View>();
}

std::unique_ptr<LabView> MakeDataView(const LabOptions& options)
{
    auto view = std::make_unique<DataView>(options.data_dir, options.seed);
    view->Select(options.dataset);
    return view;
}

bool ImageData(const train::Snapshot& snap) { return !ShowsToyData(snap); }

// id, title, slot, suits, make
constexpr ViewRow kViews[] = {
    {"plots", "Plots", ViewSlot::Middle, nullptr, Make<PlotsView>},
    {"samples", "Samples", ViewSlot::Right, ImageData, Make<SamplesView>},
    {"toy2d", "2-D view", ViewSlot::Right, ShowsToyData, Make<Toy2DView>},
    {"latent", "Latent", ViewSlot::Right, nullptr, Make<LatentView>},
    {"data", "Data", ViewSlot::Right, nullptr, MakeDataView},
    {"runs", "Runs", ViewSlot::Right, nullptr, Make<RunsView>},
};

} // namespace

std::span<const ViewRow> ViewTable() { return kViews; }

int FindView(std::string_view id)
{
    for (std::size_t i = 0; i < std::size(kViews); ++i)
    {
        if (id == kViews[i].id)
        {
            return static_cast<int>(i);
        }
    }
    return -1;
}

std::string ViewIdList()
{
    std::string list;
    for (const ViewRow& view : kViews)
    {
        list += (list.empty() ? "" : ", ") + std::string(view.id);
    }
    return list;
}

} // namespace ll::ui
