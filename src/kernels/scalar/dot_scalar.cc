#include "kernels/scalar/dot_scalar.h"

#include <cmath>
#include <cstring>

#include "core/half.h"
#include "kernels/scalar/lanes.h"
#include "quant/block_formats.h"

namespace zhi::scalar {
namespace {

constexpr int kHalf = kQK / 2;

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

template <typename Block>
const Block* blocks(const uint8_t* w) {
  return reinterpret_cast<const Block*>(w);
}

// Lane k of a 32-element block: the products at positions 4k..4k+3.
inline void lane_sums(const int prod[kQK], int32_t lanes[8]) {
  for (int k = 0; k < 8; ++k) lanes[k] = prod[4 * k] + prod[4 * k + 1] + prod[4 * k + 2] + prod[4 * k + 3];
}

// Q3_K: sixteen 6-bit scales from 12 bytes, unbiased (s - 32).
void q3_k_scales(const uint8_t packed[12], int out[16]) {
  uint32_t a[3];
  std::memcpy(a, packed, 12);
  const uint32_t s[4] = {
      (a[0] & 0x0f0f0f0fu) | (((a[2] >> 0) & 0x03030303u) << 4),
      (a[1] & 0x0f0f0f0fu) | (((a[2] >> 2) & 0x03030303u) << 4),
      ((a[0] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 4) & 0x03030303u) << 4),
      ((a[1] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 6) & 0x03030303u) << 4),
  };
  for (int k = 0; k < 4; ++k)
    for (int b = 0; b < 4; ++b) out[4 * k + b] = static_cast<int>((s[k] >> (8 * b)) & 0xFF) - 32;
}

}  // namespace

// ---- 32-element blocks against Q8_0 / Q8_1 ----
// Per block: lanes of exact integer sums, each scaled by d_w * d_x with one
// fused multiply-add into eight running f32 lanes (the reference's AVX2/VNNI
// vec_dot and its tiled GEMM both do exactly this), summed at the end.

template <typename Block, typename Val, typename Acc>
inline void legacy_dot(const Block* b, const ActView& x, int64_t t, Val val, Acc& acc) {
  const int8_t* q = x.q(t);
  const float* d = x.d(t);
  for (int64_t i = 0; i < x.cols / kQK; ++i, q += kQK) {
    int prod[kQK];
    for (int j = 0; j < kQK; ++j) prod[j] = val(b[i], j) * q[j];
    int32_t lanes[8];
    lane_sums(prod, lanes);
    acc.fma(f16_to_f32(b[i].d) * d[i], lanes);
  }
}

// Element j (< 32) of a block whose 4-bit codes are laid out as in Q4_0.
inline int nibble(const uint8_t* qs, int j) { return j < kHalf ? (qs[j] & 15) : (qs[j - kHalf] >> 4); }
inline int high_bit(const uint8_t* qh, int j) { return static_cast<int>((load_u32(qh) >> j) & 1); }

// Q4_0, Q5_0 and Q8_0 with either accumulator: Lanes8 (the reference) or
// BlockSum (the batched kernels under BatchArithmetic::kBlockSum).
template <typename Acc>
float dot_q4_0(const uint8_t* w, const ActView& x, int64_t t) {
  Acc acc;
  legacy_dot(blocks<BlockQ4_0>(w), x, t, [](const BlockQ4_0& b, int j) { return nibble(b.qs, j) - 8; }, acc);
  return acc.hsum();
}

template <typename Acc>
float dot_q5_0(const uint8_t* w, const ActView& x, int64_t t) {
  Acc acc;
  legacy_dot(blocks<BlockQ5_0>(w), x, t,
             [](const BlockQ5_0& b, int j) { return (nibble(b.qs, j) | (high_bit(b.qh, j) << 4)) - 16; }, acc);
  return acc.hsum();
}

template <typename Acc>
float dot_q8_0(const uint8_t* w, const ActView& x, int64_t t) {
  Acc acc;
  legacy_dot(blocks<BlockQ8_0>(w), x, t, [](const BlockQ8_0& b, int j) { return static_cast<int>(b.qs[j]); }, acc);
  return acc.hsum();
}

