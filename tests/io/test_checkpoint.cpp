// Checkpoint files refused for every kind of damage (checksum, truncation, magic, version, shapes, header), with
// the file name and the reason; saving refuses non-finite parameters; a save killed midway leaves the old file.
#include "checkpoint_test_util.h"

#include "core/io/config_json.h"

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace ll;
using namespace ll::io::test;
using data::test::ErrorOf;

namespace
{

io::CheckpointData GanState(int steps = 5)
{
    const auto config = TinyGan();
    train::Experiment e(config, train::LoadExperimentData(config, ""));
    std::vector<models::Metrics> log;
    TrainSteps(e, steps, log);
    return e.SaveState();
}

std::string Encoded()
{
    static const std::string bytes = io::EncodeCheckpoint(GanState());
    return bytes;
}

// Recomputes the CRC32 trailer, so a deliberately edited body reaches the checks after the checksum.
std::string WithFixedCrc(std::string bytes)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4));
    const auto c = static_cast<std::uint32_t>(crc);
    std::memcpy(bytes.data() + bytes.size() - 4, &c, 4);
    return bytes;
}

} // namespace

TEST_CASE("Checkpoint: encode then decode gives back every field")
{
    const io::CheckpointData a = GanState();
    const io::CheckpointData b = io::DecodeCheckpoint(io::EncodeCheckpoint(a), "mem");
    CHECK(a.config == b.config);
    CHECK(a.hypers == b.hypers);
    CHECK(a.rng.has_spare == b.rng.has_spare);
    CHECK(SameBits(a.rng.spare, b.rng.spare));
    CheckSameState(a, b);
    CHECK(std::memcmp(Encoded().data(), "LLCKPT\0\0", 8) == 0);
}

TEST_CASE("Checkpoint: one flipped byte anywhere is refused by the checksum")
{
    const std::string good = Encoded();
    for (const std::size_t at : {std::size_t(30), good.size() / 2, good.size() - 10})
    {
        std::string bad = good;
        bad[at] = static_cast<char>(bad[at] ^ 0x10);
        const std::string error = ErrorOf([&] { io::DecodeCheckpoint(bad, "run/x.ckpt"); });
        CHECK(error.find("run/x.ckpt") != std::string::npos);
        CHECK(error.find("checksum mismatch") != std::string::npos);
    }
}

TEST_CASE("Checkpoint: a truncated file is refused at every length")
{
    const std::string good = Encoded();
    for (const std::size_t n : {std::size_t(0), std::size_t(5), std::size_t(12), std::size_t(23), good.size() / 3,
                                good.size() - 1})
    {
        const std::string error = ErrorOf([&] { io::DecodeCheckpoint(good.substr(0, n), "t.ckpt"); });
        INFO(n << ": " << error);
        CHECK(error.find("checkpoint 't.ckpt'") == 0);
    }
}

TEST_CASE("Checkpoint: bad magic and unknown versions are refused with the reason")
{
    std::string bad = Encoded();
    bad[0] = 'X';
    CHECK(ErrorOf([&] { io::DecodeCheckpoint(bad, "m.ckpt"); }).find("bad magic") != std::string::npos);
    bad = Encoded();
    bad[8] = 7; // version 7
    CHECK(ErrorOf([&] { io::DecodeCheckpoint(WithFixedCrc(bad), "v.ckpt"); }).find("unsupported version 7") !=
          std::string::npos);
}

TEST_CASE("Checkpoint: a damaged header (with a valid checksum) is refused, not trusted")
{
    std::string bad = Encoded();
    const std::size_t at = bad.find("\"tensors\"");
    REQUIRE(at != std::string::npos);
    bad[at + 1] = 'T'; // "Tensors": the table is missing
    CHECK(ErrorOf([&] { io::DecodeCheckpoint(WithFixedCrc(bad), "h.ckpt"); }).find("bad header") != std::string::npos);
    bad = Encoded();
    const std::size_t lr = bad.find("\"learning_rate\":0.001");
    REQUIRE(lr != std::string::npos);
    bad.replace(lr + 16, 5, "-1e+0"); // same length: a negative learning rate in the embedded config
    const std::string error = ErrorOf([&] { io::DecodeCheckpoint(WithFixedCrc(bad), "lr.ckpt"); });
    CHECK(error.find("lr.ckpt") != std::string::npos);
    CHECK(error.find("learning_rate") != std::string::npos);
}

