// Structure-aware seeds for the fuzz targets (scripts/fuzz.sh runs it before fuzzing): inputs at and past every
// bound the readers enforce, which random mutation of small files would take very long to reach: JSON 100,000
// levels deep (in values, in comments, in strings), strings of nearly 1 MB, checkpoint headers nested deep or
// holding thousands of tensors (with a valid CRC), IDX headers and .gz files announcing gigabytes, PNG headers
// claiming 100000 x 100000, truncated and mislabelled images, safetensors headers nested deep, listing 70,000
// tensors, claiming exabytes or overlapping ranges; rank-4 IDX headers whose products overflow; metrics CSVs at 4,096
// series; curves.lod files at and past their counts.
// usage: make_seeds OUT_DIR CHECKPOINT_SEED   (writes OUT_DIR/{config,checkpoint,idx,image,safetensors,metrics_csv,curves}/*)
#include "core/io/run_curves.h"

#include <stb/stb_image_write.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& bytes)
{
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out)
    {
        throw std::runtime_error("cannot write " + path.string());
    }
}

std::string Read(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        throw std::runtime_error("cannot read " + path.string());
    }
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Nested(int depth, const std::string& inner = "")
{
    return std::string(static_cast<std::size_t>(depth), '[') + inner +
           std::string(static_cast<std::size_t>(depth), ']');
}

const char* kSmallConfig =
    "{\"name\": \"seed\", \"family\": \"gan\", \"data\": {\"kind\": \"toy\", \"toy\": \"ring8\"}}";

void ConfigSeeds(const fs::path& dir)
{
    Write(dir / "deep_top.json", Nested(100000));
    Write(dir / "deep_value.json", "{\"gan\": " + Nested(100000) + "}");
    Write(dir / "deep_object.json",
          []
          {
              std::string s;
              for (int i = 0; i < 50000; ++i)
                  s += "{\"a\":";
              s += "1";
              s += std::string(50000, '}');
              return s;
          }());
    Write(dir / "depth_64.json", "{\"x\": " + Nested(63) + "}");
    Write(dir / "depth_65.json", "{\"x\": " + Nested(64) + "}");
    Write(dir / "brackets_in_comment.json", "// " + std::string(100000, '[') + "\n" + kSmallConfig);
    Write(dir / "brackets_in_block_comment.json", "/* " + std::string(100000, '{') + " */" + kSmallConfig);
    Write(dir / "brackets_in_string.json",
          "{\"name\": \"seed\", \"description\": \"" + std::string(60000, '[') + "\", \"family\": \"gan\"}");
    Write(dir / "long_name.json", "{\"name\": \"" + std::string(900000, 'n') + "\", \"family\": \"gan\"}");
    Write(dir / "name_129.json", "{\"name\": \"" + std::string(129, 'n') + "\", \"family\": \"gan\"}");
    Write(dir / "long_description.json",
          "{\"name\": \"seed\", \"description\": \"" + std::string(20000, 'd') + "\", \"family\": \"gan\"}");
    Write(dir / "long_dir.json",
          "{\"name\": \"seed\", \"data\": {\"kind\": \"idx\", \"dir\": \"" + std::string(5000, '/') + "\"}}");
    Write(dir / "escapes.json", "{\"name\": \"" + std::string(2000, '\\') + "\"}");
    Write(dir / "unterminated.json", "{\"name\": \"" + std::string(1000, 'u'));
}

// Rebuilds a checkpoint around a new header text: preamble, header, the old data section, CRC32.
std::string WithHeader(const std::string& ckpt, const std::string& header)
{
    std::uint64_t old_size = 0;
    std::memcpy(&old_size, ckpt.data() + 12, 8);
    const std::string data = ckpt.substr(20 + old_size, ckpt.size() - 4 - 20 - old_size);
    std::string out = ckpt.substr(0, 12);
    const std::uint64_t size = header.size();
    out.append(reinterpret_cast<const char*>(&size), 8);
    out += header;
    out += data;
    const auto crc = static_cast<std::uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
    out.append(reinterpret_cast<const char*>(&crc), 4);
    return out;
}

