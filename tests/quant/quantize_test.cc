// quantize_row contract and small exact cases. Byte-for-byte agreement with
// the reference quantizer is checked in conformance_quant_test.cc.
#include "quant/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/half.h"
#include "quant/block_formats.h"
#include "quant/dequantize.h"

namespace zhi {
namespace {

const GgmlType kAllTypes[] = {GgmlType::kF32,  GgmlType::kF16,  GgmlType::kBF16,   GgmlType::kQ4_0,
                              GgmlType::kQ4_1, GgmlType::kQ5_0, GgmlType::kQ5_1,   GgmlType::kQ8_0,
                              GgmlType::kQ2_K, GgmlType::kQ3_K, GgmlType::kQ4_K,   GgmlType::kQ5_K,
                              GgmlType::kQ6_K, GgmlType::kQ8_K, GgmlType::kIQ4_NL, GgmlType::kIQ4_XS};

std::vector<float> roundtrip(GgmlType type, const std::vector<float>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  const TypeInfo& info = type_info(type);
  std::vector<uint8_t> q(static_cast<size_t>(n / info.block_elems * info.block_bytes), 0xAB);
  std::vector<float> y(x.size(), -1.0f);
  EXPECT_TRUE(quantize_row(type, x.data(), q.data(), n).ok()) << type_name(type);
  EXPECT_TRUE(dequantize_row(type, q.data(), y.data(), n).ok()) << type_name(type);
  return y;
}

TEST(QuantizeTest, EveryTypeRoundTripsZerosToZeros) {
  const std::vector<float> zeros(512, 0.0f);
  for (GgmlType type : kAllTypes) {
    ASSERT_TRUE(can_quantize(type)) << type_name(type);
    const auto y = roundtrip(type, zeros);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], 0.0f) << type_name(type) << " at " << i;
  }
}

TEST(QuantizeTest, ConstantBlocksStayFinite) {
  // A constant row has range 0: affine types must not divide by it.
  for (float c : {1.0f, -3.5f, 1e-20f}) {
    const std::vector<float> x(512, c);
    for (GgmlType type : kAllTypes) {
      const auto y = roundtrip(type, x);
      for (float v : y) ASSERT_TRUE(std::isfinite(v)) << type_name(type) << " c=" << c;
      // Each format can represent a constant to within a few percent, or rounds it to 0 when it is tiny.
      if (std::fabs(c) > 1e-10f) {
        for (float v : y) ASSERT_NEAR(v, c, std::fabs(c) * 0.07f) << type_name(type) << " c=" << c;
      }
    }
  }
}

TEST(QuantizeTest, GridValuesSurviveExactly) {
  // Q8_0: one block holding -127..127 steps of 1/8 (amax 127/8 gives d = 1/8 exactly).
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j * 8 - 127) / 8.0f;
  x[5] = 127.0f / 8.0f;
  EXPECT_EQ(roundtrip(GgmlType::kQ8_0, x), x);
  // Q4_0: codes -8..7 times 0.5, the extreme (-4) negative so d = -4/-8 = 0.5.
  for (int j = 0; j < 32; ++j) x[j] = 0.5f * static_cast<float>(j % 16 - 8);
  EXPECT_EQ(roundtrip(GgmlType::kQ4_0, x), x);
  // Q5_0: codes -16..15 times 0.25.
  for (int j = 0; j < 32; ++j) x[j] = 0.25f * static_cast<float>(j - 16);
  EXPECT_EQ(roundtrip(GgmlType::kQ5_0, x), x);
  // Q4_1 / Q5_1: min -2, codes 0..15 (0..31) times 0.25.
  for (int j = 0; j < 32; ++j) x[j] = -2.0f + 0.25f * static_cast<float>(j % 16);
  EXPECT_EQ(roundtrip(GgmlType::kQ4_1, x), x);
  for (int j = 0; j < 32; ++j) x[j] = -2.0f + 0.25f * static_cast<float>(j);
  EXPECT_EQ(roundtrip(GgmlType::kQ5_1, x), x);
}

TEST(QuantizeTest, Q4_0KnownBlock) {
  // amax element is +4 at j=3, so d = 4/-8 = -0.5 and x=4 maps to code 0.
  std::vector<float> x(32, 0.0f);
  x[3] = 4.0f;
  x[20] = -1.0f;  // code = trunc(-1 / -0.5 + 8.5) = 10
  BlockQ4_0 b;
  ASSERT_TRUE(quantize_row(GgmlType::kQ4_0, x.data(), &b, 32).ok());
  EXPECT_EQ(b.d, f32_to_f16(-0.5f));
  EXPECT_EQ(b.qs[3] & 0x0F, 0);
  EXPECT_EQ(b.qs[4] >> 4, 10);
  EXPECT_EQ(b.qs[0], 0x88);  // zeros sit on code 8
}

TEST(QuantizeTest, Q8_KBlockSumsMatchCodes) {
  std::mt19937 rng(7);
  std::normal_distribution<float> g(0.0f, 2.0f);
  std::vector<float> x(512);
  for (auto& v : x) v = g(rng);
  BlockQ8_K b[2];
  ASSERT_TRUE(quantize_row(GgmlType::kQ8_K, x.data(), b, 512).ok());
  for (const auto& blk : b) {
    for (int gi = 0; gi < 16; ++gi) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += blk.qs[16 * gi + l];
      EXPECT_EQ(blk.bsums[gi], sum);
    }
    int lo = 0, hi = 0;
    for (int8_t q : blk.qs) {
      lo = std::min<int>(lo, q);
      hi = std::max<int>(hi, q);
    }
    EXPECT_GE(lo, -127);  // symmetric codes: -128 never appears
    EXPECT_TRUE(lo == -127 || hi == 127);
  }
}

TEST(QuantizeTest, RejectsPartialBlocksAndUnknownTypes) {
  std::vector<float> x(300, 1.0f);
  std::vector<uint8_t> out(4096);
  EXPECT_EQ(quantize_row(GgmlType::kQ4_K, x.data(), out.data(), 300).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(quantize_row(GgmlType::kQ8_0, x.data(), out.data(), 33).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(quantize_row(GgmlType::kQ8_1, x.data(), out.data(), 32).code(), StatusCode::kUnsupported);
  EXPECT_FALSE(can_quantize(GgmlType::kQ8_1));
  EXPECT_TRUE(quantize_row(GgmlType::kQ6_K, x.data(), out.data(), 0).ok());
}

}  // namespace
}  // namespace zhi
