// Attention's softmax: the exponential is accurate to a few ulp, the
// softmax sums to one and keeps the order of its inputs, and every ISA's
// version gives the scalar twin's bits (with and without f16 rounding, at
// lengths that leave every remainder of 16).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernel_test_util.h"
#include "kernels/scalar/exp_approx.h"
#include "kernels/scalar/softmax_scalar.h"

namespace zhi {
namespace {

TEST(ExpApprox, WithinFourUlpOfLibmOverTheSoftmaxRange) {
  double worst = 0.0;
  for (float x = -87.0f; x <= 0.0f; x += 0.000731f) {
    const double want = std::exp(static_cast<double>(x));
    const double got = scalar::exp_approx(x);
    const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);
    worst = std::max(worst, std::fabs(got - want) / ulp);
  }
  EXPECT_LT(worst, 4.0);
  EXPECT_EQ(scalar::exp_approx(0.0f), 1.0f);
  EXPECT_EQ(scalar::exp_approx(-100.0f), 0.0f);
  EXPECT_EQ(scalar::exp_approx(-std::numeric_limits<float>::infinity()), 0.0f);
}

TEST(Softmax, SumsToOneAndKeepsOrder) {
  const auto x = testing::random_floats(257, 3, 4.0f);
  std::vector<float> p = x;
  scalar::softmax(p.data(), static_cast<int64_t>(p.size()), 0.125f, false);
  double sum = 0.0;
  for (float v : p) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-5);
  for (size_t i = 1; i < x.size(); ++i)
    if (x[i] > x[i - 1]) {
      EXPECT_GE(p[i], p[i - 1]) << i;
    }
  // Against a double-precision softmax.
  double m = -1e30, z = 0.0;
  for (float v : x) m = std::max(m, 0.125 * v);
  for (float v : x) z += std::exp(0.125 * v - m);
  for (size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(p[i], std::exp(0.125 * x[i] - m) / z, 1e-6 * (1 + p[i])) << i;
}

TEST(Softmax, EverySimdVersionMatchesScalarBitForBit) {
  const KernelTable* scalar_table = kernels_for(Isa::kScalar);
  ASSERT_EQ(scalar_table->softmax, &scalar::softmax);
  for (Isa isa : testing::runnable_isas()) {
    const KernelTable* t = kernels_for(isa);
    for (int64_t n : {1, 5, 15, 16, 17, 100, 1000, 4099}) {
      for (bool round : {false, true}) {
        const auto x = testing::random_floats(n, static_cast<uint32_t>(n), 6.0f);
        std::vector<float> want = x, got = x;
        scalar::softmax(want.data(), n, 0.125f, round);
        t->softmax(got.data(), n, 0.125f, round);
        EXPECT_EQ(std::memcmp(want.data(), got.data(), static_cast<size_t>(n) * 4), 0)
            << isa_name(isa) << " n " << n << (round ? " rounded" : "");
      }
    }
  }
}

TEST(SiluMul, MatchesTheFormulaAndEverySimdVersionMatchesScalar) {
  const int64_t n = 4864 + 7;
  auto gate = testing::random_floats(n, 5, 3.0f);
  gate[0] = -120.0f;  // exp(-g) saturates at e^88: silu is next to nothing
  gate[1] = 100.0f;   // exp(-g) underflows: silu is g
  const auto up = testing::random_floats(n, 6);
  std::vector<float> want = gate;
  scalar::silu_mul(want.data(), up.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    const double g = gate[i];
    EXPECT_NEAR(want[i], g / (1.0 + std::exp(-g)) * up[i], 1e-6 * (1.0 + std::fabs(want[i]))) << i;
  }
  EXPECT_LT(std::fabs(want[0]), 1e-30f);
  EXPECT_EQ(want[1], 100.0f * up[1]);
  for (Isa isa : testing::runnable_isas()) {
    std::vector<float> got = gate;
    kernels_for(isa)->silu_mul(got.data(), up.data(), n);
    EXPECT_EQ(std::memcmp(want.data(), got.data(), static_cast<size_t>(n) * 4), 0) << isa_name(isa);
  }
}

}  // namespace
}  // namespace zhi
