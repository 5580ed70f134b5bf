// decode_cjk with AVX-512: a byte permute (VBMI) puts each of 16 three-byte
// sequences in its own 32-bit lane, which is checked and decoded in place;
// one gather loads the 16 table entries. write_cjk_skeleton: one mask bit per
// character for each entry bit it reads, then put_skeleton (shared with the
// ASCII writer) makes the entries.
//
// GCC 12 reports its own _mm512_undefined_* placeholders as uninitialised
// once inlined (GCC bug 105593), as in ascii_block_avx512.cc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include "compliance/cjk_block.h"
#include "compliance/x86/skeleton_simd.h"

namespace zhi::compliance {

__attribute__((target("avx512vbmi,bmi,bmi2"))) uint32_t decode_cjk_avx512(const unsigned char* p,
                                                                          size_t n,
                                                                          const uint32_t* table,
                                                                          uint32_t* entries) {
  // Lane c takes bytes 3c, 3c + 1, 3c + 2 (the top byte is masked off).
  const __m512i spread =
      _mm512_set_epi8(0, 47, 46, 45, 0, 44, 43, 42, 0, 41, 40, 39, 0, 38, 37, 36, 0, 35, 34, 33, 0,
                      32, 31, 30, 0, 29, 28, 27, 0, 26, 25, 24, 0, 23, 22, 21, 0, 20, 19, 18, 0, 17,
                      16, 15, 0, 14, 13, 12, 0, 11, 10, 9, 0, 8, 7, 6, 0, 5, 4, 3, 0, 2, 1, 0);
  // Lane c ends at byte 3c + 3.
  const __m512i ends =
      _mm512_set_epi32(48, 45, 42, 39, 36, 33, 30, 27, 24, 21, 18, 15, 12, 9, 6, 3);
  uint32_t m = 0;
  for (size_t q = 0; m < 64 && q < n; q += 48) {
    const size_t avail = n - q;
    const __m512i v = _mm512_maskz_loadu_epi8(
        avail >= 64 ? ~__mmask64{0} : _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(avail)), p + q);
    const __m512i d =
        _mm512_and_si512(_mm512_permutexvar_epi8(spread, v), _mm512_set1_epi32(0x00FFFFFF));
    const __m512i cp = _mm512_or_si512(
        _mm512_or_si512(_mm512_slli_epi32(_mm512_and_si512(d, _mm512_set1_epi32(0x0F)), 12),
                        _mm512_and_si512(_mm512_srli_epi32(d, 2), _mm512_set1_epi32(0xFC0))),
        _mm512_and_si512(_mm512_srli_epi32(d, 16), _mm512_set1_epi32(0x3F)));
    const __mmask16 shape = _mm512_cmpeq_epi32_mask(
        _mm512_and_si512(d, _mm512_set1_epi32(0x00C0C0F0)), _mm512_set1_epi32(0x008080E0));
    const __mmask16 not_overlong = _mm512_cmpge_epu32_mask(cp, _mm512_set1_epi32(0x800));
    const __mmask16 not_surrogate = _mm512_cmpge_epu32_mask(
        _mm512_sub_epi32(cp, _mm512_set1_epi32(0xD800)), _mm512_set1_epi32(0x800));
    const __mmask16 inside =
        _mm512_cmple_epu32_mask(ends, _mm512_set1_epi32(static_cast<int>(avail < 48 ? avail : 48)));
    const uint32_t ok = shape & not_overlong & not_surrogate & inside;
    const uint32_t k = _tzcnt_u32(~ok);  // valid lanes before the first invalid one
    const __mmask16 take = static_cast<__mmask16>(_bzhi_u32(0xFFFF, k));
    const __m512i e =
        _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), take, cp, table, sizeof(uint32_t));
    _mm512_mask_storeu_epi32(entries + m, take, e);
    m += k;
    if (k < 16) break;
  }
  return m;
}

