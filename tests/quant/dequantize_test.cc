// Hand-built blocks: each test chooses the logical values (codes, scales),
// packs them with its own element-by-element packer written from
// shared/formats.md, and checks dequantize_row against the formula. Scales
// are powers of two so every expected value is exact in f32.
#include "quant/dequantize.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "core/half.h"
#include "quant/block_formats.h"

namespace zhi {
namespace {

// Typed independently from formats.md.
constexpr int kTable[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

constexpr uint16_t kHalfOne = 0x3C00;      // 1.0
constexpr uint16_t kHalfHalf = 0x3800;     // 0.5
constexpr uint16_t kHalfQuarter = 0x3400;  // 0.25
constexpr uint16_t kHalfEighth = 0x3000;   // 0.125
constexpr uint16_t kHalfMinus3_25 = 0xC280;  // -3.25

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v & 0xFF);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Sets bits [shift, shift+width) of byte p[i] to v.
void put_bits(uint8_t* p, int i, int shift, int width, int v) {
  const int mask = ((1 << width) - 1) << shift;
  p[i] = static_cast<uint8_t>((p[i] & ~mask) | ((v << shift) & mask));
}

std::vector<int> random_codes(int n, int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int> v(n);
  for (int& x : v) x = dist(rng);
  // Edge values at fixed places: both ends of the range in both halves of a block.
  v[0] = lo;
  v[1] = hi;
  v[n - 1] = lo;
  v[n - 2] = hi;
  if (n > 17) {
    v[16] = hi;
    v[17] = lo;
  }
  return v;
}

std::vector<float> run(GgmlType type, const std::vector<uint8_t>& bytes, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n), -999.0f);
  const Status st = dequantize_row(type, bytes.data(), out.data(), n);
  EXPECT_TRUE(st.ok()) << st.to_string();
  return out;
}

void expect_exact(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(f32_to_bits(got[i]), f32_to_bits(want[i])) << "element " << i << ": " << got[i] << " vs " << want[i];
  }
}

// Nibble position shared by Q4_0, Q4_1, Q5_x, IQ4_NL: element j of 32.
void put_nibble32(uint8_t* qs, int j, int v) { put_bits(qs, j % 16, 4 * (j / 16), 4, v); }

TEST(DequantizeTest, F16AndBf16BitPatterns) {
  const std::vector<uint16_t> h = {0x3C00, 0xC000, 0x0001, 0x7BFF, 0x8000, 0x3555, 0x0400, 0x7C00};
  const std::vector<float> hw = {1.0f, -2.0f, 5.9604645e-08f, 65504.0f, -0.0f, 0.33325195f, 6.1035156e-05f,
                                 INFINITY};
  std::vector<uint8_t> bytes(h.size() * 2);
  std::memcpy(bytes.data(), h.data(), bytes.size());
  expect_exact(run(GgmlType::kF16, bytes, static_cast<int64_t>(h.size())), hw);

  const std::vector<uint16_t> b = {0x3F80, 0xC040, 0x0000, 0x8000, 0x4049, 0x7F80};
  const std::vector<float> bw = {1.0f, -3.0f, 0.0f, -0.0f, 3.140625f, INFINITY};
  std::memcpy(bytes.data(), b.data(), b.size() * 2);
  bytes.resize(b.size() * 2);
  expect_exact(run(GgmlType::kBF16, bytes, static_cast<int64_t>(b.size())), bw);
}

TEST(DequantizeTest, F32IsACopy) {
  const std::vector<float> x = {1.5f, -0.0f, 3e38f, -7.25f};
  std::vector<uint8_t> bytes(x.size() * 4);
  std::memcpy(bytes.data(), x.data(), bytes.size());
  expect_exact(run(GgmlType::kF32, bytes, 4), x);
}

TEST(DequantizeTest, Q4_0) {
  constexpr int kBlocks = 3;
  const auto v = random_codes(32 * kBlocks, 0, 15, 1);
  const uint16_t ds[kBlocks] = {kHalfHalf, kHalfOne, 0xB400 /* -0.25 */};
  std::vector<uint8_t> bytes(18 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 18 * b;
    put_u16(blk, ds[b]);
    for (int j = 0; j < 32; ++j) {
      put_nibble32(blk + 2, j, v[32 * b + j]);
      want.push_back(f16_to_f32(ds[b]) * static_cast<float>(v[32 * b + j] - 8));
    }
  }
  expect_exact(run(GgmlType::kQ4_0, bytes, 32 * kBlocks), want);
}

