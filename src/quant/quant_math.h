// Small numeric helpers shared by the quantizers (internal to quant/).
#pragma once

#include <cstdint>
#include <cstring>

namespace zhi::quant_internal {

// Round half to even, via the float adder: adding 1.5·2^23 leaves the rounded
// integer in the low mantissa bits. Valid for |v| <= 2^22 - 1, which every
// caller guarantees; outside that range the result is garbage but defined.
inline int nearest_int(float v) {
  const float shifted = v + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof(bits));
  return (bits & 0x007fffff) - 0x00400000;
}

// The reference's `MIN(hi, (int8_t)v)` for v that is in [0, hi+2) whenever the
// input is finite: truncate toward zero, clamp. NaN and out-of-range map to the
// nearest end instead of being undefined.
inline int trunc_clamp(float v, int hi) {
  if (!(v >= 0.0f)) return 0;
  if (v >= static_cast<float>(hi)) return hi;
  return static_cast<int>(v);
}

inline int clamp_int(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace zhi::quant_internal
