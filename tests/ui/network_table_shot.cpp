// The Experiment section's network tables under Xvfb, driven by mouse and keyboard as a user would: dcgan-fashion
// trains while its G and D show as tables (layer, output shape, parameters); a bad channel edit (G's reshape to 64
// channels, which no longer holds G's 6272 values) is shown refused with Validate's message, Apply (key R) is refused
// with the same message and the run keeps training; a good edit (G's first transposed conv to 32 channels) updates the
// parameter count and applies. Writes the refusal to OUT.png. Usage: network_table_shot OUT.png
// Main thread only, like the app; exit status 0 when every check held.
#include "core/models/config.h"
#include "core/train/session.h"
#include "ui/views/lab_window.h"
#include "ui/widgets/theme.h"

#include "gl_test_window.h"
#include "lab_driver.h"

#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cfloat>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace
{

const char* const kBadEditMessage =
    "G layer 6 (reshape, c 64, h 7, w 7): input 6272 has 6272 values; reshape to 64x7x7 needs 3136";

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::fprintf(stderr, "usage: network_table_shot OUT.png\n");
        return 2;
    }
    const std::string png = argv[1];
    constexpr int kWidth = 1280, kHeight = 800;
    const ll::test::GlTestWindow gl("network_table_shot", kWidth, kHeight);
    if (!gl.Ok())
    {
        return 1;
    }
    GLFWwindow* window = gl.Window();

    int status = 0;
    {
        ll::train::Session session;
        ll::ui::LabWindow lab(session, ll::ui::LabOptions{});
        ll::ui::ControlsPanel& controls = lab.Controls();
        ll::test::LabDriver driver("network_table_shot", window, lab, session, png, std::chrono::seconds(60));
        const auto find_cell = [&](std::size_t network, std::size_t layer) -> const ll::ui::SizeCell*
        {
            for (const ll::ui::SizeCell& cell : controls.SizeCells())
            {
                if (cell.network == network && cell.layer == layer)
                {
                    return &cell;
                }
            }
            return nullptr;
        };
        // Scrolls the controls panel (wheel over it) until the cell is on screen, clicks it, types the value and
        // presses Enter: what a user does to change a channel count.
        const auto edit = [&](std::size_t network, std::size_t layer, const char* value)
        {
            for (int i = 0; i < 40; ++i)
            {
                const ll::ui::SizeCell* cell = find_cell(network, layer);
                if (cell == nullptr || (cell->min.y > 60 && cell->max.y < kHeight - 20))
                {
                    break;
                }
                driver.mouse = ImVec2(100, 400);
                driver.wheel = cell->max.y >= kHeight - 20 ? -1.0f : 1.0f;
                driver.Draw(false);
                driver.Draw(false);
            }
            const ll::ui::SizeCell* cell = find_cell(network, layer);
            if (cell == nullptr)
            {
                driver.Check(false, "the size cell of network " + std::to_string(network) + " layer " +
                                 std::to_string(layer) + " is drawn");
                return;
            }
            driver.mouse = ImVec2((cell->min.x + cell->max.x) / 2, (cell->min.y + cell->max.y) / 2);
            driver.mouse_down = true;
            driver.Draw(false);
            driver.mouse_down = false;
            driver.Draw(false);
            driver.typed = value; // the field selects its text when clicked, so this replaces it
            driver.Draw(false);
            driver.Press(GLFW_KEY_ENTER);
            driver.mouse = ImVec2(-FLT_MAX, -FLT_MAX);
            driver.Draw(false);
        };
        const auto config = [&] { return session.Latest()->config; };

        driver.Check(controls.LoadPreset(session, "dcgan-fashion"), "dcgan-fashion loads");
        session.Start();
        driver.Check(driver.Until([&]
                                  { return config() && config()->name == "dcgan-fashion" && session.Latest()->step >= 2; }),
                     "dcgan-fashion trains (step 2 reached)");
        driver.Draw(false);
        const auto& tables = controls.NetworkTables();
        driver.Check(tables.size() == 2, "the Experiment section shows two network tables");
        if (tables.size() == 2)
        {
            driver.Check(tables[0].name == "G" && tables[0].rows.size() == 12 && tables[0].error.empty(),
                  "G's table has its 12 layers, all checked");
            driver.Check(tables[0].params == 6642241,
                         "G: 6,642,241 parameters (" + std::to_string(tables[0].params) + ")");
            driver.Check(tables[0].rows[7].output == (ll::nn::Shape{64, 14, 14}), "G layer 7 outputs 64x14x14");
            driver.Check(tables[1].name == "D" && tables[1].rows.size() == 10 && tables[1].error.empty(),
                  "D's table has its 10 layers, all checked");
            driver.Check(tables[1].params == 6559169,
                         "D: 6,559,169 parameters (" + std::to_string(tables[1].params) + ")");
        }
        driver.Check(find_cell(0, 6) != nullptr && find_cell(0, 7) != nullptr && find_cell(1, 0) != nullptr,
              "the channel counts are editable cells");

        // A bad edit: G's reshape to 64 channels.
        edit(0, 6, "64");
        driver.Draw(false);
        driver.Check(controls.HasPendingChanges(), "the edit is pending");
        driver.Check(tables.size() == 2 && tables[0].error == kBadEditMessage,
              "G's table shows the refusal: '" + (tables.empty() ? std::string() : tables[0].error) + "'");
        driver.Check(tables.size() == 2 && tables[0].rows.size() == 6,
                     "G's table keeps the 6 layers before the refused one");
        driver.Press('R'); // Apply
        driver.Check(controls.ApplyError() == kBadEditMessage,
              "Apply is refused with Validate's message: '" + controls.ApplyError() + "'");
        const std::int64_t step = session.Latest()->step;
        driver.Check(driver.Until([&] { return session.Latest()->step >= step + 2; }),
                     "the running experiment trains on");
        driver.Check(session.Latest()->status == ll::train::Status::Running, "its status is still running");
        driver.Check(config()->gan.generator.layers[6].IntArg("c") == 128,
                     "the config in force keeps its 128 channels");
        driver.mouse = ImVec2(100, 400); // scroll so the picture shows the refused row and the message under the table
        driver.wheel = -2.0f;
        driver.Draw(false);
        driver.mouse = ImVec2(-FLT_MAX, -FLT_MAX);
        driver.Draw(false);
        driver.Draw(true);

        // Undo it, then a good edit: G's first transposed conv to 32 channels, and apply.
        edit(0, 6, "128");
        driver.Check(tables.size() == 2 && tables[0].error.empty(), "restoring 128 channels clears the refusal");
        edit(0, 7, "32");
        // conv_transpose 128 -> 32 k4 (65,536 + 32), BN 32 (64), conv_transpose 32 -> 1 k4 (512 + 1).
        const long long expected = 6642241 - 131136 + 65568 - 128 + 64 - 1025 + 513;
        driver.Check(tables.size() == 2 && tables[0].error.empty() && tables[0].params == expected,
              "32 channels give G " + std::to_string(expected) + " parameters (" +
                  (tables.empty() ? std::string() : std::to_string(tables[0].params)) + ")");
        driver.Press('R');
        driver.Check(controls.ApplyError().empty(), "Apply takes the good edit");
        driver.Check(driver.Until([&] { return config() && config()->gan.generator.layers[7].IntArg("out") == 32; }),
              "the experiment in force has 32 channels in G layer 7");
        driver.Check(!controls.HasPendingChanges(), "nothing is pending after Apply");
        session.Stop();
        status = driver.Status();
    }
    return status;
}