TEST(DequantizeTest, Q4_1) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(32 * kBlocks, 0, 15, 2);
  std::vector<uint8_t> bytes(20 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 20 * b;
    put_u16(blk, kHalfHalf);
    put_u16(blk + 2, kHalfMinus3_25);
    for (int j = 0; j < 32; ++j) {
      put_nibble32(blk + 4, j, v[32 * b + j]);
      want.push_back(0.5f * static_cast<float>(v[32 * b + j]) - 3.25f);
    }
  }
  expect_exact(run(GgmlType::kQ4_1, bytes, 32 * kBlocks), want);
}

TEST(DequantizeTest, Q5_0AndQ5_1) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(32 * kBlocks, 0, 31, 3);
  std::vector<uint8_t> b0(22 * kBlocks, 0), b1(24 * kBlocks, 0);
  std::vector<float> w0, w1;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* p0 = b0.data() + 22 * b;
    uint8_t* p1 = b1.data() + 24 * b;
    put_u16(p0, kHalfQuarter);
    put_u16(p1, kHalfQuarter);
    put_u16(p1 + 2, kHalfMinus3_25);
    for (int j = 0; j < 32; ++j) {
      const int x = v[32 * b + j];
      // qh is a little-endian u32: bit j lives in byte j/8, bit j%8.
      put_bits(p0 + 2, j / 8, j % 8, 1, x >> 4);
      put_nibble32(p0 + 6, j, x & 15);
      put_bits(p1 + 4, j / 8, j % 8, 1, x >> 4);
      put_nibble32(p1 + 8, j, x & 15);
      w0.push_back(0.25f * static_cast<float>(x - 16));
      w1.push_back(0.25f * static_cast<float>(x) - 3.25f);
    }
  }
  expect_exact(run(GgmlType::kQ5_0, b0, 32 * kBlocks), w0);
  expect_exact(run(GgmlType::kQ5_1, b1, 32 * kBlocks), w1);
}

TEST(DequantizeTest, Q8_0) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(32 * kBlocks, -128, 127, 4);
  std::vector<uint8_t> bytes(34 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 34 * b;
    put_u16(blk, kHalfEighth);
    for (int j = 0; j < 32; ++j) {
      blk[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(v[32 * b + j]));
      want.push_back(0.125f * static_cast<float>(v[32 * b + j]));
    }
  }
  expect_exact(run(GgmlType::kQ8_0, bytes, 32 * kBlocks), want);
}

TEST(DequantizeTest, Iq4Nl) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(32 * kBlocks, 0, 15, 5);
  std::vector<uint8_t> bytes(18 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 18 * b;
    put_u16(blk, kHalfEighth);
    for (int j = 0; j < 32; ++j) {
      put_nibble32(blk + 2, j, v[32 * b + j]);
      want.push_back(0.125f * static_cast<float>(kTable[v[32 * b + j]]));
    }
  }
  expect_exact(run(GgmlType::kIQ4_NL, bytes, 32 * kBlocks), want);
}

// Q2_K / Q3_K low-2-bit position of element e (0..255): byte and shift.
void q2_position(int e, int* byte, int* shift) {
  const int half = e / 128, r = e % 128;
  *shift = 2 * (r / 32);
  *byte = 32 * half + r % 32;
}

TEST(DequantizeTest, Q2_K) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(256 * kBlocks, 0, 3, 6);
  const auto sc = random_codes(16 * kBlocks, 0, 15, 7);
  const auto mn = random_codes(16 * kBlocks, 0, 15, 8);
  std::vector<uint8_t> bytes(84 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 84 * b;
    for (int g = 0; g < 16; ++g) blk[g] = static_cast<uint8_t>(sc[16 * b + g] | (mn[16 * b + g] << 4));
    put_u16(blk + 80, kHalfHalf);
    put_u16(blk + 82, kHalfQuarter);
    for (int e = 0; e < 256; ++e) {
      int byte, shift;
      q2_position(e, &byte, &shift);
      put_bits(blk + 16, byte, shift, 2, v[256 * b + e]);
      const int g = 16 * b + e / 16;
      want.push_back(0.5f * static_cast<float>(sc[g] * v[256 * b + e]) - 0.25f * static_cast<float>(mn[g]));
    }
  }
  expect_exact(run(GgmlType::kQ2_K, bytes, 256 * kBlocks), want);
}

