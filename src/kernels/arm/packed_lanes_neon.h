// The packed 32-element formats' codes as NEON registers (layout:
// kernels/packed_weights.h), shared by the decode (packed_neon.cc) and
// block-sum GEMM (blocksum_i8mm.cc) kernels. Internal linkage: the two files
// are compiled for different instruction sets, and a shared inline
// definition could let the linker hand the i8mm build's copy to the other.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace zhi {
namespace {

enum class Fmt { kQ8_0, kQ4_0, kQ5_0 };

template <Fmt F>
constexpr int64_t kBlockBytes = F == Fmt::kQ8_0   ? 544
                                : F == Fmt::kQ4_0 ? 288
                                                  : 352;

inline int8x16_t broadcast_quants(const int8_t* q) {
  uint32_t v;
  std::memcpy(&v, q, 4);
  return vreinterpretq_s8_u32(vdupq_n_u32(v));
}

// Signed values of lane k for the four rows of quad `quad` of block p.
template <Fmt F, int k>
inline int8x16_t lane_values(const uint8_t* p, int quad) {
  const uint8_t* s = p + 32;
  if constexpr (F == Fmt::kQ8_0) {
    return vreinterpretq_s8_u8(veorq_u8(vld1q_u8(s + 64 * k + 16 * quad), vdupq_n_u8(0x80)));
  } else {
    constexpr int slab = k % 4 + (F == Fmt::kQ5_0 ? 1 : 0);
    const uint8x16_t v = vld1q_u8(s + 64 * slab + 16 * quad);
    uint8x16_t codes = k < 4 ? vandq_u8(v, vdupq_n_u8(0x0F)) : vshrq_n_u8(v, 4);
    if constexpr (F == Fmt::kQ5_0) {
      // Bit 8j+k of qh' is the fifth bit of element 4k+j: move it to bit 4.
      const uint32x4_t qh = vld1q_u32(reinterpret_cast<const uint32_t*>(s + 16 * quad));
      uint32x4_t shifted;
      if constexpr (k < 4) {
        shifted = vshlq_n_u32(qh, 4 - k);
      } else if constexpr (k > 4) {
        shifted = vshrq_n_u32(qh, k - 4);
      } else {
        shifted = qh;
      }
      codes = vorrq_u8(codes, vandq_u8(vreinterpretq_u8_u32(shifted), vdupq_n_u8(0x10)));
      return vsubq_s8(vreinterpretq_s8_u8(codes), vdupq_n_s8(16));
    } else {
      return vsubq_s8(vreinterpretq_s8_u8(codes), vdupq_n_s8(8));
    }
  }
}

}  // namespace
}  // namespace zhi
