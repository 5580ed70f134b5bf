// Multi-term literal matching over the skeleton, built for 100,000+ terms.
//
// Each term is keyed by a hash of its last q characters (q = min(length, 8)),
// so a match is found when its last character arrives and only look-behind
// is needed: the same code serves whole texts and streamed tokens, and a term
// split across tokens is found the moment it completes. A blocked Bloom
// filter rejects almost every position before the exact hash table (whose
// lookups miss the cache) is consulted: the last two (to four) characters
// pick one 64-byte line, and the keys of every length ending in those
// characters are bits of that line, so a position costs one cache line
// however many term lengths are tested.
//
// Why not Vectorscan for these: on this machine its literal engine (FDR)
// scanned mixed zh/en text at 17-100 MB/s with 50k-100k terms and took
// 6-12 s to compile them; with that many terms every short suffix occurs in
// some term, so nearly every position goes to confirmation. Vectorscan still
// runs the regular-expression terms (regex_set.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compliance/folded_term.h"
#include "compliance/skeleton_window.h"

namespace zhi::compliance {

struct TermRef {
  uint32_t rule;          // caller's id (category, source line)
  uint32_t offset;        // into the index's character pool
  uint32_t len;           // characters
  uint64_t space_before;  // FoldedTerm::space_before
};

class LiteralIndex {
 public:
  void add(const FoldedTerm& term, uint32_t rule);
  // Call once after the last add(), even with no terms; read-only afterwards.
  void build();

  bool empty() const { return terms_.empty(); }
  size_t size() const { return terms_.size(); }
  size_t max_len() const { return max_len_; }
  // Longest term made only of space-separated-script characters (Latin,
  // digits, ...), and longest term with a CJK character. A Chinese character
  // ends any match of the former, which shortens the streaming hold-back.
  size_t max_len_alpha() const { return max_len_alpha_; }
  size_t max_len_cjk() const { return max_len_cjk_; }
  size_t memory_bytes() const;

  // False when no term ends with `c` (one L1 bit test): the caller can skip
  // for_each_ending_at, which is most positions.
  bool may_end_with(char32_t c) const {
    return c >= 0x10000 ? !terms_.empty() : ((last_chars_[c >> 6] >> (c & 63)) & 1) != 0;
  }

  // Calls f(term) for every term equal to the skeleton characters ending at
  // index j of w (its characters at j - len + 1 .. j).
  template <class F>
  void for_each_ending_at(const SkeletonWindow& w, uint64_t j, F&& f) const;

  // for_each_ending_at in steps, for a caller that batches positions (the
  // scanner's fast paths): hash the filter lines of a run of positions and
  // start loading them first, so their loads (L2 or further with 100,000
  // terms) overlap, then test each line and call ending_at_line only where
  // it passes (a few percent of positions). for_each_ending_at is these same
  // steps back to back, so both find the same terms.
  //
  // Whether position j is tested against the filter at all (terms of two or
  // more characters, and enough characters before j).
  bool uses_line(uint64_t j) const { return (q_present_ & ~3u) != 0 && j + 1 >= line_chars_; }
  // Whether a one-character term may end with c0 (looked up without the filter).
  bool may_be_single(char32_t c0) const {
    return (q_present_ & 2u) != 0 &&
           (c0 < 0x10000 ? ((singles_[c0 >> 6] >> (c0 & 63)) & 1) != 0 : supplementary_singles_);
  }
  // The hash state of the characters that pick position j's filter line;
  // needs uses_line(j).
  uint64_t line_state(const SkeletonWindow& w, uint64_t j) const {
    return state_of(w, j, line_chars_);
  }
  // The terms of two or more characters ending at j, given x = line_state(w, j).
  template <class F>
  void ending_at_line(const SkeletonWindow& w, uint64_t j, uint64_t x, F&& f) const;

