// The run state of one sequence: KV cache, activation buffers (allocated
// once, never in the hot loop) and the batched forward pass.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/status.h"
#include "core/thread_pool.h"
#include "model/kv_cache.h"
#include "model/qwen2_model.h"
#include "model/rope.h"

namespace zhi {

struct ContextOptions {
  int64_t n_ctx = 4096;   // positions the KV cache holds; 0 = the model's training context
  int64_t n_batch = 512;  // prompt tokens evaluated per forward pass
  int n_threads = 2;
  GgmlType kv_type = GgmlType::kF16;
  // kBlockSum: faster prompts over packed Q8_0/Q4_0/Q5_0 weights, at the
  // cost of bit-exactness with decode and the reference (kernels/matmul.h).
  BatchArithmetic batch_arithmetic = BatchArithmetic::kReference;
};

class Qwen2Context {
 public:
  static Result<std::unique_ptr<Qwen2Context>> create(std::shared_ptr<const Qwen2Model> model,
                                                      const ContextOptions& options);

  const Qwen2Model& model() const { return *model_; }
  const Qwen2Config& config() const { return model_->config(); }
  int64_t n_ctx() const { return cache_.n_ctx(); }
  int64_t n_past() const { return n_past_; }
  int n_threads() const { return pool_.size(); }
  uint64_t kv_bytes() const { return cache_.bytes(); }

  // Appends tokens at positions [n_past, n_past + n). Logits are kept for the
  // last token, or for every token when all_logits is set. Tokens beyond the
  // context window are an error before anything is evaluated.
  Status eval(std::span<const int32_t> tokens, bool all_logits = false);
  // Logits (n_vocab floats) of the i-th token of the last eval when all_logits
  // was set; i = -1 is the last token.
  const float* logits(int64_t i = -1) const;

  // Forgets positions >= n (n <= n_past), so a shared prefix can be kept.
  Status truncate(int64_t n);

  // KV state export and import (prompt cache files). Positions [0, n_past)
  // of kv_cache() are the state (KvCache::read_rows). import_kv() lets `fill` write
  // the rows of positions [0, n) into the cache and then holds n positions;
  // when fill fails, the context holds none. No logits are available until
  // the next eval().
  const KvCache& kv_cache() const { return cache_; }
  Status import_kv(int64_t n, const std::function<Status(KvCache& cache)>& fill);

 private:
  Qwen2Context(std::shared_ptr<const Qwen2Model> model, KvCache cache,
               const ContextOptions& options);
  void forward_batch(const int32_t* tokens, int64_t n, bool all_logits, int64_t logits_offset);
  void attention(int64_t layer, int64_t n, int64_t pos0);

  std::shared_ptr<const Qwen2Model> model_;
  KvCache cache_;
  Rope rope_;
  ThreadPool pool_;
  int64_t n_batch_;
  BatchArithmetic batch_arithmetic_;
  int64_t n_past_ = 0;

  // Activations for up to n_batch tokens, row-major per token.
  std::vector<float> x_;            // (n_batch, n_embd) residual stream
  std::vector<float> xn_;           // (n_batch, n_embd) normalised input
  std::vector<float> q_;            // (n_batch, q_dim)
  std::vector<float> k_;            // (n_batch, kv_dim)
  std::vector<float> v_;            // (n_batch, kv_dim)
  std::vector<float> att_;          // (n_batch, q_dim)
  std::vector<float> proj_;         // (n_batch, n_embd)
  std::vector<float> gate_;         // (n_batch, n_ff)
  std::vector<float> up_;           // (n_batch, n_ff)
  std::vector<float> cos_, sin_;    // (n_batch, head_dim/2): RoPE angles of the batch's positions
  std::vector<float> logits_;  // (tokens kept, n_vocab)
  int64_t logits_rows_ = 0;
};

}  // namespace zhi
