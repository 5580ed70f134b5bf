// Everything a scanner needs, compiled from a policy and shared read-only
// between all scanners (one per request or per generation stream).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

#include "compliance/ascii_block.h"
#include "compliance/fold_table.h"
#include "compliance/literal_index.h"
#include "compliance/regex_set.h"

namespace zhi::compliance {

struct MatchRules {
  const FoldTable* table = nullptr;
  LiteralIndex anywhere;  // substring terms (and every CJK term)
  LiteralIndex word;      // whole-word terms: must start and end at word boundaries
  LiteralIndex allow;     // benign words that contain a listed term; a hit inside one is dropped
  std::shared_ptr<const RegexSet> regex;
  // By rule: 1 when the term occurs inside some allow term. Only such hits
  // wait to see whether an allow term covers them; the rest are final at once.
  std::vector<uint8_t> allow_coverable;

  // Per BMP code point, which sets have a term ending with it (kEnds* bits):
  // one load decides whether a word character needs any probing at all.
  static constexpr uint8_t kEndsAllow = 1, kEndsAnywhere = 2, kEndsWord = 4;
  std::vector<uint8_t> ends;
  void build_ends() {
    ends.assign(0x10000, 0);
    for (char32_t c = 0; c < 0x10000; ++c) {
      ends[c] = static_cast<uint8_t>((allow.may_end_with(c) ? kEndsAllow : 0) |
                                     (anywhere.may_end_with(c) ? kEndsAnywhere : 0) |
                                     (word.may_end_with(c) ? kEndsWord : 0));
    }
  }
  // Per byte, for the scanner's ASCII fast path (Scanner::ascii_run): the
  // folded character and everything the matcher asks about it, in one load.
  // Bytes >= 0x80 and any ASCII character that does not fold to one ASCII
  // character of the usual kind carry kAsciiSlow and take the general path.
  // Build after build_ends() and the breakers.
  static constexpr uint16_t kAsciiCharMask = 0x7F;
  static constexpr uint16_t kAsciiWord = 1u << 7;
  static constexpr uint16_t kAsciiSpace = 1u << 9;     // == SkelChar::kGapSpace << 8
  static constexpr uint16_t kAsciiBreaker = 1u << 10;  // == SkelChar::kGapBreaker << 8
  static constexpr int kAsciiEndsShift = 11;           // kEnds* << kAsciiEndsShift
  static constexpr uint16_t kAsciiSlow = 1u << 15;
  static_assert(kAsciiSpace >> 8 == AsciiTables::kSpace &&
                kAsciiBreaker >> 8 == AsciiTables::kBreaker &&
                kAsciiEndsShift - 8 == AsciiTables::kEndsShift &&
                kAsciiWord >> 7 == AsciiTables::kWord);
  uint16_t ascii[256];
  MatchRules() {  // every byte slow until built
    std::fill(std::begin(ascii), std::end(ascii), kAsciiSlow);
    std::fill(std::begin(ascii_tables.cls), std::end(ascii_tables.cls), AsciiTables::kSlow);
  }
  void build_ascii() {
    static_assert(kAsciiSpace == SkelChar::kGapSpace << 8 && kAsciiBreaker == SkelChar::kGapBreaker
                                                                                  << 8);
    for (unsigned b = 0; b < 256; ++b) {
      ascii[b] = kAsciiSlow;
      if (b >= 0x80) continue;
      const uint32_t e = table->bmp()[b];
      if (e & (FoldTable::kMulti | FoldTable::kDrop)) continue;
      const FoldedChar f = FoldTable::unpack(e);
      if (f.cp >= 0x80) continue;
      if (f.word && !f.alpha) continue;  // the run loop treats every word character as alpha
      uint16_t a = static_cast<uint16_t>(f.cp);
      if (f.word) {
        a |= kAsciiWord | static_cast<uint16_t>(ends_of(f.cp) << kAsciiEndsShift);
      } else {
        if (f.space) a |= kAsciiSpace;
        if (is_breaker(f.cp)) a |= kAsciiBreaker;
      }
      ascii[b] = a;
    }
    // The same facts split into two byte tables, for classify_ascii_block.
    for (unsigned b = 0; b < 128; ++b) {
      const uint16_t a = ascii[b];
      ascii_tables.fold[b] = static_cast<uint8_t>(a & kAsciiCharMask);
      ascii_tables.cls[b] =
          (a & kAsciiSlow) ? AsciiTables::kSlow : static_cast<uint8_t>((a >> 8) | ((a >> 7) & 1));
    }
  }
  AsciiTables ascii_tables;

  // Per BMP code point, for the scanner's CJK path (Scanner::cjk_run): the
  // fold table's entry with, where it folds to one code point, what these
  // rules say about that one (which sets end with it, whether it is a clause
  // break) in the entry's spare bits, so one load answers everything.
  // Build after build_ends() and the breakers.
  static constexpr int kBmpEndsShift = 26;           // kEnds* << kBmpEndsShift
  static constexpr uint32_t kBmpBreaker = 1u << 29;  // noise that is a clause break
  static constexpr uint32_t kBmpCjkStop = 1u << 30;  // dropped, or an alpha word character
  std::vector<uint32_t> bmp;
  void build_bmp() {
    static_assert(FoldTable::kCountShift == kBmpEndsShift, "spare bits of a one-code-point entry");
    bmp.assign(table->bmp(), table->bmp() + 0x10000);
    for (uint32_t& e : bmp) {
      if (e & FoldTable::kMulti) continue;
      const char32_t f = e & FoldTable::kCpMask;
      if (e & FoldTable::kDrop) {
        e |= kBmpCjkStop;
      } else if (e & FoldTable::kWord) {
        e |= static_cast<uint32_t>(ends_of(f)) << kBmpEndsShift;
        if (e & FoldTable::kAlpha) e |= kBmpCjkStop;
      } else if (is_breaker(f)) {
        e |= kBmpBreaker;
      }
    }
  }

  uint8_t ends_of(char32_t c) const {
    return c < 0x10000 ? ends[c] : static_cast<uint8_t>(kEndsAllow | kEndsAnywhere | kEndsWord);
  }

  // Noise allowed between two characters of a term ("敏**感" is 2).
  uint32_t max_gap = 3;
  // Noise that ends a clause (，。！？ newline): a term never spans it.
  std::vector<uint64_t> breakers = std::vector<uint64_t>(0x10000 / 64, 0);

  bool is_breaker(char32_t cp) const {
    return cp < 0x10000 && ((breakers[cp >> 6] >> (cp & 63)) & 1) != 0;
  }
  void add_breaker(char32_t cp) {
    if (cp < 0x10000) breakers[cp >> 6] |= uint64_t{1} << (cp & 63);
  }
  size_t max_term_len() const { return std::max(anywhere.max_len(), word.max_len()); }
  size_t max_term_len_alpha() const {
    return std::max(anywhere.max_len_alpha(), word.max_len_alpha());
  }
  size_t max_term_len_cjk() const { return std::max(anywhere.max_len_cjk(), word.max_len_cjk()); }
};

// A final hit: a deny rule matched original bytes [begin, end) and no allow
// term covers them.
struct Hit {
  uint32_t rule;
  uint64_t begin;
  uint64_t end;
  bool operator==(const Hit&) const = default;
};

}  // namespace zhi::compliance