float vec_dot_q4_0(const uint8_t* w, const ActView& x, int64_t t) { return dot_q4_0<Lanes8>(w, x, t); }
float vec_dot_q5_0(const uint8_t* w, const ActView& x, int64_t t) { return dot_q5_0<Lanes8>(w, x, t); }
float vec_dot_q8_0(const uint8_t* w, const ActView& x, int64_t t) { return dot_q8_0<Lanes8>(w, x, t); }
float blocksum_dot_q4_0(const uint8_t* w, const ActView& x, int64_t t) { return dot_q4_0<BlockSum>(w, x, t); }
float blocksum_dot_q5_0(const uint8_t* w, const ActView& x, int64_t t) { return dot_q5_0<BlockSum>(w, x, t); }
float blocksum_dot_q8_0(const uint8_t* w, const ActView& x, int64_t t) { return dot_q8_0<BlockSum>(w, x, t); }

float vec_dot_iq4_nl(const uint8_t* w, const ActView& x, int64_t t) {
  Lanes8 acc;
  legacy_dot(blocks<BlockIq4Nl>(w), x, t,
             [](const BlockIq4Nl& b, int j) { return static_cast<int>(kIq4nlValues[nibble(b.qs, j)]); }, acc);
  return acc.hsum();
}

// Q4_1 / Q5_1: the min meets the activations through s = fp16(d_x * sum q),
// summed in f32 beside the lanes and added last.
template <typename Block, typename Val>
inline float min_dot(const uint8_t* w, const ActView& x, int64_t t, Val val) {
  const Block* b = blocks<Block>(w);
  Lanes8 acc;
  legacy_dot(b, x, t, val, acc);
  const float* s = x.s(t);
  float summs = 0.0f;
  for (int64_t i = 0; i < x.cols / kQK; ++i) summs = std::fma(f16_to_f32(b[i].m), s[i], summs);
  return acc.hsum() + summs;
}

float vec_dot_q4_1(const uint8_t* w, const ActView& x, int64_t t) {
  return min_dot<BlockQ4_1>(w, x, t, [](const BlockQ4_1& b, int j) { return nibble(b.qs, j); });
}

float vec_dot_q5_1(const uint8_t* w, const ActView& x, int64_t t) {
  return min_dot<BlockQ5_1>(w, x, t,
                            [](const BlockQ5_1& b, int j) { return nibble(b.qs, j) | (high_bit(b.qh, j) << 4); });
}

// ---- 256-element super-blocks against Q8_K ----
// Q2_K..Q6_K: per super-block the exact integer sum, and for formats with
// mins the exact sum of mins times bsums; each is folded into its own f32
// accumulator with one fused multiply-add (acc = isum * d_w*d_x + acc), and
// the min accumulator is subtracted at the end. This is the reference's
// arithmetic for these formats (its row-interleaved x86 kernels), and what
// a kernel that tiles across output rows computes naturally.

namespace {

struct KAcc {
  float acc = 0.0f, acc_min = 0.0f;
  void add(int32_t isum, float d) { acc = std::fma(static_cast<float>(isum), d, acc); }
  void add_min(int32_t msum, float dmin) { acc_min = std::fma(static_cast<float>(msum), dmin, acc_min); }
  float total() const { return acc - acc_min; }
};

// Q4_K / Q5_K: eight 6-bit scales and mins.
inline void k4_scales(const uint8_t packed[12], int sc[8], int mn[8]) {
  for (int g = 0; g < 8; ++g) {
    uint8_t s, m;
    get_scale_min_k4(g, packed, &s, &m);
    sc[g] = s;
    mn[g] = m;
  }
}

}  // namespace

float vec_dot_q2_k(const uint8_t* w, const ActView& x, int64_t t) {
  const BlockQ2_K* b = blocks<BlockQ2_K>(w);
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  const int16_t* bsums = x.bsums(t);
  KAcc acc;
  for (int64_t i = 0; i < x.cols / kQK_K; ++i, q8 += kQK_K, bsums += 16) {
    int32_t msum = 0, isum = 0;
    for (int g = 0; g < 16; ++g) msum += (b[i].scales[g] >> 4) * bsums[g];
    // Element e: half e/128, bit pair (e/32)%4 of byte e%32 of the half's 32 bytes; group e/16.
    for (int e = 0; e < kQK_K; e += 16) {
      int s = 0;
      for (int l = e; l < e + 16; ++l) s += ((b[i].qs[32 * (l / 128) + l % 32] >> (2 * ((l / 32) % 4))) & 3) * q8[l];
      isum += (b[i].scales[e / 16] & 15) * s;
    }
    acc.add(isum, d8[i] * f16_to_f32(b[i].d));
    acc.add_min(msum, d8[i] * f16_to_f32(b[i].dmin));
  }
  return acc.total();
}

