// Producing Qwen2 GGUF files: random-weight synthetic models with the real
// layouts (`zhi make-model`) and re-quantization to a preset (`zhi quantize`).
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "gguf/gguf_writer.h"
#include "model/qwen2_shapes.h"
#include "quant/preset.h"

namespace zhi {

struct SyntheticModelOptions {
  Qwen2Shape shape;
  Preset preset = Preset::kQ4_K_M;
  uint64_t seed = 1;
  int n_threads = 2;
  // Adds tokenizer.* metadata; the vocabulary must have shape.n_vocab entries.
  std::function<void(GgufWriter&)> add_vocab;
};

using WriteProgress = GgufWriter::ProgressFn;

Status write_synthetic_model(const SyntheticModelOptions& options, const std::string& path,
                             const WriteProgress& progress = {});

Status quantize_model(const std::string& in_path, const std::string& out_path, Preset preset, int n_threads,
                      const WriteProgress& progress = {});

}  // namespace zhi
