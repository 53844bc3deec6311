// Faults during a run, through the session as the window drives it: a NaN injected into a parameter mid-run (GAN and
// VAE) is rolled back to the last good state, said, and the run goes on when resumed; the data folder removed while
// training changes nothing (the data is resident), and a load that cannot read its data or config leaves the current
// run untouched and says why. Configs come from JSON text, as presets do. Waiting is on the session's deadlines.
#include "core/io/config_json.h"
#include "core/io/image_io.h"
#include "core/train/session.h"

#include "../data/data_test_util.h"
#include "../support/session_wait.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>

using namespace std::chrono_literals;
using namespace ll;
using data::test::TempDir;

namespace
{

namespace fs = std::filesystem;

constexpr auto kDeadline = ll::test::kSessionDeadline;
using ll::test::WaitForReply;

const char* kToyGan = R"({"name": "fault-gan", "family": "gan", "data": {"kind": "toy", "toy": "ring8"},
    "gan": {"noise_dim": 2, "generator": {"hidden": [16, 16]}, "discriminator": {"hidden": [16, 16]}},
    "batch_size": 32, "seed": 3, "eval_every": 0, "sample_every": 0})";

const char* kToyVae = R"({"name": "fault-vae", "family": "vae", "data": {"kind": "toy", "toy": "ring8"},
    "vae": {"latent_dim": 2, "likelihood": "gaussian", "gaussian_sigma": 0.5,
            "encoder": {"hidden": [16]}, "decoder": {"hidden": [16]}},
    "batch_size": 32, "seed": 3, "eval_every": 0, "sample_every": 0})";

// A quiet session that keeps a good state every 50 steps to roll back to.
train::SessionOptions Options()
{
    train::SessionOptions o = ll::test::QuietSessionOptions();
    o.rollback_every = 50;
    return o;
}

bool AllFinite(const models::Metrics& metrics)
{
    for (const auto& [name, value] : metrics)
    {
        if (!std::isfinite(value))
        {
            return false;
        }
    }
    return !metrics.empty();
}

// Writes NaN into the first weight of the model's first network once, before step `at`.
train::SessionOptions InjectNanAt(std::int64_t at, std::shared_ptr<std::atomic<int>> injected,
                                  std::size_t spill_bytes = train::SessionOptions{}.rollback_spill_bytes)
{
    train::SessionOptions o = Options();
    o.rollback_spill_bytes = spill_bytes;
    o.model_hook = [at, injected](std::int64_t step, models::Model& model)
    {
        if (step == at && injected->fetch_add(1) == 0)
        {
            auto networks = model.Networks();
            REQUIRE(!networks.empty());
            REQUIRE(!networks[0].params.empty());
            (*networks[0].params[0].value)(0, 0) = std::numeric_limits<float>::quiet_NaN();
        }
    };
    return o;
}

// Returns the metrics of step 200, run to exactly there after the rollback.
models::Metrics CheckRollbackAndResume(const char* json,
                                       std::size_t spill_bytes = train::SessionOptions{}.rollback_spill_bytes)
{
    const auto injected = std::make_shared<std::atomic<int>>(0);
    train::Session s(InjectNanAt(120, injected, spill_bytes));
    WaitForReply(s, s.Load(io::ParseConfig(json, "fault.json")));
    s.Start();
    const auto diverged =
        s.WaitFor([](const train::Snapshot& x) { return x.status == train::Status::Diverged; }, kDeadline);
    REQUIRE(diverged != nullptr);
    INFO(diverged->message);
    CHECK(injected->load() == 1);
    CHECK(diverged->message.find("Diverged at step 12") == 0); // at 120 or 121: the NaN shows in that step
    CHECK(diverged->message.find("Rolled back to step 100") != std::string::npos);
    CHECK(diverged->rollback_step == 100);
    CHECK(diverged->step == 100);
    // Paused: nothing moves by itself.
    CHECK(s.WaitForVersion(diverged->version + 1, 50ms) == nullptr);
    // Resumed, the run goes on past the step that blew up with finite metrics.
    s.RunUntil(200);
    const auto later = s.WaitFor(
        [](const train::Snapshot& x) { return x.step == 200 && x.status == train::Status::Paused; }, kDeadline);
    REQUIRE(later != nullptr);
    CHECK(AllFinite(later->last_metrics));
    return later->last_metrics;
}

// A small MNIST-format folder (train and t10k) of n images each.
void WriteIdxFolder(const fs::path& dir, std::uint32_t n)
{
    fs::create_directories(dir);
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(n) * 784), labels(n);
    for (std::size_t i = 0; i < pixels.size(); ++i)
    {
        pixels[i] = static_cast<std::uint8_t>((i * 131) % 251);
    }
    for (std::uint32_t i = 0; i < n; ++i)
    {
        labels[i] = static_cast<std::uint8_t>(i % 10);
    }
    for (const char* split : {"train", "t10k"})
    {
        data::test::WriteBytes((dir / (std::string(split) + "-images-idx3-ubyte")).string(),
                               data::test::IdxBytes({n, 28, 28}, pixels));
        data::test::WriteBytes((dir / (std::string(split) + "-labels-idx1-ubyte")).string(),
                               data::test::IdxBytes({n}, labels));
    }
}

std::string IdxVae(const fs::path& dir)
{
    return R"({"name": "fault-idx", "family": "vae", "data": {"kind": "idx", "dir": ")" + dir.string() + R"("},
        "vae": {"latent_dim": 4, "encoder": {"hidden": [16]}, "decoder": {"hidden": [16]}},
        "batch_size": 16, "seed": 2, "eval_every": 0, "sample_every": 0})";
}

} // namespace

