// Checkpoint files: an atomic save (a temporary file beside the target, written piece by piece, fsync'd and renamed
// over it; stale temporaries of killed saves removed) and a bounded load. The format itself is in checkpoint.cpp.
#include "core/io/checkpoint.h"

#include "core/io/bounded_read.h"
#include "core/io/checkpoint_format.h"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace ll::io
{

namespace
{

std::string ErrnoText()
{
    return std::strerror(errno);
}

// Removes "<file>.tmp-<pid>" files beside path left by saves that were killed (their process no longer exists), so
// that repeated crashes do not pile up partial checkpoints. A live process's temporary file is left alone.
void RemoveStaleTemporaries(const std::filesystem::path& path)
{
    const std::string prefix = path.filename().string() + ".tmp-";
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
            name.find_first_not_of("0123456789", prefix.size()) != std::string::npos || name.size() > prefix.size() + 9)
        {
            continue;
        }
        const long pid = std::stol(name.substr(prefix.size()));
        if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        {
            std::filesystem::remove(it->path(), ec);
            ec.clear();
        }
    }
}

} // namespace

void SaveCheckpointFile(const std::filesystem::path& path, const CheckpointData& data)
{
    for (const auto& t : data.tensors)
    {
        if (t.type != TensorType::F32)
        {
            continue;
        }
        const float* v = reinterpret_cast<const float*>(t.bytes.data());
        for (std::size_t i = 0; i < t.bytes.size() / sizeof(float); ++i)
        {
            if (!std::isfinite(v[i]))
            {
                throw std::runtime_error("cannot save checkpoint '" + path.string() + "': tensor '" + t.name +
                                         "' holds NaN or Inf (the run diverged; a checkpoint would not resume)");
            }
        }
    }
    // Written piece by piece (the front, each tensor, the CRC): the tensors are not copied into one buffer (for dcgan
    // that was 160 MB beside the 160 MB of the state itself).
    const std::string front = detail::EncodeCheckpointFront(data);
    const std::string trailer = detail::EncodeCheckpointTrailer(front, data);
    std::vector<std::string_view> pieces;
    pieces.reserve(data.tensors.size() + 2);
    pieces.emplace_back(front);
    for (const auto& t : data.tensors)
    {
        pieces.emplace_back(t.bytes);
    }
    pieces.emplace_back(trailer);
    const std::filesystem::path temp = path.string() + ".tmp-" + std::to_string(::getpid());
    const auto fail = [&](const std::string& what) {
        const std::string reason = ErrnoText();
        ::unlink(temp.c_str());
        return std::runtime_error("cannot save checkpoint '" + path.string() + "': " + what + " (" + reason + ")");
    };
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
    {
        throw fail("cannot create '" + temp.string() + "'");
    }
    for (const std::string_view bytes : pieces)
    {
        std::size_t done = 0;
        while (done < bytes.size())
        {
            const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR)
            {
                continue;
            }
            if (n <= 0)
            {
                ::close(fd);
                throw fail("write failed");
            }
            done += static_cast<std::size_t>(n);
        }
    }
    if (::fsync(fd) != 0)
    {
        ::close(fd);
        throw fail("fsync failed");
    }
    if (::close(fd) != 0)
    {
        throw fail("close failed");
    }
    if (::rename(temp.c_str(), path.c_str()) != 0)
    {
        throw fail("rename failed");
    }
    // Make the rename itself durable: fsync the folder (best effort: some file systems refuse it).
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0)
    {
        ::fsync(dir_fd);
        ::close(dir_fd);
    }
    RemoveStaleTemporaries(path);
}

CheckpointData LoadCheckpointFile(const std::filesystem::path& path)
{
    return DecodeCheckpoint(ReadFileBounded(path, kMaxCheckpointBytes, "checkpoint"), path.string());
}

} // namespace ll::io
