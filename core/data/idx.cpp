// IDX files (MNIST / Fashion-MNIST), plain or gzip, parsed strictly: every error names the file and the reason.
// Pure functions, no shared state: safe to call from any thread.
#include "core/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

#ifndef LATENTLAB_DEFAULT_DATA_DIR
#define LATENTLAB_DEFAULT_DATA_DIR "/usr/share/datasets/fashion-mnist"
#endif

namespace ll::data
{

namespace
{

namespace fs = std::filesystem;

// Refuse absurd sizes before allocating: Fashion-MNIST's training images are 47 MB, EMNIST's about 700 MB.
constexpr std::uint64_t kMaxInflatedBytes = std::uint64_t{2} << 30; // 2 GiB, on disk or inflated
constexpr std::size_t kMaxIdxHeaderBytes = 4 + 4 * 4;                // magic + four dimensions
constexpr std::int64_t kMaxSide = 1 << 14;                          // rows, cols of one image
constexpr std::int64_t kMaxChannels = 4;                            // grey, grey + alpha, RGB, RGBA

std::string Hex32(std::uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

std::string Hex8(unsigned v)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
    return buf;
}

std::uint32_t ReadBigEndian32(const std::uint8_t* p)
{
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

// Inflates one or more concatenated gzip members (as gzip(1) and gzread accept), at most max_out bytes. The buffer
// grows with what actually inflates, never with what a header or trailer claims. With prefix_only the first
// max_out bytes are returned once inflated (to read a header); otherwise more than max_out is refused.
std::vector<std::uint8_t> Gunzip(const std::vector<std::uint8_t>& in, const std::string& path, std::uint64_t max_out,
                                 bool prefix_only, const std::string& limit_reason)
{
    const std::string where = "file '" + path + "': ";
    std::vector<std::uint8_t> out;
    // The gzip trailer holds the inflated size mod 2^32: a good first guess for the buffer. A truncated or
    // corrupt file has garbage there, so trust it only within deflate's maximum ratio (about 1032:1).
    if (in.size() >= 18)
    {
        const std::size_t n = in.size();
        const std::uint32_t isize = std::uint32_t{in[n - 4]} | (std::uint32_t{in[n - 3]} << 8) |
                                    (std::uint32_t{in[n - 2]} << 16) | (std::uint32_t{in[n - 1]} << 24);
        const bool plausible = isize >= n / 2 && isize <= n * 1032;
        out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>((plausible ? isize : n * 4), max_out) + 1));
    }

    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) // 16 +: expect a gzip wrapper
    {
        throw std::runtime_error(where + "cannot initialise zlib");
    }
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), std::numeric_limits<uInt>::max()));
    std::size_t consumed_total = 0;
    std::size_t produced = 0;
    int ret = Z_OK;
    for (;;)
    {
        if (produced > max_out)
        {
            inflateEnd(&zs);
            if (prefix_only)
            {
                out.resize(static_cast<std::size_t>(max_out));
                return out;
            }
            throw std::runtime_error(where + "inflates to more than " + std::to_string(max_out) + " bytes (" +
                                     limit_reason + "); refusing");
        }
        if (produced == out.size())
        {
            // Use the reserved guess first, then double; one byte past the limit is enough to tell it was passed.
            std::size_t new_size =
                out.capacity() > out.size() ? out.capacity() : out.size() + std::max<std::size_t>(out.size(), 1 << 16);
            new_size = static_cast<std::size_t>(std::min<std::uint64_t>(new_size, max_out + 1));
            out.resize(new_size);
        }
        zs.next_out = out.data() + produced;
        zs.avail_out =
            static_cast<uInt>(std::min<std::size_t>(out.size() - produced, std::numeric_limits<uInt>::max()));
        const uInt before_out = zs.avail_out;
        const uInt before_in = zs.avail_in;
        ret = inflate(&zs, Z_NO_FLUSH);
        produced += before_out - zs.avail_out;
        consumed_total += before_in - zs.avail_in;
        if (ret == Z_STREAM_END)
        {
            // Another gzip member may follow; anything else after the stream is refused as corruption.
            const std::size_t rest = in.size() - consumed_total;
            if (rest == 0)
            {
                break;
            }
            if (rest >= 2 && in[consumed_total] == 0x1F && in[consumed_total + 1] == 0x8B)
            {
                inflateReset(&zs);
                zs.next_in = const_cast<Bytef*>(in.data() + consumed_total);
                zs.avail_in = static_cast<uInt>(std::min<std::size_t>(rest, std::numeric_limits<uInt>::max()));
                continue;
            }
            inflateEnd(&zs);
            throw std::runtime_error(where + "corrupt gzip: " + std::to_string(rest) +
                                     " unexpected bytes after the compressed data");
        }
        if (ret == Z_OK)
        {
            if (zs.avail_in == 0 && consumed_total < in.size())
            {
                // Inputs over 4 GiB are fed in slices.
                const std::size_t rest = in.size() - consumed_total;
                zs.next_in = const_cast<Bytef*>(in.data() + consumed_total);
                zs.avail_in = static_cast<uInt>(std::min<std::size_t>(rest, std::numeric_limits<uInt>::max()));
            }
            continue;
        }
        if (ret == Z_BUF_ERROR && zs.avail_out > 0 && zs.avail_in == 0)
        {
            inflateEnd(&zs);
            throw std::runtime_error(where + "corrupt gzip: compressed data ends early (truncated download?)");
        }
        if (ret == Z_BUF_ERROR)
        {
            continue; // output full: grow and go on
        }
        const std::string msg = zs.msg ? zs.msg : ("zlib error " + std::to_string(ret));
        inflateEnd(&zs);
        throw std::runtime_error(where + "corrupt gzip: " + msg);
    }
    inflateEnd(&zs);
    out.resize(produced);
    out.shrink_to_fit();
    return out;
}