void CheckpointSeeds(const fs::path& dir, const fs::path& seed)
{
    const std::string ckpt = Read(seed);
    std::uint64_t header_size = 0;
    std::memcpy(&header_size, ckpt.data() + 12, 8);
    const std::string header = ckpt.substr(20, header_size);
    Write(dir / "deep_header.ckpt", WithHeader(ckpt, "{\"deep\": " + Nested(100000) + "," + header.substr(1)));
    Write(dir / "deep_config.ckpt",
          WithHeader(ckpt, "{\"config\": {\"gan\": " + Nested(60000) + "}," + header.substr(1)));
    std::string many;
    for (int i = 0; i < 10000; ++i)
    {
        many +=
            "{\"name\":\"z" + std::to_string(i) + "\",\"dtype\":\"f32\",\"shape\":[0,0],\"offset\":0,\"nbytes\":0},";
    }
    std::string with_many = header;
    const std::size_t table = with_many.find("\"tensors\":[");
    if (table != std::string::npos)
    {
        with_many.insert(table + 11, many);
        Write(dir / "many_tensors.ckpt", WithHeader(ckpt, with_many));
    }
    std::string huge = header;
    const std::size_t shape = huge.find("\"shape\":[");
    if (shape != std::string::npos)
    {
        huge.insert(shape + 9, "1099511627776,");
        Write(dir / "huge_shape.ckpt", WithHeader(ckpt, huge));
    }
    Write(dir / "long_name.ckpt", WithHeader(ckpt, "{\"x\": \"" + std::string(900000, 'x') + "\"," + header.substr(1)));
}

std::string Be32(std::uint32_t v)
{
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
    return std::string(b, 4);
}