float vec_dot_q3_k(const uint8_t* w, const ActView& x, int64_t t) {
  const BlockQ3_K* b = blocks<BlockQ3_K>(w);
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  KAcc acc;
  for (int64_t i = 0; i < x.cols / kQK_K; ++i, q8 += kQK_K) {
    int sc[16];
    q3_k_scales(b[i].scales, sc);
    int32_t isum = 0;
    // Low bits as in Q2_K; the high bit of element e is bit e/32 of
    // hmask[e % 32], and a clear bit means -4.
    for (int e = 0; e < kQK_K; e += 16) {
      int s = 0;
      for (int l = e; l < e + 16; ++l) {
        const int low = (b[i].qs[32 * (l / 128) + l % 32] >> (2 * ((l / 32) % 4))) & 3;
        s += (low - (((b[i].hmask[l % 32] >> (l / 32)) & 1) ? 0 : 4)) * q8[l];
      }
      isum += sc[e / 16] * s;
    }
    acc.add(isum, d8[i] * f16_to_f32(b[i].d));
  }
  return acc.total();
}

float vec_dot_q4_k(const uint8_t* w, const ActView& x, int64_t t) {
  const BlockQ4_K* b = blocks<BlockQ4_K>(w);
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  const int16_t* bsums = x.bsums(t);
  KAcc acc;
  for (int64_t i = 0; i < x.cols / kQK_K; ++i, q8 += kQK_K, bsums += 16) {
    int sc[8], mn[8];
    k4_scales(b[i].scales, sc, mn);
    int32_t isum = 0, msum = 0;
    // Chunk c of 64: 32 low nibbles (group 2c), then 32 high nibbles (group 2c+1).
    for (int g = 0; g < 8; ++g) {
      const uint8_t* qs = b[i].qs + 32 * (g / 2);
      const int shift = 4 * (g % 2);
      int s = 0;
      for (int l = 0; l < 32; ++l) s += ((qs[l] >> shift) & 15) * q8[32 * g + l];
      isum += sc[g] * s;
      msum += mn[g] * (bsums[2 * g] + bsums[2 * g + 1]);
    }
    acc.add(isum, d8[i] * f16_to_f32(b[i].d));
    acc.add_min(msum, d8[i] * f16_to_f32(b[i].dmin));
  }
  return acc.total();
}

float vec_dot_q5_k(const uint8_t* w, const ActView& x, int64_t t) {
  const BlockQ5_K* b = blocks<BlockQ5_K>(w);
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  const int16_t* bsums = x.bsums(t);
  KAcc acc;
  for (int64_t i = 0; i < x.cols / kQK_K; ++i, q8 += kQK_K, bsums += 16) {
    int sc[8], mn[8];
    k4_scales(b[i].scales, sc, mn);
    int32_t isum = 0, msum = 0;
    // Nibbles as in Q4_K; the fifth bit of group g's element l is bit g of qh[l].
    for (int g = 0; g < 8; ++g) {
      const uint8_t* qs = b[i].qs + 32 * (g / 2);
      const int shift = 4 * (g % 2);
      int s = 0;
      for (int l = 0; l < 32; ++l) s += (((qs[l] >> shift) & 15) | (((b[i].qh[l] >> g) & 1) << 4)) * q8[32 * g + l];
      isum += sc[g] * s;
      msum += mn[g] * (bsums[2 * g] + bsums[2 * g + 1]);
    }
    acc.add(isum, d8[i] * f16_to_f32(b[i].d));
    acc.add_min(msum, d8[i] * f16_to_f32(b[i].dmin));
  }
  return acc.total();
}

float vec_dot_q6_k(const uint8_t* w, const ActView& x, int64_t t) {
  const BlockQ6_K* b = blocks<BlockQ6_K>(w);
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  KAcc acc;
  for (int64_t i = 0; i < x.cols / kQK_K; ++i, q8 += kQK_K) {
    int32_t isum = 0;
    // Element e: half h = e/128, quarter k = (e/32)%4, l = e%32. Low bits
    // from ql[64h + l + 32*(k&1)] (nibble k/2), high bits from qh[32h + l] >> 2k;
    // scale sc[8h + 2k + l/16].
    for (int e = 0; e < kQK_K; e += 16) {
      const int h = e / 128, k = (e / 32) % 4;
      int s = 0;
      for (int l = e % 32; l < e % 32 + 16; ++l) {
        const int lo = (b[i].ql[64 * h + l + 32 * (k & 1)] >> (4 * (k >> 1))) & 15;
        const int hi = (b[i].qh[32 * h + l] >> (2 * k)) & 3;
        s += ((lo | (hi << 4)) - 32) * q8[128 * h + 32 * k + l];
      }
      isum += b[i].scales[8 * h + 2 * k + (e % 32) / 16] * s;
    }
    acc.add(isum, d8[i] * f16_to_f32(b[i].d));
  }
  return acc.total();
}

