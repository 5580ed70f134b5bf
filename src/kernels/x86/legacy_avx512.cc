// AVX-512 VNNI kernels for the 32-element formats (Q8_0, Q4_0, Q5_0, IQ4_NL,
// Q4_1, Q5_1), bit-identical to their scalar twins.
//
// The twins keep eight f32 lanes per output (lane k = products at positions
// 4k..4k+3 of each block, scaled by d_w*d_x with a fused multiply-add). Here
// one zmm carries two outputs with their lanes interleaved: position 2k is
// output A's lane k, 2k+1 output B's. Interleaving by 4-byte groups is what
// vpdpbusd produces when its operands are interleaved the same way, and a
// 64-bit broadcast of (dd_A, dd_B) scales both outputs with one FMA.
//   decode (one token):  A, B = two weight rows; the token's quants duplicated.
//   prefill (a batch):   A, B = two tokens; each weight row's codes duplicated.
//
// vpdpbusd multiplies unsigned by signed bytes. Weight codes are made
// unsigned (code = value + k: Q8_0 and IQ4_NL add 128, Q4_0 and Q5_0 use
// their stored codes, k = 8 and 16) and the k * (sum of 4 activation quants)
// is subtracted by starting each accumulation from -k * sum, computed once
// per activation block and shared by every row.
#include <cmath>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/x86_kernels.h"
#include "quant/block_formats.h"

namespace zhi {
namespace {

// ---- pairing helpers ----

inline __m512i pair_idx() {
  return _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}

// 32 bytes from a and from b, interleaved by 4-byte groups.
inline __m512i pair_dwords(const void* a, const void* b) {
  return _mm512_permutex2var_epi32(
      _mm512_castsi256_si512(_mm256_loadu_si256(static_cast<const __m256i*>(a))), pair_idx(),
      _mm512_castsi256_si512(_mm256_loadu_si256(static_cast<const __m256i*>(b))));
}

// 32 bytes duplicated by 4-byte groups (pair_dwords(a, a) with one load).
inline __m512i dup_dwords(const void* a) {
  const __m512i idx = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  return _mm512_permutexvar_epi32(
      idx, _mm512_castsi256_si512(_mm256_loadu_si256(static_cast<const __m256i*>(a))));
}

// The 4-bit codes of two Q4_0-layout blocks, paired: groups 0-3 are low
// nibbles of qs dwords 0-3, groups 4-7 the high nibbles of the same dwords.
inline __m512i nibble_pair(const uint8_t* qa, const uint8_t* qb) {
  const __m512i idx = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 0, 16, 1, 17, 2, 18, 3, 19);
  __m512i v = _mm512_permutex2var_epi32(
      _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qa))), idx,
      _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qb))));
  v = _mm512_mask_srli_epi16(v, 0xFFFF0000u, v, 4);
  return _mm512_and_si512(v, _mm512_set1_epi8(0x0F));
}

// Byte p of the pair layout holds element e = 4*(p/8) + p%4 of block A
// (p/4 even) or B (odd). Its fifth bit is bit e of that block's qh: byte
// 4*row + e/8 of the broadcast (qh_a, qh_b), tested against 1 << (e%8).
struct FifthBitTables {
  alignas(64) uint8_t shuffle[64];
  alignas(64) uint8_t bit[64];
  constexpr FifthBitTables() : shuffle(), bit() {
    for (int p = 0; p < 64; ++p) {
      const int e = 4 * (p / 8) + p % 4;
      shuffle[p] = static_cast<uint8_t>(4 * ((p / 4) % 2) + e / 8);
      bit[p] = static_cast<uint8_t>(1u << (e % 8));
    }
  }
};
constexpr FifthBitTables kFifthBits;

inline __mmask64 fifth_bits(uint32_t qh_a, uint32_t qh_b) {
  const __m512i h =
      _mm512_set1_epi64(static_cast<int64_t>((static_cast<uint64_t>(qh_b) << 32) | qh_a));
  const __m512i bytes = _mm512_shuffle_epi8(h, _mm512_load_si512(kFifthBits.shuffle));
  return _mm512_test_epi8_mask(bytes, _mm512_load_si512(kFifthBits.bit));
}

