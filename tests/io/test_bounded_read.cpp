// Bounded reading: file size caps checked before reading, the JSON pre-scan (depth, string lengths, size) that runs
// before any parser or recursive walk, and the caps on a config's free-text fields. The crafted presets of issue 16
// (100,000 nested brackets; a 64 MB name) are refused with the file and the limit instead of crashing.
#include "core/io/bounded_read.h"
#include "core/io/config_json.h"
#include "core/io/config_limits.h"

#include "../data/data_test_util.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>

using namespace ll;
using ll::data::test::ErrorOf;
using ll::data::test::TempDir;

namespace
{

void WriteText(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

bool Contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

std::string Nested(int depth)
{
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
}

const char* kToyGan = R"({"name": "t", "family": "gan", "data": {"kind": "toy", "toy": "ring8"}})";

} // namespace

TEST_CASE("Bounded read: a file over the cap is refused by its size before it is read, naming file and cap")
{
    TempDir dir("bounded_size");
    WriteText(dir.File("big.json"), std::string(2000, ' '));
    const std::string msg = ErrorOf([&] { io::ReadFileBounded(dir.File("big.json"), 1999, "config file"); });
    INFO(msg);
    CHECK(Contains(msg, "config file '" + dir.File("big.json") + "'"));
    CHECK(Contains(msg, "1.953 KiB"));
    CHECK(Contains(msg, "larger than the 1.952 KiB"));
    CHECK(io::ReadFileBounded(dir.File("big.json"), 2000, "config file").size() == 2000);
}

TEST_CASE("Bounded read: a sparse file of 3 GiB is refused at once, by stat, without reading it")
{
    TempDir dir("bounded_sparse");
    const std::string path = dir.File("huge.ckpt");
    WriteText(path, "");
    REQUIRE(::truncate(path.c_str(), static_cast<off_t>(3) << 30) == 0);
    const std::string msg = ErrorOf([&] { io::ReadFileBounded(path, std::uint64_t{2} << 30, "checkpoint"); });
    CHECK(Contains(msg, "is 3 GiB, larger than the 2 GiB"));
}

TEST_CASE("Bounded read: folders, FIFOs and missing files are refused with the reason")
{
    TempDir dir("bounded_kinds");
    CHECK(Contains(ErrorOf([&] { io::ReadFileBounded(dir.Path(), 100, "config file"); }), "is a folder"));
    const std::string fifo = dir.File("pipe.json");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // Opening a FIFO without a writer would block forever; the reader refuses it at once instead.
    CHECK(Contains(ErrorOf([&] { io::ReadFileBounded(fifo, 100, "config file"); }), "not a regular file"));
    CHECK(Contains(ErrorOf([&] { io::ReadFileBounded(dir.File("nope.json"), 100, "config file"); }),
                   "cannot open (No such file or directory)"));
}

TEST_CASE("JSON pre-scan: 64 levels pass, 65 are refused with the line and column of the bracket that went over")
{
    io::JsonLimits limits;
    CHECK_NOTHROW(io::CheckJsonBounds(Nested(64), "ok.json", limits));
    const std::string msg = ErrorOf([&] { io::CheckJsonBounds("\n  " + Nested(65), "deep.json", limits); });
    CHECK(msg == "deep.json:2:67: JSON nested deeper than 64 levels of [ and {; refusing to parse it");
    // Objects count as levels too.
    std::string objects;
    for (int i = 0; i < 65; ++i)
    {
        objects += "{\"a\":";
    }
    CHECK(Contains(ErrorOf([&] { io::CheckJsonBounds(objects, "o.json", limits); }), "nested deeper than 64"));
}

TEST_CASE("JSON pre-scan: brackets inside strings and comments are not levels; escaped quotes do not end a string")
{
    io::JsonLimits limits;
    limits.allow_comments = true;
    CHECK_NOTHROW(io::CheckJsonBounds("{\"a\": \"" + std::string(1000, '[') + "\"}", "s.json", limits));
    CHECK_NOTHROW(io::CheckJsonBounds("{\"a\": \"\\\"" + std::string(1000, '[') + "\"}", "e.json", limits));
    CHECK_NOTHROW(io::CheckJsonBounds("// " + std::string(1000, '[') + "\n{}", "c.json", limits));
    CHECK_NOTHROW(io::CheckJsonBounds("/* " + std::string(1000, '{') + " */ {}", "b.json", limits));
    // Without comments allowed, the same text is not skipped: the brackets count (and the parser would refuse it).
    limits.allow_comments = false;
    CHECK(Contains(ErrorOf([&] { io::CheckJsonBounds("// " + std::string(1000, '[') + "\n{}", "c.json", limits); }),
                   "nested deeper"));
    // An escaped backslash before the closing quote ends the string; the bracket after it is a level.
    CHECK(Contains(ErrorOf([&] { io::CheckJsonBounds("\"\\\\\"" + Nested(65), "x.json", limits); }), "x.json:1:69:"));
}

TEST_CASE("JSON pre-scan: a string over the cap and a text over the size cap are refused")
{
    io::JsonLimits limits;
    limits.max_string_bytes = 100;
    limits.max_bytes = 1000;
    CHECK_NOTHROW(io::CheckJsonBounds("[\"" + std::string(100, 'x') + "\"]", "ok.json", limits));
    CHECK(ErrorOf([&] { io::CheckJsonBounds("[\"" + std::string(101, 'x') + "\"]", "long.json", limits); }) ==
          "long.json:1:2: a JSON string of 101 bytes exceeds the 100 bytes allowed for one string");
    CHECK(Contains(ErrorOf([&] { io::CheckJsonBounds(std::string(1001, ' '), "big.json", limits); }),
                   "big.json: JSON text of 1001 bytes exceeds the 1000 bytes allowed"));
    // An unterminated string is measured to the end and left to the parser when within the cap.
    CHECK_NOTHROW(io::CheckJsonBounds("[\"abc", "open.json", limits));
}

TEST_CASE("Config: a preset of 100,000 nested brackets is refused with the file and the limit, not a crash")
{
    TempDir dir("bounded_deep");
    WriteText(dir.File("deep.json"), Nested(100000));
    std::string msg = ErrorOf([&] { io::LoadConfigFile(dir.File("deep.json")); });
    CHECK(msg == "deep.json:1:65: JSON nested deeper than 64 levels of [ and {; refusing to parse it");
    // Deep inside a valid object, where the field walk would have described (dumped) the value recursively.
    WriteText(dir.File("deep_value.json"), "{\"gan\": " + Nested(100000) + "}");
    msg = ErrorOf([&] { io::LoadConfigFile(dir.File("deep_value.json")); });
    CHECK(Contains(msg, "deep_value.json:1:72: JSON nested deeper than 64"));
    // From text (a checkpoint's embedded config, the fuzzer) the same bound holds.
    CHECK_THROWS_AS(io::ParseConfig(Nested(100000), "text.json"), std::invalid_argument);
}

TEST_CASE("Config: a preset over 1 MiB (a 64 MB name) is refused before reading, naming the file and the cap")
{
    TempDir dir("bounded_big");
    const std::string path = dir.File("huge-name.json");
    WriteText(path, "{\"name\": \"" + std::string(std::size_t{64} << 20, 'n') + "\"}");
    const std::string msg = ErrorOf([&] { io::LoadConfigFile(path); });
    INFO(msg);
    CHECK(Contains(msg, "config file '" + path + "': is 64 MiB, larger than the 1 MiB"));
    CHECK(msg.size() < 300); // the name is not echoed
}

TEST_CASE("Config: name, description and data.dir over their caps are refused with the key and the cap")
{
    const auto with = [](const std::string& fields)
    {
        return std::string(R"({"family": "gan", "data": {"kind": "toy", "toy": "ring8")") +
               (fields.rfind("\"dir\"", 0) == 0 ? ", " + fields + "}" : "}, " + fields) + "}";
    };
    CHECK_NOTHROW(io::ParseConfig(with("\"name\": \"" + std::string(128, 'n') + "\""), "ok.json"));
    CHECK(ErrorOf([&] { io::ParseConfig(with("\"name\": \"" + std::string(129, 'n') + "\""), "n.json"); }) ==
          "n.json: name: 129 bytes, at most 128 allowed");
    CHECK(Contains(ErrorOf([&] { io::ParseConfig(with(R"("name": "two\nlines")"), "nl.json"); }),
                   "nl.json: name: holds a control character (code 10)"));
    // The presets' teaching paragraphs are about 1.5 KB: a 10 KB one passes, past 16 KiB is refused.
    CHECK_NOTHROW(io::ParseConfig(with("\"description\": \"" + std::string(10000, 'd') + "\""), "d.json"));
    CHECK(Contains(
        ErrorOf([&] { io::ParseConfig(with("\"description\": \"" + std::string(20000, 'd') + "\""), "d.json"); }),
        "d.json: description: 20000 bytes, at most 16384 allowed"));
    CHECK(Contains(ErrorOf([&] { io::ParseConfig(with("\"dir\": \"" + std::string(4097, 'x') + "\""), "p.json"); }),
                   "p.json: data.dir: 4097 bytes, at most 4096 allowed"));
    // A string past the pre-scan's 64 KiB never reaches the field walk.
    CHECK(Contains(ErrorOf([&] { io::ParseConfig(with("\"name\": \"" + std::string(70000, 'n') + "\""), "b.json"); }),
                   "b.json:1:"));
}

TEST_CASE("Config: every shipped preset passes the bounds with room to spare")
{
    for (const io::PresetInfo& p : io::ListPresets(io::FindPresetDir()))
    {
        INFO(p.name);
        CHECK(p.error.empty());
        CHECK(p.description.size() * 4 < io::kMaxConfigDescriptionBytes);
    }
    CHECK_NOTHROW(io::ParseConfig(kToyGan, "toy.json"));
}

TEST_CASE("ReadJsonFile: one bounded entry point for any JSON file, errors naming the file")
{
    TempDir dir("bounded_json");
    WriteText(dir.File("settings.json"), R"({"autosave_minutes": 5, "recent_files": ["a.ckpt"]})");
    const nlohmann::json j = io::ReadJsonFile(dir.File("settings.json"), io::kSettingsJsonLimits);
    CHECK(j.at("autosave_minutes").get<int>() == 5);
    WriteText(dir.File("bad.json"), "{\"a\": }");
    const std::string bad = ErrorOf([&] { io::ReadJsonFile(dir.File("bad.json"), io::kSettingsJsonLimits); });
    CHECK(Contains(bad, dir.File("bad.json") + ": invalid JSON: "));
    WriteText(dir.File("deep.json"), Nested(100000));
    CHECK(Contains(ErrorOf([&] { io::ReadJsonFile(dir.File("deep.json"), io::kSettingsJsonLimits); }),
                   "nested deeper than 64"));
}
