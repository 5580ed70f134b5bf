// The scanner's fast paths: runs of plain ASCII and of three-byte
// characters (all of CJK) that take the general path's steps (scanner.cc:
// process -> word_char / noise_char) in batches. Results are identical to
// the general path's (Scanner::set_fast_paths; tests/compliance/fast_path_test.cc).
#include <algorithm>
#include <bit>
#include <cstring>

#include "compliance/ascii_block_scalar.h"
#include "compliance/cjk_block.h"
#include "compliance/scanner.h"

namespace zhi::compliance {

namespace {

// Inputs shorter than this take the per-byte ASCII path (ascii_bytes) or
// the scalar twins of the vector code.
constexpr size_t kSimdMinBytes = 16;

// index.for_each_ending_at(w, j, hit) for a position whose character some
// term ends with (the caller read it in the character's kEnds* bits), given
// h = lf.hash(w, j) (computed earlier, where lf.tests(j)), in the same
// steps, with the common case (no one-character term ends here and the
// filter line rejects) decided from registers.
template <class F>
[[gnu::always_inline]] inline void probe_hashed(const LiteralIndex& index,
                                                const LiteralIndex::LineFilter& lf, bool singles,
                                                const SkeletonWindow& w, uint64_t j, uint64_t h,
                                                F&& hit) {
  if (singles && index.may_be_single(w.at(j).cp)) return index.for_each_ending_at(w, j, hit);
  if (lf.tests(j) && lf.passes(h)) index.ending_at_line(w, j, index.line_state(w, j), hit);
}

// The hash of position j's filter line, its load started where that pays;
// 0 where the filter does not test j.
inline uint64_t start_hashed(const LiteralIndex::LineFilter& lf, const SkeletonWindow& w,
                             uint64_t j) {
  if (!lf.tests(j)) return 0;
  const uint64_t h = lf.hash(w, j);
  if (lf.prefetch) lf.prefetch_line(h);
  return h;
}

}  // namespace

// The ASCII path for inputs too short for blocks (a streamed token is a
// few bytes, where ascii_block's set-up costs more than it saves): the
// general path specialised for ASCII, where every word character is alpha: one table load per byte
// tells the folded character, its class and which term sets end with it, and a byte is handled
// without branching on its class (the branch on letter vs space would be mispredicted at every word
// boundary). Every byte writes the slot at count(); a noise byte leaves the count as is, so the
// next byte overwrites it (the slot is kSize back, never read). Only events (a word end with
// whole-word terms to probe, a character some term ends with, hits waiting for an allow term) leave
// the straight line, and they run in the general path's order. Stops at the first byte the table
// marks slow (any non-ASCII byte, or an ASCII character that folds unusually) and returns its
// index.
size_t Scanner::ascii_bytes(const unsigned char* p, size_t i, size_t n) {
  const uint16_t* a = r_->ascii;
  constexpr uint32_t kProbe = (MatchRules::kEndsAllow | MatchRules::kEndsAnywhere)
                              << MatchRules::kAsciiEndsShift;
  uint32_t e = a[p[i]];
  if (e & MatchRules::kAsciiSlow) return i;
  // A pending word end after a non-alpha character ends at whatever comes
  // next; inside the run the last skeleton character is always alpha.
  if (word_end_pending_ && !w_.at(w_.count() - 1).alpha()) end_of_word();
  uint64_t count = w_.count();
  uint32_t gap = gap_, flags = gap_flags_;
  uint32_t ends_word = word_end_pending_;
  uint32_t pending = !pending_.empty();
  uint64_t barrier = barrier_;
  const uint32_t max_gap = r_->max_gap;
  const uint64_t base = offset_;
  while (true) {
    // 0/1 and masks rather than bools: the compiler keeps one straight path.
    const uint32_t word = (e >> 7) & 1;
    static_assert(MatchRules::kAsciiWord == 1u << 7);
    const uint32_t keep = word - 1;  // all ones for noise
    const char32_t c = e & MatchRules::kAsciiCharMask;
    if (use_regex_) folded_.push_back(static_cast<char>(c));
    w_.put(count, SkelChar{c, static_cast<uint8_t>(gap),
                           static_cast<uint8_t>(flags | SkelChar::kAlphaChar), 1, base + i});
    const bool cut = (flags & SkelChar::kGapBreaker) || gap > max_gap;
    barrier = (word & cut) ? count : barrier;
    if (__builtin_expect((ends_word & ~word) | ((e & kProbe) != 0) | (pending & word), 0)) {
      if (!word) {  // a word end with whole-word terms to probe
        w_.set_count(count);
        end_of_word();
      } else {
        w_.set_count(count + 1);
        barrier_ = barrier;
        gap_ = 0;
        gap_flags_ = 0;
        if (e & (MatchRules::kEndsAllow << MatchRules::kAsciiEndsShift)) probe_allow(count);
        if (e & (MatchRules::kEndsAnywhere << MatchRules::kAsciiEndsShift)) probe_anywhere(count);
        if (!pending_.empty()) settle(false);
      }
      pending = !pending_.empty();
    }
    count += word;
    ends_word = word & (e >> (MatchRules::kAsciiEndsShift + 2));
    static_assert(MatchRules::kEndsWord == 4);
    gap = (gap + (gap < 255)) & keep;
    flags = (flags | ((e >> 8) & (SkelChar::kGapSpace | SkelChar::kGapBreaker))) & keep;
    if (++i == n) break;
    e = a[p[i]];
    if (e & MatchRules::kAsciiSlow) break;
  }
  w_.set_count(count);
  gap_ = gap;
  gap_flags_ = static_cast<uint8_t>(flags);
  word_end_pending_ = ends_word != 0;
  barrier_ = barrier;
  return i;
}

// The general path (process -> word_char / noise_char) specialised for
// ASCII, 64 bytes at a time: classify_ascii_block gives one bit per byte
// for each fact the general path asks about (word character, white space,
// clause break, ends a term of each set) and the folded bytes. Every word
// character of the block goes into the skeleton first, with its gap and gap
// flags taken from the masks; then the events (a character some term ends
// with, a word end with whole-word terms to probe, every word character
// while hits wait for an allow term) run in byte order, each seeing the
// skeleton count the general path would have at that point. Probes look
// back only, so the characters written ahead of them change nothing.
// Stops at the first byte the tables mark slow (any non-ASCII byte, or an
// ASCII character that folds unusually) and returns its index.
size_t Scanner::ascii_run(const unsigned char* p, size_t i, size_t n) {
  // Without AVX-512 the per-byte loop is faster than blocks classified byte
  // by byte; with it, short inputs (streamed tokens) still take it.
  if (!simd_ || n - i < kSimdMinBytes) return ascii_bytes(p, i, n);
  const AsciiTables& tables = r_->ascii_tables;
  AsciiBlock b;
  while (i < n) {
    // The vector code's fixed cost (masks, permute tables) outweighs what
    // it saves on a short tail, which the scalar twin takes (same results).
    if (n - i >= kSimdMinBytes) {
      classify_ascii_block_avx512(p + i, n - i, tables, b);
    } else {
      classify_ascii_block_scalar(p + i, n - i, tables, b);
    }
    if (b.len == 0) break;
    ascii_block(b, offset_ + i);
    i += b.len;
    if (b.len < 64) break;
  }
  return i;
}

namespace {

// Bits 0 .. k-1 (k <= 64).
inline uint64_t below(uint32_t k) { return k >= 64 ? ~uint64_t{0} : (uint64_t{1} << k) - 1; }

}  // namespace

void Scanner::ascii_block(const AsciiBlock& b, uint64_t begin) {
  // A pending word end after a non-alpha character ends at whatever comes
  // next; inside the block the last skeleton character is always alpha.
  if (word_end_pending_ && !w_.at(w_.count() - 1).alpha()) end_of_word();
  if (use_regex_) {  // all 64 bytes: a fixed-size copy is two vector moves
    std::memcpy(folded_.tail(sizeof b.folded), b.folded, sizeof b.folded);
    folded_.commit(b.len);
  }
  const uint64_t word = b.word, noise = below(b.len) & ~word;
  const uint64_t count0 = w_.count();
  uint8_t at[64];  // at[k]: skeleton index of word character k, less count0
  const uint64_t cut = b.len >= kSimdMinBytes
                           ? write_ascii_skeleton_avx512(b, begin, gap_, gap_flags_, r_->max_gap,
                                                         w_.ring(), count0, at)
                           : write_ascii_skeleton_scalar(b, begin, gap_, gap_flags_, r_->max_gap,
                                                         w_.ring(), count0, at);
  if (cut != kNoCut) barrier_ = cut;
  const uint32_t after_last = word == 0 ? 0 : 64 - static_cast<uint32_t>(std::countl_zero(word));
  const uint64_t count = count0 + (word == 0 ? 0 : at[after_last - 1] + 1);
  // The noise after the last word character (all of the block if none).
  const uint64_t tail = below(b.len) & ~below(after_last);
  const uint32_t tail_flags = ((b.space & tail) ? SkelChar::kGapSpace : 0) |
                              ((b.breaker & tail) ? SkelChar::kGapBreaker : 0);
  const uint32_t tail_gap = b.len - after_last;
  if (word == 0) {
    gap_ = std::min<uint32_t>(gap_ + tail_gap, 255);
    gap_flags_ = static_cast<uint8_t>(gap_flags_ | tail_flags);
  } else {
    gap_ = tail_gap;
    gap_flags_ = static_cast<uint8_t>(tail_flags);
  }
  // Word ends: a noise byte after a word character that ends a whole-word
  // term (or, at byte 0, after the previous block's last character).
  const uint64_t ends = noise & ((b.ends_word << 1) | (word_end_pending_ ? 1 : 0));
  const uint64_t probes = b.ends_allow | b.ends_anywhere;
  // The word-end and substring probes' filter lines load together (see
  // cjk_run). A word end at noise byte k follows word character k - 1.
  const auto word_end_at = [&](uint32_t k) { return k > 0 ? count0 + at[k - 1] : count0 - 1; };
  const LiteralIndex::LineFilter word_lf = r_->word.line_filter(),
                                 any_lf = r_->anywhere.line_filter();
  const bool word_singles = r_->word.has_singles(), any_singles = r_->anywhere.has_singles();
  uint64_t hs[64];  // by byte: the line hash of its probe
  for (uint64_t m = ends | b.ends_anywhere; m != 0; m &= m - 1) {
    const uint32_t k = static_cast<uint32_t>(std::countr_zero(m));
    hs[k] = ((ends >> k) & 1) ? start_hashed(word_lf, w_, word_end_at(k))
                              : start_hashed(any_lf, w_, count0 + at[k]);
  }
  uint64_t ev = ends | probes | (pending_.empty() ? 0 : word);
  while (ev != 0) {
    const uint32_t k = static_cast<uint32_t>(std::countr_zero(ev));
    ev &= ev - 1;
    if ((ends >> k) & 1) {
      // end_of_word() at count j + 1; word_end_pending_ is set after the loop.
      const uint64_t j = word_end_at(k);
      w_.set_count(j + 1);
      probe_hashed(r_->word, word_lf, word_singles, w_, j, hs[k], WordHit{this, j});
    } else {
      const uint64_t j = count0 + at[k];
      w_.set_count(j + 1);
      if ((b.ends_allow >> k) & 1) probe_allow(j);
      if ((b.ends_anywhere >> k) & 1)
        probe_hashed(r_->anywhere, any_lf, any_singles, w_, j, hs[k], AnywhereHit{this, j});
      if (!pending_.empty()) settle(false);
    }
    if (!pending_.empty()) ev |= word & ~below(k + 1);  // the general path settles at each one
  }
  w_.set_count(count);
  word_end_pending_ = ((word & b.ends_word) >> (b.len - 1)) & 1;
}

// The general path specialised for runs of three-byte characters (all of
// CJK) that fold to one non-alpha word character or to noise, with the
// state in registers. Anything else (a full-width letter, which folds to an
// alpha one; an expansion; a dropped character; a pending word end) goes
// back to the general path. Returns the index of the first byte not taken.
//
// With a large list nearly every Chinese character ends some term, and each
// probe's first load (a filter line) misses L1. So the run goes in batches
// of up to 64 word characters: decode and fold them into the skeleton,
// prefetch the filter lines of all their probes, then probe them in order
// with the count the general path would have at each. Probes look back
// only, so the characters written ahead change nothing.
size_t Scanner::cjk_run(const unsigned char* p, size_t i, size_t n) {
  if (word_end_pending_) return i;
  const uint32_t* bmp = r_->bmp.data();
  const uint64_t base = offset_;
  constexpr uint8_t kProbe = MatchRules::kEndsAllow | MatchRules::kEndsAnywhere;
  const LiteralIndex::LineFilter any_lf = r_->anywhere.line_filter();
  const bool any_singles = r_->anywhere.has_singles();
  alignas(64) uint8_t ends[64];
  uint32_t entries[64];
  while (true) {
    // Decode up to 64 characters and load their entries first: the loads do
    // not wait on each other (nor on the branches below), so their misses
    // overlap.
    const bool wide = simd_ && n - i >= kSimdMinBytes;
    const uint32_t m = wide ? decode_cjk_avx512(p + i, n - i, bmp, entries)
                            : decode_cjk_scalar(p + i, n - i, bmp, entries);
    const uint64_t count0 = w_.count();
    const CjkBatch b = (wide ? write_cjk_skeleton_avx512 : write_cjk_skeleton_scalar)(
        entries, m, base + i, gap_, gap_flags_, r_->max_gap, w_.ring(), count0, ends);
    if (use_regex_) {  // the batch's folded bytes, for the regex terms
      const auto encode = wide ? encode_cjk_folded_avx512 : encode_cjk_folded_scalar;
      for (uint32_t c = 0; c < b.taken;) {
        const uint32_t k = encode(entries + c, b.taken - c, folded_.tail(3 * size_t{b.taken - c}));
        folded_.commit(3 * size_t{k});
        c += k;
        if (c < b.taken) {  // not three bytes, like the original: recorded
          fold_out(entries[c] & FoldTable::kCpMask, base + i + 3 * uint64_t{c}, 3);
          ++c;
        }
      }
    }
    i += 3 * size_t{b.taken};
    const uint64_t count = count0 + b.words;
    gap_ = b.gap;
    gap_flags_ = static_cast<uint8_t>(b.flags);
    if (b.cut != kNoCut) barrier_ = b.cut;
    if (b.words > 0) after_cjk_ = count;
    uint64_t hs[64];  // the line hashes of the substring probes
    for (uint64_t j = count0; j < count; ++j) {
      if (ends[j - count0] & MatchRules::kEndsAnywhere)
        hs[j - count0] = start_hashed(any_lf, w_, j);
    }
    for (uint64_t j = count0; j < count; ++j) {
      const uint8_t end = ends[j - count0];
      if ((end & kProbe) == 0 && pending_.empty()) continue;
      w_.set_count(j + 1);
      if (end & MatchRules::kEndsAllow) probe_allow(j);
      if (end & MatchRules::kEndsAnywhere)
        probe_hashed(r_->anywhere, any_lf, any_singles, w_, j, hs[j - count0],
                     AnywhereHit{this, j});
      if (!pending_.empty()) settle(false);
    }
    w_.set_count(count);
    if (b.words > 0 && (ends[b.words - 1] & MatchRules::kEndsWord)) word_end_pending_ = true;
    if (m < 64 || b.stopped) return i;
  }
}

}  // namespace zhi::compliance