inline __m512i add_fifth_bits(__m512i codes, uint32_t qh_a, uint32_t qh_b) {
  return _mm512_mask_add_epi8(codes, fifth_bits(qh_a, qh_b), codes, _mm512_set1_epi8(16));
}

// ---- formats: unsigned codes of two blocks, paired, and their offset ----

struct Q8_0Z {
  using Block = BlockQ8_0;
  static constexpr int kOffset = 128;
  static constexpr bool kMin = false;
  static __m512i codes(const Block& a, const Block& b) {
    return _mm512_xor_si512(pair_dwords(a.qs, b.qs), _mm512_set1_epi8(static_cast<char>(0x80)));
  }
  static __m512i codes_dup(const Block& a) {
    return _mm512_xor_si512(dup_dwords(a.qs), _mm512_set1_epi8(static_cast<char>(0x80)));
  }
};

struct Q4_0Z {
  using Block = BlockQ4_0;
  static constexpr int kOffset = 8;
  static constexpr bool kMin = false;
  static __m512i codes(const Block& a, const Block& b) { return nibble_pair(a.qs, b.qs); }
  static __m512i codes_dup(const Block& a) { return nibble_pair(a.qs, a.qs); }
};

struct Q5_0Z {
  using Block = BlockQ5_0;
  static constexpr int kOffset = 16;
  static constexpr bool kMin = false;
  static __m512i codes(const Block& a, const Block& b) {
    return add_fifth_bits(nibble_pair(a.qs, b.qs), load_u32(a.qh), load_u32(b.qh));
  }
  static __m512i codes_dup(const Block& a) { return codes(a, a); }
};

struct Iq4NlZ {
  using Block = BlockIq4Nl;
  static constexpr int kOffset = 128;
  static constexpr bool kMin = false;
  // The codebook shifted by +128 into unsigned bytes.
  static __m512i table() {
    return _mm512_broadcast_i32x4(
        _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)),
                      _mm_set1_epi8(static_cast<char>(0x80))));
  }
  static __m512i codes(const Block& a, const Block& b) {
    return _mm512_shuffle_epi8(table(), nibble_pair(a.qs, b.qs));
  }
  static __m512i codes_dup(const Block& a) { return codes(a, a); }
};

struct Q4_1Z {
  using Block = BlockQ4_1;
  static constexpr int kOffset = 0;
  static constexpr bool kMin = true;
  static __m512i codes(const Block& a, const Block& b) { return nibble_pair(a.qs, b.qs); }
  static __m512i codes_dup(const Block& a) { return nibble_pair(a.qs, a.qs); }
};

struct Q5_1Z {
  using Block = BlockQ5_1;
  static constexpr int kOffset = 0;
  static constexpr bool kMin = true;
  static __m512i codes(const Block& a, const Block& b) {
    return add_fifth_bits(nibble_pair(a.qs, b.qs), load_u32(a.qh), load_u32(b.qh));
  }
  static __m512i codes_dup(const Block& a) { return codes(a, a); }
};

// -k * (sum of each 4 activation quants), in the pair layout.
template <int kOffset>
inline __m512i offset_init(__m512i q) {
  if constexpr (kOffset == 0) {
    return _mm512_setzero_si512();
  } else {
    const __m512i sums = _mm512_dpbusd_epi32(_mm512_setzero_si512(),
                                             _mm512_set1_epi8(static_cast<char>(kOffset)), q);
    return _mm512_sub_epi32(_mm512_setzero_si512(), sums);
  }
}

// The two outputs of a pair accumulator, each reduced in the twins' order.
inline __m128 reduce_pair(__m512 acc) {
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(acc), _mm512_extractf32x8_ps(acc, 1));
  const __m128 g = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  return _mm_add_ps(g, _mm_movehl_ps(g, g));
}

inline __m512 broadcast_pair(const float* p) {
  double d;
  std::memcpy(&d, p, 8);
  return _mm512_castpd_ps(_mm512_set1_pd(d));
}

