// The scalar twins against a plain double-precision dot product of the
// dequantized weights and dequantized activations: the twins may differ only
// by f32 rounding, plus (Q4_1, Q5_1) the reference's f16-rounded s term.
#include <gtest/gtest.h>

#include <cmath>

#include "core/half.h"
#include "kernel_test_util.h"
#include "kernels/scalar/dot_scalar.h"
#include "quant/block_formats.h"
#include "quant/dequantize.h"

namespace zhi {
namespace {

using testing::make_weights;
using testing::QuantActs;
using testing::random_floats;

// Dequantized activation row t.
std::vector<double> act_values(const ActView& a, int64_t t) {
  std::vector<double> v(static_cast<size_t>(a.cols));
  for (int64_t j = 0; j < a.cols; ++j) {
    switch (a.type) {
      case GgmlType::kQ8_0:
      case GgmlType::kQ8_1: v[j] = static_cast<double>(a.d(t)[j / kQK]) * a.q(t)[j]; break;
      case GgmlType::kQ8_K: v[j] = static_cast<double>(a.d(t)[j / kQK_K]) * a.q(t)[j]; break;
      case GgmlType::kF16: v[j] = f16_to_f32(a.h(t)[j]); break;
      case GgmlType::kBF16: v[j] = bf16_to_f32(a.h(t)[j]); break;
      default: v[j] = a.f(t)[j];
    }
  }
  return v;
}

class ScalarTwin : public ::testing::TestWithParam<GgmlType> {};

TEST_P(ScalarTwin, MatchesDequantizedDoubleDot) {
  const GgmlType type = GetParam();
  const GgmlType partner = activation_partner(type);
  const auto dot = scalar::vec_dot_for(static_cast<uint32_t>(type));
  ASSERT_NE(dot, nullptr);
  for (int64_t cols : {256, 512, 768}) {
    SCOPED_TRACE("cols " + std::to_string(cols));
    const int64_t rows = 5, n_tokens = 3;
    const auto w = make_weights(type, rows, cols, 11 + static_cast<uint32_t>(cols));
    const auto x = random_floats(n_tokens * cols, 7);
    QuantActs acts(partner, x, n_tokens, cols);
    std::vector<float> wrow(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
      const uint8_t* wr = w.data.data() + r * w.row_bytes;
      ASSERT_TRUE(dequantize_row(type, wr, wrow.data(), cols).ok());
      for (int64_t t = 0; t < n_tokens; ++t) {
        const auto xv = act_values(acts.view, t);
        double expect = 0.0, magnitude = 0.0;
        for (int64_t j = 0; j < cols; ++j) {
          expect += wrow[j] * xv[j];
          magnitude += std::fabs(wrow[j] * xv[j]);
        }
        if (partner == GgmlType::kQ8_1) {
          // The min meets the activations through s = fp16(d * sum q), not d * sum q.
          const int64_t block_bytes = type_info(type).block_bytes;
          for (int64_t b = 0; b < cols / kQK; ++b) {
            uint16_t m;
            std::memcpy(&m, wr + b * block_bytes + 2, 2);  // Q4_1/Q5_1: half d, half m, ...
            int sum = 0;
            for (int j = 0; j < kQK; ++j) sum += acts.view.q(t)[b * kQK + j];
            expect += f16_to_f32(m) * (acts.view.s(t)[b] - static_cast<double>(acts.view.d(t)[b]) * sum);
          }
        }
        const float got = dot(wr, acts.view, t);
        EXPECT_NEAR(got, expect, 2e-6 * magnitude + 1e-7) << "row " << r << " token " << t;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, ScalarTwin, ::testing::ValuesIn(testing::weight_types()),
                         [](const auto& info) { return std::string(type_name(info.param)); });

}  // namespace
}  // namespace zhi
