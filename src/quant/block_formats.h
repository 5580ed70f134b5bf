// Byte layouts of the ggml block formats (see shared/formats.md), shared by
// quant/ (reference dequantize/quantize) and kernels/ (SIMD dot products).
// Halves are kept as raw uint16_t bits; convert with core/half.h.
#pragma once

#include <cstdint>

#include "quant/ggml_type.h"

namespace zhi {

// IQ4_NL / IQ4_XS non-linear 4-bit codebook.
inline constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

// ---- legacy blocks: 32 elements ----

struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQK / 2];  // element j: low nibble of qs[j]; element j+16: high nibble
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4_1) == 20);

struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];  // fifth bit of element j is bit j of qh read as little-endian u32
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ5_0) == 22);

struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ5_1) == 24);

struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockIq4Nl {
  uint16_t d;
  uint8_t qs[kQK / 2];  // nibbles index kIq4nlValues, laid out as in Q4_0
};
static_assert(sizeof(BlockIq4Nl) == 18);

// ---- K-quant super-blocks: 256 elements ----

struct BlockQ2_K {
  uint8_t scales[kQK_K / 16];  // per group of 16: low nibble scale, high nibble min
  uint8_t qs[kQK_K / 4];       // 2-bit values
  uint16_t d;                  // super-block scale for scales
  uint16_t dmin;               // super-block scale for mins
};
static_assert(sizeof(BlockQ2_K) == 84);

struct BlockQ3_K {
  uint8_t hmask[kQK_K / 8];  // high bit of each value (set = no offset)
  uint8_t qs[kQK_K / 4];     // low 2 bits
  uint8_t scales[12];        // sixteen 6-bit scales, biased by 32
  uint16_t d;
};
static_assert(sizeof(BlockQ3_K) == 110);

struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];  // eight 6-bit scales and eight 6-bit mins
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ4_K) == 144);

struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ5_K) == 176);

struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];  // low 4 bits
  uint8_t qh[kQK_K / 4];  // high 2 bits
  int8_t scales[kQK_K / 16];
  uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210);

struct BlockIq4Xs {
  uint16_t d;
  uint16_t scales_h;  // high 2 bits of eight 6-bit scales
  uint8_t scales_l[kQK_K / 64];  // low 4 bits, two scales per byte
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockIq4Xs) == 136);

// Activation partner of the K-quants in dot products; never stored in files.
struct BlockQ8_K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];  // sum of each 16 consecutive qs
};
static_assert(sizeof(BlockQ8_K) == 292);

// Q4_K / Q5_K: unpacks the 6-bit scale and min of group j (0..7) from the 12 packed bytes.
inline void get_scale_min_k4(int j, const uint8_t* q, uint8_t* sc, uint8_t* mn) {
  if (j < 4) {
    *sc = q[j] & 63;
    *mn = q[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *mn = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

}  // namespace zhi
