#include "kernels/matmul.h"

#include <algorithm>
#include <memory>
#include <new>

#include "kernels/act_rows.h"
#include "kernels/activation_quant.h"
#include "kernels/kernel_table.h"
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

void dequantize_matrix_row(const WeightMatrix& w, int64_t row, float* dst) {
  // Sizes were validated when the model was loaded; a failure here is a bug.
  (void)dequantize_row(w.type, w.data + static_cast<uint64_t>(row) * w.row_bytes, dst, w.cols);
}

ActView quantize_activations(const KernelTable& k, GgmlType partner, const float* x, int64_t n_tokens, int64_t cols,
                             uint8_t* buf, ThreadPool& pool) {
  const int64_t stride = act_row_bytes(partner, cols);
  const QuantizeActFn quantize = k.quantize_for(partner);
  // Rows are independent, so splitting them over threads cannot change a byte.
  constexpr int64_t kTokensPerTask = 8;
  if (n_tokens < 2 * kTokensPerTask) {
    for (int64_t t = 0; t < n_tokens; ++t) quantize(x + t * cols, cols, buf + t * stride);
  } else {
    pool.run((n_tokens + kTokensPerTask - 1) / kTokensPerTask, [&](int64_t task, int) {
      const int64_t t1 = std::min(n_tokens, (task + 1) * kTokensPerTask);
      for (int64_t t = task * kTokensPerTask; t < t1; ++t) quantize(x + t * cols, cols, buf + t * stride);
    });
  }
  return ActView{partner, buf, stride, cols};
}

void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* out, ThreadPool& pool) {
  static thread_local ActScratch scratch;
  const KernelTable& k = active_kernels();
  const GgmlType partner = activation_partner(w.type);
  const GemmFn gemm = k.gemm_for(w.type);
  const ActView acts = quantize_activations(k, partner, x, n_tokens, w.cols,
                                            scratch.get(n_tokens * act_row_bytes(partner, w.cols)), pool);
  int64_t rows_per_task = kRowsPerPrefillTask;
  if (n_tokens < kPrefillTokens) {
    const int64_t runs = kDecodeTasksPerThread * pool.size();
    rows_per_task = std::max(kMinRowsPerDecodeTask, ((w.rows + runs - 1) / runs + 7) / 8 * 8);
  }
  const int64_t n_tasks = (w.rows + rows_per_task - 1) / rows_per_task;
  pool.run(n_tasks, [&](int64_t task, int) {
    const int64_t r0 = task * rows_per_task;
    const int64_t nr = std::min(w.rows, r0 + rows_per_task) - r0;
    gemm(w.data + r0 * static_cast<int64_t>(w.row_bytes), static_cast<int64_t>(w.row_bytes), nr, acts, n_tokens,
         out + r0, w.rows);
  });
}

}  // namespace zhi
