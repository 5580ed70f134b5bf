// Shared helpers for the kernel tests: random weights in any format, and
// activations quantized into the ActView layout.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <random>
#include <vector>

#include "kernels/act_rows.h"
#include "kernels/activation_quant.h"
#include "kernels/kernel_table.h"
#include "quant/ggml_type.h"
#include "quant/quantize.h"

namespace zhi::testing {

// 64-byte aligned bytes, as the matmul's activation scratch is.
class AlignedBytes {
 public:
  explicit AlignedBytes(size_t n) : n_(n), p_(static_cast<uint8_t*>(::operator new(n + 64, std::align_val_t(64)))) {
    std::memset(p_, 0, n + 64);
  }
  ~AlignedBytes() { ::operator delete(p_, std::align_val_t(64)); }
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  uint8_t* data() { return p_; }
  size_t size() const { return n_; }

 private:
  size_t n_;
  uint8_t* p_;
};

inline std::vector<float> random_floats(int64_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) x = g(rng);
  // A few outliers, as real activations have.
  for (int64_t i = 0; i < n; i += 97) v[static_cast<size_t>(i)] *= 6.0f;
  return v;
}

// rows x cols weights quantized to `type` (rows of row_size_bytes each).
struct QuantWeights {
  GgmlType type;
  int64_t rows, cols, row_bytes;
  std::vector<uint8_t> data;
};

inline QuantWeights make_weights(GgmlType type, int64_t rows, int64_t cols, uint32_t seed) {
  QuantWeights w{type, rows, cols, 0, {}};
  w.row_bytes = static_cast<int64_t>(row_size_bytes(type, cols).value());
  w.data.resize(static_cast<size_t>(rows * w.row_bytes) + 64);
  const auto f = random_floats(rows * cols, seed, 0.05f);
  for (int64_t r = 0; r < rows; ++r) (void)quantize_row(type, f.data() + r * cols, w.data.data() + r * w.row_bytes, cols);
  return w;
}

// n_tokens rows of activations quantized with the scalar quantizers.
struct QuantActs {
  AlignedBytes buf;
  ActView view;
  QuantActs(GgmlType partner, const std::vector<float>& x, int64_t n_tokens, int64_t cols)
      : buf(static_cast<size_t>(n_tokens * act_row_bytes(partner, cols))) {
    const KernelTable* scalar = kernels_for(Isa::kScalar);
    const int64_t stride = act_row_bytes(partner, cols);
    for (int64_t t = 0; t < n_tokens; ++t) scalar->quantize_for(partner)(x.data() + t * cols, cols, buf.data() + t * stride);
    view = ActView{partner, buf.data(), stride, cols};
    if (partner == GgmlType::kQ8_0) {
      sums.resize(static_cast<size_t>(n_tokens * (cols / 32)));
      for (int64_t t = 0; t < n_tokens; ++t)
        act_block_sums_q8_0(view.q(t), cols, sums.data() + t * (cols / 32));
      view.block_sums = sums.data();
      lanes.resize(static_cast<size_t>(n_tokens * (cols / 4)));
      for (int64_t t = 0; t < n_tokens; ++t)
        act_lane_offsets_q8_0(view.q(t), cols, lanes.data() + t * (cols / 4));
      view.lane_offsets = lanes.data();
    }
  }
  std::vector<int32_t> sums, lanes;
};

// Calls f(false), then f(true) where the CPU has `feature`, saying so where
// it has not: for kernel tables that swap in a variant by a CPU feature.
template <class F>
void with_and_without(bool cpu_has, const char* feature, F&& f) {
  f(false);
  if (cpu_has) {
    f(true);
  } else {
    std::printf("[  SKIPPED ] the %s kernels: this CPU has no %s\n", feature, feature);
  }
}

inline std::vector<Isa> runnable_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512, Isa::kNeon})
    if (kernels_for(isa) != nullptr) out.push_back(isa);
  return out;
}

inline const std::vector<GgmlType>& weight_types() {
  static const std::vector<GgmlType> types = {
      GgmlType::kF32,  GgmlType::kF16,  GgmlType::kBF16, GgmlType::kQ4_0, GgmlType::kQ4_1,
      GgmlType::kQ5_0, GgmlType::kQ5_1, GgmlType::kQ8_0, GgmlType::kIQ4_NL, GgmlType::kQ2_K,
      GgmlType::kQ3_K, GgmlType::kQ4_K, GgmlType::kQ5_K, GgmlType::kQ6_K, GgmlType::kIQ4_XS};
  return types;
}

inline bool is_k_type(GgmlType t) { return type_info(t).block_elems == kQK_K; }

}  // namespace zhi::testing
