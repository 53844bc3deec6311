// Renders the lab with the File dialog open (in a folder it fills with sample entries) and writes a PNG: the
// screenshot test of the File menu's dialog, run under Xvfb by ctest. Usage: file_dialog_shot OUT.png FOLDER MODE
//   save | load  the dialog, the session idle;
//   roundtrip    trains gan-ring8 50 steps, saves through the File menu (checks the file, the current file and the
//                recent list in settings.json), then loads a corrupt copy: the error box must show, the run keep its
//                step and generation. The PNG shows the error box.
//   keys         drives the dialog with the keyboard: Ctrl+Shift+S opens Save as, Down picks an existing file,
//                Enter asks before overwriting it (the PNG shows the question), Y overwrites it with a checkpoint;
//                Ctrl+O opens Load, Escape closes it.
//   menu         starts from a settings file (autosave every 10 minutes; recent files of which one is gone), clicks
//                File: the PNG shows the menu (shortcuts, Recent files, the autosave setting and its folder).
//   autosave     (by hand, not in ctest: it takes a minute) autosave every minute, gan-ring8 running: an autosave
//                appears in the data dir within 75 s, is a valid checkpoint, and the run keeps going.
// Main thread only, like the app; exit status 0 when every check held.
#include "core/train/session.h"
#include "ui/files/file_store.h"
#include "ui/views/lab_window.h"
#include "ui/widgets/theme.h"

#include "gl_test_window.h"
#include "lab_driver.h"

#include "core/io/checkpoint.h"

#include <imgui.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <cfloat>
#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;