TEST_CASE("Checkpoint: tensors of a different architecture are refused before anything is built from them")
{
    io::CheckpointData state = GanState();
    state.config.gan.generator.hidden = {16, 8}; // the file's tensors are of a (16, 16) generator
    const std::string error = ErrorOf([&] {
        train::Experiment::FromState(state, train::LoadExperimentData(state.config, ""), "arch.ckpt");
    });
    CHECK(error.find("arch.ckpt") != std::string::npos);
    CHECK(error.find("shape") != std::string::npos);

    io::CheckpointData missing = GanState();
    missing.tensors.pop_back();
    CHECK(ErrorOf([&] {
              train::Experiment::FromState(missing, train::LoadExperimentData(missing.config, ""), "m.ckpt");
          }).find("missing") != std::string::npos);
}

TEST_CASE("Checkpoint: saving refuses NaN parameters and keeps the previous file")
{
    TempDir dir("ckpt_nan");
    const auto path = dir.Path() / "run.ckpt";
    io::CheckpointData state = GanState();
    io::SaveCheckpointFile(path, state);
    auto& t = state.tensors.back();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(t.bytes.data(), &nan, sizeof nan);
    const std::string error = ErrorOf([&] { io::SaveCheckpointFile(path, state); });
    CHECK(error.find("NaN") != std::string::npos);
    CHECK(error.find(t.name) != std::string::npos);
    CHECK(io::LoadCheckpointFile(path).step == 5); // the old file is intact
}

TEST_CASE("Checkpoint: a file that cannot be opened is refused with its name")
{
    CHECK(ErrorOf([] { io::LoadCheckpointFile("/nonexistent/dir/x.ckpt"); }).find("/nonexistent/dir/x.ckpt") !=
          std::string::npos);
}

TEST_CASE("Checkpoint: a leftover partial temp file does not disturb the checkpoint beside it")
{
    TempDir dir("ckpt_partial");
    const auto path = dir.Path() / "run.ckpt";
    io::SaveCheckpointFile(path, GanState(3));
    const std::string bytes = Encoded();
    data::test::WriteBytes(path.string() + ".tmp-99999",
                           std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2));
    CHECK(io::LoadCheckpointFile(path).step == 3);
}

TEST_CASE("Checkpoint: a save killed with SIGKILL midway leaves a loadable checkpoint")
{
    TempDir dir("ckpt_kill");
    const auto path = dir.Path() / "run.ckpt";
    io::CheckpointData state = GanState(3);
    // A bigger payload makes each save take a while, so the kill lands inside a write most of the time.
    state.tensors.push_back(io::CheckpointTensor::FromDoubles("history/0", 1 << 20, 1, std::vector<double>(1 << 20, 1.0)));
    state.history_series = {"pad"};
    io::SaveCheckpointFile(path, state);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0)
    {
        ::close(fds[0]);
        for (std::int64_t i = 0;; ++i)
        {
            state.step = 100 + i;
            io::SaveCheckpointFile(path, state);
            const char done = 1;
            if (::write(fds[1], &done, 1) != 1)
            {
                ::_exit(1);
            }
        }
    }
    ::close(fds[1]);
    char buffer[3];
    std::size_t got = 0;
    while (got < sizeof buffer) // three saves completed: the fourth is under way
    {
        const ssize_t n = ::read(fds[0], buffer + got, sizeof buffer - got);
        REQUIRE(n > 0);
        got += static_cast<std::size_t>(n);
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(fds[0]);
    CHECK(WIFSIGNALED(status));
    const io::CheckpointData loaded = io::LoadCheckpointFile(path);
    CHECK(loaded.step >= 102);
}

TEST_CASE("Config: bad JSON is refused with the line and the column")
{
    const std::string error =
        ErrorOf([] { io::ParseConfig("{\n    \"family\": \"gan\",\n    \"seed\": 1,,\n}", "bad.json"); });
    CHECK(error.find("bad.json:3:") != std::string::npos);
}

TEST_CASE("Experiment: a negative learning rate is refused in a config and as a live change")
{
    auto config = TinyGan();
    config.gan.g_opt.learning_rate = -1e-3;
    CHECK(ErrorOf([&] { models::Validate(config); }).find("learning_rate") != std::string::npos);
    const auto good = TinyGan();
    train::Experiment e(good, train::LoadExperimentData(good, ""));
    CHECK(ErrorOf([&] { e.SetHyper("g_lr", -1e-3); }).find("g_lr") != std::string::npos);
    CHECK(e.Hyper("g_lr") == 1e-3);
    CHECK(e.Events().empty());
}
