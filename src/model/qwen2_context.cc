#include "model/qwen2_context.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>

#include "core/half.h"
#include "kernels/act_rows.h"
#include "kernels/activation_quant.h"
#include "kernels/kernel_table.h"
#include "kernels/key_blocks.h"
#include "kernels/matmul.h"

namespace zhi {
namespace {

void rms_norm(const float* x, const float* weight, int64_t n, float eps, float* out) {
  double ss = 0.0;
  for (int64_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  const float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

void add_bias(float* y, const float* bias, int64_t n_tokens, int64_t dim) {
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t i = 0; i < dim; ++i) y[t * dim + i] += bias[i];
}

}  // namespace

Result<std::unique_ptr<Qwen2Context>> Qwen2Context::create(std::shared_ptr<const Qwen2Model> model,
                                                           const ContextOptions& options) {
  const Qwen2Config& c = model->config();
  int64_t n_ctx = options.n_ctx == 0 ? c.n_ctx_train : options.n_ctx;
  if (n_ctx < 1 || n_ctx > (int64_t{1} << 24))
    return invalid_argument("context size " + std::to_string(n_ctx) + " is out of range");
  if (options.n_batch < 1) return invalid_argument("batch size must be at least 1");
  if (options.n_threads < 1 || options.n_threads > 512)
    return invalid_argument("thread count " + std::to_string(options.n_threads) +
                            " is out of range [1, 512]");
  ZHI_ASSIGN_OR_RETURN(KvCache cache,
                       KvCache::create(c.n_layer, n_ctx, c.n_head_kv, c.head_dim, options.kv_type));
  return std::unique_ptr<Qwen2Context>(
      new Qwen2Context(std::move(model), std::move(cache), options));
}

Qwen2Context::Qwen2Context(std::shared_ptr<const Qwen2Model> model, KvCache cache,
                           const ContextOptions& options)
    : model_(std::move(model)),
      cache_(std::move(cache)),
      rope_(model_->config()),
      pool_(options.n_threads),
      n_batch_(std::min(options.n_batch, cache_.n_ctx())),
      batch_arithmetic_(options.batch_arithmetic) {
  const Qwen2Config& c = model_->config();
  x_.resize(n_batch_ * c.n_embd);
  xn_.resize(n_batch_ * c.n_embd);
  q_.resize(n_batch_ * c.q_dim());
  k_.resize(n_batch_ * c.kv_dim());
  v_.resize(n_batch_ * c.kv_dim());
  att_.resize(n_batch_ * c.q_dim());
  proj_.resize(n_batch_ * c.n_embd);
  gate_.resize(n_batch_ * c.n_ff);
  up_.resize(n_batch_ * c.n_ff);
  cos_.resize(n_batch_ * (c.head_dim / 2));
  sin_.resize(n_batch_ * (c.head_dim / 2));
  logits_.resize(c.n_vocab);
}

Status Qwen2Context::eval(std::span<const int32_t> tokens, bool all_logits) {
  const Qwen2Config& c = config();
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n == 0) return invalid_argument("nothing to evaluate: the token list is empty");
  if (n_past_ + n > n_ctx())
    return out_of_range(std::to_string(n_past_ + n) + " tokens (" + std::to_string(n_past_) +
                        " already in context + " + std::to_string(n) +
                        " new) exceed the context window of " + std::to_string(n_ctx()) +
                        " tokens; raise it with -c (the model was trained for " +
                        std::to_string(c.n_ctx_train) + ")");
  for (int64_t i = 0; i < n; ++i) {
    if (tokens[i] < 0 || tokens[i] >= c.n_vocab)
      return invalid_argument("token id " + std::to_string(tokens[i]) + " at position " +
                              std::to_string(i) + " is outside the vocabulary [0, " +
                              std::to_string(c.n_vocab) + ")");
  }
  logits_rows_ = all_logits ? n : 1;
  if (static_cast<int64_t>(logits_.size()) < logits_rows_ * c.n_vocab)
    logits_.resize(logits_rows_ * c.n_vocab);
  for (int64_t i = 0; i < n; i += n_batch_) {
    const int64_t b = std::min(n_batch_, n - i);
    forward_batch(tokens.data() + i, b, all_logits || i + b == n, all_logits ? i : 0);
  }
  return {};
}

const float* Qwen2Context::logits(int64_t i) const {
  if (i < 0) i = logits_rows_ - 1;
  return logits_.data() + i * config().n_vocab;
}

Status Qwen2Context::truncate(int64_t n) {
  if (n < 0 || n > n_past_)
    return invalid_argument("cannot truncate to " + std::to_string(n) + " of " +
                            std::to_string(n_past_) + " positions");
  n_past_ = n;
  return {};
}

Status Qwen2Context::import_kv(int64_t n, const std::function<Status(KvCache& cache)>& fill) {
  n_past_ = 0;
  if (n < 0 || n > n_ctx())
    return invalid_argument("cannot import " + std::to_string(n) +
                            " KV positions into a context of " + std::to_string(n_ctx()));
  if (Status s = fill(cache_); !s.ok()) return s;
  n_past_ = n;
  return {};
}

// One forward pass over n <= n_batch tokens at positions n_past_ ... n_past_+n-1.
// When want_logits is set, logits are written for the last token, or for
// all n tokens starting at row logits_offset when all_logits_ rows are kept.
void Qwen2Context::forward_batch(const int32_t* tokens, int64_t n, bool want_logits,
                                 int64_t logits_offset) {
  const Qwen2Config& c = config();
  const Qwen2Model& m = *model_;
  const int64_t pos0 = n_past_;
  const int64_t d = c.n_embd;

  for (int64_t t = 0; t < n; ++t) dequantize_matrix_row(m.token_embd(), tokens[t], &x_[t * d]);
  // The rotation angles depend only on the position: once per batch, not per layer.
  const int64_t half_dim = c.head_dim / 2;
  for (int64_t t = 0; t < n; ++t) rope_.angles(pos0 + t, &cos_[t * half_dim], &sin_[t * half_dim]);

  for (int64_t l = 0; l < c.n_layer; ++l) {
    const Qwen2Layer& w = m.layers()[l];
    // Attention block: n = RMSNorm(x) * attn_norm; x += Wo * Attn(RoPE(q), RoPE(k), v).
    for (int64_t t = 0; t < n; ++t)
      rms_norm(&x_[t * d], w.attn_norm.data(), d, c.rms_eps, &xn_[t * d]);
    const MatmulJob qkv[] = {{&w.wq, q_.data()}, {&w.wk, k_.data()}, {&w.wv, v_.data()}};
    matmul_group(qkv, xn_.data(), n, pool_, batch_arithmetic_);
    add_bias(q_.data(), w.bq.data(), n, c.q_dim());
    add_bias(k_.data(), w.bk.data(), n, c.kv_dim());
    add_bias(v_.data(), w.bv.data(), n, c.kv_dim());
    for (int64_t t = 0; t < n; ++t) {
      const float* cos_t = &cos_[t * half_dim];
      const float* sin_t = &sin_[t * half_dim];
      rope_.rotate(&q_[t * c.q_dim()], c.n_head, cos_t, sin_t);
      rope_.rotate(&k_[t * c.kv_dim()], c.n_head_kv, cos_t, sin_t);
      cache_.store(l, pos0 + t, &k_[t * c.kv_dim()], &v_[t * c.kv_dim()]);
    }
    attention(l, n, pos0);
    matmul(w.wo, att_.data(), n, proj_.data(), pool_, batch_arithmetic_);
    for (int64_t i = 0; i < n * d; ++i) x_[i] += proj_[i];

    // Feed-forward block: x += W_down * (SiLU(W_gate * m) ⊙ (W_up * m)), m = RMSNorm(x) * ffn_norm.
    for (int64_t t = 0; t < n; ++t)
      rms_norm(&x_[t * d], w.ffn_norm.data(), d, c.rms_eps, &xn_[t * d]);
    const MatmulJob gate_up[] = {{&w.w_gate, gate_.data()}, {&w.w_up, up_.data()}};
    matmul_group(gate_up, xn_.data(), n, pool_, batch_arithmetic_);
    active_kernels().silu_mul(gate_.data(), up_.data(), n * c.n_ff);
    matmul(w.w_down, gate_.data(), n, proj_.data(), pool_, batch_arithmetic_);
    for (int64_t i = 0; i < n * d; ++i) x_[i] += proj_[i];
  }
  n_past_ += n;

  if (!want_logits) return;
  // Final norm and output projection, only for the rows whose logits are kept.
  const bool all_rows = logits_rows_ > 1;
  const int64_t first = all_rows ? 0 : n - 1;
  const int64_t rows = n - first;
  for (int64_t t = first; t < n; ++t)
    rms_norm(&x_[t * d], m.output_norm().data(), d, c.rms_eps, &xn_[(t - first) * d]);
  matmul(m.output(), xn_.data(), rows, logits_.data() + (all_rows ? logits_offset : 0) * c.n_vocab,
         pool_, batch_arithmetic_);
}

namespace {

// Per-thread attention scratch, grown once and reused (no allocation per
// token once the largest batch has been seen).
class AttnScratch {
 public:
  uint8_t* get(size_t bytes) {
    if (bytes > cap_) {
      ::operator delete(data_, std::align_val_t(kActAlign));
      data_ = static_cast<uint8_t*>(::operator new(bytes, std::align_val_t(kActAlign)));
      cap_ = bytes;
    }
    return data_;
  }
  ~AttnScratch() { ::operator delete(data_, std::align_val_t(kActAlign)); }

