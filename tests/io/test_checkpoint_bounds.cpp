// Checkpoint readers bounded before they allocate or recurse: a header nested 100,000 deep or holding a 70,000-entry
// tensor table (with a valid CRC, so the checks after the checksum are reached), tensors claiming terabytes, and
// files larger than the cap (checked by stat, before reading) are refused with the file and the reason.
#include "checkpoint_test_util.h"

#include <unistd.h>

#include <fstream>

using namespace ll;
using namespace ll::io::test;
using data::test::ErrorOf;

namespace
{

std::string Encoded()
{
    static const std::string bytes = []
    {
        const auto config = TinyGan();
        train::Experiment e(config, train::LoadExperimentData(config, ""));
        std::vector<models::Metrics> log;
        TrainSteps(e, 3, log);
        return io::EncodeCheckpoint(e.SaveState());
    }();
    return bytes;
}

std::string HeaderOf(const std::string& ckpt)
{
    std::uint64_t size = 0;
    std::memcpy(&size, ckpt.data() + 12, 8);
    return ckpt.substr(20, size);
}

// The same checkpoint around another header: preamble, header, the old data section, a fresh CRC32.
std::string WithHeader(const std::string& ckpt, const std::string& header)
{
    const std::size_t old_size = HeaderOf(ckpt).size();
    std::string out = ckpt.substr(0, 12);
    const std::uint64_t size = header.size();
    out.append(reinterpret_cast<const char*>(&size), 8);
    out += header;
    out += ckpt.substr(20 + old_size, ckpt.size() - 4 - 20 - old_size);
    const auto crc = static_cast<std::uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
    out.append(reinterpret_cast<const char*>(&crc), 4);
    return out;
}

bool Contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("Checkpoint: the header rebuilt with a fresh CRC decodes, so the refusals below are the bounds at work")
{
    const std::string same = WithHeader(Encoded(), HeaderOf(Encoded()));
    CHECK(same == Encoded());
    CHECK(io::DecodeCheckpoint(same, "same.ckpt").step == 3);
}

TEST_CASE("Checkpoint: a header nested 100,000 deep is refused before parsing, not a stack overflow")
{
    const std::string header = HeaderOf(Encoded());
    const std::string deep =
        "{\"deep\": " + std::string(100000, '[') + std::string(100000, ']') + "," + header.substr(1);
    const std::string msg = ErrorOf([&] { io::DecodeCheckpoint(WithHeader(Encoded(), deep), "deep.ckpt"); });
    CHECK(Contains(msg, "checkpoint 'deep.ckpt': header:1:73: JSON nested deeper than 64 levels"));
    // Deep inside the embedded config, which is printed (recursively) and parsed again.
    const std::string config =
        "{\"config\": {\"gan\": " + std::string(60000, '[') + std::string(60000, ']') + "}," + header.substr(1);
    CHECK(Contains(ErrorOf([&] { io::DecodeCheckpoint(WithHeader(Encoded(), config), "c.ckpt"); }),
                   "nested deeper than 64"));
}

TEST_CASE("Checkpoint: a tensor table of 70,000 entries is refused by count; 10,000 empty ones are checked quickly")
{
    const std::string header = HeaderOf(Encoded());
    const std::size_t table = header.find("\"tensors\":[");
    REQUIRE(table != std::string::npos);
    const auto with_empty = [&](int n)
    {
        std::string entries;
        for (int i = 0; i < n; ++i)
        {
            entries += "{\"name\":\"z" + std::to_string(i) +
                       "\",\"dtype\":\"f32\",\"shape\":[0,0],\"offset\":0,\"nbytes\":0},";
        }
        std::string h = header;
        h.insert(table + 11, entries);
        return WithHeader(Encoded(), h);
    };
    CHECK(Contains(ErrorOf([&] { io::DecodeCheckpoint(with_empty(70000), "many.ckpt"); }),
                   "the tensor table must be an array of at most 65536 entries"));
    // Duplicate names are found with a hash set (the table used to be searched once per entry: quadratic).
    const io::CheckpointData d = io::DecodeCheckpoint(with_empty(10000), "ok.ckpt");
    CHECK(d.tensors.size() > 10000);
}

TEST_CASE("Checkpoint: a tensor claiming more elements than the file holds is refused before any copy")
{
    std::string header = HeaderOf(Encoded());
    const std::size_t shape = header.find("\"shape\":[");
    REQUIRE(shape != std::string::npos);
    const std::size_t end = header.find(']', shape);
    header.replace(shape, end - shape + 1, "\"shape\":[1099511627776,1099511627776]");
    const std::string msg = ErrorOf([&] { io::DecodeCheckpoint(WithHeader(Encoded(), header), "t.ckpt"); });
    CHECK(Contains(msg, "bytes do not match its shape"));
}

TEST_CASE("Checkpoint: a file larger than the cap is refused by its size without being read")
{
    TempDir dir("ckpt_huge");
    const std::string path = (dir.Path() / "huge.ckpt").string();
    std::ofstream(path) << "LLCKPT";
    REQUIRE(::truncate(path.c_str(), static_cast<off_t>(io::kMaxCheckpointBytes + 1)) == 0); // sparse
    const std::string msg = ErrorOf([&] { io::LoadCheckpointFile(path); });
    CHECK(Contains(msg, "checkpoint '" + path + "': is 2 GiB, larger than the 2 GiB this reader accepts"));
    CHECK(Contains(ErrorOf([&] { io::LoadCheckpointFile(dir.Path()); }), "is a folder"));
}
