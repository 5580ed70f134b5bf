#include "kernels/matmul.h"

#include <vector>

#include "kernels/activation_quant.h"
#include "quant/dequantize.h"

namespace zhi {
namespace {
// Rows per task: enough to amortise the task hand-out, small enough that two
// threads balance on the 896-row matrices of the 0.5B model.
constexpr int64_t kRowsPerTask = 16;
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

void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* out, ThreadPool& pool) {
  const int64_t n_tasks = (w.rows + kRowsPerTask - 1) / kRowsPerTask;
  static thread_local std::vector<float> row_buf;
  // Round activations once per matmul through the weight type's partner format.
  static thread_local std::vector<float> xq;
  const GgmlType partner = activation_partner(w.type);
  if (partner != GgmlType::kF32) {
    xq.resize(n_tokens * w.cols);
    for (int64_t t = 0; t < n_tokens; ++t)
      round_activations_through(partner, x + t * w.cols, w.cols, xq.data() + t * w.cols);
    x = xq.data();
  }
  pool.run(n_tasks, [&](int64_t task, int) {
    if (static_cast<int64_t>(row_buf.size()) < w.cols) row_buf.resize(w.cols);
    const int64_t r0 = task * kRowsPerTask;
    const int64_t r1 = std::min(w.rows, r0 + kRowsPerTask);
    for (int64_t r = r0; r < r1; ++r) {
      dequantize_matrix_row(w, r, row_buf.data());
      for (int64_t t = 0; t < n_tokens; ++t) out[t * w.rows + r] = dot_f32(row_buf.data(), x + t * w.cols, w.cols);
    }
  });
}

}  // namespace zhi