struct IdxHeader
{
    std::vector<std::int64_t> dims;
    std::size_t header_bytes = 0; // 4 + 4 * rank
    std::uint64_t data_bytes = 0; // the product of dims
};

// Checks the magic, element type, rank and dimensions of the header at the start of bytes (which may hold only the
// header): the announced data size is known, and bounded by kMaxInflatedBytes, before anything is allocated.
IdxHeader ParseIdxHeader(const std::uint8_t* bytes, std::size_t size, const std::string& where)
{
    if (size < 4)
    {
        throw std::runtime_error(where + "too short for an IDX header (" + std::to_string(size) + " bytes)");
    }
    const std::uint32_t magic = ReadBigEndian32(bytes);
    if (bytes[0] == 0x1F && bytes[1] == 0x8B)
    {
        throw std::runtime_error(where + "bad magic " + Hex32(magic) + ": still gzip-compressed");
    }
    if (bytes[0] != 0 || bytes[1] != 0)
    {
        throw std::runtime_error(where + "bad magic " + Hex32(magic) +
                                 " (expected 0x00000803 or 0x00000804 for images, 0x00000801 for labels)");
    }
    if (bytes[2] != 0x08)
    {
        throw std::runtime_error(where + "element type " + Hex8(bytes[2]) +
                                 " is not unsigned byte (0x08); only uint8 IDX files are supported");
    }
    const int rank = bytes[3];
    if (rank != 1 && rank != 3 && rank != 4)
    {
        throw std::runtime_error(where + "rank " + std::to_string(rank) +
                                 " unsupported (expected 1 for labels, 3 for grey images or 4 for images with "
                                 "channels)");
    }
    IdxHeader h;
    h.header_bytes = 4 + 4 * static_cast<std::size_t>(rank);
    if (size < h.header_bytes)
    {
        throw std::runtime_error(where + "header truncated (" + std::to_string(size) + " bytes, need " +
                                 std::to_string(h.header_bytes) + ")");
    }
    std::uint64_t total = 1;
    for (int d = 0; d < rank; ++d)
    {
        const std::uint32_t dim = ReadBigEndian32(bytes + 4 + 4 * d);
        if (dim == 0)
        {
            throw std::runtime_error(where + "dimension " + std::to_string(d) + " is zero");
        }
        if (dim > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()))
        {
            throw std::runtime_error(where + "dimension " + std::to_string(d) + " = " + std::to_string(dim) +
                                     " is not a sane size");
        }
        if (rank >= 3 && (d == 1 || d == 2) && dim > kMaxSide)
        {
            throw std::runtime_error(where + "image side " + std::to_string(dim) + " exceeds " +
                                     std::to_string(kMaxSide));
        }
        if (d == 3 && dim > kMaxChannels)
        {
            throw std::runtime_error(where + std::to_string(dim) + " channels; an image has 1 to " +
                                     std::to_string(kMaxChannels));
        }
        if (total > kMaxInflatedBytes / dim)
        {
            throw std::runtime_error(where + "sizes overflow (more than 2 GiB announced)");
        }
        total *= dim;
        h.dims.push_back(dim);
    }
    h.data_bytes = total;
    return h;
}