  // The filter test with everything it reads copied out of the index, for a
  // caller's loop over many positions: the copies stay in registers, where
  // the index's own fields would be loaded again after every store the
  // caller makes. hash() once per position (needs tests(j)), prefetch_line()
  // it where the filter outgrows L1, passes() later.
  struct LineFilter {
    const uint64_t* lines;  // the first line
    int shift;
    uint32_t line_chars;
    bool used;      // some term has two or more characters
    bool prefetch;  // the filter is larger than L1
    bool tests(uint64_t j) const { return used && j + 1 >= line_chars; }
    uint64_t hash(const SkeletonWindow& w, uint64_t j) const {
      return finish(state_of(w, j, line_chars));
    }
    void prefetch_line(uint64_t h) const { LiteralIndex::prefetch(line(h)); }
    // False when no term ends with the characters hashed into h (most positions).
    bool passes(uint64_t h) const { return line_has(line(h), key_of(h, 0)); }

   private:
    const uint64_t* line(uint64_t h) const { return lines + (h >> shift) * kLineWords; }
  };
  LineFilter line_filter() const {
    return {lines_.data() + line_base_, line_shift_, line_chars_, (q_present_ & ~3u) != 0,
            prefetch_};
  }
  // Whether any one-character term exists (may_be_single can be true at all).
  bool has_singles() const { return (q_present_ & 2u) != 0; }

 private:
  struct Slot {
    uint64_t key = 0;  // 0 = empty
    uint32_t first = 0;
    uint32_t count = 0;
  };

  // Keys cover up to eight characters: with a large list of Latin words
  // most four-letter endings occur in some term, and every such ending in
  // the text would cost a cache-missing slot lookup.
  static constexpr uint32_t kMaxKeyChars = 8;
  static uint64_t key_of(uint64_t h, uint32_t q) { return (h & ~uint64_t{15}) | q; }
  // The hash of the last q characters is finish(x_q), where x_q xors in
  // character k (counting back from the last) times its own odd constant.
  // The products do not depend on each other, so the keys of all lengths
  // come out of a few cycles of parallel multiplies rather than a chain of
  // dependent ones. Collisions only cost a slot lookup: visit() compares the
  // characters themselves.
  static uint64_t fold_in(uint64_t x, char32_t c, uint32_t k) {
    static constexpr uint64_t kMul[kMaxKeyChars] = {
        0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull, 0xD6E8FEB86659FD93ull,
        0xFF51AFD7ED558CCDull, 0xC4CEB9FE1A85EC53ull, 0x94D049BB133111EBull, 0xBF58476D1CE4E5B9ull};
    return x ^ ((uint64_t{c} + 1) * kMul[k]);
  }
  static uint64_t state_of(const SkeletonWindow& w, uint64_t j, uint32_t line_chars) {
    uint64_t x = fold_in(0, w.at(j).cp, 0);
    for (uint32_t k = 1; k < line_chars; ++k) x = fold_in(x, w.at(j - k).cp, k);
    return x;
  }
  static uint64_t finish(uint64_t x) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 32);
  }
  // GCC 12 at -O2 deletes a __builtin_prefetch that sits behind a condition
  // (this one's early returns), so x86 says it in assembly.
  static void prefetch(const void* p) {
#if defined(__x86_64__) && defined(__GNUC__)
    asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
    __builtin_prefetch(p);
#endif
  }
  const Slot* find(uint64_t key) const {
    for (uint64_t i = key & slot_mask_;; i = (i + 1) & slot_mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s;
      if (s.key == 0) return nullptr;
    }
  }
  template <class F>
  void visit(const Slot* s, const SkeletonWindow& w, uint64_t j, F& f) const;

  std::u32string chars_;
  std::vector<TermRef> terms_;
  std::vector<uint32_t> postings_;
  std::vector<Slot> slots_;
  uint64_t slot_mask_ = 0;
  // Blocked Bloom filter: 512-bit lines picked by the hash of the last
  // line_chars_ characters; within a line, bits for key_of(h, 0) (some term
  // ends with these characters) and for each (q, key) of the terms that do.
  // line_chars_ is the shortest key length of terms of two or more
  // characters, at most 4: two for Chinese terms (their alphabet is large),
  // more for a list of longer Latin words, whose two-letter endings are so
  // few that lines picked by them would be crowded.
  static constexpr int kLineWords = 8;
  std::vector<uint64_t> lines_;  // with up to 7 words of padding before the first line
  size_t line_base_ = 0;         // first word of the first line, at a 64-byte boundary
  int line_shift_ = 64;
  const uint64_t* line_of(uint64_t h2) const {
    return lines_.data() + line_base_ + (h2 >> line_shift_) * kLineWords;
  }
  // Two bits per key within the line (from one multiply): with a line
  // crowded by a common ending, one bit alone would pass too many positions
  // on to the slot table, whose lookups miss the cache.
  static uint64_t line_bits(uint64_t key) { return key * 0xD6E8FEB86659FD93ull; }
  static bool line_has(const uint64_t* line, uint64_t key) {
    const uint64_t m = line_bits(key);
    const uint32_t a = static_cast<uint32_t>(m >> 55), b = static_cast<uint32_t>(m >> 46) & 511;
    return ((line[a >> 6] >> (a & 63)) & (line[b >> 6] >> (b & 63)) & 1) != 0;
  }
  static void line_set(uint64_t* line, uint64_t key) {
    const uint64_t m = line_bits(key);
    const uint32_t a = static_cast<uint32_t>(m >> 55), b = static_cast<uint32_t>(m >> 46) & 511;
    line[a >> 6] |= uint64_t{1} << (a & 63);
    line[b >> 6] |= uint64_t{1} << (b & 63);
  }
  std::vector<uint64_t> singles_;  // bit per BMP code point that is a one-character term
  // Bit per BMP code point that ends some term (8 KiB, stays in L1): most
  // positions stop here, e.g. every Chinese character for a list of English
  // whole-word terms.
  std::vector<uint64_t> last_chars_;
  bool supplementary_singles_ = false;
  uint32_t q_present_ = 0;  // bit q set when some term is keyed on q characters
  uint32_t max_q_ = 0;      // highest such q
  uint32_t line_chars_ = 2;
  bool prefetch_ = false;  // the filter is larger than L1 and some term is keyed on 2+ chars
  size_t max_len_ = 0;
  size_t max_len_alpha_ = 0;
  size_t max_len_cjk_ = 0;
};

