// Qwen2 weights, mapped from GGUF. Matrices point into the file mapping
// (zero-copy); the small per-layer vectors (norms, biases) are expanded to
// f32 once at load.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "gguf/gguf_reader.h"
#include "kernels/matmul.h"
#include "model/qwen2_config.h"

namespace zhi {

struct Qwen2Layer {
  std::vector<float> attn_norm;  // (n_embd)
  WeightMatrix wq;               // (q_dim rows, n_embd cols)
  std::vector<float> bq;         // (q_dim)
  WeightMatrix wk;               // (kv_dim, n_embd)
  std::vector<float> bk;         // (kv_dim)
  WeightMatrix wv;               // (kv_dim, n_embd)
  std::vector<float> bv;         // (kv_dim)
  WeightMatrix wo;               // (n_embd, q_dim)
  std::vector<float> ffn_norm;   // (n_embd)
  WeightMatrix w_gate;           // (n_ff, n_embd)
  WeightMatrix w_up;             // (n_ff, n_embd)
  WeightMatrix w_down;           // (n_embd, n_ff)
};

class Qwen2Model {
 public:
  static Result<std::shared_ptr<const Qwen2Model>> load(const std::string& path);
  static Result<std::shared_ptr<const Qwen2Model>> from_file(GgufFile file);

  const Qwen2Config& config() const { return config_; }
  const GgufFile& file() const { return file_; }
  const std::vector<Qwen2Layer>& layers() const { return layers_; }
  const WeightMatrix& token_embd() const { return token_embd_; }  // (n_vocab, n_embd)
  const std::vector<float>& output_norm() const { return output_norm_; }  // (n_embd)
  const WeightMatrix& output() const { return output_; }  // (n_vocab, n_embd); token_embd when tied
  uint64_t weight_bytes() const;  // bytes of all tensors, as streamed per token

 private:
  Qwen2Model() = default;
  Status bind();

  GgufFile file_;
  Qwen2Config config_;
  std::vector<Qwen2Layer> layers_;
  WeightMatrix token_embd_;
  std::vector<float> output_norm_;
  WeightMatrix output_;
};

}  // namespace zhi
