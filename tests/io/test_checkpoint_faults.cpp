// Faults during checkpoint saves: the saving process SIGKILLed at 50 random moments (the file is always the old or
// the new checkpoint, and loads), the disk full (a 1.5x tmpfs where this machine lets a test mount one, and always
// a file-size rlimit, the same ENOSPC/EFBIG path), a read-only folder and a vanished folder: a clear error naming the
// file, the previous checkpoint intact, no temporary file left behind, and a session that goes on training.
#include "checkpoint_test_util.h"

#include "core/train/session.h"

#include <csignal>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <random>
#include <thread>

using namespace std::chrono_literals;
using namespace ll;
using namespace ll::io::test;
using data::test::ErrorOf;

namespace
{

namespace fs = std::filesystem;

// A toy GAN's state with 1 MiB of padding (a history tensor), so that a save takes long enough to be hit midway.
io::CheckpointData PaddedState(std::int64_t step)
{
    static const io::CheckpointData base = []
    {
        const auto config = TinyGan();
        train::Experiment e(config, train::LoadExperimentData(config, ""));
        std::vector<models::Metrics> log;
        TrainSteps(e, 3, log);
        io::CheckpointData d = e.SaveState();
        d.tensors.push_back(
            io::CheckpointTensor::FromDoubles("history/0", 1 << 17, 1, std::vector<double>(1 << 17, 0.5)));
        d.history_series = {"pad"};
        return d;
    }();
    io::CheckpointData d = base;
    d.step = step;
    return d;
}

// Files in dir whose name starts with prefix (leftover temporaries of a killed save).
int CountStartingWith(const fs::path& dir, const std::string& prefix)
{
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir))
    {
        n += e.path().filename().string().rfind(prefix, 0) == 0 ? 1 : 0;
    }
    return n;
}

// Reads everything the child wrote until it exits: one byte per completed save.
std::int64_t DrainCount(int fd)
{
    std::int64_t n = 0;
    char buffer[256];
    for (;;)
    {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR)
        {
            continue;
        }
        if (got <= 0)
        {
            return n;
        }
        n += got;
    }
}

// A tmpfs of `bytes` mounted on dir for the test's lifetime, if this machine allows it (root with CAP_SYS_ADMIN).
class TmpfsMount
{
public:
    TmpfsMount(const fs::path& dir, std::uint64_t bytes) : m_dir(dir)
    {
        const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
        m_ok = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0;
        m_error = m_ok ? "" : std::strerror(errno);
    }
    ~TmpfsMount()
    {
        if (m_ok)
        {
            ::umount2(m_dir.c_str(), MNT_DETACH);
        }
    }
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;
    bool Ok() const { return m_ok; }
    const std::string& Error() const { return m_error; }
    bool MakeReadOnly() const { return ::mount(nullptr, m_dir.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0; }

private:
    fs::path m_dir;
    bool m_ok = false;
    std::string m_error;
};

// Runs fn in a child process and returns what it wrote to its pipe (the child's error message, or "" if none).
template <typename Fn>
std::string InChild(Fn&& fn)
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0)
    {
        ::close(fds[0]);
        std::string message;
        try
        {
            fn();
        }
        catch (const std::exception& e)
        {
            message = e.what();
        }
        const ssize_t n = ::write(fds[1], message.data(), message.size());
        ::_exit(n == static_cast<ssize_t>(message.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string out;
    char buffer[512];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    {
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    return out;
}

bool Contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("Checkpoint faults: a saving process SIGKILLed at 50 random moments always leaves the old or the new file")
{
    TempDir dir("fault_kill");
    const fs::path path = dir.Path() / "run.ckpt";
    io::SaveCheckpointFile(path, PaddedState(0));
    // How long one save takes here, to spread the kills over whole saves (write, fsync, rename, folder fsync).
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i)
    {
        io::SaveCheckpointFile(path, PaddedState(0));
    }
    const auto save_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0) / 3;
    std::mt19937 rng(16);
    std::int64_t expected_old = 0; // the step of the checkpoint on disk before this round
    int landed_new = 0;
    for (int round = 1; round <= 50; ++round)
    {
        const std::int64_t base = round * 1000000;
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0)
        {
            ::close(fds[0]);
            for (std::int64_t i = 0;; ++i) // saves base, base + 1, ... until killed
            {
                io::SaveCheckpointFile(path, PaddedState(base + i));
                const char done = 1;
                if (::write(fds[1], &done, 1) != 1)
                {
                    ::_exit(1);
                }
            }
        }
        ::close(fds[1]);
        // The kill lands at a random moment within about two saves from the child's start: sometimes before its
        // first save completes, mostly in the middle of one. (The delay is the fault's timing, not a wait.)
        const auto delay = std::chrono::microseconds(
            std::uniform_int_distribution<std::int64_t>(0, 2 * std::max<std::int64_t>(save_us.count(), 1000))(rng));
        std::this_thread::sleep_for(delay);
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        const std::int64_t completed = DrainCount(fds[0]);
        ::close(fds[0]);
        REQUIRE(WIFSIGNALED(status));

        INFO("round " << round << ", killed after " << delay.count() << " us, " << completed << " saves completed");
        io::CheckpointData loaded;
        REQUIRE_NOTHROW(loaded = io::LoadCheckpointFile(path)); // never corrupt
        // The last completed save, or the one in flight if its rename made it before the kill.
        const std::int64_t last_done = completed > 0 ? base + completed - 1 : expected_old;
        const std::int64_t in_flight = base + completed;
        CHECK((loaded.step == last_done || loaded.step == in_flight));
        landed_new += loaded.step == in_flight ? 1 : 0;
        expected_old = loaded.step;
    }
    MESSAGE("one save takes " << save_us.count() << " us here; in " << landed_new
                              << " of 50 kills the save in flight had already been renamed into place");
    // Killed saves leave their temporary files; the next completed save removes them (their processes are gone).
    io::SaveCheckpointFile(path, PaddedState(1));
    CHECK(CountStartingWith(dir.Path(), "run.ckpt.tmp-") == 0);
    CHECK(io::LoadCheckpointFile(path).step == 1);
}

