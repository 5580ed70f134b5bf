// Qwen2 weights, mapped from GGUF. Matrices point into the file mapping
// (zero-copy); the small per-layer vectors (norms, biases) are expanded to
// f32 once at load.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/page_buffer.h"
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

// How matrices are held in memory. kAuto repacks the types the active
// kernels decode faster packed (kernels/packed_weights.h) into one buffer at
// load and gives the file's pages for them back to the OS, so resident
// memory stays about the file's size; ZHI_REPACK=0 in the environment
// turns it off. kFileLayout computes straight from the mapping. Both give
// the same results bit for bit.
enum class WeightLayout { kAuto, kFileLayout };

class Qwen2Model {
 public:
  static Result<std::shared_ptr<const Qwen2Model>> load(const std::string& path,
                                                        WeightLayout layout = WeightLayout::kAuto);
  static Result<std::shared_ptr<const Qwen2Model>> from_file(
      GgufFile file, WeightLayout layout = WeightLayout::kAuto);

  const Qwen2Config& config() const { return config_; }
  const GgufFile& file() const { return file_; }
  const std::vector<Qwen2Layer>& layers() const { return layers_; }
  const WeightMatrix& token_embd() const { return token_embd_; }          // (n_vocab, n_embd)
  const std::vector<float>& output_norm() const { return output_norm_; }  // (n_embd)
  const WeightMatrix& output() const { return output_; }  // (n_vocab, n_embd); token_embd when tied
  uint64_t weight_bytes() const;  // bytes of all tensors, as streamed per token
  uint64_t packed_bytes() const { return packed_.size(); }  // weights held repacked (0: none)

 private:
  Qwen2Model() = default;
  Status bind();
  void pack_weights();

  GgufFile file_;
  Qwen2Config config_;
  std::vector<Qwen2Layer> layers_;
  WeightMatrix token_embd_;
  std::vector<float> output_norm_;
  WeightMatrix output_;
  PageBuffer packed_;
};

}  // namespace zhi