 private:
  uint8_t* data_ = nullptr;
  size_t cap_ = 0;
};

// Queries per task: the score product runs as a small matrix product, keys
// against up to eight queries, so each key is loaded and converted once per
// four to eight queries (the key-block kernels take four queries at a time,
// the float kernels over rows six).
constexpr int64_t kQueriesPerTask = 8;

// Keys per score call in decode, between prefetches of the same keys' V
// rows; a multiple of kKeyBlock that divides KvCache::kChunkPositions. 16,
// 32 and 64 measured alike (a stand-alone loop over 24 layers' caches,
// flushed before each token).
constexpr int64_t kScoreChunk = 32;
static_assert(KvCache::kChunkPositions % kScoreChunk == 0 && kScoreChunk % kKeyBlock == 0);
// V bytes of one head prefetched during its scores: a quarter of a 1 MB L2
// (2,048 F16 positions of a 64-dim head), leaving room for the K rows. At
// 4,096 positions the cap measured the same as none on this machine; it
// keeps a small-L2 CPU from fetching rows twice.
constexpr int64_t kPrefetchedV = 256 << 10;

// Asks for the cache line at p to be brought into L2 (a hint: it never
// faults). In assembly where we know it, because GCC 12 at -O2 drops a
// __builtin_prefetch that sits behind a condition.
inline void prefetch_to_l2(const uint8_t* p) {
#if defined(__x86_64__) && defined(__GNUC__)
  asm volatile("prefetcht1 %0" : : "m"(*p));
#elif defined(__aarch64__) && defined(__GNUC__)
  asm volatile("prfm pldl2keep, [%0]" : : "r"(p));
#else
  __builtin_prefetch(p, 0, 2);
#endif
}

// Rows of `bytes` bytes, `stride` apart, into L2.
void prefetch_rows_to_l2(const uint8_t* p, int64_t stride, int64_t rows, int64_t bytes) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < bytes; b += 64) prefetch_to_l2(p + r * stride + b);
}