std::string Gzip(const std::string& in)
{
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 64, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

void IdxSeeds(const fs::path& dir)
{
    const std::string images = std::string("\0\0\x08\x03", 4) + Be32(60000) + Be32(28) + Be32(28);
    Write(dir / "claims_2gib.idx3",
          std::string("\0\0\x08\x03", 4) + Be32(0x7FFFFFFF) + Be32(0x4000) + Be32(0x4000) + std::string(64, '\0'));
    Write(dir / "claims_60000_has_10.idx3", images + std::string(10 * 784, '\x80'));
    Write(dir / "claims_60000_has_10.idx3.gz", Gzip(images + std::string(10 * 784, '\x80')));
    // A 10 KB .gz inflating to 10 MB behind a header announcing 2 images.
    Write(dir / "inflates_past_header.idx3.gz",
          Gzip(std::string("\0\0\x08\x03", 4) + Be32(2) + Be32(28) + Be32(28) + std::string(10 << 20, '\0')));
    Write(dir / "labels_big.idx1.gz", Gzip(std::string("\0\0\x08\x01", 4) + Be32(1 << 30) + std::string(4096, '\x01')));
    const std::string gz = Gzip(images + std::string(784, '\x10'));
    Write(dir / "truncated.idx3.gz", gz.substr(0, gz.size() / 2));
    Write(dir / "two_members.idx1.gz",
          Gzip(std::string("\0\0\x08\x01", 4) + Be32(4)) + Gzip(std::string("\x01\x02\x03\x04", 4)));

    // Rank 4 (count, rows, cols, channels): every dimension at and past its bound, products that overflow 64 bits
    // when multiplied unchecked, and data cut short.
    const std::string rank4 = std::string("\0\0\x08\x04", 4);
    Write(dir / "rank4_claims_2gib.idx4", rank4 + Be32(0x7FFFFFFF) + Be32(0x4000) + Be32(0x4000) + Be32(4) +
                                              std::string(64, '\0'));
    // 2^31-1 x 2^31-1 x 2^31-1 x 2^31-1 is about 2^124: wraps a uint64 product.
    Write(dir / "rank4_product_wraps.idx4",
          rank4 + Be32(0x7FFFFFFF) + Be32(0x7FFFFFFF) + Be32(0x7FFFFFFF) + Be32(0x7FFFFFFF) + std::string(64, '\0'));
    // 2^32 / 2^16 / 2^16 / 1: a product that is exactly 2^64 (0 after wrapping) with the per-dimension bounds met
    // except the count's.
    Write(dir / "rank4_product_2pow64.idx4",
          rank4 + Be32(0xFFFFFFFF) + Be32(0x10000) + Be32(0x10000) + Be32(1) + std::string(64, '\0'));
    Write(dir / "rank4_side_past_bound.idx4", rank4 + Be32(1) + Be32(0x4001) + Be32(2) + Be32(3) + std::string(64, '\0'));
    Write(dir / "rank4_five_channels.idx4", rank4 + Be32(1) + Be32(2) + Be32(2) + Be32(5) + std::string(20, '\0'));
    Write(dir / "rank4_zero_channels.idx4", rank4 + Be32(1) + Be32(2) + Be32(2) + Be32(0));
    Write(dir / "rank4_header_cut.idx4", rank4 + Be32(10) + Be32(32) + Be32(32));
    const std::string rgb = rank4 + Be32(1000) + Be32(32) + Be32(32) + Be32(3);
    Write(dir / "rank4_claims_1000_has_3.idx4", rgb + std::string(3 * 32 * 32 * 3, '\x40'));
    Write(dir / "rank4_claims_1000_has_3.idx4.gz", Gzip(rgb + std::string(3 * 32 * 32 * 3, '\x40')));
    Write(dir / "rank4_inflates_past_header.idx4.gz",
          Gzip(rank4 + Be32(2) + Be32(32) + Be32(32) + Be32(3) + std::string(4 << 20, '\x7f')));
    const std::string rgb_gz = Gzip(rank4 + Be32(4) + Be32(16) + Be32(16) + Be32(4) + std::string(4 * 1024, '\x20'));
    Write(dir / "rank4_truncated.idx4.gz", rgb_gz.substr(0, rgb_gz.size() / 2));
    Write(dir / "rank4_header_cut.idx4.gz", Gzip(rank4 + Be32(4) + Be32(16)));
}

// Metrics CSV: the column and cell bounds (4,096 series; 2^24 values) and lines near 1 MB.
void MetricsCsvSeeds(const fs::path& dir)
{
    std::string header = "step,wall_s";
    for (int i = 0; i < 4096; ++i)
    {
        header += ",s" + std::to_string(i);
    }
    std::string rows;
    for (int i = 0; i < 5000; ++i) // past the 2^24 / 4,096 = 4,096 rows the cell bound allows
    {
        rows += std::to_string(i) + ",0\n"; // each short row still holds 4,096 values
    }
    Write(dir / "max_columns_many_rows.csv", header + "\n" + rows);
    Write(dir / "columns_past_bound.csv", header + ",one_more\n1,0\n");
    Write(dir / "long_field.csv", "step,wall_s,a\n1,0," + std::string(900000, '1') + "\n");
    Write(dir / "long_header.csv", "step,wall_s," + std::string(900000, 'n') + "\n1,0,1\n");
    Write(dir / "no_newline.csv", "step,wall_s," + std::string(900000, ','));
    std::string many = "step,wall_s,a,b\n";
    for (int i = 0; i < 30000; ++i)
    {
        many += std::to_string(i) + "," + std::to_string(i) + ".5,1e308,-1e-308\n";
    }
    Write(dir / "many_rows.csv", many);
}

// curves.lod (ll::io::DecodeCurves): a valid file, then counts and widths at and past their bounds.
void CurvesSeeds(const fs::path& dir)
{
    ll::io::CurvesCache cache;
    cache.csv_bytes = 123;
    cache.last_step = 299;
    cache.last_wall = 12.5;
    for (int s = 0; s < 3; ++s)
    {
        cache.curves.names.push_back("series_" + std::to_string(s));
        ll::io::CurveLod lod(256);
        for (int i = 0; i < 300; ++i) // a small bucket count: 300 points into 256 buckets merge to width 2
        {
            lod.Append(i, 0.01 * i, s == 2 && i % 7 == 0 ? std::nan("") : std::sin(0.01 * i) * (s + 1));
        }
        cache.curves.series.push_back(lod);
        cache.last_values.push_back(0.5 * s);
    }
    const std::string valid = ll::io::EncodeCurves(cache);
    Write(dir / "valid.lod", valid);
    Write(dir / "truncated.lod", valid.substr(0, valid.size() - 9));

    // Hand-built files: a header, then series of (name, last value, width, total, buckets).
    const auto put = [](std::string& out, auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
    const auto head = [&](std::uint32_t series) {
        std::string out = "LLCURVE1";
        put(out, std::uint64_t{1});
        put(out, std::int64_t{1});
        put(out, 1.0);
        put(out, series);
        return out;
    };
    const auto series = [&](std::string& out, std::int64_t width, std::int64_t total, std::uint32_t buckets,
                            std::int64_t count) {
        put(out, std::uint32_t{1});
        out += "x";
        put(out, 0.0);
        put(out, width);
        put(out, total);
        put(out, buckets);
        for (std::uint32_t b = 0; b < buckets; ++b)
        {
            for (int f = 0; f < 7; ++f)
            {
                put(out, 1.0);
            }
            put(out, count);
        }
    };
    // 1,024 full buckets of 2^62 points each: 2^72 points in all, past an int64.
    std::string wide = head(1);
    series(wide, std::int64_t{1} << 62, std::int64_t{1} << 62, 1024, std::int64_t{1} << 62);
    Write(dir / "counts_past_int64.lod", wide);
    std::string many = head(4096);
    for (int s = 0; s < 4096; ++s)
    {
        series(many, 1, 2, 2, 1);
    }
    Write(dir / "max_series.lod", many);
    Write(dir / "series_past_bound.lod", head(4097));
    Write(dir / "claims_4g_series.lod", head(0xFFFFFFFF));
    std::string buckets = head(1);
    series(buckets, 1, 1025, 1025, 1);
    Write(dir / "buckets_past_bound.lod", buckets);
}

void AppendToString(void* context, void* data, int size)
{
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

void ImageSeeds(const fs::path& dir)
{
    std::vector<unsigned char> pixels(12 * 9 * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i)
    {
        pixels[i] = static_cast<unsigned char>(i * 37);
    }
    std::string png, gray, bmp, jpg;
    stbi_write_png_to_func(AppendToString, &png, 12, 9, 3, pixels.data(), 12 * 3);
    stbi_write_png_to_func(AppendToString, &gray, 9, 12, 1, pixels.data(), 9);
    stbi_write_bmp_to_func(AppendToString, &bmp, 12, 9, 3, pixels.data());
    stbi_write_jpg_to_func(AppendToString, &jpg, 12, 9, 3, pixels.data(), 80);
    Write(dir / "rgb.png", png);
    Write(dir / "gray.png", gray);
    Write(dir / "rgb.bmp", bmp);
    Write(dir / "rgb.jpg", jpg);
    Write(dir / "truncated.png", png.substr(0, png.size() / 2));
    Write(dir / "truncated.jpg", jpg.substr(0, jpg.size() / 2));
    // IHDR claiming 100000 x 100000 (width and height at bytes 16..23; stb_image does not check chunk CRCs).
    std::string huge = png;
    huge.replace(16, 8, Be32(100000) + Be32(100000));
    Write(dir / "claims_100000x100000.png", huge);
    std::string wide = png;
    wide.replace(16, 8, Be32(16777216) + Be32(1));
    Write(dir / "claims_16777216x1.png", wide);
    std::string bmp_huge = bmp;
    const std::int32_t side = 100000;
    bmp_huge.replace(18, 4, reinterpret_cast<const char*>(&side), 4);
    bmp_huge.replace(22, 4, reinterpret_cast<const char*>(&side), 4);
    Write(dir / "claims_100000x100000.bmp", bmp_huge);
    Write(dir / "gif_named_png.png", std::string("GIF89a\x01\x00\x01\x00\x80\x00\x00", 13) + std::string(20, '\0'));
    Write(dir / "text_named_png.png", "this is not an image\n");
}

// A safetensors file around a header text, with `data` after it.
std::string Safetensors(const std::string& header, const std::string& data)
{
    const std::uint64_t n = header.size();
    std::string out(8, '\0');
    std::memcpy(out.data(), &n, 8);
    return out + header + data;
}

void SafetensorsSeeds(const fs::path& dir)
{
    const std::string t = R"({"0.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
    Write(dir / "small.safetensors", Safetensors(t, std::string(16, '\x01')));
    Write(dir / "deep.safetensors", Safetensors(std::string(100000, '[') + std::string(100000, ']'), ""));
    std::string many = "{";
    for (int i = 0; i < 70000; ++i)
    {
        many += (i ? ",\"t" : "\"t") + std::to_string(i) + R"(":{"dtype":"F32","shape":[0],"data_offsets":[0,0]})";
    }
    Write(dir / "many.safetensors", Safetensors(many + "}", ""));
    Write(dir / "exabytes.safetensors",
          Safetensors(R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", "12345678"));
    Write(dir / "overlap.safetensors",
          Safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                      std::string(12, '\0')));
    std::string long_length = Safetensors(t, std::string(16, '\0'));
    const std::uint64_t claim = std::uint64_t{1} << 40;
    std::memcpy(long_length.data(), &claim, 8);
    Write(dir / "claims_1TiB_header.safetensors", long_length);
    Write(dir / "long_metadata.safetensors",
          Safetensors(R"({"__metadata__":{"config":")" + std::string(900000, 'x') + "\"}}", ""));
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3)
    {
        std::fprintf(stderr, "usage: %s OUT_DIR CHECKPOINT_SEED\n", argv[0]);
        return 2;
    }
    try
    {
        const fs::path out = argv[1];
        ConfigSeeds(out / "config");
        CheckpointSeeds(out / "checkpoint", argv[2]);
        IdxSeeds(out / "idx");
        ImageSeeds(out / "image");
        SafetensorsSeeds(out / "safetensors");
        MetricsCsvSeeds(out / "metrics_csv");
        CurvesSeeds(out / "curves");
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "make_seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
