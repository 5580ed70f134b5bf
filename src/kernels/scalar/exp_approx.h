// The exponential that attention's softmax uses, written so a SIMD kernel
// can repeat it operation for operation: range reduction x = k ln2 + r with
// k rounded to nearest even, a degree-6 polynomial for e^r (the classic
// Cephes expf coefficients, |error| under 2 ulp on [-87, 88]), and 2^k put
// together from its bits. Inputs below -87.33 (where e^x leaves the normal
// floats) give 0; softmax only feeds it x <= 0.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace zhi::scalar {

inline constexpr float kExpMin = -87.33654f;
inline constexpr float kExpMax = 88.3762626647949f;
inline constexpr float kLog2e = 1.44269504088896341f;
inline constexpr float kLn2Hi = 0.693359375f;
inline constexpr float kLn2Lo = -2.12194440e-4f;
inline constexpr float kExpPoly[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                      4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

inline float exp_approx(float x) {
  if (x < kExpMin) return 0.0f;
  x = std::fmin(x, kExpMax);
  const float k = std::nearbyint(x * kLog2e);
  float r = std::fma(k, -kLn2Hi, x);
  r = std::fma(k, -kLn2Lo, r);
  float p = kExpPoly[0];
  for (int i = 1; i < 6; ++i) p = std::fma(p, r, kExpPoly[i]);
  const float y = std::fma(p, r * r, r) + 1.0f;
  const float two_k =
      std::bit_cast<float>(static_cast<uint32_t>(static_cast<int32_t>(k) + 127) << 23);
  return y * two_k;
}

}  // namespace zhi::scalar