// Reads a whole regular file of at most kMaxInflatedBytes (checked before allocating).
std::vector<std::uint8_t> ReadFileBytes(const std::string& path)
{
    const std::string where = "file '" + path + "': ";
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status))
    {
        throw std::runtime_error(where + "does not exist");
    }
    if (fs::is_directory(status))
    {
        throw std::runtime_error(where + "is a folder, not a file");
    }
    if (!fs::is_regular_file(status))
    {
        throw std::runtime_error(where + "is not a regular file (a device, FIFO or socket)");
    }
    std::ifstream file(path, std::ios::binary);
    if (!file)
    {
        throw std::runtime_error(where + "cannot open (" + std::strerror(errno) + ")");
    }
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec)
    {
        throw std::runtime_error(where + "cannot stat (" + ec.message() + ")");
    }
    if (size > kMaxInflatedBytes)
    {
        throw std::runtime_error(where + std::to_string(size) + " bytes, more than the 2 GiB an IDX file may hold");
    }
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
    file.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (static_cast<std::uintmax_t>(file.gcount()) != size)
    {
        throw std::runtime_error(where + "read error (got " + std::to_string(file.gcount()) + " of " +
                                 std::to_string(size) + " bytes)");
    }
    if (bytes.empty())
    {
        throw std::runtime_error(where + "is empty");
    }
    return bytes;
}

bool IsGzip(const std::vector<std::uint8_t>& bytes)
{
    return bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;
}

} // namespace

std::vector<std::uint8_t> ReadMaybeGzip(const std::string& path)
{
    std::vector<std::uint8_t> bytes = ReadFileBytes(path);
    if (IsGzip(bytes))
    {
        std::vector<std::uint8_t> inflated = Gunzip(bytes, path, kMaxInflatedBytes, false, "the 2 GiB limit");
        if (inflated.empty())
        {
            throw std::runtime_error("file '" + path + "': is an empty gzip stream");
        }
        return inflated;
    }
    return bytes;
}

IdxTensor ReadIdxFile(const std::string& path)
{
    std::vector<std::uint8_t> bytes = ReadFileBytes(path);
    if (IsGzip(bytes))
    {
        // Inflate the header first, then exactly as much as it announces: a small .gz that inflates far beyond
        // its header's sizes is refused at that size, not at 2 GiB.
        const std::vector<std::uint8_t> head = Gunzip(bytes, path, kMaxIdxHeaderBytes, true, "");
        const IdxHeader h = ParseIdxHeader(head.data(), head.size(), "IDX file '" + path + "': ");
        const std::uint64_t announced = h.header_bytes + h.data_bytes;
        bytes = Gunzip(bytes, path, announced, false,
                       "its IDX header announces " + std::to_string(announced) + "; trailing data or a wrong header");
    }
    return ParseIdx(bytes, path);
}

IdxTensor ParseIdx(const std::vector<std::uint8_t>& bytes, const std::string& name_for_errors)
{
    const std::string where = "IDX file '" + name_for_errors + "': ";
    const IdxHeader h = ParseIdxHeader(bytes.data(), bytes.size(), where);
    const std::size_t header = h.header_bytes;
    const std::uint64_t total = h.data_bytes;
    const int rank = static_cast<int>(h.dims.size());
    IdxTensor t;
    t.dims = h.dims;

    const std::uint64_t available = bytes.size() - header;
    if (available < total)
    {
        const std::uint64_t per_item = total / static_cast<std::uint64_t>(t.dims[0]);
        const char* item = rank >= 3 ? "image" : "label";
        throw std::runtime_error(where + "truncated at " + item + " " + std::to_string(available / per_item) + " of " +
                                 std::to_string(t.dims[0]) + " (" + std::to_string(available) + " data bytes, " +
                                 std::to_string(total) + " announced)");
    }
    if (available > total)
    {
        throw std::runtime_error(where + std::to_string(available - total) +
                                 " trailing bytes after the announced data (" + std::to_string(total) +
                                 " bytes); wrong header?");
    }
    t.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
    return t;
}

namespace
{

// Images (rank 3: count, rows, cols; or rank 4: count, rows, cols, channels) as a data set without labels.
ImageDataset IdxImages(IdxTensor images, const std::string& images_path, const std::string& name)
{
    if (images.dims.size() != 3 && images.dims.size() != 4)
    {
        throw std::runtime_error("IDX file '" + images_path +
                                 "': expected images (rank 3, magic 0x00000803, or rank 4 with channels last, "
                                 "0x00000804), found rank " + std::to_string(images.dims.size()));
    }
    ImageDataset ds;
    ds.name = name;
    ds.count = images.dims[0];
    ds.rows = static_cast<int>(images.dims[1]);
    ds.cols = static_cast<int>(images.dims[2]);
    ds.channels = images.dims.size() == 4 ? static_cast<int>(images.dims[3]) : 1;
    ds.pixels = std::move(images.data);
    return ds;
}

} // namespace

