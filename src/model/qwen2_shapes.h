// The published Qwen2.5 layouts, for synthetic models and benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace zhi {

struct Qwen2Shape {
  std::string name;  // "0.5b"
  int64_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_vocab, n_ctx;
  bool tied;  // output shares token_embd
};

Result<Qwen2Shape> find_qwen2_shape(const std::string& name);
std::vector<std::string> qwen2_shape_names();

}  // namespace zhi