TEST_CASE("Faults: a NaN injected into a GAN's parameter mid-run rolls back, says so, and the run goes on")
{
    CheckRollbackAndResume(kToyGan);
}

TEST_CASE("Faults: a NaN injected into a VAE's parameter mid-run rolls back, says so, and the run goes on")
{
    CheckRollbackAndResume(kToyVae);
}

TEST_CASE("Faults: a rollback copy spilled to a temporary file restores the same state as one kept in memory")
{
    // rollback_spill_bytes 0: every tensor of the copy goes to the file and is read back on the rollback. The run
    // after it must be the one the in-memory copy gives, to the last bit.
    const models::Metrics from_file = CheckRollbackAndResume(kToyGan, 0);
    const models::Metrics from_memory = CheckRollbackAndResume(kToyGan);
    REQUIRE(from_file.size() == from_memory.size());
    for (std::size_t i = 0; i < from_file.size(); ++i)
    {
        CHECK(from_file[i].first == from_memory[i].first);
        CHECK(from_file[i].second == from_memory[i].second);
    }
}

TEST_CASE("Faults: the data folder removed while training changes nothing; reloading it is refused, the run goes on")
{
    TempDir dir("fault_data");
    const fs::path data_dir = dir.Path() / "idx";
    WriteIdxFolder(data_dir, 64);
    train::Session s(Options());
    WaitForReply(s, s.Load(io::ParseConfig(IdxVae(data_dir), "idx.json")));
    s.Start();
    REQUIRE(s.WaitFor([](const train::Snapshot& x) { return x.step >= 10; }, kDeadline) != nullptr);
    fs::remove_all(data_dir);
    // The images are resident: training goes on, and a reset (same data) rebuilds from memory.
    const auto on = s.WaitFor([](const train::Snapshot& x) { return x.step >= 40; }, kDeadline);
    REQUIRE(on != nullptr);
    CHECK(on->status == train::Status::Running);
    CHECK(AllFinite(on->last_metrics));
    const auto reset = WaitForReply(s, s.Reset());
    CHECK(reset->status == train::Status::Idle);
    CHECK(reset->command_error.empty());
    s.Start();
    const auto restarted = s.WaitFor([](const train::Snapshot& x) { return x.step >= 10; }, kDeadline);
    REQUIRE(restarted != nullptr);
    // Asking for the folder again (another data setting) is refused by name; the current run carries on.
    models::ExperimentConfig other = io::ParseConfig(IdxVae(data_dir), "idx.json");
    other.name = "fault-idx-2";
    const fs::path moved = dir.Path() / "elsewhere";
    other.data.dir = moved.string();
    const auto refused = WaitForReply(s, s.Load(other));
    INFO(refused->command_error);
    CHECK(refused->command_error.find("Could not load 'fault-idx-2'") == 0);
    CHECK(refused->command_error.find(moved.string()) != std::string::npos);
    CHECK(refused->command_error.find("the current run is unchanged") != std::string::npos);
    CHECK(refused->status == train::Status::Running);
    CHECK(refused->config->name == "fault-idx");
    const auto still = s.WaitFor([&](const train::Snapshot& x) { return x.step > refused->step + 10; }, kDeadline);
    CHECK(still != nullptr);
}

TEST_CASE("Faults: an image folder with a PNG claiming 100000 x 100000 is refused by name and the run goes on")
{
    TempDir dir("fault_png");
    const fs::path images = dir.Path() / "images";
    fs::create_directories(images);
    const std::vector<std::uint8_t> pixels(4 * 4 * 3, 90);
    io::WritePng(images / "a.png", 4, 4, 3, pixels.data());
    io::WritePng(images / "b.png", 4, 4, 3, pixels.data());
    std::vector<std::uint8_t> bytes = data::test::ReadBytes((images / "b.png").string());
    const std::uint8_t side[4] = {0x00, 0x01, 0x86, 0xA0}; // 100000, big-endian: IHDR width and height
    std::copy(side, side + 4, bytes.begin() + 16);
    std::copy(side, side + 4, bytes.begin() + 20);
    data::test::WriteBytes((images / "b.png").string(), bytes);

    train::Session s(Options());
    WaitForReply(s, s.Load(io::ParseConfig(kToyGan, "gan.json")));
    s.Start();
    const std::string folder_json = R"({"name": "fault-folder", "family": "vae", "data": {"kind": "folder", "dir": ")" +
                                    images.string() + R"(", "image_size": 8}, "eval_every": 0, "sample_every": 0})";
    const auto refused = WaitForReply(s, s.Load(io::ParseConfig(folder_json, "folder.json")));
    INFO(refused->command_error);
    CHECK(refused->command_error.find((images / "b.png").string()) != std::string::npos);
    CHECK(refused->command_error.find("claims 100000 x 100000 pixels") != std::string::npos);
    CHECK(refused->status == train::Status::Running);
    CHECK(refused->config->name == "fault-gan");
    // With nothing running before, the same refusal is the session's error state (headless exits non-zero on it).
    train::Session fresh(Options());
    const auto failed = WaitForReply(fresh, fresh.Load(io::ParseConfig(folder_json, "folder.json")));
    CHECK(failed->status == train::Status::Error);
    CHECK(failed->message.find("claims 100000 x 100000 pixels") != std::string::npos);
}