ImageDataset LoadIdxPair(const std::string& images_path, const std::string& labels_path, const std::string& name)
{
    ImageDataset ds = IdxImages(ReadIdxFile(images_path), images_path, name);
    IdxTensor labels = ReadIdxFile(labels_path);
    if (labels.dims.size() != 1)
    {
        throw std::runtime_error("IDX file '" + labels_path +
                                 "': expected labels (rank 1, magic 0x00000801), found rank " +
                                 std::to_string(labels.dims.size()));
    }
    if (ds.count != labels.dims[0])
    {
        throw std::runtime_error("IDX files '" + images_path + "' and '" + labels_path + "': count mismatch, " +
                                 std::to_string(ds.count) + " images but " + std::to_string(labels.dims[0]) +
                                 " labels");
    }
    ds.labels = std::move(labels.data);
    ds.num_classes = *std::max_element(ds.labels.begin(), ds.labels.end()) + 1;
    ds.class_names.reserve(static_cast<std::size_t>(ds.num_classes));
    for (int c = 0; c < ds.num_classes; ++c)
    {
        ds.class_names.push_back(std::to_string(c));
    }
    return ds;
}

ImageDataset LoadIdxImages(const std::string& images_path, const std::string& name)
{
    return IdxImages(ReadIdxFile(images_path), images_path, name);
}

std::string ResolveDataDir(const std::string& cli_dir)
{
    if (!cli_dir.empty())
    {
        return cli_dir;
    }
    if (const char* env = std::getenv("LATENTLAB_DATA"); env != nullptr && env[0] != '\0')
    {
        return env;
    }
    return LATENTLAB_DEFAULT_DATA_DIR;
}

const std::vector<std::string>& FashionMnistClassNames()
{
    static const std::vector<std::string> kNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return kNames;
}

namespace
{

// The first existing file among the usual spellings: "train-images-idx3-ubyte" (+ ".gz"), and the
// "train-images.idx3-ubyte" variant some mirrors use; empty when there is none.
std::string FindIdxFileIfAny(const std::string& dir, const std::string& split, const std::string& kind,
                             const std::string& rank_tag)
{
    const std::string stems[] = {split + "-" + kind + "-" + rank_tag + "-ubyte",
                                 split + "-" + kind + "." + rank_tag + "-ubyte"};
    for (const std::string& stem : stems)
    {
        for (const char* suffix : {"", ".gz"})
        {
            const fs::path p = fs::path(dir) / (stem + suffix);
            std::error_code ec;
            if (fs::is_regular_file(p, ec))
            {
                return p.string();
            }
        }
    }
    return "";
}

std::string MissingIdxFile(const std::string& dir, const std::string& stem)
{
    return "IDX folder '" + dir + "': no " + stem + " or " + stem + ".gz (pass --data DIR or set LATENTLAB_DATA)";
}

} // namespace

ImageDataset LoadIdxFolder(const std::string& dir, const std::string& split)
{
    if (split != "train" && split != "t10k")
    {
        throw std::invalid_argument("IDX folder '" + dir + "': split '" + split +
                                    "' is neither \"train\" nor \"t10k\"");
    }
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
    {
        throw std::runtime_error("IDX folder '" + dir + "' does not exist (pass --data DIR or set LATENTLAB_DATA)");
    }
    // Grey images as MNIST has them (idx3), or images with a channel axis (idx4, what `latentlab sample` writes
    // for colour models).
    std::string images = FindIdxFileIfAny(dir, split, "images", "idx3");
    if (images.empty())
    {
        images = FindIdxFileIfAny(dir, split, "images", "idx4");
    }
    if (images.empty())
    {
        throw std::runtime_error(MissingIdxFile(dir, split + "-images-idx3-ubyte (or idx4)"));
    }
    fs::path norm = fs::path(dir).lexically_normal();
    const std::string folder = (norm.has_filename() ? norm.filename() : norm.parent_path().filename()).string();
    const std::string labels = FindIdxFileIfAny(dir, split, "labels", "idx1");
    if (labels.empty())
    {
        return LoadIdxImages(images, folder + "/" + split); // unlabelled: samples of an unconditional model
    }
    return LoadIdxPair(images, labels, folder + "/" + split);
}

ImageDataset LoadFashionMnist(const std::string& dir, const std::string& split)
{
    ImageDataset ds = LoadIdxFolder(dir, split);
    if (ds.labels.empty())
    {
        throw std::runtime_error(MissingIdxFile(dir, split + "-labels-idx1-ubyte"));
    }
    ds.name = "fashion-mnist/" + split;
    const auto& names = FashionMnistClassNames();
    if (ds.num_classes > static_cast<int>(names.size()))
    {
        throw std::runtime_error("IDX folder '" + dir + "': label " + std::to_string(ds.num_classes - 1) +
                                 " is not a Fashion-MNIST class (0-9)");
    }
    // A subset may lack the last classes; the model still sees all ten.
    ds.num_classes = static_cast<int>(names.size());
    ds.class_names = names;
    return ds;
}

} // namespace ll::data
