// PNG writing through stb_image_write (its implementation lives here, once, in latentlab_core), sample-grid
// tiling, atomic file replacement and the metrics CSV (see image_io.h).
#include "core/io/image_io.h"

#include "core/io/bounded_read.h"
#include "core/io/run_folder.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
// Static: the encoder stays private to this file, so a second copy elsewhere (a test writing fixtures) cannot
// collide with it at link time. Everyone else writes PNGs through WritePng().
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace ll::io
{

namespace
{

std::string ErrnoText()
{
    return std::error_code(errno, std::generic_category()).message();
}

// A name in the same folder (so rename() stays on one file system), unique per process and call.
std::filesystem::path TempPathFor(const std::filesystem::path& path)
{
    static std::atomic<unsigned> counter{0};
    std::filesystem::path temp = path;
    std::string name = ".";
    name += path.filename().string();
    name += ".tmp-";
    name += std::to_string(::getpid());
    name += '-';
    name += std::to_string(counter.fetch_add(1));
    temp.replace_filename(name);
    return temp;
}

void AppendToBuffer(void* context, void* data, int size)
{
    auto* buffer = static_cast<std::string*>(context);
    buffer->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::string CsvField(const std::string& text)
{
    if (text.find_first_of(",\"\n\r") == std::string::npos)
    {
        return text;
    }
    std::string quoted = "\"";
    for (char c : text)
    {
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return quoted + "\"";
}

std::string FormatValue(double v)
{
    if (std::isnan(v))
    {
        return "nan";
    }
    if (std::isinf(v))
    {
        return v > 0 ? "inf" : "-inf";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string HeaderLine(const std::vector<std::string>& columns)
{
    std::string line = "step,wall_s";
    for (const std::string& c : columns)
    {
        line += ',';
        line += CsvField(c);
    }
    return line + "\n";
}

} // namespace

void WriteFileAtomic(const std::filesystem::path& path, std::string_view data)
{
    const std::filesystem::path temp = TempPathFor(path);
    {
        std::ofstream file(temp, std::ios::binary | std::ios::trunc);
        if (!file)
        {
            throw std::runtime_error("cannot write '" + path.string() + "': cannot create '" + temp.string() +
                                     "' (" + ErrnoText() + ")");
        }
        file.write(data.data(), static_cast<std::streamsize>(data.size()));
        file.close();
        if (file.fail())
        {
            const std::string reason = ErrnoText();
            std::error_code ignored;
            std::filesystem::remove(temp, ignored);
            throw std::runtime_error("cannot write '" + path.string() + "': write failed (" + reason + ")");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec)
    {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        throw std::runtime_error("cannot write '" + path.string() + "': rename failed (" + ec.message() + ")");
    }
}

void WritePng(const std::filesystem::path& path, int width, int height, int channels, const std::uint8_t* bytes)
{
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4 || bytes == nullptr)
    {
        throw std::invalid_argument("PNG '" + path.string() + "': bad image " + std::to_string(width) + "x" +
                                    std::to_string(height) + "x" + std::to_string(channels) +
                                    (bytes == nullptr ? " (no pixels)" : ""));
    }
    if (static_cast<std::int64_t>(width) * channels > std::numeric_limits<int>::max() / 2 ||
        static_cast<std::int64_t>(width) * height * channels > (std::int64_t{1} << 31))
    {
        throw std::invalid_argument("PNG '" + path.string() + "': image too large");
    }
    std::string encoded;
    const int ok = stbi_write_png_to_func(AppendToBuffer, &encoded, width, height, channels, bytes, width * channels);
    if (ok == 0 || encoded.empty())
    {
        throw std::runtime_error("PNG '" + path.string() + "': encoding failed");
    }
    WriteFileAtomic(path, encoded);
}

void WritePng(const std::filesystem::path& path, const RgbaImage& image)
{
    if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 4)
    {
        throw std::invalid_argument("PNG '" + path.string() + "': pixel buffer does not match " +
                                    std::to_string(image.width) + "x" + std::to_string(image.height) + " RGBA");
    }
    WritePng(path, image.width, image.height, 4, image.pixels.data());
}

GridLayout MakeGridLayout(int count, int tile_w, int tile_h, int pad, int cols)
{
    if (count < 0 || tile_w <= 0 || tile_h <= 0 || pad < 0)
    {
        throw std::invalid_argument("MakeGridLayout: bad sizes (count " + std::to_string(count) + ", tile " +
                                    std::to_string(tile_w) + "x" + std::to_string(tile_h) + ", pad " +
                                    std::to_string(pad) + ")");
    }
    GridLayout layout;
    layout.tile_w = tile_w;
    layout.tile_h = tile_h;
    layout.pad = pad;
    if (count == 0)
    {
        return layout;
    }
    layout.cols = cols > 0 ? std::min(cols, count) : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
    layout.rows = (count + layout.cols - 1) / layout.cols;
    return layout;
}

namespace
{

// The loop for both pixel types: `to_byte` converts one stored value to 0..255.
template <class T, class ToByte>
RgbaImage Tile(const T* data, int count, int h, int w, int channels, const GridLayout& layout,
               std::uint32_t background, ToByte to_byte)
{
    if (channels != 1 && channels != 3 && channels != 4)
    {
        throw std::invalid_argument("TileImages: channels must be 1, 3 or 4, got " + std::to_string(channels));
    }
    if (h != layout.tile_h || w != layout.tile_w)
    {
        throw std::invalid_argument("TileImages: images are " + std::to_string(w) + "x" + std::to_string(h) +
                                    " but the layout's tiles are " + std::to_string(layout.tile_w) + "x" +
                                    std::to_string(layout.tile_h));
    }
    if (count > layout.cols * layout.rows)
    {
        throw std::invalid_argument("TileImages: " + std::to_string(count) + " images do not fit a " +
                                    std::to_string(layout.cols) + "x" + std::to_string(layout.rows) + " grid");
    }
    RgbaImage image;
    image.width = layout.Width();
    image.height = layout.Height();
    image.pixels.resize(static_cast<std::size_t>(image.width) * image.height * 4);
    const std::uint8_t bg[4] = {static_cast<std::uint8_t>(background), static_cast<std::uint8_t>(background >> 8),
                                static_cast<std::uint8_t>(background >> 16), static_cast<std::uint8_t>(background >> 24)};
    for (std::size_t p = 0; p < image.pixels.size(); p += 4)
    {
        std::copy(bg, bg + 4, image.pixels.data() + p);
    }
    const std::size_t features = static_cast<std::size_t>(h) * w * channels;
    for (int i = 0; i < count; ++i)
    {
        const T* src = data + static_cast<std::size_t>(i) * features;
        const int x0 = layout.TileX(i), y0 = layout.TileY(i);
        for (int y = 0; y < h; ++y)
        {
            std::uint8_t* dst = image.pixels.data() + (static_cast<std::size_t>(y0 + y) * image.width + x0) * 4;
            for (int x = 0; x < w; ++x, dst += 4)
            {
                const T* px = src + (static_cast<std::size_t>(y) * w + x) * channels;
                if (channels == 1)
                {
                    dst[0] = dst[1] = dst[2] = to_byte(px[0]);
                    dst[3] = 255;
                }
                else
                {
                    dst[0] = to_byte(px[0]);
                    dst[1] = to_byte(px[1]);
                    dst[2] = to_byte(px[2]);
                    dst[3] = channels == 4 ? to_byte(px[3]) : 255;
                }
            }
        }
    }
    return image;
}

} // namespace

RgbaImage TileImages(const std::uint8_t* data, int count, int h, int w, int channels, const GridLayout& layout,
                     std::uint32_t background)
{
    return Tile(data, count, h, w, channels, layout, background, [](std::uint8_t v) { return v; });
}

RgbaImage TileImages(const float* data, int count, int h, int w, int channels, const GridLayout& layout, float lo,
                     float hi, std::uint32_t background)
{
    const float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
    return Tile(data, count, h, w, channels, layout, background, [lo, scale](float v) {
        const float t = (v - lo) * scale + 0.5f;
        if (!(t > 0.0f))
        {
            return std::uint8_t{0}; // also NaN
        }
        return static_cast<std::uint8_t>(t >= 255.0f ? 255.0f : t);
    });
}

RgbaImage TileImages(const nn::MatrixF& images, int height, int width, int channels, const TileLayout& layout)
{
    if (height <= 0 || width <= 0 || (channels != 1 && channels != 3 && channels != 4))
    {
        throw std::invalid_argument("TileImages: bad tile shape " + std::to_string(height) + "x" +
                                    std::to_string(width) + "x" + std::to_string(channels));
    }
    const Eigen::Index features = static_cast<Eigen::Index>(height) * width * channels;
    if (images.rows() != features)
    {
        throw std::invalid_argument("TileImages: images have " + std::to_string(images.rows()) +
                                    " features, expected " + std::to_string(height) + "x" + std::to_string(width) +
                                    "x" + std::to_string(channels) + " = " + std::to_string(features));
    }
    if (layout.padding < 0 || layout.cols < 0)
    {
        throw std::invalid_argument("TileImages: padding and cols must be >= 0");
    }
    // The grid keeps the columns asked for (a sample grid of 8 columns stays 8 wide) and at least one row.
    const int n = static_cast<int>(images.cols());
    GridLayout grid;
    grid.cols = layout.cols > 0 ? layout.cols : std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n)))));
    grid.rows = std::max(1, (n + grid.cols - 1) / grid.cols);
    grid.tile_w = width;
    grid.tile_h = height;
    grid.pad = layout.padding;
    std::uint32_t background = 0;
    std::memcpy(&background, layout.background, 4); // RGBA bytes in memory order (little-endian 0xAABBGGRR)
    return TileImages(images.data(), n, height, width, channels, grid, 0.0f, 1.0f, background);
}

