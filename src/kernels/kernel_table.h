// The one dispatch point for the per-ISA kernels. Each instruction set fills
// a KernelTable (scalar first, then its own overrides); matmul and attention
// reach the kernels only through active_kernels(), chosen once per process
// from the CPU's features or the ZHI_ISA override.
#pragma once

#include <cstdint>

#include "core/cpu_features.h"
#include "core/status.h"
#include "kernels/act_rows.h"
#include "quant/ggml_type.h"

namespace zhi {

// out[t * ldo + r] = dot(weight row r, activation row t) for r < nr, t < nt.
// w points at row 0 and rows are w_stride bytes apart (GGUF layout). Every
// (r, t) is computed with the same arithmetic wherever it falls in the
// kernel's tiles, so results do not depend on nr, nt or the thread split.
using GemmFn = void (*)(const uint8_t* w, int64_t w_stride, int64_t nr, const ActView& x,
                        int64_t nt, float* out, int64_t ldo);

// Quantizes one row of `cols` activations into the ActView row layout.
// Every ISA's version produces the same bytes as the scalar one.
using QuantizeActFn = void (*)(const float* x, int64_t cols, uint8_t* row);

// Attention over one head of the KV cache (head_dim values per position,
// positions `stride` bytes apart). Scores are a GemmFn of the cache's type
// (the K rows are the "weights", the queries rounded to the cache's partner
// the activations), or KeyBlockScoresFn over an F16 cache's key blocks.
// Then the weighted sum of values:
// out[i] = fma(p[j], V[j][i], out[i]) for j < n in order, i < head_dim.
using AttnAccumFn = void (*)(const float* p, const uint8_t* v, int64_t stride, int64_t n,
                             int64_t head_dim, float* out);

// The value sums of nq queries over the same V rows, as nq AttnAccumFn
// calls would give them bit for bit (query q: weights p + q * ldp, output
// out + q * ldo): each V row is loaded once for all of them, and the
// queries' independent FMA chains hide each other's latency.
using AttnAccumMultiFn = void (*)(const float* p, int64_t ldp, int64_t nq, const uint8_t* v,
                                  int64_t stride, int64_t n, int64_t head_dim, float* out,
                                  int64_t ldo);

// Attention scores over F16 keys in key blocks (kernels/key_blocks.h):
// out[t * ldo + j] = dot(key j, query t) for j < n, t < nq, where the
// queries are F16-partner rows of q.cols = head_dim values. Bit for bit the
// F16 GemmFn's result on the same keys laid out as rows (sixteen lanes,
// folded as Lanes16::hsum, then the tail elements in order). Nothing is
// written for keys at or past n, though a last partial block is read whole.
using KeyBlockScoresFn = void (*)(const uint8_t* blocks, int64_t n, const ActView& q, int64_t nq,
                                  float* out, int64_t ldo);

// p[i] = f16(p[i]) widened back, round to nearest even (the reference rounds
// attention probabilities this way before they meet an F16 V cache).
using RoundF16Fn = void (*)(float* p, int64_t n);

// Decode over packed weights (kernels/packed_weights.h): out[16 g + r] =
// dot(row r of group g, activation row t) for g < n_groups, with the same
// arithmetic as the scalar GemmFn on the unpacked rows, bit for bit.
using GemvPackedFn = void (*)(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t,
                              float* out);

// Batched products over packed weights: out[t * ldo + 16 g + r] =
// dot(row r of group g, activation row t) for t < n_tokens, g < n_groups.
// KernelTable::gemm_packed keeps the scalar GemmFn's arithmetic on the
// unpacked rows, bit for bit; gemm_blocksum (BatchArithmetic::kBlockSum)
// needs x.block_sums and has scalar::blocksum_dot_for's arithmetic.
using GemmPackedFn = void (*)(const uint8_t* groups, int64_t n_groups, const ActView& x,
                              int64_t n_tokens, float* out, int64_t ldo);

// Attention's softmax over n scores, in place: p[j] *= scale; then
// p[j] = exp(p[j] - max) (scalar::exp_approx), summed in double over
// sixteen lanes (lane j % 16, lanes then added 0..15 in order); then
// p[j] *= float(1 / sum), and rounded through f16 when round_f16 is set.
// Every ISA's version gives the same bits.
using SoftmaxFn = void (*)(float* p, int64_t n, float scale, bool round_f16);

// The gated feed-forward's activation, in place: gate[i] = gate[i] /
// (1 + exp(-gate[i])) * up[i], with scalar::exp_approx. Same bits on every ISA.
using SiluMulFn = void (*)(float* gate, const float* up, int64_t n);

inline constexpr int kMaxGgmlTypeId = 31;

struct KernelTable {
  Isa isa = Isa::kScalar;
  GemmFn gemm[kMaxGgmlTypeId] = {};                        // indexed by GGML type id
  QuantizeActFn quantize[kMaxGgmlTypeId] = {};             // indexed by partner type id
  AttnAccumFn attn_accum[kMaxGgmlTypeId] = {};             // indexed by KV cache type id
  AttnAccumMultiFn attn_accum_multi[kMaxGgmlTypeId] = {};  // optional; else attn_accum per query
  GemvPackedFn gemv_packed[kMaxGgmlTypeId] = {};  // weight types with a packed decode kernel here
  GemmPackedFn gemm_packed[kMaxGgmlTypeId] = {};    // optional; else prefill unpacks to gemm[]
  GemmPackedFn gemm_blocksum[kMaxGgmlTypeId] = {};  // optional: BatchArithmetic::kBlockSum
  KeyBlockScoresFn key_block_scores_f16 = nullptr;
  RoundF16Fn round_f16 = nullptr;
  SoftmaxFn softmax = nullptr;
  SiluMulFn silu_mul = nullptr;

  GemmFn gemm_for(GgmlType t) const { return gemm[static_cast<uint32_t>(t)]; }
  QuantizeActFn quantize_for(GgmlType t) const { return quantize[static_cast<uint32_t>(t)]; }
  GemvPackedFn gemv_packed_for(GgmlType t) const { return gemv_packed[static_cast<uint32_t>(t)]; }
  GemmPackedFn gemm_packed_for(GgmlType t) const { return gemm_packed[static_cast<uint32_t>(t)]; }
  GemmPackedFn gemm_blocksum_for(GgmlType t) const { return gemm_blocksum[static_cast<uint32_t>(t)]; }
};

// The kernels in use: the best the CPU runs, or ZHI_ISA's choice.
const KernelTable& active_kernels();

// The table for one instruction set, or nullptr when this build or this CPU
// cannot run it. Tests walk every ISA with this.
const KernelTable* kernels_for(Isa isa);

// Why ZHI_ISA was not honoured (unknown name, or an ISA this CPU lacks);
// OK when it was, or is unset. The kernels then run on the best ISA.
Status kernel_selection_status();

// Per-ISA fillers; each starts from the table it is handed (scalar or a
// narrower ISA's) and overrides what it implements.
void fill_scalar_kernels(KernelTable& t);
void fill_avx2_kernels(KernelTable& t);
void fill_avx512_kernels(KernelTable& t);
void fill_neon_kernels(KernelTable& t);

}  // namespace zhi
