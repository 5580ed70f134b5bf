// Helpers for the AVX2 (and AVX-512) kernel files. Everything here has
// internal linkage: each including file is compiled with its own ISA flags,
// and a shared inline definition could let the linker hand an AVX-512 copy to
// the AVX2 path.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace zhi {
namespace {

inline float half_to_float(uint16_t h) { return _cvtsh_ss(h); }

// Step i of n of a loop prefetches its share of the `bytes` at p into L1.
// Decode streams several weight rows at once, interleaved; the hardware
// prefetcher alone does not run far enough ahead of them (on this machine
// a 144 MB Q8_0 matrix went from 11 to 36 GB/s on one core). Prefetches
// never fault, so running past the matrix's end is harmless.
inline void prefetch_slice(const uint8_t* p, int64_t bytes, int64_t i, int64_t n) {
  const int64_t lines = (bytes + 63) / 64;
  const int64_t per = (lines + n - 1) / n;
  const int64_t end = (i + 1) * per < lines ? (i + 1) * per : lines;
  for (int64_t l = i * per; l < end; ++l)
    _mm_prefetch(reinterpret_cast<const char*>(p + 64 * l), _MM_HINT_T0);
}

// Attention's K and V rows are short (a head: 128 bytes in F16) and sit a
// whole position apart, so the hardware prefetcher does not keep up and the
// score and value kernels stall on their loads. They fetch the rows this
// many positions ahead themselves: about 300 cycles of DRAM latency over
// 10-15 cycles of work per row; 32 measured best of 16/32/64/128 in
// bench/attention_bench.
constexpr int64_t kAheadRows = 32;

// Prefetches [p, p + bytes) into L1.
inline void prefetch_span(const uint8_t* p, int64_t bytes) {
  for (int64_t b = 0; b < bytes; b += 64)
    _mm_prefetch(reinterpret_cast<const char*>(p + b), _MM_HINT_T0);
}

// The packed decode kernels read each matrix once, from DRAM. On the 2-core
// Xeon CI machine (AVX-512 with AMX, 2 MB L2 per core) the hardware
// prefetchers alone left 0.5B decode (AVX-512) at 75-86% of the probed read bandwidth; prefetching the bytes
// 1 KB ahead of the block being read raised it to 87-100%+ (zhi bench -p 16
// -n 64, medians of 3, alternating with and without): Q4_0 62 -> 72,
// Q8_0 46 -> 52, Q4_K_M 55 -> 65, Q6_K 47 -> 53 tok/s. 512-1536 bytes ahead
// measured alike, 2 KB less, 8 KB far less; prefetcht1 needed 4-8 KB to
// match. The AVX2 kernels (ZHI_ISA=avx2) gained less, being nearer their
// arithmetic's limit: Q8_0 43 -> 45 tok/s, Q4_0 within noise. ZHI_DECODE_PREFETCH=BYTES overrides the distance (0: off), to
// compare on other machines.
inline int64_t decode_prefetch_bytes() {
  static const int64_t bytes = [] {
    const char* e = std::getenv("ZHI_DECODE_PREFETCH");
    if (e == nullptr || *e == '\0') return int64_t{1024};
    char* end = nullptr;
    const long long v = std::strtoll(e, &end, 10);
    return *end == '\0' && v >= 0 && v <= (1 << 20) ? static_cast<int64_t>(v) : int64_t{1024};
  }();
  return bytes;
}

// The lines of [p + ahead, p + ahead + bytes). A prefetch never faults, so
// reaching past the end of the weights is harmless.
inline void prefetch_ahead(const uint8_t* p, int64_t bytes) {
  const int64_t ahead = decode_prefetch_bytes();
  if (ahead == 0) return;
  const uintptr_t a = reinterpret_cast<uintptr_t>(p) + static_cast<uintptr_t>(ahead);
  for (int64_t o = 0; o < bytes; o += 64) asm volatile("prefetcht0 (%0)" : : "r"(a + o));
}

inline uint32_t load_u32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// ((0+4) + (2+6)) + ((1+5) + (3+7)): the order of scalar::Lanes8::hsum.
inline float hsum8(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

// Integer sums are exact, so any order will do.
inline int32_t hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// 32 4-bit codes (Q4_0 layout: element j < 16 low nibble of qs[j], j+16 the high one) as bytes
// 0..15.
inline __m256i unpack_nibbles(const uint8_t* qs) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m128i m4 = _mm_set1_epi8(0x0F);
  return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(v, 4), m4), _mm_and_si128(v, m4));
}

// Byte j = 0x10 where bit j of the 32-bit mask is set, else 0 (Q5 fifth bits).
inline __m256i bits_to_0x10(uint32_t bits) {
  const __m256i shuf =
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
  const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), shuf);
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201));
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(bytes, bit), bit);
  return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// Eight i32 lanes, lane k = sum of u[4k..4k+3] * s[4k..4k+3] (u unsigned,
// s signed; products of pairs must fit i16, which holds for |u| <= 128).
inline __m256i dot4_us(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// The same for two signed operands, by moving w's sign onto q.
inline __m256i dot4_ss(__m256i w, __m256i q) {
  return dot4_us(_mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w));
}

// A per-thread buffer of 32-bit values that grows once and is reused, so
// kernels do not allocate per call (each file keeps its own thread_local).
struct I32Scratch {
  int32_t* get(int64_t n) {
    if (n > cap) {
      ::operator delete(data, std::align_val_t(64));
      data =
          static_cast<int32_t*>(::operator new(static_cast<size_t>(n) * 4, std::align_val_t(64)));
      cap = n;
    }
    return data;
  }
  ~I32Scratch() { ::operator delete(data, std::align_val_t(64)); }
  int32_t* data = nullptr;
  int64_t cap = 0;
};

// The packed kernels' lane offsets for unsigned codes (w + offset):
// init[i] = -offset * (q[4i] + ... + q[4i+3]) for i < n.
inline void lane_offsets(const int8_t* q, int64_t n, int offset, int32_t* init) {
  for (int64_t i = 0; i < n; ++i)
    init[i] = -offset * (q[4 * i] + q[4 * i + 1] + q[4 * i + 2] + q[4 * i + 3]);
}

}  // namespace
}  // namespace zhi