TEST(DequantizeTest, Q3_K) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(256 * kBlocks, -4, 3, 9);
  const auto s = random_codes(16 * kBlocks, 0, 63, 10);  // biased 6-bit scales
  std::vector<uint8_t> bytes(110 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 110 * b;
    uint8_t* hmask = blk;
    uint8_t* qs = blk + 32;
    uint8_t* scales = blk + 96;
    put_u16(blk + 108, kHalfQuarter);
    for (int g = 0; g < 16; ++g) {
      const int k = g / 4, i = g % 4, x = s[16 * b + g];
      put_bits(scales, (k % 2) * 4 + i, 4 * (k / 2), 4, x & 15);
      put_bits(scales, 8 + i, 2 * k, 2, x >> 4);
    }
    for (int e = 0; e < 256; ++e) {
      const int x = v[256 * b + e];
      int byte, shift;
      q2_position(e, &byte, &shift);
      put_bits(qs, byte, shift, 2, x >= 0 ? x : x + 4);
      put_bits(hmask, e % 32, e / 32, 1, x >= 0 ? 1 : 0);
      // Scale first, as the format defines it: a negative scale times 0 gives -0.
      want.push_back(0.25f * static_cast<float>(s[16 * b + e / 16] - 32) * static_cast<float>(x));
    }
  }
  expect_exact(run(GgmlType::kQ3_K, bytes, 256 * kBlocks), want);
}

// Q4_K / Q5_K: packs eight 6-bit scales and mins into 12 bytes.
void pack_k4_scales(uint8_t* q, const int* sc, const int* mn) {
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      put_bits(q, j, 0, 6, sc[j]);
      put_bits(q, j + 4, 0, 6, mn[j]);
    } else {
      put_bits(q, j + 4, 0, 4, sc[j] & 15);
      put_bits(q, j + 4, 4, 4, mn[j] & 15);
      put_bits(q, j - 4, 6, 2, sc[j] >> 4);
      put_bits(q, j, 6, 2, mn[j] >> 4);
    }
  }
}

TEST(DequantizeTest, Q4_KAndQ5_K) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(256 * kBlocks, 0, 31, 11);
  const auto sc = random_codes(8 * kBlocks, 0, 63, 12);
  const auto mn = random_codes(8 * kBlocks, 0, 63, 13);
  std::vector<uint8_t> b4(144 * kBlocks, 0), b5(176 * kBlocks, 0);
  std::vector<float> w4, w5;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* p4 = b4.data() + 144 * b;
    uint8_t* p5 = b5.data() + 176 * b;
    put_u16(p4, kHalfHalf);
    put_u16(p4 + 2, kHalfEighth);
    put_u16(p5, kHalfHalf);
    put_u16(p5 + 2, kHalfEighth);
    pack_k4_scales(p4 + 4, &sc[8 * b], &mn[8 * b]);
    pack_k4_scales(p5 + 4, &sc[8 * b], &mn[8 * b]);
    for (int e = 0; e < 256; ++e) {
      const int x = v[256 * b + e];
      const int c = e / 64, r = e % 64;
      const int byte = 32 * c + r % 32, shift = r < 32 ? 0 : 4;
      put_bits(p4 + 16, byte, shift, 4, x & 15);
      put_bits(p5 + 48, byte, shift, 4, x & 15);
      put_bits(p5 + 16, r % 32, 2 * c + (r < 32 ? 0 : 1), 1, x >> 4);
      const int g = 8 * b + e / 32;
      w4.push_back(0.5f * static_cast<float>(sc[g] * (x & 15)) - 0.125f * static_cast<float>(mn[g]));
      w5.push_back(0.5f * static_cast<float>(sc[g] * x) - 0.125f * static_cast<float>(mn[g]));
    }
  }
  expect_exact(run(GgmlType::kQ4_K, b4, 256 * kBlocks), w4);
  expect_exact(run(GgmlType::kQ5_K, b5, 256 * kBlocks), w5);
}