template <class F>
void LiteralIndex::visit(const Slot* s, const SkeletonWindow& w, uint64_t j, F& f) const {
  if (s == nullptr) return;
  const uint64_t avail = j + 1;
  for (uint32_t p = s->first; p < s->first + s->count; ++p) {
    const TermRef& t = terms_[postings_[p]];
    if (t.len > avail) continue;
    const char32_t* c = chars_.data() + t.offset;
    bool eq = true;
    for (uint32_t i = 0; i < t.len && eq; ++i) eq = c[t.len - 1 - i] == w.at(j - i).cp;
    if (eq) f(t);
  }
}

template <class F>
void LiteralIndex::ending_at_line(const SkeletonWindow& w, uint64_t j, uint64_t x, F&& f) const {
  uint64_t h = finish(x);
  const uint64_t* line = line_of(h);
  if (!line_has(line, key_of(h, 0))) return;  // no term ends with these characters
  for (uint32_t q = line_chars_;;) {
    if (((q_present_ >> q) & 1) != 0 && line_has(line, key_of(h, q)))
      visit(find(key_of(h, q)), w, j, f);
    if (++q > max_q_ || q > j + 1) break;
    x = fold_in(x, w.at(j - q + 1).cp, q - 1);
    h = finish(x);
  }
}

template <class F>
void LiteralIndex::for_each_ending_at(const SkeletonWindow& w, uint64_t j, F&& f) const {
  const char32_t c0 = w.at(j).cp;
  if (!may_end_with(c0)) return;
  if (may_be_single(c0))  // few one-character terms: no filter needed
    visit(find(key_of(finish(fold_in(0, c0, 0)), 1)), w, j, f);
  if (!uses_line(j)) return;
  ending_at_line(w, j, line_state(w, j), f);
}

}  // namespace zhi::compliance
