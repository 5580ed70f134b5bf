// What a regular expression's matches can start with, when that is a few
// ASCII bytes and Chinese characters: `\b1[3-9]\d{9}\b` can only start at
// a digit, `(买|卖).{0,5}枪` at 买 or 卖. RegexSet uses it to skip text no
// match can start in instead of feeding every byte to Vectorscan.
//
// The analysis reads a conservative subset of the pattern syntax; anything
// it is not sure of ('.', negated classes, other non-ASCII characters,
// lookarounds, inline flags, back references...) gives "unknown", and the
// caller scans everything. Where it answers, the set is a superset of the
// truth under kRegexFlags (caseless: both cases of a letter are in it; CJK
// ideographs have no case).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace zhi::compliance {

struct ByteSet {
  uint64_t bits[2] = {0, 0};  // ASCII only: bit b of bits[b / 64]
  void add(unsigned char b) { bits[b >> 6] |= uint64_t{1} << (b & 63); }
  bool has(unsigned char b) const { return b < 128 && (bits[b >> 6] >> (b & 63)) & 1; }
  void merge(const ByteSet& o) {
    bits[0] |= o.bits[0];
    bits[1] |= o.bits[1];
  }
  bool empty() const { return (bits[0] | bits[1]) == 0; }
};

struct StartSet {
  static constexpr size_t kMaxChars = 16;  // more ideographs than this: unknown
  ByteSet bytes;                           // ASCII bytes
  std::vector<char32_t> chars;             // CJK ideographs (three UTF-8 bytes each), no repeats
  void merge(const StartSet& o);
  bool empty() const { return bytes.empty() && chars.empty(); }
};

// True for the code points StartSet::chars may hold: CJK Unified
// Ideographs and Extension A (U+3400..U+4DBF, U+4E00..U+9FFF).
bool is_start_ideograph(char32_t cp);

// What a match of `expression` can start with; false where the analysis
// cannot tell (then *out is unspecified).
bool regex_first_bytes(std::string_view expression, StartSet* out);

}  // namespace zhi::compliance