// Grows once, reused: packed activations for one call.
struct Scratch {
  uint8_t* get(size_t bytes) {
    if (bytes > cap) {
      ::operator delete(data, std::align_val_t(64));
      data = static_cast<uint8_t*>(::operator new(bytes, std::align_val_t(64)));
      cap = bytes;
    }
    return data;
  }
  ~Scratch() { ::operator delete(data, std::align_val_t(64)); }
  uint8_t* data = nullptr;
  size_t cap = 0;
};

// ---- decode: one token, rows in pairs ----

// Token t's quants duplicated (64 bytes per block) and the offset start.
template <class T>
void pack_dup(const ActView& x, int64_t t, int64_t nb, uint8_t* q, uint8_t* init) {
  for (int64_t b = 0; b < nb; ++b) {
    const __m512i v = dup_dwords(x.q(t) + b * kQK);
    _mm512_store_si512(q + 64 * b, v);
    _mm512_store_si512(init + 64 * b, offset_init<T::kOffset>(v));
  }
}

// Rows r0 .. r0 + 2*NP - 1 (the last pair may repeat a row: `odd`).
template <class T, int NP>
void gemv_pairs(const uint8_t* w, int64_t ws, const ActView& x, int64_t t, const uint8_t* q,
                const uint8_t* init, int64_t nrows, float* out) {
  using Block = typename T::Block;
  const int64_t nb = x.cols / kQK;
  const float* dx = x.d(t);
  const Block* rows[2 * NP];
  for (int i = 0; i < 2 * NP; ++i)
    rows[i] = reinterpret_cast<const Block*>(w + std::min<int64_t>(i, nrows - 1) * ws);
  __m512 acc[NP];
  float summs[2 * NP];
  for (int p = 0; p < NP; ++p) acc[p] = _mm512_setzero_ps();
  for (int i = 0; i < 2 * NP; ++i) summs[i] = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    prefetch_slice(w + 2 * NP * ws, 2 * NP * ws, b, nb);  // the next rows, during this pass
    const __m128 vdx = _mm_set1_ps(dx[b]);
    const __m512i qb = _mm512_load_si512(q + 64 * b), ib = _mm512_load_si512(init + 64 * b);
    for (int p = 0; p < NP; ++p) {
      const Block& A = rows[2 * p][b];
      const Block& B = rows[2 * p + 1][b];
      const __m512i lanes = _mm512_dpbusd_epi32(ib, T::codes(A, B), qb);
      const __m128 d2 = _mm_mul_ps(
          _mm_cvtph_ps(_mm_cvtsi32_si128(A.d | (static_cast<uint32_t>(B.d) << 16))), vdx);
      const __m512 dd = _mm512_castpd_ps(_mm512_broadcastsd_pd(_mm_castps_pd(d2)));
      acc[p] = _mm512_fmadd_ps(dd, _mm512_cvtepi32_ps(lanes), acc[p]);
      if constexpr (T::kMin) {
        summs[2 * p] = std::fma(half_to_float(A.m), x.s(t)[b], summs[2 * p]);
        summs[2 * p + 1] = std::fma(half_to_float(B.m), x.s(t)[b], summs[2 * p + 1]);
      }
    }
  }
  for (int p = 0; p < NP; ++p) {
    alignas(16) float two[4];
    _mm_store_ps(two, reduce_pair(acc[p]));
    for (int i = 0; i < 2; ++i)
      if (2 * p + i < nrows) out[2 * p + i] = two[i] + summs[2 * p + i];
  }
}

thread_local Scratch tl_dup;

template <class T>
void gemv(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t t, float* out) {
  const int64_t nb = x.cols / kQK;
  uint8_t* q = tl_dup.get(static_cast<size_t>(nb) * 128);
  uint8_t* init = q + nb * 64;
  pack_dup<T>(x, t, nb, q, init);
  // Eight rows per pass: four independent accumulator chains hide the FMA
  // latency, and each activation block is loaded once for eight rows.
  int64_t r = 0;
  for (; r + 8 <= nr; r += 8) gemv_pairs<T, 4>(w + r * ws, ws, x, t, q, init, 8, out + r);
  for (; r < nr; r += 2)
    gemv_pairs<T, 1>(w + r * ws, ws, x, t, q, init, std::min<int64_t>(2, nr - r), out + r);
}

