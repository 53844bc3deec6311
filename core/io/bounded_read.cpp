// Bounded file reading and the JSON pre-scan (see bounded_read.h). The scan is a byte loop with a small state
// machine (outside / in a string / in a comment): it counts depth instead of recursing, so no input can overflow
// the stack before it is refused.
#include "core/io/bounded_read.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace ll::io
{

namespace
{

std::string At(std::string_view text, const std::string& source_name, std::size_t offset)
{
    const auto [line, column] = LineColumn(text, offset);
    return source_name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string WithoutExceptionId(const std::string& what)
{
    const std::size_t bracket = what.find("] ");
    return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

} // namespace

std::pair<std::size_t, std::size_t> LineColumn(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < offset; ++i)
    {
        if (text[i] == '\n')
        {
            ++line;
            line_start = i + 1;
        }
    }
    return {line, offset - line_start + 1};
}

std::string ByteSizeText(std::uint64_t bytes)
{
    char buffer[48];
    if (bytes < 1024)
    {
        std::snprintf(buffer, sizeof buffer, "%llu bytes", static_cast<unsigned long long>(bytes));
    }
    else if (bytes < (std::uint64_t{1} << 20))
    {
        std::snprintf(buffer, sizeof buffer, "%.4g KiB", static_cast<double>(bytes) / 1024.0);
    }
    else if (bytes < (std::uint64_t{1} << 30))
    {
        std::snprintf(buffer, sizeof buffer, "%.4g MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    }
    else
    {
        std::snprintf(buffer, sizeof buffer, "%.4g GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    }
    return buffer;
}

std::string ReadFileBounded(const std::filesystem::path& path, std::uint64_t max_bytes, const std::string& what)
{
    const std::string where = what + " '" + path.string() + "': ";
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a regular file.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
    {
        throw std::runtime_error(where + "cannot open (" + std::strerror(errno) + ")");
    }
    struct FdCloser
    {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0)
    {
        throw std::runtime_error(where + "cannot stat (" + std::strerror(errno) + ")");
    }
    if (S_ISDIR(st.st_mode))
    {
        throw std::runtime_error(where + "is a folder, not a file");
    }
    if (!S_ISREG(st.st_mode))
    {
        throw std::runtime_error(where + "is not a regular file (a device, FIFO or socket)");
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size > max_bytes)
    {
        throw std::runtime_error(where + "is " + ByteSizeText(size) + ", larger than the " + ByteSizeText(max_bytes) +
                                 " this reader accepts; refusing to read it");
    }
    // One byte more than stat says: the read that finds the end then needs no larger buffer (growing one copies it).
    std::string bytes(static_cast<std::size_t>(size) + 1, '\0');
    std::size_t done = 0;
    for (;;)
    {
        if (done == bytes.size())
        {
            // The file may have grown since fstat: read on, one block at a time, up to the cap.
            if (bytes.size() > max_bytes)
            {
                throw std::runtime_error(where + "grew beyond " + ByteSizeText(max_bytes) + " while being read");
            }
            bytes.resize(bytes.size() + 4096);
        }
        const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
        {
            continue;
        }
        if (n < 0)
        {
            throw std::runtime_error(where + "read error (" + std::strerror(errno) + ")");
        }
        if (n == 0)
        {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    if (done > max_bytes)
    {
        throw std::runtime_error(where + "grew beyond " + ByteSizeText(max_bytes) + " while being read");
    }
    bytes.resize(done);
    return bytes;
}

void CheckJsonBounds(std::string_view text, const std::string& source_name, const JsonLimits& limits)
{
    if (text.size() > limits.max_bytes)
    {
        throw std::invalid_argument(source_name + ": JSON text of " + ByteSizeText(text.size()) + " exceeds the " +
                                    ByteSizeText(limits.max_bytes) + " allowed; refusing to parse it");
    }
    int depth = 0;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n)
    {
        const char c = text[i];
        if (c == '"')
        {
            const std::size_t start = i;
            ++i;
            while (i < n && text[i] != '"')
            {
                i += text[i] == '\\' ? 2 : 1; // an escape never ends the string
            }
            const std::size_t length = std::min(i, n) - start - 1;
            if (length > limits.max_string_bytes)
            {
                throw std::invalid_argument(At(text, source_name, start) + "a JSON string of " + ByteSizeText(length) +
                                            " exceeds the " + ByteSizeText(limits.max_string_bytes) +
                                            " allowed for one string");
            }
            ++i; // past the closing quote (or the end of an unterminated string: the parser reports it)
            continue;
        }
        if (c == '[' || c == '{')
        {
            if (++depth > limits.max_depth)
            {
                throw std::invalid_argument(At(text, source_name, i) + "JSON nested deeper than " +
                                            std::to_string(limits.max_depth) +
                                            " levels of [ and {; refusing to parse it");
            }
        }
        else if (c == ']' || c == '}')
        {
            depth = depth > 0 ? depth - 1 : 0; // an unbalanced close is a syntax error for the parser
        }
        else if (c == '/' && limits.allow_comments && i + 1 < n && (text[i + 1] == '/' || text[i + 1] == '*'))
        {
            if (text[i + 1] == '/')
            {
                const std::size_t end = text.find('\n', i + 2);
                i = end == std::string_view::npos ? n : end + 1;
            }
            else
            {
                const std::size_t end = text.find("*/", i + 2);
                i = end == std::string_view::npos ? n : end + 2;
            }
            continue;
        }
        ++i;
    }
}

nlohmann::json ParseJsonBounded(std::string_view text, const std::string& source_name, const JsonLimits& limits)
{
    CheckJsonBounds(text, source_name, limits);
    try
    {
        return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/true, limits.allow_comments);
    }
    catch (const nlohmann::json::parse_error& e)
    {
        throw std::invalid_argument(source_name + ": invalid JSON: " + WithoutExceptionId(e.what()));
    }
}

nlohmann::json ReadJsonFile(const std::filesystem::path& path, const JsonLimits& limits)
{
    return ParseJsonBounded(ReadFileBounded(path, limits.max_bytes, "JSON file"), path.string(), limits);
}

} // namespace ll::io