// IQ4_XS keeps the eight-lane shape of the 32-element formats (the reference
// runs it through its row-wise kernel): lane k sums, over the eight groups,
// the group scale times the products at positions 4k..4k+3 of the group, and
// each super-block adds its lanes with one fused multiply-add.
float vec_dot_iq4_xs(const uint8_t* w, const ActView& x, int64_t t) {
  const BlockIq4Xs* b = blocks<BlockIq4Xs>(w);
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  Lanes8 acc;
  for (int64_t i = 0; i < x.cols / kQK_K; ++i, q8 += kQK_K) {
    int32_t lanes[8] = {};
    for (int g = 0; g < 8; ++g) {
      const int ls = (((b[i].scales_l[g / 2] >> (4 * (g % 2))) & 15) | (((b[i].scales_h >> (2 * g)) & 3) << 4)) - 32;
      int prod[kQK];
      for (int j = 0; j < kQK; ++j) prod[j] = kIq4nlValues[nibble(b[i].qs + 16 * g, j)] * q8[32 * g + j];
      int32_t gl[8];
      lane_sums(prod, gl);
      for (int k = 0; k < 8; ++k) lanes[k] += ls * gl[k];
    }
    acc.fma(f16_to_f32(b[i].d) * d8[i], lanes);
  }
  return acc.hsum();
}

// ---- half and full precision (float_dot, lanes.h) ----

float vec_dot_f16(const uint8_t* w, const ActView& x, int64_t t) {
  const uint16_t* a = reinterpret_cast<const uint16_t*>(w);
  const uint16_t* h = x.h(t);
  return float_dot(x.cols, [a](int64_t i) { return f16_to_f32(a[i]); }, [h](int64_t i) { return f16_to_f32(h[i]); });
}

float vec_dot_bf16(const uint8_t* w, const ActView& x, int64_t t) {
  const uint16_t* a = reinterpret_cast<const uint16_t*>(w);
  const uint16_t* h = x.h(t);
  return float_dot(x.cols, [a](int64_t i) { return bf16_to_f32(a[i]); },
                   [h](int64_t i) { return bf16_to_f32(h[i]); });
}

float vec_dot_f32(const uint8_t* w, const ActView& x, int64_t t) {
  const float* a = reinterpret_cast<const float*>(w);
  const float* f = x.f(t);
  return float_dot(x.cols, [a](int64_t i) { return a[i]; }, [f](int64_t i) { return f[i]; });
}

VecDotFn blocksum_dot_for(uint32_t id) {
  switch (static_cast<GgmlType>(id)) {
    case GgmlType::kQ4_0: return blocksum_dot_q4_0;
    case GgmlType::kQ5_0: return blocksum_dot_q5_0;
    case GgmlType::kQ8_0: return blocksum_dot_q8_0;
    default: return nullptr;
  }
}

VecDotFn vec_dot_for(uint32_t id) {
  switch (static_cast<GgmlType>(id)) {
    case GgmlType::kF32: return vec_dot_f32;
    case GgmlType::kF16: return vec_dot_f16;
    case GgmlType::kBF16: return vec_dot_bf16;
    case GgmlType::kQ4_0: return vec_dot_q4_0;
    case GgmlType::kQ4_1: return vec_dot_q4_1;
    case GgmlType::kQ5_0: return vec_dot_q5_0;
    case GgmlType::kQ5_1: return vec_dot_q5_1;
    case GgmlType::kQ8_0: return vec_dot_q8_0;
    case GgmlType::kIQ4_NL: return vec_dot_iq4_nl;
    case GgmlType::kQ2_K: return vec_dot_q2_k;
    case GgmlType::kQ3_K: return vec_dot_q3_k;
    case GgmlType::kQ4_K: return vec_dot_q4_k;
    case GgmlType::kQ5_K: return vec_dot_q5_k;
    case GgmlType::kQ6_K: return vec_dot_q6_k;
    case GgmlType::kIQ4_XS: return vec_dot_iq4_xs;
    default: return nullptr;
  }
}

}  // namespace zhi::scalar
