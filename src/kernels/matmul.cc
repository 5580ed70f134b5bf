#include "kernels/matmul.h"

#include <algorithm>
#include <memory>
#include <new>
#include <vector>

#include "kernels/act_rows.h"
#include "kernels/activation_quant.h"
#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"
#include "quant/dequantize.h"

namespace zhi {
namespace {

// Rows per task, a multiple of every kernel's row tile (8 for decode, 4 for
// prefill).
// Decode streams the weights from DRAM once per token, so each thread must
// read long contiguous runs: with short interleaved tasks (16 rows) the two
// threads alternate every few KB, the hardware prefetchers never lock on and
// each kernel's look-ahead prefetch lands in the other core's task. Measured
// on the 0.5B output matrix (145 MB Q8_0, 2 threads, bench/matmul_bench):
// 16 rows 8.3 ms, 256 rows 4.1 ms, two runs per thread 2.7 ms (4: 3.4 ms,
// 8: 3.4 ms). So decode splits each matrix into
// kDecodeTasksPerThread runs per thread (enough slack to rebalance when one
// thread is descheduled), never below kMinRowsPerDecodeTask.
// Prefill: each task packs the batch's activations for its kernel once, so
// tasks grow to 64 rows (14 tasks on those matrices) to amortise that.
constexpr int64_t kDecodeTasksPerThread = 2;
constexpr int64_t kMinRowsPerDecodeTask = 16;
constexpr int64_t kRowsPerPrefillTask = 64;
constexpr int64_t kPrefillTokens = 16;

// Grows once to the largest matmul's activations and is reused, so the hot
// loop does not allocate. One per calling thread: contexts on different
// threads never share it.
class ActScratch {
 public:
  uint8_t* get(size_t bytes) {
    if (bytes > capacity_) {
      data_.reset(static_cast<uint8_t*>(::operator new(bytes, std::align_val_t(kActAlign))));
      capacity_ = bytes;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(uint8_t* p) const { ::operator delete(p, std::align_val_t(kActAlign)); }
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t capacity_ = 0;
};

// Where the kernels have no batched kernel over a packed type, packed
// weights meet a batch of tokens through the row-major kernels: each task
// unpacks up to this many rows at a time into thread-local scratch (an
// L2-sized copy) and runs the batched kernel on them.
constexpr int64_t kUnpackRows = 4 * kPackRows;

int64_t decode_rows_per_task(int64_t rows, int n_threads, int64_t tile) {
  const int64_t runs = kDecodeTasksPerThread * n_threads;
  return std::max(kMinRowsPerDecodeTask, ((rows + runs - 1) / runs + tile - 1) / tile * tile);
}

int64_t rows_per_task(const WeightMatrix& w, int64_t n_tokens, int n_threads) {
  if (n_tokens >= kPrefillTokens) return kRowsPerPrefillTask;
  return decode_rows_per_task(w.rows, n_threads, w.packed != nullptr ? kPackRows : 8);
}

// Whether a batch meets w through the block-sum kernel over its packed
// layout, which needs the activations' block sums.
bool uses_blocksum_gemm(const KernelTable& k, const WeightMatrix& w, int64_t n_tokens,
                        BatchArithmetic arith) {
  return arith == BatchArithmetic::kBlockSum && n_tokens > 1 && w.packed != nullptr &&
         k.gemm_blocksum_for(w.type) != nullptr && activation_partner(w.type) == GgmlType::kQ8_0;
}

// Whether a batch meets w through a batched kernel over its packed layout
// in the reference arithmetic, which starts from the activations' lane
// offsets when they carry them.
bool uses_lane_offsets(const KernelTable& k, const WeightMatrix& w, int64_t n_tokens,
                       BatchArithmetic arith) {
  return n_tokens > 1 && w.packed != nullptr && k.gemm_packed_for(w.type) != nullptr &&
         activation_partner(w.type) == GgmlType::kQ8_0 && !uses_blocksum_gemm(k, w, n_tokens, arith);
}

// Rows [r0, r1) of w against every token: one task's work.
// Packed matrices take the block-sum kernel exactly when acts carry block
// sums (matmul_group made them because uses_blocksum_gemm said so).
void rows_product(const KernelTable& k, const WeightMatrix& w, const ActView& acts,
                  int64_t n_tokens, float* out, int64_t r0, int64_t r1) {
  const int64_t row_bytes = static_cast<int64_t>(w.row_bytes);
  if (w.packed == nullptr) {
    k.gemm_for(w.type)(w.data + r0 * row_bytes, row_bytes, r1 - r0, acts, n_tokens, out + r0,
                       w.rows);
    return;
  }
  const int64_t group_bytes = packed_group_bytes(w.type, w.cols);
  const GemvPackedFn gemv = k.gemv_packed_for(w.type);
  if (n_tokens == 1 && gemv != nullptr) {
    gemv(w.packed + r0 / kPackRows * group_bytes, (r1 - r0) / kPackRows, acts, 0, out + r0);
    return;
  }
  const uint8_t* groups = w.packed + r0 / kPackRows * group_bytes;
  const int64_t n_groups = (r1 - r0) / kPackRows;
  if (acts.block_sums != nullptr && k.gemm_blocksum_for(w.type) != nullptr) {
    k.gemm_blocksum_for(w.type)(groups, n_groups, acts, n_tokens, out + r0, w.rows);
    return;
  }
  if (k.gemm_packed_for(w.type) != nullptr) {
    k.gemm_packed_for(w.type)(groups, n_groups, acts, n_tokens, out + r0, w.rows);
    return;
  }
  static thread_local ActScratch unpacked;
  uint8_t* rows = unpacked.get(static_cast<size_t>(kUnpackRows * row_bytes));
  for (; r0 < r1; r0 += kUnpackRows) {
    const int64_t nr = std::min(kUnpackRows, r1 - r0);
    for (int64_t g = 0; g < nr / kPackRows; ++g)
      unpack_group(w.type, w.packed + (r0 / kPackRows + g) * group_bytes, w.cols,
                   rows + g * kPackRows * row_bytes, row_bytes);
    k.gemm_for(w.type)(rows, row_bytes, nr, acts, n_tokens, out + r0, w.rows);
  }
}

}  // namespace

float dot_f32(const float* a, const float* b, int64_t n) {
  // Eight partial sums let the compiler vectorise without -ffast-math.
  float acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] += a[i + k] * b[i + k];
  }
  float sum = 0.0f;
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

int64_t packed_matrix_bytes(const WeightMatrix& w) {
  if (!has_packed_layout(w.type) || w.rows % kPackRows != 0 || w.cols % kQK != 0) return 0;
  if (active_kernels().gemv_packed_for(w.type) == nullptr) return 0;
  return w.rows / kPackRows * packed_group_bytes(w.type, w.cols);
}

void pack_matrix_groups(const WeightMatrix& w, uint8_t* dst, int64_t g0, int64_t g1) {
  const int64_t group_bytes = packed_group_bytes(w.type, w.cols);
  const int64_t src_group = kPackRows * static_cast<int64_t>(w.row_bytes);
  for (int64_t g = g0; g < g1; ++g)
    pack_group(w.type, w.data + g * src_group, static_cast<int64_t>(w.row_bytes), w.cols,
               dst + g * group_bytes);
}

int64_t pack_slice_groups(const WeightMatrix& w) {
  constexpr int64_t kSliceBytes = int64_t{4} << 20;
  return std::max<int64_t>(1, kSliceBytes / (kPackRows * static_cast<int64_t>(w.row_bytes)));
}

void pack_matrix(const WeightMatrix& w, uint8_t* dst,
                 const std::function<void(const uint8_t*, size_t)>& consumed) {
  const int64_t src_group = kPackRows * static_cast<int64_t>(w.row_bytes);
  const int64_t groups_per_slice = pack_slice_groups(w);
  const int64_t n_groups = w.rows / kPackRows;
  for (int64_t g0 = 0; g0 < n_groups; g0 += groups_per_slice) {
    const int64_t g1 = std::min(n_groups, g0 + groups_per_slice);
    pack_matrix_groups(w, dst, g0, g1);
    consumed(w.data + g0 * src_group, static_cast<size_t>((g1 - g0) * src_group));
  }
}

void dequantize_matrix_row(const WeightMatrix& w, int64_t row, float* dst) {
  // Sizes were validated when the model was loaded; a failure here is a bug.
  if (w.packed == nullptr) {
    (void)dequantize_row(w.type, w.data + static_cast<uint64_t>(row) * w.row_bytes, dst, w.cols);
    return;
  }
  static thread_local std::vector<uint8_t> one_row;
  one_row.resize(w.row_bytes);
  unpack_row(w.type, w.packed + row / kPackRows * packed_group_bytes(w.type, w.cols), w.cols,
             row % kPackRows, one_row.data());
  (void)dequantize_row(w.type, one_row.data(), dst, w.cols);
}

ActView quantize_activations(const KernelTable& k, GgmlType partner, const float* x,
                             int64_t n_tokens, int64_t cols, uint8_t* buf, ThreadPool& pool,
                             int32_t* block_sums, int32_t* lane_offsets) {
  const int64_t stride = act_row_bytes(partner, cols);
  const QuantizeActFn quantize = k.quantize_for(partner);
  const bool sums = block_sums != nullptr && partner == GgmlType::kQ8_0;
  const bool lanes = lane_offsets != nullptr && partner == GgmlType::kQ8_0;
  auto one_row = [&](int64_t t) {
    quantize(x + t * cols, cols, buf + t * stride);
    const int8_t* q = reinterpret_cast<const int8_t*>(buf + t * stride);
    if (sums) act_block_sums_q8_0(q, cols, block_sums + t * (cols / kQK));
    if (lanes) act_lane_offsets_q8_0(q, cols, lane_offsets + t * (cols / 4));
  };
  // Rows are independent, so splitting them over threads cannot change a byte.
  constexpr int64_t kTokensPerTask = 8;
  if (n_tokens < 2 * kTokensPerTask) {
    for (int64_t t = 0; t < n_tokens; ++t) one_row(t);
  } else {
    pool.run((n_tokens + kTokensPerTask - 1) / kTokensPerTask, [&](int64_t task, int) {
      const int64_t t1 = std::min(n_tokens, (task + 1) * kTokensPerTask);
      for (int64_t t = task * kTokensPerTask; t < t1; ++t) one_row(t);
    });
  }
  ActView view{partner, buf, stride, cols};
  if (sums) view.block_sums = block_sums;
  if (lanes) view.lane_offsets = lane_offsets;
  return view;
}

void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* out, ThreadPool& pool,
            BatchArithmetic arith) {
  const MatmulJob job{&w, out};
  matmul_group({&job, 1}, x, n_tokens, pool, arith);
}

void matmul_group(std::span<const MatmulJob> jobs, const float* x, int64_t n_tokens,
                  ThreadPool& pool, BatchArithmetic arith) {
  static thread_local ActScratch scratch[kMaxGroupJobs];
  const KernelTable& k = active_kernels();
  const int n_jobs = static_cast<int>(std::min<size_t>(jobs.size(), kMaxGroupJobs));
  // Activations once per partner format; matrices with the same partner share them.
  ActView acts[kMaxGroupJobs];
  int64_t first_task[kMaxGroupJobs + 1] = {};
  int64_t per_task[kMaxGroupJobs] = {};
  for (int j = 0; j < n_jobs; ++j) {
    const WeightMatrix& w = *jobs[j].w;
    const GgmlType partner = activation_partner(w.type);
    int same = -1;
    for (int i = 0; i < j && same < 0; ++i)
      if (acts[i].type == partner && acts[i].cols == w.cols) same = i;
    // The block sums and lane offsets are made for the first matrix that
    // needs them and shared like the quants (all of a group's matrices have
    // the same cols).
    const bool sums = uses_blocksum_gemm(k, w, n_tokens, arith);
    const bool lanes = uses_lane_offsets(k, w, n_tokens, arith);
    if (same >= 0 && (!sums || acts[same].block_sums != nullptr) &&
        (!lanes || acts[same].lane_offsets != nullptr)) {
      acts[j] = acts[same];
    } else {
      const int64_t act_bytes = n_tokens * act_row_bytes(partner, w.cols);
      const int64_t sum_bytes = sums ? n_tokens * (w.cols / kQK) * 4 : 0;
      const int64_t lane_bytes = lanes ? n_tokens * w.cols : 0;  // one int32 per four quants
      uint8_t* buf = scratch[j].get(static_cast<size_t>(act_bytes + sum_bytes + lane_bytes));
      acts[j] = quantize_activations(
          k, partner, x, n_tokens, w.cols, buf, pool,
          sums ? reinterpret_cast<int32_t*>(buf + act_bytes) : nullptr,
          lanes ? reinterpret_cast<int32_t*>(buf + act_bytes + sum_bytes) : nullptr);
    }
    per_task[j] = rows_per_task(w, n_tokens, pool.size());
    first_task[j + 1] = first_task[j] + (w.rows + per_task[j] - 1) / per_task[j];
  }
  pool.run(first_task[n_jobs], [&](int64_t task, int) {
    int j = 0;
    while (task >= first_task[j + 1]) ++j;
    const WeightMatrix& w = *jobs[j].w;
    const int64_t r0 = (task - first_task[j]) * per_task[j];
    rows_product(k, w, acts[j], n_tokens, jobs[j].out, r0, std::min(w.rows, r0 + per_task[j]));
  });
  // Any jobs past the group limit run on their own.
  if (jobs.size() > kMaxGroupJobs)
    matmul_group(jobs.subspan(kMaxGroupJobs), x, n_tokens, pool, arith);
}
}  // namespace zhi
