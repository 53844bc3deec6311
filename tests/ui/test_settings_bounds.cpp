// The window's settings.json goes through the lab's bounded JSON reader: a file nested 100,000 deep or larger than
// 1 MiB is refused with its name and the limit, set aside, and the defaults are used (the window keeps running).
#include "ui/files/file_store.h"

#include "../data/data_test_util.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using ll::data::test::TempDir;

TEST_CASE("Settings: a settings.json nested 100,000 deep or over 1 MiB is refused, set aside, and defaults used")
{
    TempDir dir("settings_bounds");
    const std::filesystem::path file = dir.Path() / "settings.json";
    std::ofstream(file) << std::string(100000, '[') << std::string(100000, ']');
    std::string error;
    ll::ui::FileSettings settings = ll::ui::LoadFileSettings(file, error);
    INFO(error);
    CHECK(error.find("settings '" + file.string() + "':1:65: JSON nested deeper than 64 levels") == 0);
    CHECK(settings.autosave_minutes == 0);
    CHECK(std::filesystem::exists(dir.Path() / "settings.json.bad"));

    std::ofstream(file) << "{\"recent_files\": [\"" << std::string(2 << 20, 'x') << "\"]}";
    settings = ll::ui::LoadFileSettings(file, error);
    CHECK(error.find("settings '" + file.string() + "': is 2 MiB, larger than the 1 MiB") == 0);
}
