// Protocol-buffers wire format: a tag is (field << 3 | wire type) as a varint; varints are little-endian groups of 7
// bits with the high bit set on every byte but the last.
#include "core/io/protobuf_writer.h"

#include <cstring>
#include <stdexcept>

namespace ll::io
{

void ProtoWriter::RawVarint(std::uint64_t value)
{
    while (value >= 0x80)
    {
        m_bytes.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    m_bytes.push_back(static_cast<char>(value));
}

void ProtoWriter::Tag(int field, int wire_type)
{
    if (field < 1 || field > (1 << 29) - 1)
    {
        throw std::invalid_argument("protobuf: field number " + std::to_string(field) + " is out of range");
    }
    RawVarint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire_type));
}

void ProtoWriter::Varint(int field, std::uint64_t value)
{
    Tag(field, 0);
    RawVarint(value);
}

void ProtoWriter::Float(int field, float value)
{
    static_assert(sizeof(float) == 4);
    Tag(field, 5);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    for (int i = 0; i < 4; ++i)
    {
        m_bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
    }
}

void ProtoWriter::Bytes(int field, std::string_view bytes)
{
    Tag(field, 2);
    RawVarint(bytes.size());
    m_bytes.append(bytes);
}

} // namespace ll::io