TEST_CASE("Checkpoint faults: a save past a file-size limit (the disk-full path) fails clearly, the old file intact")
{
    TempDir dir("fault_fsize");
    const fs::path path = dir.Path() / "run.ckpt";
    io::SaveCheckpointFile(path, PaddedState(7));
    const auto size = fs::file_size(path);
    const std::string error = InChild(
        [&]
        {
            std::signal(SIGXFSZ, SIG_IGN); // write() then fails with EFBIG instead of killing the process
            const rlimit limit{size / 2, size / 2};
            if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
            {
                throw std::runtime_error("setrlimit failed");
            }
            io::SaveCheckpointFile(path, PaddedState(8));
        });
    INFO(error);
    CHECK(Contains(error, "cannot save checkpoint '" + path.string() + "': write failed (File too large)"));
    CHECK(io::LoadCheckpointFile(path).step == 7);
    CHECK(CountStartingWith(dir.Path(), "run.ckpt.tmp-") == 0); // the partial temporary file was removed
}

TEST_CASE("Checkpoint faults: a save onto a full tmpfs fails with ENOSPC, the previous checkpoint intact")
{
    TempDir dir("fault_tmpfs");
    const fs::path mount_dir = dir.Path() / "small";
    fs::create_directories(mount_dir);
    const std::uint64_t one = io::EncodeCheckpoint(PaddedState(1)).size();
    const TmpfsMount tmpfs(mount_dir, one + one / 2 + 65536); // room for one checkpoint, not for a second beside it
    if (!tmpfs.Ok())
    {
        MESSAGE("cannot mount a tmpfs here (" << tmpfs.Error() << "): the file-size rlimit case covers this path");
        return;
    }
    const fs::path path = mount_dir / "run.ckpt";
    io::SaveCheckpointFile(path, PaddedState(1));
    const std::string error = ErrorOf([&] { io::SaveCheckpointFile(path, PaddedState(2)); });
    INFO(error);
    CHECK(Contains(error, "cannot save checkpoint '" + path.string() + "'"));
    CHECK(Contains(error, "No space left on device"));
    CHECK(io::LoadCheckpointFile(path).step == 1);
    CHECK(CountStartingWith(mount_dir, "run.ckpt.tmp-") == 0);
    // Space freed, the next save goes through.
    fs::remove(path);
    io::SaveCheckpointFile(path, PaddedState(3));
    CHECK(io::LoadCheckpointFile(path).step == 3);
}

TEST_CASE("Checkpoint faults: a read-only folder refuses the save with the reason, and the old file still loads")
{
    TempDir dir("fault_ro");
    const fs::path ro = dir.Path() / "ro";
    fs::create_directories(ro);
    const fs::path path = ro / "run.ckpt";
    std::string error;
    if (::geteuid() != 0)
    {
        io::SaveCheckpointFile(path, PaddedState(4));
        fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
        error = ErrorOf([&] { io::SaveCheckpointFile(path, PaddedState(5)); });
        CHECK(Contains(error, "Permission denied"));
        fs::permissions(ro, fs::perms::owner_all);
    }
    else
    {
        // Root ignores permission bits: a read-only mount is the real thing.
        const TmpfsMount tmpfs(ro, 8 << 20);
        if (!tmpfs.Ok())
        {
            MESSAGE("running as root without mount (" << tmpfs.Error() << "): no read-only folder to test");
            return;
        }
        io::SaveCheckpointFile(path, PaddedState(4));
        REQUIRE(tmpfs.MakeReadOnly());
        error = ErrorOf([&] { io::SaveCheckpointFile(path, PaddedState(5)); });
        CHECK(Contains(error, "Read-only file system"));
        CHECK(io::LoadCheckpointFile(path).step == 4);
    }
    INFO(error);
    CHECK(Contains(error, "cannot save checkpoint '" + path.string() + "': cannot create '"));
}

TEST_CASE("Checkpoint faults: a vanished output folder fails the save by name and the session trains on")
{
    TempDir dir("fault_vanish");
    const fs::path out = dir.Path() / "out";
    fs::create_directories(out);
    train::SessionOptions options;
    options.threads = 1;
    options.evaluate = false;
    train::Session s(options);
    REQUIRE(s.WaitForCommand(s.Load(TinyGan()), 60s) != nullptr);
    REQUIRE(s.WaitForCommand(s.SaveCheckpoint((out / "a.ckpt").string()), 60s)->checkpoint_error.empty());
    s.Start();
    fs::remove_all(out);
    const auto failed = s.WaitForCommand(s.SaveCheckpoint((out / "b.ckpt").string()), 60s);
    REQUIRE(failed != nullptr);
    INFO(failed->checkpoint_error);
    CHECK(Contains(failed->checkpoint_error, (out / "b.ckpt").string()));
    CHECK(Contains(failed->checkpoint_error, "No such file or directory"));
    CHECK(failed->status == train::Status::Running);
    const auto later = s.WaitFor([&](const train::Snapshot& x) { return x.step > failed->step + 5; }, 60s);
    CHECK(later != nullptr);
}