void MetricsCsv::Open(const std::filesystem::path& path, const std::vector<std::string>& columns)
{
    Close();
    m_path = path;
    m_columns.clear();
    for (const std::string& c : columns)
    {
        if (std::find(m_columns.begin(), m_columns.end(), c) == m_columns.end())
        {
            m_columns.push_back(c);
        }
    }
    m_file.open(path, std::ios::binary | std::ios::trunc);
    if (!m_file)
    {
        throw std::runtime_error("metrics CSV '" + path.string() + "': cannot open for writing (" + ErrnoText() +
                                 ")");
    }
    m_file << HeaderLine(m_columns) << std::flush;
}

void MetricsCsv::AddColumns(const std::vector<std::string>& names)
{
    // Rare (a series appears once): rewrite the file with the wider header, padding earlier rows.
    m_file.close();
    std::ifstream in(m_path, std::ios::binary);
    if (!in)
    {
        throw std::runtime_error("metrics CSV '" + m_path.string() + "': cannot reopen to add columns (" +
                                 ErrnoText() + ")");
    }
    std::string line;
    std::getline(in, line); // the old header
    const std::string padding(names.size(), ',');
    m_columns.insert(m_columns.end(), names.begin(), names.end());
    std::string text = HeaderLine(m_columns);
    while (std::getline(in, line))
    {
        text += line + padding + "\n";
    }
    in.close();
    WriteFileAtomic(m_path, text);
    m_file.open(m_path, std::ios::binary | std::ios::app);
    if (!m_file)
    {
        throw std::runtime_error("metrics CSV '" + m_path.string() + "': cannot reopen for appending (" +
                                 ErrnoText() + ")");
    }
}