// Floats between two queries' score rows. A multiple of 1 KB would put the
// rows' same keys in the same few L1 sets (4 KB apart share one), and the
// score and value kernels walk all of a group's rows together: at 1,024
// keys that cost the score kernel 17% (a stand-alone loop).
int64_t score_stride(int64_t n_keys) {
  const int64_t ld = act_align_up(n_keys * 4) / 4;
  return ld % 256 == 0 ? ld + 16 : ld;
}

// Calls f(j0, j1) for the runs of positions [a, b): the pieces within one
// chunk of the KV cache, where a head's positions are contiguous.
template <class F>
void for_each_run(int64_t a, int64_t b, F&& f) {
  for (int64_t j0 = a; j0 < b;) {
    const int64_t j1 = std::min(b, KvCache::run_end(j0));
    f(j0, j1);
    j0 = j1;
  }
}

}  // namespace

// Causal grouped-query attention, one task per (head, block of up to eight
// queries), streaming the cache twice through the kernels: the keys for the
// scores, then the V rows for their weighted sum, run by run (KvCache). Two
// passes read each cache byte once, like a fused one-pass softmax, and keep
// the exact normalised probabilities the reference rounds.
// The numerics follow the reference engine's (non-flash) path: the query is
// rounded to the cache's format before the K dot products, and with an F16
// cache the normalised probabilities are rounded to f16 before meeting V.
// Random test models amplify a 1e-4 difference into a changed argmax, so
// matching this rounding is what makes the goldens agree position by position.
// Every score and output has the same arithmetic however queries are grouped.
void Qwen2Context::attention(int64_t layer, int64_t n, int64_t pos0) {
  const Qwen2Config& c = config();
  const int64_t hd = c.head_dim;
  const int64_t group = c.n_head / c.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const KernelTable& k = active_kernels();
  const GgmlType cache_type = cache_.type();
  const GgmlType q_partner = activation_partner(cache_type);
  const QuantizeActFn quantize_q = k.quantize_for(q_partner);
  const GemmFn dot_fn = k.gemm_for(cache_type);  // scores = K . q, as attn_scores computes them
  // Key blocks are never read as rows: a table without the kernel takes the
  // scalar one (every table starts from it, so this is a guard).
  KeyBlockScoresFn block_scores = nullptr;
  if (cache_.k_blocks()) {
    block_scores = k.key_block_scores_f16;
    if (block_scores == nullptr) block_scores = kernels_for(Isa::kScalar)->key_block_scores_f16;
  }
  const AttnAccumFn accum_fn = k.attn_accum[static_cast<uint32_t>(cache_type)];
  const AttnAccumMultiFn accum_multi = k.attn_accum_multi[static_cast<uint32_t>(cache_type)];
  const bool round_probs = cache_type == GgmlType::kF16;
  const int64_t stride = cache_.pos_stride();
  const int64_t q_bytes = act_row_bytes(q_partner, hd);
  auto softmax = [&](float* p, int64_t n_keys) { k.softmax(p, n_keys, scale, round_probs); };
  // Scores of keys [j0, j0 + nk) of KV head kvh for nq queries, within one
  // run of the cache. Key blocks and rows give the same bits.
  // (In decode the keys come from DRAM, and the scores wait on them: 56-73
  // cycles per key in a real step with key blocks, against 35 warm; over
  // rows, 73-84. Prefill's keys are warm: 2,048-token Q8_0 prompts, median
  // of 5 alternating rounds, 339 against 318 tok/s.)
  auto scores_of = [&](int64_t kvh, int64_t j0, int64_t nk, const uint8_t* qrows, int64_t nq,
                       float* out, int64_t ld) {
    const ActView qv{q_partner, qrows, q_bytes, hd};
    const uint8_t* keys = cache_.k_at(layer, kvh, j0);
    if (block_scores != nullptr)
      block_scores(keys, nk, qv, nq, out + j0, ld);
    else
      dot_fn(keys, stride, nk, qv, nq, out + j0, ld);
  };
  // The value sums of keys [j0, j1) continue each query's FMA chains in
  // `out`, so summing run by run gives the one-call result.
  auto values_of = [&](int64_t kvh, int64_t j0, int64_t j1, const float* p, int64_t ldp, int64_t nq,
                       float* out, int64_t ldo) {
    const uint8_t* v = cache_.v_at(layer, kvh, j0);
    if (accum_multi != nullptr && nq > 1) {
      accum_multi(p + j0, ldp, nq, v, stride, j1 - j0, hd, out, ldo);
    } else {
      for (int64_t i = 0; i < nq; ++i)
        accum_fn(p + i * ldp + j0, v, stride, j1 - j0, hd, out + i * ldo);
    }
  };
  if (n == 1) {
    // Decode: the heads that share a KV head are one task's queries, so its
    // K and V rows are read and converted once for all of them (the score
    // kernel tiles queries, and the multi-query value sum interleaves their
    // FMA chains). Heads are split further only to give every thread work:
    // a split reads the KV head's cache once per part.
    const int64_t chunks = std::min<int64_t>(group, (pool_.size() + c.n_head_kv - 1) / c.n_head_kv);
    const int64_t per_task = (group + chunks - 1) / chunks;
    const int64_t n_keys = pos0 + 1;
    const int64_t head_bytes = cache_.head_bytes();
    pool_.run(c.n_head_kv * chunks, [&](int64_t task, int) {
      static thread_local AttnScratch scratch;
      const int64_t kvh = task / chunks;
      const int64_t h0 = kvh * group + task % chunks * per_task;
      const int64_t nh = std::min(per_task, (kvh + 1) * group - h0);
      if (nh <= 0) return;
      const int64_t ld = score_stride(n_keys);
      uint8_t* qrows = scratch.get(static_cast<size_t>(nh * q_bytes + nh * ld * 4));
      float* scores = reinterpret_cast<float*>(qrows + nh * q_bytes);
      for (int64_t i = 0; i < nh; ++i) quantize_q(&q_[(h0 + i) * hd], hd, qrows + i * q_bytes);
      // The score kernel has memory to spare and the value sum does not: at
      // 1,024 keys in a real decode step it took 75-86 cycles per key on
      // rows from DRAM against 36 from cache. So after each chunk of scores
      // the same keys' V rows are asked into L2 (not L1, where they would
      // push out K rows in use): a decode step's attention call went from
      // 59-66 to 52-57 us. Only the first kPrefetchedV bytes of V: the
      // value sum starts there, and a longer context's later rows would be
      // pushed out of L2 again before it reached them (it prefetches those
      // itself). Scores are independent, so chunking changes no result.
      const int64_t v_keys = kPrefetchedV / head_bytes;
      for (int64_t j0 = 0; j0 < n_keys; j0 += kScoreChunk) {
        const int64_t nk = std::min(kScoreChunk, n_keys - j0);
        scores_of(kvh, j0, nk, qrows, nh, scores, ld);
        if (j0 < v_keys) prefetch_rows_to_l2(cache_.v_at(layer, kvh, j0), stride, nk, head_bytes);
      }
      for (int64_t i = 0; i < nh; ++i) softmax(scores + i * ld, n_keys);
      float* out = &att_[h0 * hd];
      std::fill(out, out + nh * hd, 0.0f);
      for_each_run(0, n_keys, [&](int64_t j0, int64_t j1) {
        values_of(kvh, j0, j1, scores, ld, nh, out, hd);
      });
    });
    return;
  }
  const int64_t n_blocks = (n + kQueriesPerTask - 1) / kQueriesPerTask;
  pool_.run(n_blocks * c.n_head, [&](int64_t task, int) {
    static thread_local AttnScratch scratch;
    const int64_t h = task % c.n_head;
    const int64_t t0 = task / c.n_head * kQueriesPerTask;
    const int64_t nq = std::min(kQueriesPerTask, n - t0);
    const int64_t kvh = h / group;
    const int64_t n_keys_max = pos0 + t0 + nq;  // causal: query i sees keys < pos0 + t0 + i + 1
    const int64_t ld = score_stride(n_keys_max);
    uint8_t* qrows = scratch.get(static_cast<size_t>(nq * q_bytes + nq * ld * 4));
    float* scores = reinterpret_cast<float*>(qrows + nq * q_bytes);
    for (int64_t i = 0; i < nq; ++i)
      quantize_q(&q_[(t0 + i) * c.q_dim() + h * hd], hd, qrows + i * q_bytes);
    for_each_run(0, n_keys_max, [&](int64_t j0, int64_t j1) {
      scores_of(kvh, j0, j1 - j0, qrows, nq, scores, ld);
    });
    // The keys every query of the block sees go through the multi-query
    // value sum (each V row converted once for the block); each query's own
    // causal tail then continues its FMA chains one query at a time, so the
    // sums are the one-query kernel's.
    const int64_t common = pos0 + t0 + 1;
    float* out0 = &att_[t0 * c.q_dim() + h * hd];
    for (int64_t i = 0; i < nq; ++i) {
      softmax(scores + i * ld, pos0 + t0 + i + 1);
      std::fill(out0 + i * c.q_dim(), out0 + i * c.q_dim() + hd, 0.0f);
    }
    const int64_t done = accum_multi != nullptr ? common : 0;
    if (accum_multi != nullptr) {
      for_each_run(0, common, [&](int64_t j0, int64_t j1) {
        values_of(kvh, j0, j1, scores, ld, nq, out0, c.q_dim());
      });
    }
    for (int64_t i = 0; i < nq; ++i) {
      for_each_run(done, pos0 + t0 + i + 1, [&](int64_t j0, int64_t j1) {
        values_of(kvh, j0, j1, scores + i * ld, ld, 1, out0 + i * c.q_dim(), c.q_dim());
      });
    }
  });
}

}  // namespace zhi