TEST(DequantizeTest, Q6_K) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(256 * kBlocks, 0, 63, 14);
  const auto sc = random_codes(16 * kBlocks, -128, 127, 15);
  std::vector<uint8_t> bytes(210 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 210 * b;
    uint8_t* ql = blk;
    uint8_t* qh = blk + 128;
    for (int g = 0; g < 16; ++g) blk[192 + g] = static_cast<uint8_t>(static_cast<int8_t>(sc[16 * b + g]));
    put_u16(blk + 208, kHalfHalf);
    for (int e = 0; e < 256; ++e) {
      const int x = v[256 * b + e];
      const int half = e / 128, quarter = (e % 128) / 32, l = e % 32;
      const int ql_byte = 64 * half + l + (quarter % 2 == 1 ? 32 : 0);
      put_bits(ql, ql_byte, quarter >= 2 ? 4 : 0, 4, x & 15);
      put_bits(qh, 32 * half + l, 2 * quarter, 2, x >> 4);
      want.push_back(0.5f * static_cast<float>(sc[16 * b + e / 16]) * static_cast<float>(x - 32));
    }
  }
  expect_exact(run(GgmlType::kQ6_K, bytes, 256 * kBlocks), want);
}

TEST(DequantizeTest, Iq4Xs) {
  constexpr int kBlocks = 2;
  const auto v = random_codes(256 * kBlocks, 0, 15, 16);
  const auto ls = random_codes(8 * kBlocks, 0, 63, 17);
  std::vector<uint8_t> bytes(136 * kBlocks, 0);
  std::vector<float> want;
  for (int b = 0; b < kBlocks; ++b) {
    uint8_t* blk = bytes.data() + 136 * b;
    put_u16(blk, kHalfEighth);
    uint8_t* scales_h = blk + 2;  // little-endian u16
    uint8_t* scales_l = blk + 4;
    uint8_t* qs = blk + 8;
    for (int g = 0; g < 8; ++g) {
      const int x = ls[8 * b + g];
      put_bits(scales_l, g / 2, 4 * (g % 2), 4, x & 15);
      put_bits(scales_h, (2 * g) / 8, (2 * g) % 8, 2, x >> 4);
    }
    for (int e = 0; e < 256; ++e) {
      const int x = v[256 * b + e];
      const int g = e / 32, j = e % 32;
      put_bits(qs, 16 * g + j % 16, j < 16 ? 0 : 4, 4, x);
      want.push_back(0.125f * static_cast<float>(ls[8 * b + g] - 32) * static_cast<float>(kTable[x]));
    }
  }
  expect_exact(run(GgmlType::kIQ4_XS, bytes, 256 * kBlocks), want);
}

TEST(DequantizeTest, Q8_K) {
  const auto v = random_codes(256, -128, 127, 18);
  std::vector<uint8_t> bytes(292, 0);
  const float d = 0.0625f;
  std::memcpy(bytes.data(), &d, 4);
  std::vector<float> want;
  for (int e = 0; e < 256; ++e) {
    bytes[4 + e] = static_cast<uint8_t>(static_cast<int8_t>(v[e]));
    want.push_back(d * static_cast<float>(v[e]));
  }
  expect_exact(run(GgmlType::kQ8_K, bytes, 256), want);
}

TEST(DequantizeTest, RejectsPartialBlocksAndUnknownTypes) {
  std::vector<uint8_t> bytes(64, 0);
  std::vector<float> out(64);
  EXPECT_EQ(dequantize_row(GgmlType::kQ4_0, bytes.data(), out.data(), 31).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dequantize_row(GgmlType::kQ8_1, bytes.data(), out.data(), 32).code(), StatusCode::kUnsupported);
  EXPECT_FALSE(can_dequantize(GgmlType::kQ8_1));
  EXPECT_TRUE(can_dequantize(GgmlType::kIQ4_XS));
  EXPECT_TRUE(dequantize_row(GgmlType::kQ4_K, bytes.data(), out.data(), 0).ok());
}

}  // namespace
}  // namespace zhi
