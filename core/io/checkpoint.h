// Checkpoint files: the whole state of an experiment (config, tensors, RNG, iterator, step, history) in one
// versioned binary with a JSON header and a CRC32 trailer. The format is documented in README.md ("Checkpoints").
// Pure data and bytes: this module knows nothing of the live experiment (core/train/experiment_state.cpp maps
// one onto the other). Thread-agnostic: plain values, no shared state.
#pragma once

#include "core/models/config.h"
#include "core/nn/tensor.h"
#include "core/util/rng.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ll::io
{

inline constexpr char kCheckpointMagic[8] = {'L', 'L', 'C', 'K', 'P', 'T', '\0', '\0'};
inline constexpr std::uint32_t kCheckpointVersion = 1;
inline constexpr std::uint64_t kMaxCheckpointBytes = std::uint64_t{2} << 30; // checked before a file is read

// Tensor names: a model's parameters, its optimizers' state and its extra state (Model::ExtraState) under these
// prefixes and their own names ("param/G.0.weight", "optim/G.0.weight.m", "extra/D.0.sn_u").
inline constexpr std::string_view kParamTensorPrefix = "param/";
inline constexpr std::string_view kOptimTensorPrefix = "optim/";
inline constexpr std::string_view kExtraTensorPrefix = "extra/";

enum class TensorType
{
    F32,
    F64,
    I64,
};
const char* TensorTypeName(TensorType type); // "f32", "f64", "i64"

// One stored tensor: a (rows, cols) column-major block of little-endian values.
struct CheckpointTensor
{
    std::string name;
    TensorType type = TensorType::F32;
    std::int64_t rows = 0, cols = 0;
    std::string bytes; // rows * cols * element size bytes

    static CheckpointTensor FromMatrix(std::string name, const nn::MatrixF& m);
    static CheckpointTensor FromDoubles(std::string name, std::int64_t rows, std::int64_t cols,
                                        const std::vector<double>& values);
    static CheckpointTensor FromInts(std::string name, const std::vector<std::int64_t>& values); // (n, 1)
    // Copies into out (resized); throws std::invalid_argument when the type is not the one asked for.
    void ToMatrix(nn::MatrixF& out) const;
    std::vector<double> ToDoubles() const;
    std::vector<std::int64_t> ToInts() const;
};

struct CheckpointEvent
{
    std::int64_t step = 0;
    std::string name;
    double old_value = 0, new_value = 0;
};

struct CheckpointData
{
    models::ExperimentConfig config; // with the hyperparameters in force when saved
    std::int64_t step = 0;           // steps completed
    std::int64_t epoch = 0;
    double wall_seconds = 0;         // running time so far
    Rng::State rng;                  // the training RNG
    bool has_iterator = false;       // image data: the batch iterator (its permutation is tensor "iterator/permutation")
    std::int64_t iterator_position = 0, iterator_epoch = 0;
    std::vector<std::pair<std::string, double>> hypers; // name, value in force
    std::vector<CheckpointEvent> events;
    std::vector<std::int64_t> optimizer_steps;          // Optimizer::StepCount() of each optimizer, model order
    std::vector<std::string> history_series;            // metric series, tensor "history/<i>" each (n, 6) f64
    std::vector<CheckpointTensor> tensors;

    const CheckpointTensor* Find(const std::string& name) const; // nullptr when absent
};

// The file's bytes. Throws std::invalid_argument on a bad tensor (size not rows * cols * element size).
std::string EncodeCheckpoint(const CheckpointData& data);

// Parses and validates bytes: magic, version, sizes, CRC32, JSON header, tensor table (bounds, contiguity, types),
// config (ParseConfig + Validate). Every failure throws std::runtime_error "checkpoint '<source>': <reason>".
CheckpointData DecodeCheckpoint(std::string_view bytes, const std::string& source_name);

// Refuses (std::runtime_error naming the tensor) when any f32 tensor holds NaN / Inf, then writes atomically:
// a temporary file in the same folder, fflush + fsync, rename over path, fsync of the folder. An interrupted save
// leaves the previous file at path intact. After a save, temporary files of killed saves beside it are removed.
void SaveCheckpointFile(const std::filesystem::path& path, const CheckpointData& data);

// Reads (at most kMaxCheckpointBytes, checked with stat first) and decodes a file (std::runtime_error with the file
// name and the reason).
CheckpointData LoadCheckpointFile(const std::filesystem::path& path);

} // namespace ll::io
