// Matrix kernels on Qwen2.5-0.5B shapes, through the same matmul() the model
// calls. ZHI_ISA picks the kernels (scalar, avx2, avx512, neon).
//   decode: one token, weights streamed once -> bytes/s is the figure of merit
//   prefill: 512 tokens -> MAC/s
// Run: ./matmul_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "core/page_buffer.h"
#include "core/thread_pool.h"
#include "kernels/matmul.h"
#include "other_load_counter.h"
#include "quant/quantize.h"

namespace zhi {
namespace {

struct Matrix {
  std::vector<uint8_t> bytes;
  PageBuffer packed;
  WeightMatrix w;
};

// With `packed`, the matrix is also repacked as the model does at load
// (kernels/packed_weights.h), when the active kernels decode its type packed.
Matrix make_matrix(GgmlType type, int64_t rows, int64_t cols, bool packed) {
  Matrix m;
  const uint64_t row_bytes = row_size_bytes(type, cols).value();
  m.bytes.resize(row_bytes * rows);
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0.0f, 0.02f);
  std::vector<float> row(cols);
  for (int64_t r = 0; r < rows; ++r) {
    for (auto& v : row) v = g(rng);
    (void)quantize_row(type, row.data(), m.bytes.data() + r * row_bytes, cols);
  }
  m.w = WeightMatrix{type, m.bytes.data(), rows, cols, row_bytes};
  if (packed && packed_matrix_bytes(m.w) > 0) {
    m.packed = PageBuffer::allocate(static_cast<size_t>(packed_matrix_bytes(m.w)));
    if (m.packed.data() != nullptr) {
      pack_matrix(m.w, m.packed.data(), [](const uint8_t*, size_t) {});
      m.w.packed = m.packed.data();
    }
  }
  return m;
}

void run(benchmark::State& state, GgmlType type, int64_t rows, int64_t cols, bool packed = false,
         BatchArithmetic arith = BatchArithmetic::kReference) {
  const int64_t n_tokens = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  static thread_local Matrix m;
  static thread_local bool m_packed = false;
  if (m.w.type != type || m.w.rows != rows || m.w.cols != cols || m.bytes.empty() ||
      m_packed != packed) {
    m = make_matrix(type, rows, cols, packed);
    m_packed = packed;
  }
  if (packed && m.w.packed == nullptr) {
    state.SkipWithError("the active kernels have no packed decode kernel for this type");
    return;
  }
  std::vector<float> x(n_tokens * cols), out(n_tokens * rows);
  std::mt19937 rng(2);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (auto& v : x) v = g(rng);
  ThreadPool pool(threads);
  const OtherLoadCounter other_load(state);
  for (auto _ : state) {
    matmul(m.w, x.data(), n_tokens, out.data(), pool, arith);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GB/s"] = benchmark::Counter(
      static_cast<double>(m.bytes.size()) * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["GMAC/s"] =
      benchmark::Counter(static_cast<double>(rows * cols * n_tokens) * state.iterations() / 1e9,
                         benchmark::Counter::kIsRate);
}

#define ZHI_MATMUL_BENCH(name, type, rows, cols, packed)               \
  void name(benchmark::State& s) { run(s, type, rows, cols, packed); } \
  BENCHMARK(name)                                                      \
      ->ArgNames({"tokens", "threads"})                                \
      ->Args({1, 1})                                                   \
      ->Args({1, 2})                                                   \
      ->Args({512, 1})                                                 \
      ->Args({512, 2})                                                 \
      ->Unit(benchmark::kMicrosecond)                                  \
      ->UseRealTime()

// ffn_up / ffn_gate of the 0.5B model: 4864 rows of 896.
ZHI_MATMUL_BENCH(BM_Q8_0_up, GgmlType::kQ8_0, 4864, 896, false);
ZHI_MATMUL_BENCH(BM_Q4_0_up, GgmlType::kQ4_0, 4864, 896, false);
ZHI_MATMUL_BENCH(BM_Q5_0_up, GgmlType::kQ5_0, 4864, 896, false);
ZHI_MATMUL_BENCH(BM_Q5_1_up, GgmlType::kQ5_1, 4864, 896, false);
ZHI_MATMUL_BENCH(BM_IQ4_NL_up, GgmlType::kIQ4_NL, 4864, 896, false);
ZHI_MATMUL_BENCH(BM_F16_up, GgmlType::kF16, 4864, 896, false);
// The same matrices repacked at load, as the model holds them by default.
ZHI_MATMUL_BENCH(BM_Q8_0_up_packed, GgmlType::kQ8_0, 4864, 896, true);
ZHI_MATMUL_BENCH(BM_Q4_0_up_packed, GgmlType::kQ4_0, 4864, 896, true);
ZHI_MATMUL_BENCH(BM_Q5_0_up_packed, GgmlType::kQ5_0, 4864, 896, true);
// Prompts over the packed matrices with --fast-prompts (block-sum arithmetic).
#define ZHI_BLOCKSUM_BENCH(name, type, rows, cols)                                               \
  void name(benchmark::State& s) { run(s, type, rows, cols, true, BatchArithmetic::kBlockSum); } \
  BENCHMARK(name)                                                                                \
      ->ArgNames({"tokens", "threads"})                                                          \
      ->Args({512, 1})                                                                           \
      ->Args({512, 2})                                                                           \
      ->Unit(benchmark::kMicrosecond)                                                            \
      ->UseRealTime()
ZHI_BLOCKSUM_BENCH(BM_Q8_0_up_blocksum, GgmlType::kQ8_0, 4864, 896);
ZHI_BLOCKSUM_BENCH(BM_Q4_0_up_blocksum, GgmlType::kQ4_0, 4864, 896);
ZHI_BLOCKSUM_BENCH(BM_Q5_0_up_blocksum, GgmlType::kQ5_0, 4864, 896);
// ffn_down of the 1.5B model (K-quants need multiples of 256): 1536 rows of 8960.
ZHI_MATMUL_BENCH(BM_Q4_K_down15, GgmlType::kQ4_K, 1536, 8960, false);
ZHI_MATMUL_BENCH(BM_Q5_K_down15, GgmlType::kQ5_K, 1536, 8960, false);
ZHI_MATMUL_BENCH(BM_Q6_K_down15, GgmlType::kQ6_K, 1536, 8960, false);
ZHI_MATMUL_BENCH(BM_Q4_K_down15_packed, GgmlType::kQ4_K, 1536, 8960, true);
ZHI_MATMUL_BENCH(BM_Q6_K_down15_packed, GgmlType::kQ6_K, 1536, 8960, true);
// The 0.5B output projection (151936 x 896, 145 MB as Q8_0): far larger than
// any cache, so decode here streams from DRAM as it does in the model.
#define ZHI_DECODE_BENCH(name, type, rows, cols, packed)               \
  void name(benchmark::State& s) { run(s, type, rows, cols, packed); } \
  BENCHMARK(name)                                                      \
      ->ArgNames({"tokens", "threads"})                                \
      ->Args({1, 1})                                                   \
      ->Args({1, 2})                                                   \
      ->Unit(benchmark::kMicrosecond)                                  \
      ->UseRealTime()
ZHI_DECODE_BENCH(BM_Q8_0_output, GgmlType::kQ8_0, 151936, 896, false);
ZHI_DECODE_BENCH(BM_Q4_0_output, GgmlType::kQ4_0, 151936, 896, false);
ZHI_DECODE_BENCH(BM_Q8_0_output_packed, GgmlType::kQ8_0, 151936, 896, true);
ZHI_DECODE_BENCH(BM_Q4_0_output_packed, GgmlType::kQ4_0, 151936, 896, true);
ZHI_DECODE_BENCH(BM_Q5_0_output_packed, GgmlType::kQ5_0, 151936, 896, true);

}  // namespace
}  // namespace zhi

BENCHMARK_MAIN();
