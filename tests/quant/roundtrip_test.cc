// Random data through quantize_row -> dequantize_row, per block: the error must
// stay within what each format's geometry allows. Bounds are stated relative
// to the block's largest magnitude (amax) or its range, with the reasoning
// beside each.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/half.h"
#include "quant/block_formats.h"
#include "quant/dequantize.h"
#include "quant/quantize.h"

namespace zhi {
namespace {

enum class Dist { kUniform, kGaussian, kOutliers, kPositive, kTiny };

const char* dist_name(Dist d) {
  switch (d) {
    case Dist::kUniform: return "uniform";
    case Dist::kGaussian: return "gaussian";
    case Dist::kOutliers: return "outliers";
    case Dist::kPositive: return "positive";
    case Dist::kTiny: return "tiny";
  }
  return "?";
}

std::vector<float> make_data(Dist dist, int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (auto& v : x) {
    switch (dist) {
      case Dist::kUniform: v = uni(rng); break;
      case Dist::kGaussian: v = gauss(rng); break;
      // Weights with rare large entries, as in real attention/FFN matrices.
      case Dist::kOutliers: v = gauss(rng) * (uni(rng) > 0.98f ? 20.0f : 0.05f); break;
      // Offset away from zero: exercises the min of the affine types.
      case Dist::kPositive: v = 1.25f + 0.75f * uni(rng); break;
      // Small magnitudes, well inside f16's normal range after scaling.
      case Dist::kTiny: v = 1e-3f * gauss(rng); break;
    }
  }
  return x;
}

struct BlockError {
  double max_abs = 0;  // max |x - x̂| over the block
  double rmse = 0;
  double amax = 0;     // max |x|
  double range = 0;    // max x - min x
  double abs_min = 0;  // |min x|
};

std::vector<BlockError> roundtrip(GgmlType type, const std::vector<float>& x, int block) {
  const int64_t n = static_cast<int64_t>(x.size());
  const TypeInfo& info = type_info(type);
  std::vector<uint8_t> q(static_cast<size_t>(n / info.block_elems * info.block_bytes));
  std::vector<float> y(x.size());
  EXPECT_TRUE(quantize_row(type, x.data(), q.data(), n).ok());
  EXPECT_TRUE(dequantize_row(type, q.data(), y.data(), n).ok());
  std::vector<BlockError> out;
  for (int64_t b = 0; b < n; b += block) {
    BlockError e;
    double se = 0, lo = x[b], hi = x[b];
    for (int64_t j = b; j < b + block; ++j) {
      const double err = std::fabs(static_cast<double>(x[j]) - y[j]);
      e.max_abs = std::max(e.max_abs, err);
      se += err * err;
      e.amax = std::max(e.amax, std::fabs(static_cast<double>(x[j])));
      lo = std::min<double>(lo, x[j]);
      hi = std::max<double>(hi, x[j]);
    }
    e.rmse = std::sqrt(se / block);
    e.range = hi - lo;
    e.abs_min = std::fabs(lo);
    out.push_back(e);
  }
  return out;
}

constexpr double kF16Rel = 1.0 / 2048;  // f16 rounding: relative error <= 2^-11
// Rounding error of storing v as f16: relative for normals, half the
// subnormal spacing (2^-25) below 2^-14. Small blocks do reach subnormal scales.
double f16_err(double v) { return std::max(std::fabs(v) * kF16Rel, std::ldexp(1.0, -25)); }
constexpr int64_t kN = 256 * 6;         // 6 super-blocks, 48 legacy blocks
const Dist kDists[] = {Dist::kUniform, Dist::kGaussian, Dist::kOutliers, Dist::kPositive, Dist::kTiny};

// Runs every distribution; `bound` returns the allowed max-abs error of a
// block (or <0 to skip), `rmse_bound` the allowed RMSE.
void check(GgmlType type, int block, const std::function<double(const BlockError&)>& max_abs_bound,
           const std::function<double(const BlockError&)>& rmse_bound) {
  for (Dist dist : kDists) {
    const auto x = make_data(dist, kN, 1234 + static_cast<uint32_t>(dist));
    const auto errs = roundtrip(type, x, block);
    double worst_abs = 0, worst_rmse = 0;
    for (size_t b = 0; b < errs.size(); ++b) {
      const BlockError& e = errs[b];
      worst_abs = std::max(worst_abs, e.max_abs / e.amax);
      worst_rmse = std::max(worst_rmse, e.rmse / e.amax);
      const double ab = max_abs_bound(e);
      if (ab >= 0) {
        ASSERT_LE(e.max_abs, ab) << type_name(type) << " " << dist_name(dist) << " block " << b;
      }
      ASSERT_LE(e.rmse, rmse_bound(e)) << type_name(type) << " " << dist_name(dist) << " block " << b;
    }
    std::printf("  %-7s %-9s worst max_abs/amax %.5f  worst rmse/amax %.5f\n", type_name(type), dist_name(dist),
                worst_abs, worst_rmse);
  }
}

double none(const BlockError&) { return -1; }

TEST(RoundTripTest, F16AndBf16) {
  // Round to nearest: relative error <= 2^-11 (f16) and 2^-8 (bf16) for normal values.
  check(GgmlType::kF16, 32, [](const BlockError& e) { return e.amax * kF16Rel; },
        [](const BlockError& e) { return e.amax * kF16Rel; });
  check(GgmlType::kBF16, 32, [](const BlockError& e) { return e.amax / 256; },
        [](const BlockError& e) { return e.amax / 256; });
}

TEST(RoundTripTest, Q8_0) {
  // d = amax/127, codes rounded to nearest: |err| <= d/2, plus the f16
  // rounding of d times the largest code (127).
  const auto bound = [](const BlockError& e) {
    const double d = e.amax / 127;
    return (0.5 * d + 127 * f16_err(d)) * 1.0001;
  };
  check(GgmlType::kQ8_0, 32, bound, bound);
}

TEST(RoundTripTest, Q4_0AndQ5_0) {
  // d = amax/8 (Q4_0) or amax/16 (Q5_0), signed so the extreme sits on the
  // bottom code. An element of the opposite sign near amax would need code
  // +8 (+16), which does not exist: it clips by up to one step. So |err| <= d,
  // plus f16 rounding of d times the largest code magnitude. Without clipping
  // the error is d/2 per element, so RMSE <= d/2 + the same f16 term.
  for (int levels : {8, 16}) {
    const GgmlType type = levels == 8 ? GgmlType::kQ4_0 : GgmlType::kQ5_0;
    check(
        type, 32,
        [levels](const BlockError& e) {
          const double d = e.amax / levels;
          return (d + levels * f16_err(d)) * 1.0001;
        },
        [levels](const BlockError& e) {
          const double d = e.amax / levels;
          return (0.5 * d + levels * f16_err(d)) * 1.0001;
        });
  }
}

TEST(RoundTripTest, Q4_1AndQ5_1) {
  // d = range/15 (range/31), x - min rounded to nearest: |err| <= d/2, plus
  // f16 rounding of min and of d times the largest code.
  for (int top : {15, 31}) {
    const GgmlType type = top == 15 ? GgmlType::kQ4_1 : GgmlType::kQ5_1;
    const auto bound = [top](const BlockError& e) {
      const double d = e.range / top;
      return (0.5 * d + top * f16_err(d) + f16_err(e.abs_min)) * 1.0001;
    };
    check(type, 32, bound, bound);
  }
}

TEST(RoundTripTest, Q8_K) {
  // f32 scale d = amax/127, round to nearest: |err| <= d/2 (no f16 step).
  check(GgmlType::kQ8_K, 256, [](const BlockError& e) { return e.amax / 127 * 0.5 * 1.0001; },
        [](const BlockError& e) { return e.amax / 127 * 0.5; });
}

// K-quants and IQ4: the scale search trades the largest errors for a smaller
// total, and group scales are themselves quantized (4/6/8 bits), so a tight
// max-abs bound does not exist. The RMSE bound is a multiple of the ideal
// uniform quantizer's step/sqrt(12) over the super-block: step =
// span/(levels-1), span = range (affine types) or 2·amax (symmetric).
// The 1.5x multiplier covers clipping and scale rounding; the
// measured worst cases are printed by the test.
double uniform_rmse(double span, int levels) { return span / (levels - 1) / std::sqrt(12.0); }

TEST(RoundTripTest, KQuants) {
  check(GgmlType::kQ2_K, 256, none, [](const BlockError& e) { return 1.5 * uniform_rmse(e.range, 4); });
  check(GgmlType::kQ3_K, 256, none, [](const BlockError& e) { return 1.5 * uniform_rmse(2 * e.amax, 8); });
  check(GgmlType::kQ4_K, 256, none, [](const BlockError& e) { return 1.5 * uniform_rmse(e.range, 16); });
  check(GgmlType::kQ5_K, 256, none, [](const BlockError& e) { return 1.5 * uniform_rmse(e.range, 32); });
  check(GgmlType::kQ6_K, 256, none, [](const BlockError& e) { return 1.5 * uniform_rmse(2 * e.amax, 64); });
}

TEST(RoundTripTest, Iq4) {
  // 16 non-uniform levels spanning 240/127 of amax: same budget as 4-bit.
  check(GgmlType::kIQ4_NL, 32, none, [](const BlockError& e) { return 1.5 * uniform_rmse(2 * e.amax, 16); });
  check(GgmlType::kIQ4_XS, 256, none, [](const BlockError& e) { return 1.5 * uniform_rmse(2 * e.amax, 16); });
}

}  // namespace
}  // namespace zhi
