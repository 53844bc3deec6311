// Private to checkpoint.cpp and checkpoint_file.cpp: the two ends of an encoded checkpoint, so that a file can be
// written piece by piece without copying the tensors into one buffer. Not for other modules.
#pragma once

#include "core/io/checkpoint.h"

#include <string>
#include <string_view>

namespace ll::io::detail
{

// The file up to its tensor data: magic, version, header size and the JSON header (tensor offsets included).
std::string EncodeCheckpointFront(const CheckpointData& data);

// The 4-byte CRC32 trailer (little-endian) over front followed by every tensor's bytes in order.
std::string EncodeCheckpointTrailer(std::string_view front, const CheckpointData& data);

} // namespace ll::io::detail