// ---- prefill: tokens in pairs, rows duplicated ----

// Packed activations of up to kPairs token pairs, per block: the pairs'
// quants (64 bytes each), their offset starts, and each token's scale (and
// Q8_1 s) for the eight tokens.
constexpr int kPairs = 4;
// Plain bytes, read and written only through load/store intrinsics: GCC 12
// at -O3 dropped stores made through __m512i struct members as dead.
struct PackedBlock {
  alignas(64) uint8_t q[kPairs][64];
  alignas(64) uint8_t init[kPairs][64];
  alignas(32) float d[2 * kPairs];
  alignas(32) float s[2 * kPairs];
};

template <class T>
void pack_pairs(const ActView& x, int64_t t0, int np, int64_t nb, PackedBlock* pb) {
  for (int64_t b = 0; b < nb; ++b) {
    for (int p = 0; p < np; ++p) {
      const int64_t ta = t0 + 2 * p, tb = ta + 1;
      const __m512i q = pair_dwords(x.q(ta) + b * kQK, x.q(tb) + b * kQK);
      _mm512_store_si512(pb[b].q[p], q);
      _mm512_store_si512(pb[b].init[p], offset_init<T::kOffset>(q));
      pb[b].d[2 * p] = x.d(ta)[b];
      pb[b].d[2 * p + 1] = x.d(tb)[b];
      if constexpr (T::kMin) {
        pb[b].s[2 * p] = x.s(ta)[b];
        pb[b].s[2 * p + 1] = x.s(tb)[b];
      }
    }
    for (int i = 2 * np; i < 2 * kPairs; ++i) pb[b].d[i] = 0.0f, pb[b].s[i] = 0.0f;
  }
}

