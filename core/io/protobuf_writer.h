// A minimal protocol-buffers encoder (the wire format only: varints, 32-bit floats, length-delimited fields), enough
// to write ONNX models without a protobuf dependency. Pure bytes: no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ll::io
{

// Appends fields to one message's bytes. A nested message is written by building it in its own ProtoWriter and
// adding it with Message(field, child).
class ProtoWriter
{
public:
    // Wire type 0: an unsigned varint (bool, enum, int32 / int64 of non-negative values).
    void Varint(int field, std::uint64_t value);
    // Wire type 0: a signed int32 / int64 (negative values take ten bytes, as protobuf encodes them).
    void Int(int field, std::int64_t value) { Varint(field, static_cast<std::uint64_t>(value)); }
    // Wire type 5: a float, little-endian.
    void Float(int field, float value);
    // Wire type 2: bytes or a string.
    void Bytes(int field, std::string_view bytes);
    void Message(int field, const ProtoWriter& child) { Bytes(field, child.m_bytes); }

    const std::string& Data() const { return m_bytes; }
    std::string Take() { return std::move(m_bytes); }

private:
    void Tag(int field, int wire_type);
    void RawVarint(std::uint64_t value);

    std::string m_bytes;
};

} // namespace ll::io
