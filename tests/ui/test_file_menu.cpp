// The File menu's GL-free logic: XDG folders, recent files, the settings file (including corrupt ones), autosave
// timing, the file dialog's model, and checkpoint commands through a real session (saves, refused saves, bad loads
// that leave the run untouched). Every test works in its own temporary folder with its own XDG variables.
#include "ui/files/file_browse.h"
#include "ui/files/file_ops.h"
#include "ui/files/file_store.h"

#include "core/models/config.h"
#include "core/train/session.h"

#include "../support/session_wait.h"
#include "../support/tiny_ring.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

using namespace ll;
using namespace ll::ui;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace
{

// A fresh temporary folder, removed at the end of the test.
struct TempDir
{
    fs::path path;
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "latentlab-ui-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Sets (or unsets, with nullptr) an environment variable for the scope.
struct EnvVar
{
    std::string name;
    std::optional<std::string> old;
    EnvVar(const char* n, const char* value) : name(n)
    {
        if (const char* v = std::getenv(n))
        {
            old = v;
        }
        value ? ::setenv(n, value, 1) : ::unsetenv(n);
    }
    ~EnvVar() { old ? ::setenv(name.c_str(), old->c_str(), 1) : ::unsetenv(name.c_str()); }
};

void WriteText(const fs::path& file, const std::string& text)
{
    std::ofstream out(file, std::ios::binary);
    out << text;
}

std::string ReadText(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

TEST_CASE("File store: config and data folders follow XDG variables, else HOME")
{
    TempDir tmp;
    const std::string home = (tmp.path / "home").string();
    EnvVar h("HOME", home.c_str());
    {
        EnvVar c("XDG_CONFIG_HOME", (tmp.path / "cfg").c_str());
        EnvVar d("XDG_DATA_HOME", (tmp.path / "data").c_str());
        CHECK(ConfigDir() == tmp.path / "cfg" / "latentlab");
        CHECK(SettingsFile() == tmp.path / "cfg" / "latentlab" / "settings.json");
        CHECK(AutosaveDir() == tmp.path / "data" / "latentlab" / "autosave");
    }
    EnvVar c("XDG_CONFIG_HOME", ""); // empty counts as unset (XDG base directory specification)
    EnvVar d("XDG_DATA_HOME", nullptr);
    CHECK(ConfigDir() == fs::path(home) / ".config" / "latentlab");
    CHECK(AutosaveDir() == fs::path(home) / ".local" / "share" / "latentlab" / "autosave");
    EnvVar no_home("HOME", nullptr);
    CHECK_THROWS_WITH_AS(DataDir(), doctest::Contains("XDG_DATA_HOME"), std::runtime_error);
}

TEST_CASE("File store: autosave names are safe file names")
{
    CHECK(AutosaveFileName("gan-ring8") == "autosave-gan-ring8.ckpt");
    CHECK(AutosaveFileName("my run/../x") == "autosave-my_run_.._x.ckpt");
    CHECK(AutosaveFileName("") == "autosave-run.ckpt");
    CHECK(AutosaveFileName("..") == "autosave-run.ckpt");
}

TEST_CASE("File store: recent files are the last 8, most recent first, without duplicates")
{
    TempDir tmp;
    RecentFiles recent;
    for (int i = 0; i < 10; ++i)
    {
        recent.Add(tmp.path / ("f" + std::to_string(i) + ".ckpt"));
    }
    REQUIRE(recent.Items().size() == kRecentMax);
    CHECK(recent.Items().front() == (tmp.path / "f9.ckpt").string());
    CHECK(recent.Items().back() == (tmp.path / "f2.ckpt").string());

    // The same file by another spelling moves to the front instead of appearing twice.
    recent.Add(tmp.path / "sub" / ".." / "f5.ckpt");
    CHECK(recent.Items().size() == kRecentMax);
    CHECK(recent.Items().front() == (tmp.path / "f5.ckpt").string());
    CHECK(recent.Items()[1] == (tmp.path / "f9.ckpt").string());

    // Only files that still exist survive PruneMissing.
    WriteText(tmp.path / "f9.ckpt", "x");
    WriteText(tmp.path / "f5.ckpt", "x");
    CHECK(recent.PruneMissing() == kRecentMax - 2);
    CHECK(recent.Items() == std::vector<std::string>{(tmp.path / "f5.ckpt").string(), (tmp.path / "f9.ckpt").string()});
    recent.Remove(tmp.path / "f5.ckpt");
    CHECK(recent.Items() == std::vector<std::string>{(tmp.path / "f9.ckpt").string()});
}

TEST_CASE("File store: settings round-trip and keep other keys of the file")
{
    TempDir tmp;
    const fs::path file = tmp.path / "cfg" / "settings.json"; // the folder does not exist yet
    FileSettings s;
    s.autosave_minutes = 15;
    s.recent = {(tmp.path / "a.ckpt").string(), (tmp.path / "b.ckpt").string()};
    SaveFileSettings(file, s);

    std::string error = "not cleared";
    FileSettings back = LoadFileSettings(file, error);
    CHECK(error.empty());
    CHECK(back.autosave_minutes == 15);
    CHECK(back.recent == s.recent);

    WriteText(file, R"({"theme": "dark", "autosave_minutes": 5})");
    s.autosave_minutes = 0;
    SaveFileSettings(file, s);
    const std::string text = ReadText(file);
    CHECK(text.find("\"theme\": \"dark\"") != std::string::npos);
    CHECK(LoadFileSettings(file, error).autosave_minutes == 0);
    CHECK_FALSE(fs::exists(tmp.path / "cfg" / "settings.json.tmp"));
}

TEST_CASE("File store: a missing settings file gives the defaults without an error")
{
    TempDir tmp;
    std::string error = "not cleared";
    const FileSettings s = LoadFileSettings(tmp.path / "none.json", error);
    CHECK(error.empty());
    CHECK(s.autosave_minutes == 0);
    CHECK(s.recent.empty());
}

TEST_CASE("File store: a corrupt settings file is reported with its line, replaced by defaults and kept aside")
{
    TempDir tmp;
    const fs::path file = tmp.path / "settings.json";
    WriteText(file, "{\n  \"autosave_minutes\": 5,\n  \"recent_files\": [\"a.ckpt\" \n}\n");
    std::string error;
    const FileSettings s = LoadFileSettings(file, error);
    CHECK(s.autosave_minutes == 0);
    CHECK(s.recent.empty());
    CHECK(error.find(file.string()) != std::string::npos);
    CHECK(error.find("line 4") != std::string::npos);
    CHECK(error.find("settings.json.bad") != std::string::npos);
    CHECK_FALSE(fs::exists(file));
    CHECK(ReadText(tmp.path / "settings.json.bad").find("\"autosave_minutes\": 5") != std::string::npos);
}

TEST_CASE("File store: settings with wrong types or out-of-range values are refused, naming the key")
{
    const auto refused = [](const std::string& text, const std::string& needle)
    {
        CHECK_THROWS_WITH_AS(ParseFileSettings(text, "s.json"), doctest::Contains(needle.c_str()), std::runtime_error);
    };
    refused(R"({"autosave_minutes": 121})", "1..120, got 121");
    refused(R"({"autosave_minutes": -1})", "got -1");
    refused(R"({"autosave_minutes": "ten"})", "must be an integer");
    refused(R"({"recent_files": "a.ckpt"})", "must be an array");
    refused(R"({"recent_files": ["a.ckpt", 3]})", "\"recent_files\"[1] must be a string");
    refused(R"([1, 2])", "JSON object");
    CHECK(ParseFileSettings(R"({"autosave_minutes": 120})", "s.json").autosave_minutes == 120);
}

TEST_CASE("Autosave: the interval is 1..120 minutes or off, and anything else is refused")
{
    CHECK_NOTHROW(ValidateAutosaveMinutes(0));
    CHECK_NOTHROW(ValidateAutosaveMinutes(1));
    CHECK_NOTHROW(ValidateAutosaveMinutes(120));
    CHECK_THROWS_WITH_AS(ValidateAutosaveMinutes(121), doctest::Contains("1..120"), std::invalid_argument);
    CHECK_THROWS_AS(ValidateAutosaveMinutes(-5), std::invalid_argument);
    AutosaveTimer timer;
    const auto t0 = AutosaveTimer::Clock::time_point{} + 1h;
    timer.SetInterval(10, t0);
    CHECK_THROWS_AS(timer.SetInterval(500, t0), std::invalid_argument);
    CHECK(timer.Interval() == 10); // a refused value leaves the setting as it was
}

TEST_CASE("Autosave: due after a full interval, only when the run moved on, and not retried at once after a failure")
{
    AutosaveTimer timer;
    const auto t0 = AutosaveTimer::Clock::time_point{} + 1h;
    CHECK_FALSE(timer.Due(t0 + 1000min, 1, 50)); // off
    timer.SetInterval(5, t0);
    CHECK_FALSE(timer.Due(t0 + 4min + 59s, 1, 50));
    CHECK(timer.Due(t0 + 5min, 1, 50));
    CHECK_FALSE(timer.Due(t0 + 5min, 1, 0)); // nothing trained yet: nothing to keep
    CHECK(timer.SecondsLeft(t0 + 3min) == doctest::Approx(120.0).epsilon(1e-9));

    timer.MarkSaved(t0 + 5min, 1, 50);
    CHECK_FALSE(timer.Due(t0 + 11min, 1, 50)); // paused at the same step: no rewrite
    CHECK(timer.Due(t0 + 11min, 1, 51));
    CHECK(timer.Due(t0 + 11min, 2, 50)); // another run that happens to be at the same step
    CHECK_FALSE(timer.Due(t0 + 9min, 1, 60));

    timer.MarkFailed(t0 + 11min);
    CHECK_FALSE(timer.Due(t0 + 12min, 1, 60));
    CHECK(timer.Due(t0 + 16min, 1, 60));

    timer.SetInterval(0, t0);
    CHECK_FALSE(timer.Due(t0 + 1000min, 1, 60));
    CHECK(timer.SecondsLeft(t0) < 0);
}

TEST_CASE("File dialog: a folder lists sub-folders first, then .ckpt files, by name ignoring case")
{
    TempDir tmp;
    fs::create_directories(tmp.path / "zeta");
    fs::create_directories(tmp.path / "Alpha");
    fs::create_directories(tmp.path / ".hidden");
    WriteText(tmp.path / "b.ckpt", "12345");
    WriteText(tmp.path / "A.CKPT", "1");
    WriteText(tmp.path / "notes.txt", "no");
    WriteText(tmp.path / ".secret.ckpt", "no");
    const std::vector<DirEntry> entries = ListFolder(tmp.path);
    REQUIRE(entries.size() == 4);
    CHECK(entries[0].name == "Alpha");
    CHECK(entries[0].is_dir);
    CHECK(entries[1].name == "zeta");
    CHECK(entries[2].name == "A.CKPT");
    CHECK(entries[3].name == "b.ckpt");
    CHECK_FALSE(entries[3].is_dir);
    CHECK(entries[3].size == 5);
    CHECK_THROWS_WITH_AS(ListFolder(tmp.path / "gone"), doctest::Contains("cannot list folder"), std::runtime_error);
}

TEST_CASE("File dialog: typed paths resolve against the folder and HOME, and get .ckpt when they have no extension")
{
    EnvVar home("HOME", "/home/someone");
    CHECK(ResolveTyped("run.ckpt", "/data/x") == fs::path("/data/x/run.ckpt"));
    CHECK(ResolveTyped("../y/run.ckpt", "/data/x") == fs::path("/data/y/run.ckpt"));
    CHECK(ResolveTyped("/abs/run.ckpt", "/data/x") == fs::path("/abs/run.ckpt"));
    CHECK(ResolveTyped("~/runs/a.ckpt", "/data/x") == fs::path("/home/someone/runs/a.ckpt"));
    CHECK(WithCkptExtension("/d/run") == fs::path("/d/run.ckpt"));
    CHECK(WithCkptExtension("/d/run.bin") == fs::path("/d/run.bin"));
}

TEST_CASE("File dialog: saving checks the target and asks before overwriting an existing file")
{
    TempDir tmp;
    fs::create_directories(tmp.path / "runs");
    WriteText(tmp.path / "old.ckpt", "previous");
    WriteText(tmp.path / "plain.txt", "a file, not a folder");
    BrowseState b;
    b.Open(DialogMode::Save, tmp.path, "new");
    CHECK(b.Folder() == tmp.path);
    REQUIRE(b.Confirm() == BrowseState::Outcome::Chosen);
    CHECK(b.Chosen() == tmp.path / "new.ckpt");

    b.Text() = "old.ckpt";
    REQUIRE(b.Confirm() == BrowseState::Outcome::AskOverwrite);
    CHECK(b.OverwritePath() == tmp.path / "old.ckpt");
    b.CancelOverwrite();
    CHECK(b.OverwritePath().empty());
    REQUIRE(b.Confirm() == BrowseState::Outcome::AskOverwrite);
    REQUIRE(b.ConfirmOverwrite() == BrowseState::Outcome::Chosen);
    CHECK(b.Chosen() == tmp.path / "old.ckpt");
    CHECK(ReadText(tmp.path / "old.ckpt") == "previous"); // the dialog itself never writes

    b.Text() = "missing/x.ckpt";
    CHECK(b.Confirm() == BrowseState::Outcome::Error);
    CHECK(b.Error().find("does not exist") != std::string::npos);
    b.Text() = "plain.txt/x.ckpt";
    CHECK(b.Confirm() == BrowseState::Outcome::Error);
    CHECK(b.Error().find("is not a folder") != std::string::npos);

    // Typing a folder's name enters it.
    b.Text() = "runs";
    CHECK(b.Confirm() == BrowseState::Outcome::Navigated);
    CHECK(b.Folder() == tmp.path / "runs");
    CHECK(b.Text().empty());
    CHECK(b.GoUp());
    CHECK(b.Folder() == tmp.path);
}

TEST_CASE("File dialog: an unwritable folder is refused before the session is asked to save")
{
    if (::geteuid() == 0)
    {
        MESSAGE("running as root: every folder is writable, so this case cannot be checked here");
        return;
    }
    TempDir tmp;
    fs::create_directories(tmp.path / "ro");
    fs::permissions(tmp.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    CHECK(CheckSaveTarget(tmp.path / "ro" / "x.ckpt").find("not writable") != std::string::npos);
    fs::permissions(tmp.path / "ro", fs::perms::owner_all);
}

TEST_CASE("File dialog: Up and Down move through the rows, and Enter opens folders or confirms files")
{
    TempDir tmp;
    fs::create_directories(tmp.path / "sub");
    WriteText(tmp.path / "sub" / "inner.ckpt", "x");
    WriteText(tmp.path / "a.ckpt", "x");
    BrowseState b;
    b.Open(DialogMode::Load, tmp.path / "gone" / "deeper", ""); // a vanished folder opens its nearest parent
    CHECK(b.Folder() == tmp.path);
    REQUIRE(b.Rows() == 3); // "..", "sub", "a.ckpt"
    CHECK(b.Row(0).name == "..");
    CHECK(b.Selected() == -1);
    CHECK(b.Confirm() == BrowseState::Outcome::None);
    b.Move(+1);
    CHECK(b.Selected() == 0);
    b.Move(+1);
    b.Move(+1);
    b.Move(+1); // stays on the last row
    CHECK(b.Selected() == 2);
    CHECK(b.Text() == "a.ckpt");
    b.Move(-1);
    CHECK(b.Selected() == 1);
    CHECK(b.Text() == "a.ckpt"); // a folder row leaves the typed name alone
    b.Text().clear();
    REQUIRE(b.Confirm() == BrowseState::Outcome::Navigated); // nothing typed: the selected row, "sub"
    CHECK(b.Folder() == tmp.path / "sub");
    REQUIRE(b.Rows() == 2);
    REQUIRE(b.Activate(1) == BrowseState::Outcome::Chosen);
    CHECK(b.Chosen() == tmp.path / "sub" / "inner.ckpt");
    REQUIRE(b.Activate(0) == BrowseState::Outcome::Navigated); // ".."
    CHECK(b.Folder() == tmp.path);

    b.Text() = "nothing.ckpt";
    CHECK(b.Confirm() == BrowseState::Outcome::Error);
    CHECK(b.Error().find("does not exist") != std::string::npos);
}

namespace
{

train::SessionOptions QuietOptions()
{
    train::SessionOptions o = ll::test::QuietSessionOptions();
    o.publish_interval = 0ms;
    o.view.points = 16;
    return o;
}

// Polls ops until a result comes back (waiting on the session's own snapshots, not on time).
CheckpointOps::Result Finish(CheckpointOps& ops, train::Session& session)
{
    for (int i = 0; i < 1000; ++i)
    {
        auto snap = session.Latest();
        if (auto r = ops.Poll(session, *snap))
        {
            return *r;
        }
        session.WaitFor([&](const train::Snapshot& s) { return s.version > snap->version; }, 200ms);
    }
    FAIL("no result from the session");
    return {};
}

} // namespace

TEST_CASE("Checkpoint commands: save, a refused save and a corrupt load each report, and the run carries on")
{
    TempDir tmp;
    train::Session session(QuietOptions());
    session.Load(ll::test::TinyRing("file-menu-test"));
    REQUIRE(session.WaitForCommand(session.Step(7), 10s) != nullptr);
    REQUIRE(session.Latest()->step == 7);

    CheckpointOps ops;
    CHECK_FALSE(ops.Busy());
    const fs::path good = tmp.path / "good.ckpt";
    ops.Request(CheckpointOps::Kind::Save, good.string());
    // A second request waits for the first: each result is read back on its own.
    ops.Request(CheckpointOps::Kind::Save, (tmp.path / "no-such-folder" / "x.ckpt").string());
    CHECK(ops.Busy());
    const CheckpointOps::Result saved = Finish(ops, session);
    CHECK(saved.kind == CheckpointOps::Kind::Save);
    CHECK(saved.ok);
    CHECK(saved.error.empty());
    CHECK(saved.step == 7);
    CHECK(fs::file_size(good) > 0);
    const CheckpointOps::Result refused = Finish(ops, session);
    CHECK_FALSE(refused.ok);
    CHECK(refused.error.find("no-such-folder") != std::string::npos);
    CHECK_FALSE(ops.Busy());

    // A corrupt file: refused with the reason; the live run keeps its step and trains on.
    std::string bytes = ReadText(good);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
    const fs::path bad = tmp.path / "bad.ckpt";
    WriteText(bad, bytes);
    const std::uint64_t generation = session.Latest()->generation;
    ops.Request(CheckpointOps::Kind::Load, bad.string());
    const CheckpointOps::Result load_bad = Finish(ops, session);
    CHECK_FALSE(load_bad.ok);
    CHECK(load_bad.error.find("bad.ckpt") != std::string::npos);
    CHECK(session.Latest()->generation == generation);
    CHECK(session.Latest()->step == 7);
    REQUIRE(session.WaitForCommand(session.Step(3), 10s) != nullptr);
    CHECK(session.Latest()->step == 10);

    // The good file loads back to its step, as a new run.
    ops.Request(CheckpointOps::Kind::Load, good.string());
    const CheckpointOps::Result loaded = Finish(ops, session);
    CHECK(loaded.ok);
    CHECK(loaded.step == 7);
    CHECK(loaded.generation != generation);
    session.Stop();
}
