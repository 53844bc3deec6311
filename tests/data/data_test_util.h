// Helpers for the data tests: a temporary folder removed on exit, and writers for small IDX files (plain or gzip).
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace ll::data::test
{

// A fresh folder under the system temp dir, unique to this process and tag; deleted with its contents.
class TempDir
{
public:
    explicit TempDir(const std::string& tag)
    {
        m_path = std::filesystem::temp_directory_path() /
                 ("latentlab_" + tag + "_" + std::to_string(static_cast<long>(::getpid())));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string File(const std::string& name) const { return (m_path / name).string(); }
    const std::filesystem::path& Path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

inline void PutBigEndian32(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

// IDX bytes: magic 0x0000 08 <rank>, the dims big-endian, then the data as given.
inline std::vector<std::uint8_t> IdxBytes(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data,
                                          std::uint8_t type = 0x08)
{
    std::vector<std::uint8_t> out = {0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (const std::uint32_t d : dims)
    {
        PutBigEndian32(out, d);
    }
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

inline void WriteBytes(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!f)
    {
        throw std::runtime_error("test: cannot write " + path);
    }
}

inline void WriteGzip(const std::string& path, const std::vector<std::uint8_t>& bytes)
{
    gzFile f = gzopen(path.c_str(), "wb");
    if (f == nullptr)
    {
        throw std::runtime_error("test: cannot gzopen " + path);
    }
    const int written = gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    if (written != static_cast<int>(bytes.size()))
    {
        throw std::runtime_error("test: gzwrite failed for " + path);
    }
}

inline std::vector<std::uint8_t> ReadBytes(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The message of the exception fn throws, or "" when it throws none.
template <typename Fn>
std::string ErrorOf(Fn&& fn)
{
    try
    {
        fn();
    }
    catch (const std::exception& e)
    {
        return e.what();
    }
    return "";
}

} // namespace ll::data::test