int main(int argc, char** argv)
{
    const std::string mode = argc == 4 ? argv[3] : "";
    if (mode != "save" && mode != "load" && mode != "roundtrip" && mode != "keys" && mode != "menu" &&
        mode != "autosave")
    {
        std::fprintf(stderr, "usage: file_dialog_shot OUT.png FOLDER save|load|roundtrip|keys|menu\n");
        return 2;
    }
    const std::string png = argv[1];
    const fs::path folder = argv[2];
    const bool save = mode == "save";
    fs::create_directories(folder / "archive");
    fs::create_directories(folder / "runs");
    for (const char* name : {"gan-ring8-step200.ckpt", "vae-fashion-step100.ckpt", "notes.txt"})
    {
        std::ofstream(folder / name) << std::string(2048, 'x');
    }

    if (mode == "menu" || mode == "autosave")
    {
        fs::create_directories(ll::ui::SettingsFile().parent_path());
        std::ofstream(ll::ui::SettingsFile()) << "{\"autosave_minutes\": " << (mode == "menu" ? 10 : 1) << ", \"recent_files\": [\""
                                              << (folder / "gan-ring8-step200.ckpt").string() << "\", \""
                                              << (folder / "gone.ckpt").string() << "\", \""
                                              << (folder / "vae-fashion-step100.ckpt").string() << "\"]}";
    }

    constexpr int kWidth = 1280, kHeight = 800;
    const ll::test::GlTestWindow gl("file_dialog_shot", kWidth, kHeight);
    if (!gl.Ok())
    {
        return 1;
    }
    GLFWwindow* window = gl.Window();

    int status = 0;
    {
        ll::train::Session session;
        ll::ui::LabWindow lab(session, ll::ui::LabOptions{});
        ll::ui::FileMenu& files = lab.Files();
        ll::test::LabDriver driver("file_dialog_shot", window, lab, session, png, std::chrono::seconds(30));

        if (mode == "autosave")
        {
            driver.Check(lab.Controls().LoadPreset(session, "gan-ring8"), "gan-ring8 loads");
            session.Start();
            const fs::path file = ll::ui::AutosaveDir() / "autosave-gan-ring8.ckpt";
            const auto started = std::chrono::steady_clock::now();
            for (int i = 0; i < 3 && !fs::exists(file); ++i)
            {
                driver.Until([&] { return fs::exists(file); }); // 30 s at most each
            }
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::printf("file_dialog_shot: autosave after %.1f s at step %lld\n", seconds,
                        static_cast<long long>(session.Latest()->step));
            driver.Check(fs::exists(file) && seconds > 55 && seconds < 75, "the autosave appears after about a minute");
            driver.Until([&] { return !files.Busy(); });
            try
            {
                const auto data = ll::io::LoadCheckpointFile(file);
                std::printf("file_dialog_shot: the autosave holds step %lld\n", static_cast<long long>(data.step));
                driver.Check(data.step > 0, "it is a valid checkpoint of a trained run");
            }
            catch (const std::exception& e)
            {
                driver.Check(false, e.what());
            }
            driver.Check(session.Latest()->status == ll::train::Status::Running, "the run keeps going");
            driver.Draw(true);
        }
        else if (mode == "menu")
        {
            lab.Controls().LoadPreset(session, "gan-ring8");
            driver.Draw(false);
            driver.Draw(false);
            driver.mouse = ImVec2(111, 11); // "File" in the menu bar
            driver.mouse_down = true;
            driver.Draw(false);
            driver.mouse_down = false;
            driver.Draw(false);
            driver.mouse = ImVec2(140, 62); // over "Save as..."
            for (int i = 0; i < 4; ++i)
            {
                driver.Draw(false);
            }
            driver.Draw(true);
            driver.Check(files.Recent().Items().size() == 3, "the recent files come from the settings file");
            driver.Check(files.Error().empty(), "a good settings file gives no error");
        }
        else if (mode == "keys")
        {
            fs::current_path(folder); // where Save as starts without a current or recent file
            driver.Check(lab.Controls().LoadPreset(session, "gan-ring8"), "gan-ring8 loads");
            session.RunUntil(20);
            driver.Check(driver.Until([&] { return session.Latest()->step == 20 && session.Latest()->status ==
                                                                          ll::train::Status::Paused; }),
                  "the run reaches step 20");
            driver.Draw(false);
            driver.Press(GLFW_KEY_S, true, true);
            driver.Check(files.Modal(), "Ctrl+Shift+S opens the dialog");
            // Rows: "..", archive/, runs/, gan-ring8-step200.ckpt, vae-fashion-step100.ckpt.
            for (int i = 0; i < 4; ++i)
            {
                driver.Press(GLFW_KEY_DOWN);
            }
            driver.Press(GLFW_KEY_ENTER);
            const auto before = fs::file_size(folder / "gan-ring8-step200.ckpt");
            driver.Draw(true); // the overwrite question
            driver.Check(files.Modal() && !files.Busy(), "Enter on an existing file asks first and saves nothing");
            driver.Press(GLFW_KEY_Y);
            driver.Check(driver.Until([&] { return !files.Busy() && !files.CurrentFile().empty(); }),
                         "Y overwrites it");
            driver.Check(fs::file_size(folder / "gan-ring8-step200.ckpt") != before, "the file was replaced");
            try
            {
                driver.Check(ll::io::LoadCheckpointFile(folder / "gan-ring8-step200.ckpt").step == 20,
                      "it is a checkpoint of step 20");
            }
            catch (const std::exception& e)
            {
                driver.Check(false, e.what());
            }
            driver.Check(!files.Modal(), "the dialog closed");
            driver.Press(GLFW_KEY_O, true);
            driver.Check(files.Modal(), "Ctrl+O opens the Load dialog");
            driver.Press(GLFW_KEY_ESCAPE);
            driver.Check(!files.Modal() && !files.Busy(), "Escape closes it without loading");
            driver.Check(session.Latest()->step == 20, "the run is where it was");
        }
        else if (mode != "roundtrip")
        {
            files.OpenDialog(save ? ll::ui::DialogMode::Save : ll::ui::DialogMode::Load, folder);
            for (int i = 0; i < 5; ++i)
            {
                driver.Draw(false);
            }
            driver.Draw(true);
            driver.Check(files.Modal(), "the dialog is open");
        }
        else
        {
            driver.Check(lab.Controls().LoadPreset(session, "gan-ring8"), "gan-ring8 loads");
            session.RunUntil(50);
            driver.Check(driver.Until([&] { return session.Latest()->step == 50 && session.Latest()->status ==
                                                                          ll::train::Status::Paused; }),
                  "the run reaches step 50");
            const fs::path good = folder / "roundtrip.ckpt";
            files.SaveTo(good.string());
            driver.Check(driver.Until([&] { return !files.Busy() && !files.CurrentFile().empty(); }),
                         "the save completes");
            driver.Check(fs::is_regular_file(good) && fs::file_size(good) > 0, "the checkpoint file exists");
            driver.Check(files.CurrentFile() == good.string(), "it is the current file");
            driver.Check(!files.Recent().Items().empty() && files.Recent().Items().front() == good.string(),
                  "it heads the recent files");
            std::ifstream settings(ll::ui::SettingsFile());
            std::stringstream text;
            text << settings.rdbuf();
            driver.Check(text.str().find("roundtrip.ckpt") != std::string::npos, "settings.json lists it");

            std::ifstream in(good, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            bytes.resize(bytes.size() / 2); // truncated
            const fs::path bad = folder / "truncated.ckpt";
            std::ofstream(bad, std::ios::binary) << bytes;
            const auto generation = session.Latest()->generation;
            files.LoadFrom(bad.string());
            driver.Check(driver.Until([&] { return !files.Busy() && !files.Error().empty(); }),
                         "the bad load reports an error");
            std::printf("file_dialog_shot: error shown: %s\n", files.Error().c_str());
            driver.Check(files.Error().find("truncated.ckpt") != std::string::npos, "the error names the file");
            driver.Check(session.Latest()->step == 50 && session.Latest()->generation == generation,
                  "the run is untouched");
            driver.Check(files.CurrentFile() == good.string(), "the current file is still the good one");
            for (int i = 0; i < 3; ++i)
            {
                driver.Draw(false);
            }
            driver.Draw(true);
        }
        session.Stop();
        status = driver.Status();
    }
    return status;
}