__attribute__((target("avx512vbmi,avx512vbmi2,bmi,bmi2,lzcnt"))) CjkBatch write_cjk_skeleton_avx512(
    const uint32_t* entries, uint32_t m, uint64_t begin, uint32_t gap, uint32_t flags,
    uint32_t max_gap, SkelChar* ring, uint64_t count, uint8_t* ends) {
  uint64_t stop = 0, word = 0, ends_word = 0, space = 0, breaker = 0;
  alignas(64) uint8_t end_bits[64] = {};
  alignas(64) uint32_t cps[64 + 16] = {};  // compressed; stores and reads run past the count
  uint32_t n_cps = 0;
  for (uint32_t g = 0; g < m; g += 16) {
    const auto live = static_cast<__mmask16>(_bzhi_u32(0xFFFF, m - g < 16 ? m - g : 16));
    const __m512i v = _mm512_maskz_loadu_epi32(live, entries + g);
    const auto bits = [&](uint32_t b) {
      return uint64_t{_mm512_mask_test_epi32_mask(live, v, _mm512_set1_epi32(static_cast<int>(b)))}
             << g;
    };
    stop |= bits(cjk_entry::kMulti | cjk_entry::kStop);
    word |= bits(cjk_entry::kWord);
    ends_word |= bits(cjk_entry::kEndsWord);
    space |= bits(cjk_entry::kSpace);
    breaker |= bits(cjk_entry::kBreaker);
    _mm_store_si128(reinterpret_cast<__m128i*>(end_bits + g),
                    _mm512_cvtepi32_epi8(_mm512_and_si512(
                        _mm512_srli_epi32(v, cjk_entry::kEndsShift), _mm512_set1_epi32(7))));
    // Every word character is compressed, even past the first stop: the
    // taken ones come first, in order, and only they are read.
    const auto w = static_cast<__mmask16>((word >> g) & 0xFFFF);
    // Compressed in a register and stored whole: Zen 4 microcodes a
    // compressing store to memory (it took half of this function's time).
    _mm512_storeu_si512(
        cps + n_cps,
        _mm512_maskz_compress_epi32(
            w, _mm512_and_si512(v, _mm512_set1_epi32(static_cast<int>(cjk_entry::kCpMask)))));
    n_cps += static_cast<uint32_t>(_mm_popcnt_u32(w));
  }
  // Taken: up to the first stop, or through the first word character that
  // ends a whole-word term, whichever comes first (a stop wins a tie).
  const uint32_t first_stop = static_cast<uint32_t>(_tzcnt_u64(stop));  // 64 if none
  const uint32_t first_end = static_cast<uint32_t>(_tzcnt_u64(ends_word & word & ~stop));
  CjkBatch b{};
  b.cut = kNoCut;
  if (first_stop <= first_end) {
    b.taken = first_stop < m ? first_stop : m;
    b.stopped = first_stop < m;
  } else {
    b.taken = first_end + 1;
    b.stopped = true;
  }
  const uint64_t valid = _bzhi_u64(~uint64_t{0}, b.taken);
  word &= valid;
  const uint64_t noise = valid & ~word;
  space &= noise;
  breaker &= noise;
  b.words = static_cast<uint32_t>(_mm_popcnt_u64(word));
  // The noise after the last word character (all of the batch if none).
  const uint32_t after_last = word == 0 ? 0 : 64 - static_cast<uint32_t>(_lzcnt_u64(word));
  const uint64_t tail = valid & ~_bzhi_u64(~uint64_t{0}, after_last);
  const uint32_t tail_flags =
      ((space & tail) ? SkelChar::kGapSpace : 0u) | ((breaker & tail) ? SkelChar::kGapBreaker : 0u);
  const uint32_t tail_gap = b.taken - after_last;
  if (word == 0) {
    b.gap = gap + tail_gap < 255 ? gap + tail_gap : 255;
    b.flags = flags | tail_flags;
    return b;
  }
  b.gap = tail_gap;
  b.flags = tail_flags;
  _mm512_storeu_si512(ends, _mm512_maskz_compress_epi8(word, _mm512_load_si512(end_bits)));
  b.cut = put_skeleton<uint32_t, 3, 0>(word, noise, space, breaker, cps, begin, gap, flags, max_gap,
                                       ring, count);
  return b;
}

__attribute__((target("avx512vbmi,bmi,bmi2"))) uint32_t encode_cjk_folded_avx512(
    const uint32_t* entries, uint32_t m, char* out) {
  // Bytes 0-2 of each 32-bit lane, packed: the 16 lanes' 48 bytes.
  const __m512i pack = _mm512_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 62, 61, 60,
                                       58, 57, 56, 54, 53, 52, 50, 49, 48, 46, 45, 44, 42, 41, 40,
                                       38, 37, 36, 34, 33, 32, 30, 29, 28, 26, 25, 24, 22, 21, 20,
                                       18, 17, 16, 14, 13, 12, 10, 9, 8, 6, 5, 4, 2, 1, 0);
  uint32_t c = 0;
  while (c < m) {
    const uint32_t left = m - c;
    const __mmask16 in = static_cast<__mmask16>(_bzhi_u32(0xFFFF, left < 16 ? left : 16));
    const __m512i f = _mm512_and_si512(_mm512_maskz_loadu_epi32(in, entries + c),
                                       _mm512_set1_epi32(static_cast<int>(cjk_entry::kCpMask)));
    const __mmask16 three = _mm512_cmpge_epu32_mask(f, _mm512_set1_epi32(0x800)) &
                            _mm512_cmplt_epu32_mask(f, _mm512_set1_epi32(0x10000)) & in;
    const uint32_t k = _tzcnt_u32(~static_cast<uint32_t>(three));  // leading lanes to write
    // Lane bytes: 0xE0 | f >> 12, then 0x80 | (f >> 6) & 0x3F, 0x80 | f & 0x3F.
    const __m512i lead = _mm512_or_si512(_mm512_srli_epi32(f, 12), _mm512_set1_epi32(0xE0));
    const __m512i mid =
        _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(f, 6), _mm512_set1_epi32(0x3F)), 8);
    const __m512i low = _mm512_slli_epi32(_mm512_and_si512(f, _mm512_set1_epi32(0x3F)), 16);
    const __m512i bytes = _mm512_or_si512(_mm512_or_si512(lead, mid),
                                          _mm512_or_si512(low, _mm512_set1_epi32(0x808000)));
    _mm512_mask_storeu_epi8(out + 3 * c, _bzhi_u64(~uint64_t{0}, 3 * k),
                            _mm512_permutexvar_epi8(pack, bytes));
    c += k;
    if (k < 16) break;
  }
  return c;
}

}  // namespace zhi::compliance
