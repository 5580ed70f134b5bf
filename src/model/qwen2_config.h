// Hyperparameters of a `qwen2` GGUF model, read from metadata and checked.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "gguf/gguf_reader.h"

namespace zhi {

enum class RopeScaling { kNone, kYarn };

struct Qwen2Config {
  std::string name;          // general.name, for display
  int64_t n_vocab = 0;
  int64_t n_embd = 0;        // hidden size
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;      // n_embd / n_head
  int64_t n_ff = 0;          // SwiGLU inner size
  int64_t n_ctx_train = 0;   // context the model was trained for
  float rope_theta = 1e6f;
  float rms_eps = 1e-6f;
  RopeScaling rope_scaling = RopeScaling::kNone;
  float rope_factor = 1.0f;          // YaRN context extension factor
  int64_t rope_orig_ctx = 0;         // YaRN original context length
  bool tied_output = true;           // no output.weight: logits use token_embd

  int64_t q_dim() const { return n_head * head_dim; }
  int64_t kv_dim() const { return n_head_kv * head_dim; }
};

// Reads and validates the config. The architecture must be qwen2.
Result<Qwen2Config> read_qwen2_config(const GgufFile& file);

}  // namespace zhi