void MetricsCsv::Continue(const std::filesystem::path& path, std::int64_t last_step)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
    {
        Open(path);
        return;
    }
    Close();
    const std::string text = ReadFileBounded(path, kMaxMetricsCsvBytes, "metrics CSV");
    const MetricsTable table = ParseMetricsCsv(text, path.string()); // refuses a file that is not the lab's
    // Keep the header and the complete rows up to last_step (rows are in step order).
    std::size_t keep = text.find('\n') + 1;
    for (std::size_t end = text.find('\n', keep); end != std::string::npos; end = text.find('\n', keep))
    {
        long long step = 0;
        const auto parsed = std::from_chars(text.data() + keep, text.data() + end, step);
        if (end > keep && (parsed.ec != std::errc() || step > last_step))
        {
            break;
        }
        keep = end + 1;
    }
    WriteFileAtomic(path, std::string_view(text).substr(0, keep));
    m_path = path;
    m_columns = table.series;
    m_file.open(path, std::ios::binary | std::ios::app);
    if (!m_file)
    {
        throw std::runtime_error("metrics CSV '" + path.string() + "': cannot reopen for appending (" + ErrnoText() +
                                 ")");
    }
}

void MetricsCsv::Flush()
{
    if (m_file.is_open())
    {
        m_file.flush();
        if (!m_file)
        {
            throw std::runtime_error("metrics CSV '" + m_path.string() + "': write failed (" + ErrnoText() + ")");
        }
    }
}

void MetricsCsv::Append(std::int64_t step, double wall_seconds, const Values& values, bool flush)
{
    if (!m_file.is_open())
    {
        throw std::runtime_error("metrics CSV: Append before Open");
    }
    std::vector<std::string> new_names;
    for (const auto& [name, value] : values)
    {
        if (std::find(m_columns.begin(), m_columns.end(), name) == m_columns.end() &&
            std::find(new_names.begin(), new_names.end(), name) == new_names.end())
        {
            new_names.push_back(name);
        }
    }
    if (!new_names.empty())
    {
        AddColumns(new_names);
    }
    std::vector<std::string> fields(m_columns.size());
    for (const auto& [name, value] : values)
    {
        const auto it = std::find(m_columns.begin(), m_columns.end(), name);
        fields[static_cast<std::size_t>(it - m_columns.begin())] = FormatValue(value);
    }
    char head[64];
    std::snprintf(head, sizeof head, "%lld,%.3f", static_cast<long long>(step), wall_seconds);
    std::string line = head;
    for (const std::string& f : fields)
    {
        line += ',';
        line += f;
    }
    m_file << line << '\n';
    if (flush)
    {
        m_file.flush();
    }
    if (!m_file)
    {
        throw std::runtime_error("metrics CSV '" + m_path.string() + "': write failed (" + ErrnoText() + ")");
    }
}

void MetricsCsv::Close()
{
    if (m_file.is_open())
    {
        m_file.close();
    }
}

} // namespace ll::io
