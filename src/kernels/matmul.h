// Matrix products between quantized weights and f32 activations. This is
// the one entry point the model calls; the fast per-ISA kernels slot in
// behind it without the model changing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "core/status.h"
#include "core/thread_pool.h"
#include "quant/ggml_type.h"

namespace zhi {

// A row-major weight matrix as stored in GGUF: `rows` rows of `cols`
// elements, each row `row_bytes` long in format `type`.
struct WeightMatrix {
  GgmlType type = GgmlType::kF32;
  const uint8_t* data = nullptr;
  int64_t rows = 0;  // output features
  int64_t cols = 0;  // input features
  uint64_t row_bytes = 0;
  // The same matrix in the packed layout (kernels/packed_weights.h), or
  // nullptr. When set, matmul reads only this copy; `data` stays valid for
  // row lookups (token embeddings) and is never streamed per token.
  const uint8_t* packed = nullptr;
};

// How a batch (n_tokens > 1) meets packed 32-element weights (Q8_0, Q4_0,
// Q5_0) where the kernels have a block-sum batched kernel.
//  - kReference: the eight-lane arithmetic of the decode kernels and of the
//    reference engine's own kernels, so outputs do not depend on the layout
//    or the batch shape, and the conformance goldens are met.
//  - kBlockSum: each block's exact integer sum is folded in with one FMA
//    (scalar::blocksum_dot_for). About half the vector instructions, so
//    prefill is much faster; results differ from kReference by float
//    rounding, which quantized activations can grow to whole quantization
//    steps in later layers. Decode is unchanged.
enum class BatchArithmetic { kReference, kBlockSum };

// out[t * w.rows + r] = sum_c W[r, c] * x[t * w.cols + c], for t < n_tokens.
// Work is split over output rows only, so results do not depend on the
// number of threads.
void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* out, ThreadPool& pool,
            BatchArithmetic arith = BatchArithmetic::kReference);

// Several matrices applied to the same activations (a layer's Q, K and V,
// or its gate and up projections) in one pass of the pool: one
// synchronisation instead of one per matrix, each matrix's rows split as
// matmul() splits them, so every output is the same as matmul() gives.
struct MatmulJob {
  const WeightMatrix* w = nullptr;
  float* out = nullptr;  // n_tokens x w->rows
};
inline constexpr size_t kMaxGroupJobs = 4;
void matmul_group(std::span<const MatmulJob> jobs, const float* x, int64_t n_tokens,
                  ThreadPool& pool, BatchArithmetic arith = BatchArithmetic::kReference);

// Bytes of w in the packed layout when the active kernels decode it packed
// (a packed decode kernel for its type, rows a multiple of kPackRows), else 0.
int64_t packed_matrix_bytes(const WeightMatrix& w);
// Writes groups [g0, g1) of w's packed layout (kPackRows rows each) into
// dst, which points at the start of the whole packed matrix
// (packed_matrix_bytes(w) bytes); the source rows they came from are
// [w.data + g0 * kPackRows * w.row_bytes, ... g1 ...). Disjoint ranges may be
// packed concurrently.
void pack_matrix_groups(const WeightMatrix& w, uint8_t* dst, int64_t g0, int64_t g1);
// Groups per slice when packing a slice at a time (about 4 MB of source
// rows): packers release each slice's source pages as soon as it is copied.
int64_t pack_slice_groups(const WeightMatrix& w);
// The whole matrix, calling consumed(p, n) after each slice of source rows
// [p, p + n) has been copied.
void pack_matrix(const WeightMatrix& w, uint8_t* dst,
                 const std::function<void(const uint8_t*, size_t)>& consumed);

// Copies row `row` of w, dequantized, into dst (w.cols floats).
void dequantize_matrix_row(const WeightMatrix& w, int64_t row, float* dst);

float dot_f32(const float* a, const float* b, int64_t n);

struct KernelTable;
struct ActView;
// Quantizes n_tokens rows of `cols` activations to `partner` into buf
// (n_tokens * act_row_bytes(partner, cols) bytes, 64-byte aligned). For a
// Q8_0 partner, a non-null block_sums (n_tokens * cols / 32 ints) also gets
// each block's sum of quants (ActView::block_sums), and a non-null
// lane_offsets (n_tokens * cols / 4 ints) ActView::lane_offsets.
ActView quantize_activations(const KernelTable& k, GgmlType partner, const float* x,
                             int64_t n_tokens, int64_t cols, uint8_t* buf, ThreadPool& pool,
                             int32_t* block_sums = nullptr, int32_t* lane_offsets = nullptr);

}  // namespace zhi
