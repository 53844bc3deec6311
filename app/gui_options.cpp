// Parsing of the windowed app's options.
#include "app/gui_options.h"

#include "app/cli.h"
#include "app/cli_args.h"
#include "ui/views/data_view.h"
#include "ui/views/view_table.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace ll::app
{

namespace
{

// "a, b, c": the names for a message or the help text.
std::string JoinNames(const std::vector<std::string>& names)
{
    std::string text;
    for (const std::string& name : names)
    {
        text += text.empty() ? name : ", " + name;
    }
    return text;
}

// Appends words to text as lines of at most `width` columns, each after `indent` spaces.
void AppendWrapped(std::string& text, const std::string& words, std::size_t indent, std::size_t width)
{
    std::size_t column = width; // start a line
    std::size_t from = 0;
    while (from < words.size())
    {
        const std::size_t space = words.find(' ', from);
        const std::string word = words.substr(from, space == std::string::npos ? std::string::npos : space - from);
        from = space == std::string::npos ? words.size() : space + 1;
        if (column + 1 + word.size() > width)
        {
            text += (column == width ? "" : "\n") + std::string(indent, ' ') + word;
            column = indent + word.size();
        }
        else
        {
            text += " " + word;
            column += 1 + word.size();
        }
    }
    text += "\n";
}

// Two whole numbers of at least `min` joined by `separator` ("1280x800", "640,400"); `form` and `example` word the
// refusal ("--size: expected WxH, e.g. 1280x800, got '...'"), `first` and `second` name the halves.
std::pair<int, int> ParseIntPair(const std::string& arg, const std::string& text, char separator, const char* form,
                                 const char* example, const char* first, const char* second, int min)
{
    const std::size_t at = text.find(separator);
    if (at == std::string::npos)
    {
        throw std::invalid_argument(arg + ": expected " + form + ", e.g. " + example + ", got '" + text + "'");
    }
    return {ParseNumber<int>(arg + " " + first, text.substr(0, at), min),
            ParseNumber<int>(arg + " " + second, text.substr(at + 1), min)};
}

} // namespace

GuiOptions ParseGuiOptions(const std::vector<std::string>& args)
{
    GuiOptions options;
    bool frames_given = false;
    for (std::size_t i = 0; i < args.size(); ++i)
    {
        const std::string& arg = args[i];
        auto value = [&]() -> const std::string& { return OptionValue(args, i); };
        if (arg == "--help" || arg == "-h")
        {
            options.help = true;
        }
        else if (arg == "--data")
        {
            options.data_dir = value();
        }
        else if (arg == "--dataset")
        {
            options.dataset = value();
            const std::vector<std::string> sources = ui::DataView::SourceNames();
            if (std::find(sources.begin(), sources.end(), options.dataset) == sources.end())
            {
                throw std::invalid_argument("--dataset: expected one of " + JoinNames(sources) + ", got '" +
                                            options.dataset + "'");
            }
        }
        else if (arg == "--screenshot")
        {
            options.screenshot = value();
        }
        else if (arg == "--pointer")
        {
            std::tie(options.pointer_x, options.pointer_y) =
                ParseIntPair(arg, value(), ',', "X,Y in pixels", "640,400", "x", "y", 0);
        }
        else if (arg == "--frames")
        {
            options.frames = ParseNumber<int>(arg, value(), 1);
            frames_given = true;
        }
        else if (arg == "--size")
        {
            std::tie(options.width, options.height) =
                ParseIntPair(arg, value(), 'x', "WxH", "1280x800", "width", "height", 64);
        }
        else if (arg == "--seed")
        {
            options.seed = ParseNumber<std::uint64_t>(arg, value(), 0);
        }
        else if (arg == "--preset")
        {
            options.preset = value();
        }
        else if (arg == "--open")
        {
            options.open.push_back(value());
        }
        else if (arg == "--draw")
        {
            options.draw = true;
        }
        else if (arg == "--view")
        {
            options.view = value();
            if (ui::FindView(options.view) < 0)
            {
                throw std::invalid_argument("--view: expected one of " + ui::ViewIdList() + ", got '" + options.view +
                                            "'");
            }
        }
        else if (arg == "--train-steps")
        {
            options.train_steps = ParseNumber<std::int64_t>(arg, value(), 0);
        }
        else if (arg == "--frame-stats")
        {
            options.frame_stats = true;
        }
        else if (arg == "--threads")
        {
            options.threads = ParseNumber<int>(arg, value(), 0);
        }
        else if (arg == "--runs")
        {
            options.runs_dir = value();
            if (options.runs_dir.empty())
            {
                throw std::invalid_argument("--runs: expected a folder");
            }
        }
        else if (arg == "--select-runs")
        {
            const std::string& n = value();
            options.select_runs = n == "all" ? std::numeric_limits<int>::max() : ParseNumber<int>(arg, n, 1);
        }
        else if (arg == "--no-group-seeds")
        {
            options.group_seeds = false;
        }
        else if (arg == "--no-record")
        {
            options.record = false;
        }
        else if (arg == "--continuous")
        {
            options.continuous = true;
        }
        else if (arg == "--fps")
        {
            options.fps = ParseNumber<int>(arg, value(), 0, 1000);
        }
        else if (arg == "--renderer")
        {
            const std::string& name = value();
            if (name != "lab" && name != "imgui")
            {
                throw std::invalid_argument("--renderer: expected lab or imgui, got '" + name + "'");
            }
            options.imgui_renderer = name == "imgui";
        }
        else if (!arg.empty() && arg[0] != '-')
        {
            throw std::invalid_argument("unknown subcommand '" + arg + "' (see --help)");
        }
        else
        {
            throw std::invalid_argument("unknown option '" + arg + "' (see --help)");
        }
    }
    if (!options.screenshot.empty() && !frames_given)
    {
        options.frames = 10;
    }
    return options;
}

std::string GuiUsage()
{
    std::string text =
        "Latent Lab: train GANs and VAEs and watch them learn.\n"
        "\n"
        "usage: latentlab [options]             open the lab window\n"
        "       latentlab <subcommand> [args]   run a headless tool\n"
        "\n"
        "options:\n"
        "  --preset NAME|FILE  experiment to open: a preset name (default vae-fashion; see list-presets) or a preset\n"
        "                      file (.json)\n"
        "  --open PATH         open a data folder (previewed in the Data view), a preset file or a checkpoint after\n"
        "                      the preset, as dropping it on the window does (repeatable)\n"
        "  --draw              start with the 2-D view's drawing tool\n"
        "  --view VIEW         view to show in front, one of:\n";
    AppendWrapped(text, ui::ViewIdList(), 22, 100);
    text +=
        "  --train-steps K     train K steps at start, then pause (with --screenshot: then shoot)\n"
        "  --threads T         training threads (default: one less than the cores, at least 1)\n"
        "  --runs DIR          runs directory: every experiment trained is kept there as a run, and the Runs view\n"
        "                      lists it (default: $XDG_DATA_HOME/latentlab/runs)\n"
        "  --no-record         keep no run of what the window trains (the Runs view still lists the runs)\n"
        "  --select-runs N|all select the N newest runs (or all) for comparison once they are listed: the Plots\n"
        "                      view overlays them\n"
        "  --no-group-seeds    compare runs that differ only in seed as separate lines (default: their mean and\n"
        "                      min-max band)\n"
        "  --frame-stats       print frame-time statistics (mean, p50, p95, max) at exit\n"
        "  --fps N             frame-rate cap where vsync does not pace frames, e.g. Xvfb (default 60;\n"
        "                      0 = as fast as possible)\n"
        "  --continuous        draw every frame (default: only when input, training or a timer changes\n"
        "                      what the window shows)\n"
        "  --renderer R        lab (default: solid fills drawn without blending, cheaper for software\n"
        "                      OpenGL) or imgui (ImGui's own OpenGL3 backend, for comparison)\n"
        "  --data DIR          Fashion-MNIST folder (default: $LATENTLAB_DATA, else\n"
        "                      /usr/share/datasets/fashion-mnist)\n"
        "  --dataset NAME      first source of the Data view (default fashion-train), one of:\n";
    AppendWrapped(text, JoinNames(ui::DataView::SourceNames()), 22, 100);
    text +=
        "  --size WxH          window size in pixels (default 1280x800)\n"
        "  --screenshot FILE   render --frames frames (after --train-steps), save a PNG and exit\n"
        "  --pointer X,Y       with --screenshot: the mouse at pixel (X, Y), to picture hover (default: none)\n"
        "  --frames N          exit after N frames (default 10 with --screenshot)\n"
        "  --seed N            seed for the Data view's examples (default 1)\n"
        "  -h, --help          show this text\n";
    text += "\nsubcommands:\n";
    if (Subcommands().empty())
    {
        text += "  (none yet)\n";
    }
    for (const Subcommand& sub : Subcommands())
    {
        std::string name = sub.name;
        name.resize(std::max<std::size_t>(name.size() + 2, 20), ' ');
        text += "  " + name + sub.summary + "\n";
    }
    return text;
}

} // namespace ll::app