// R rows x P token pairs. Per block: R duplicated code vectors, and for each
// (row, pair) one vpdpbusd, one conversion and one FMA whose (dd_A, dd_B)
// operand is a 64-bit broadcast load from a table of d_w * d_x products
// built before the loop (a load port, not a vector ALU, does the broadcast).
//   R = 4, P = 4: 16 accumulators + 4 codes + 4 quants + 4 offset starts
//   = 28 of the 32 zmm registers; the rest hold the temporaries.
// `wd` holds the R rows' block scales as f32 (row-major, nb per row) and `dd`
// has room for nb * R * 8 floats.
template <class T, int R, int P>
void gemm_tile(const uint8_t* w, int64_t ws, const PackedBlock* pb, int64_t nb, const float* wd,
               int64_t wd_stride, float* dd, float* out, int64_t ldo) {
  using Block = typename T::Block;
  for (int64_t b = 0; b < nb; ++b) {
    const __m256 dx = _mm256_load_ps(pb[b].d);
    for (int r = 0; r < R; ++r)
      _mm256_store_ps(dd + (b * R + r) * 8,
                      _mm256_mul_ps(_mm256_set1_ps(wd[r * wd_stride + b]), dx));
  }
  __m512 acc[R][P];
  __m256 summs[R];
  for (int r = 0; r < R; ++r) {
    summs[r] = _mm256_setzero_ps();
    for (int p = 0; p < P; ++p) acc[r][p] = _mm512_setzero_ps();
  }
  for (int64_t b = 0; b < nb; ++b) {
    const PackedBlock& a = pb[b];
    __m512i codes[R];
    for (int r = 0; r < R; ++r) {
      const Block& blk = reinterpret_cast<const Block*>(w + r * ws)[b];
      codes[r] = T::codes_dup(blk);
      if constexpr (T::kMin)
        summs[r] =
            _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk.m)), _mm256_load_ps(a.s), summs[r]);
    }
    const float* ddb = dd + b * R * 8;
    for (int p = 0; p < P; ++p) {
      const __m512i q = _mm512_load_si512(a.q[p]);
      const __m512i init = _mm512_load_si512(a.init[p]);
      for (int r = 0; r < R; ++r) {
        const __m512i lanes = _mm512_dpbusd_epi32(init, codes[r], q);
        acc[r][p] = _mm512_fmadd_ps(broadcast_pair(ddb + r * 8 + 2 * p), _mm512_cvtepi32_ps(lanes),
                                    acc[r][p]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    alignas(32) float sm[8];
    _mm256_store_ps(sm, summs[r]);
    for (int p = 0; p < P; ++p) {
      alignas(16) float two[4];
      _mm_store_ps(two, reduce_pair(acc[r][p]));
      out[(2 * p) * ldo + r] = two[0] + sm[2 * p];
      out[(2 * p + 1) * ldo + r] = two[1] + sm[2 * p + 1];
    }
  }
}

template <class T, int P>
void gemm_pairs(const uint8_t* w, int64_t ws, int64_t nr, const PackedBlock* pb, int64_t nb,
                const float* wd, float* dd, float* out, int64_t ldo) {
  int64_t r = 0;
  for (; r + 4 <= nr; r += 4)
    gemm_tile<T, 4, P>(w + r * ws, ws, pb, nb, wd + r * nb, nb, dd, out + r, ldo);
  for (; r < nr; ++r) gemm_tile<T, 1, P>(w + r * ws, ws, pb, nb, wd + r * nb, nb, dd, out + r, ldo);
}

thread_local Scratch tl_pack;
thread_local Scratch tl_scales;

template <class T>
void gemm(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
          int64_t ldo) {
  using Block = typename T::Block;
  const int64_t nb = x.cols / kQK;
  if (nt == 1) return gemv<T>(w, ws, nr, x, 0, out);
  PackedBlock* pb =
      reinterpret_cast<PackedBlock*>(tl_pack.get(static_cast<size_t>(nb) * sizeof(PackedBlock)));
  // Every row's block scales as f32, once per call; then room for one tile's products.
  const int64_t wd_floats = (nr * nb + 15) / 16 * 16;  // keeps dd 64-byte aligned
  float* wd = reinterpret_cast<float*>(
      tl_scales.get(static_cast<size_t>(wd_floats + nb * 4 * 8) * sizeof(float)));
  float* dd = wd + wd_floats;
  for (int64_t r = 0; r < nr; ++r) {
    const Block* row = reinterpret_cast<const Block*>(w + r * ws);
    for (int64_t b = 0; b < nb; ++b) wd[r * nb + b] = half_to_float(row[b].d);
  }
  int64_t t = 0;
  // Eight tokens at a time; the pairs left over go one pair at a time, and
  // an odd last token takes the decode path. Every output gets the same
  // arithmetic on every path.
  for (; t + 2 * kPairs <= nt; t += 2 * kPairs) {
    pack_pairs<T>(x, t, kPairs, nb, pb);
    gemm_pairs<T, kPairs>(w, ws, nr, pb, nb, wd, dd, out + t * ldo, ldo);
  }
  for (; t + 2 <= nt; t += 2) {
    pack_pairs<T>(x, t, 1, nb, pb);
    gemm_pairs<T, 1>(w, ws, nr, pb, nb, wd, dd, out + t * ldo, ldo);
  }
  if (t < nt) gemv<T>(w, ws, nr, x, t, out + t * ldo);
}

template <GgmlType kType>
void set(KernelTable& t, GemmFn fn) {
  t.gemm[static_cast<uint32_t>(kType)] = fn;
}

}  // namespace

void fill_avx512_legacy(KernelTable& t) {
  set<GgmlType::kQ8_0>(t, gemm<Q8_0Z>);
  set<GgmlType::kQ4_0>(t, gemm<Q4_0Z>);
  set<GgmlType::kQ5_0>(t, gemm<Q5_0Z>);
  set<GgmlType::kIQ4_NL>(t, gemm<Iq4NlZ>);
  set<GgmlType::kQ4_1>(t, gemm<Q4_1Z>);
  set<GgmlType::kQ5_1>(t, gemm<Q5_1Z>);
}

}  // namespace zhi
