// What each code point becomes before matching: compatibility decomposition
// (NFKC's mapping: full-width forms, circled and mathematical letters, CJK
// compatibility ideographs), case folding, marks stripped, default-ignorable
// characters (zero-width space/joiners, soft hyphen, BOM) dropped,
// Traditional -> Simplified, and homoglyphs -> Latin. Each result is tagged
// as a word character (letters, digits, ideographs) or noise (spaces,
// punctuation, symbols, emoji), which the matcher skips between characters.
//
// Marks are stripped rather than recomposed (NFKD + strip, not NFKC): "é" and
// "e" fold alike, so strike-through and accent spam ("s̶e̶x̶") cannot split a
// term. Terms fold through the same table, so both sides always agree.
//
// Built once per process: the Basic Multilingual Plane is a 256 KiB table;
// other planes are folded on the fly.
#pragma once

#include <cstdint>
#include <vector>

#include "compliance/t2s_map.h"
#include "core/status.h"

namespace zhi::compliance {

// One folded code point.
struct FoldedChar {
  char32_t cp;
  bool word;   // letter, digit or ideograph: part of the matching skeleton
  bool alpha;  // a word character of a space-separated script (Latin, Cyrillic, ...), not CJK
  bool space;  // noise that is white space (matters for the cross-word rule)
};

// Longest expansion of one code point (U+FDFA expands to 18).
constexpr int kMaxFoldOut = 20;

class FoldTable {
 public:
  // The process-wide table; the first call builds it (about 0.1 s, mostly OpenCC).
  static Result<const FoldTable*> instance();

  // Writes what `cp` folds to into out[0..n) and returns n (0: dropped).
  int fold(char32_t cp, FoldedChar* out) const {
    if (cp < 0x10000) {
      const uint32_t e = bmp_[cp];
      if ((e & kMulti) == 0) {
        if (e & kDrop) return 0;
        out[0] = unpack(e);
        return 1;
      }
      const uint32_t at = e & kCpMask, n = (e >> kCountShift) & 0x1F;
      for (uint32_t i = 0; i < n; ++i) out[i] = unpack(pool_[at + i]);
      return static_cast<int>(n);
    }
    return fold_slow(cp, out);
  }

  // Entry layout, public for the scanner's fast path.
  static constexpr uint32_t kCpMask = 0x1FFFFF;
  static constexpr uint32_t kWord = 1u << 21;
  static constexpr uint32_t kAlpha = 1u << 22;
  static constexpr uint32_t kSpace = 1u << 23;
  static constexpr uint32_t kDrop = 1u << 24;
  static constexpr uint32_t kMulti = 1u << 25;
  static constexpr int kCountShift = 26;
  const uint32_t* bmp() const { return bmp_.data(); }

  static FoldedChar unpack(uint32_t e) {
    return {static_cast<char32_t>(e & kCpMask), (e & kWord) != 0, (e & kAlpha) != 0,
            (e & kSpace) != 0};
  }

 private:
  explicit FoldTable(T2sMap t2s) : t2s_(std::move(t2s)) {}
  void build();
  int fold_slow(char32_t cp, FoldedChar* out) const;

  T2sMap t2s_;
  std::vector<uint32_t> bmp_;   // 65536 entries
  std::vector<uint32_t> pool_;  // expansions of more than one code point
};

// True for scripts written without spaces between words (Han, kana, Hangul,
// and their symbols); word boundaries are meaningless inside them.
bool is_cjk_like(char32_t cp);

}  // namespace zhi::compliance
