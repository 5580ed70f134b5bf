#include "compliance/scanner.h"

#include <algorithm>
#include <bit>

#include "compliance/cjk_block.h"
#include "compliance/utf8_codec.h"

namespace zhi::compliance {

Scanner::Scanner(std::shared_ptr<const MatchRules> rules)
    : rules_(std::move(rules)), r_(rules_.get()) {}

Result<Scanner> Scanner::create(std::shared_ptr<const MatchRules> rules) {
  Scanner s(std::move(rules));
  if (s.r_->regex && s.r_->regex->size() > 0) {
    ZHI_ASSIGN_OR_RETURN(RegexSet::Stream stream, RegexSet::Stream::open(s.r_->regex));
    s.regex_ = std::make_unique<RegexSet::Stream>(std::move(stream));
    s.use_regex_ = true;
  }
  return s;
}

Status Scanner::feed(std::string_view piece) {
  if (finished_) return internal_error("moderation stream fed after finish()");
  const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
  size_t n = piece.size();
  if (!carry_.empty()) {
    // Complete the split sequence with the first bytes of this piece.
    const size_t want = utf8_sequence_length(static_cast<unsigned char>(carry_[0]));
    size_t take = 0;
    while (carry_.size() + take < want && take < n && (p[take] & 0xC0) == 0x80) ++take;
    carry_.append(piece.data(), take);
    p += take;
    n -= take;
    if (carry_.size() < want && n == 0 && take == piece.size())
      return scan_folded();  // still incomplete
    const std::string seq = std::move(carry_);
    carry_.clear();
    process(reinterpret_cast<const unsigned char*>(seq.data()), seq.size());
  }
  const size_t tail = incomplete_utf8_tail(p, n);
  process(p, n - tail);
  carry_.assign(reinterpret_cast<const char*>(p + n - tail), tail);
  return scan_folded();
}

Status Scanner::finish() {
  if (finished_) return Status();
  if (!carry_.empty()) {
    const std::string seq = std::move(carry_);
    carry_.clear();
    process(reinterpret_cast<const unsigned char*>(seq.data()),
            seq.size());  // decodes as U+FFFD noise
  }
  if (word_end_pending_) end_of_word();
  ZHI_RETURN_IF_ERROR(scan_folded());
  if (regex_) {
    // Bound here, not stored: a Scanner moves, and `this` must be current.
    ZHI_RETURN_IF_ERROR(
        regex_->close([this](unsigned id, uint64_t f, uint64_t t) { regex_match(id, f, t); }));
  }
  settle(/*all=*/true);
  finished_ = true;
  return Status();
}

void Scanner::noise_char(const FoldedChar& f) {
  if (word_end_pending_) end_of_word();
  if (gap_ < 255) ++gap_;
  if (f.space) gap_flags_ |= SkelChar::kGapSpace;
  if (r_->is_breaker(f.cp)) gap_flags_ |= SkelChar::kGapBreaker;
}

void Scanner::word_char(const FoldedChar& f, uint64_t begin, uint32_t len) {
  if (word_end_pending_) {
    // Letters of one word continue it; anything else ends the previous word.
    if (!(w_.at(w_.count() - 1).alpha() && f.alpha)) {
      end_of_word();
    } else {
      word_end_pending_ = false;
    }
  }
  w_.push(SkelChar{f.cp, static_cast<uint8_t>(gap_),
                   static_cast<uint8_t>(gap_flags_ | (f.alpha ? SkelChar::kAlphaChar : 0)),
                   static_cast<uint16_t>(len), begin});
  const uint64_t j = w_.count() - 1;
  if ((gap_flags_ & SkelChar::kGapBreaker) || gap_ > r_->max_gap)
    barrier_ = j;  // no match reaches back past here
  if (!f.alpha) after_cjk_ = j + 1;
  gap_ = 0;
  gap_flags_ = 0;
  // The one-load "ends" test stays inline; probing is out of line.
  const uint8_t ends = r_->ends_of(f.cp);
  if (ends & MatchRules::kEndsAllow) probe_allow(j);
  if (ends & MatchRules::kEndsAnywhere) probe_anywhere(j);
  word_end_pending_ = (ends & MatchRules::kEndsWord) != 0;
  if (!pending_.empty()) settle(false);
}

void Scanner::process(const unsigned char* p, size_t n) {
  const uint32_t* bmp = r_->table->bmp();
  size_t i = 0;
  while (i < n) {
    if (fast_) {
      if (p[i] < 0x80) {
        i = ascii_run(p, i, n);
      } else if ((p[i] & 0xF0) == 0xE0) {
        i = cjk_run(p, i, n);
      }
      if (i == n) break;
    }
    char32_t cp;
    uint32_t len;
    if (p[i] < 0x80) {
      cp = p[i];
      len = 1;
    } else if ((p[i] & 0xF0) == 0xE0 && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 &&
               (p[i + 2] & 0xC0) == 0x80 && (p[i] != 0xE0 || p[i + 1] >= 0xA0) &&
               (p[i] != 0xED || p[i + 1] < 0xA0)) {
      // Three-byte sequences (all of CJK), checked for overlongs and surrogates inline.
      cp = (static_cast<char32_t>(p[i] & 0x0F) << 12) |
           (static_cast<char32_t>(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
      len = 3;
    } else {
      const Decoded d = decode_utf8(p + i, n - i);
      cp = d.cp;
      len = d.len;
    }
    const uint64_t begin = offset_ + i;
    i += len;
    // Fast path: a BMP code point that folds to exactly one code point.
    const uint32_t e = cp < 0x10000 ? bmp[cp] : FoldTable::kMulti;
    if ((e & (FoldTable::kMulti | FoldTable::kDrop)) == 0) {
      if (use_regex_) fold_out(e & FoldTable::kCpMask, begin, len);
      if (e & FoldTable::kWord) {
        word_char(FoldTable::unpack(e), begin, len);
      } else {
        noise_char(FoldTable::unpack(e));
      }
      continue;
    }
    code_point(cp, begin, len);
  }
  offset_ += n;
}

// What a probe does with each term that ends at j: whole-word terms and
// substring terms become candidate hits where the span rules allow.
auto Scanner::word_hit(uint64_t j) {
  return [this, j](const TermRef& t) {
    const uint64_t s = j + 1 - t.len;
    if (span_ok(t, s, j, true)) candidate(t.rule, w_.at(s).begin, w_.at(j).end(), s);
  };
}

auto Scanner::anywhere_hit(uint64_t j) {
  return [this, j](const TermRef& t) {
    const uint64_t s = j + 1 - t.len;
    if (span_ok(t, s, j, false)) candidate(t.rule, w_.at(s).begin, w_.at(j).end(), s);
  };
}

namespace {

// index.for_each_ending_at(w, j, hit) given x = index.line_state(w, j)
// (computed earlier, where index.uses_line(j)), in the same steps, but with
// the common case (no one-character term ends here and the filter line
// rejects) decided inline. Returns whether it visited the index at all.
template <class F>
[[gnu::always_inline]] inline bool probe_batched(const LiteralIndex& index, const SkeletonWindow& w,
                                                 uint64_t j, uint64_t x, F&& hit) {
  const char32_t c0 = w.at(j).cp;
  if (!index.may_end_with(c0)) return false;
  if (index.may_be_single(c0)) {
    index.for_each_ending_at(w, j, hit);
    return true;
  }
  if (!index.uses_line(j) || !index.line_passes(x)) return false;
  index.ending_at_line(w, j, x, hit);
  return true;
}

// The line state of `index` at j, prefetching its line where that pays;
// 0 where the index does not test j against its filter.
inline uint64_t start_probe(const LiteralIndex& index, const SkeletonWindow& w, uint64_t j) {
  if (!index.uses_line(j)) return 0;
  const uint64_t x = index.line_state(w, j);
  if (index.worth_prefetching()) index.prefetch_line(x);
  return x;
}

}  // namespace

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
  const AsciiTables& tables = r_->ascii_tables;
  AsciiBlock b;
  while (i < n) {
    if (simd_) {
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
  if (use_regex_) folded_.append(reinterpret_cast<const char*>(b.folded), b.len);
  const uint64_t word = b.word, noise = below(b.len) & ~word;
  const uint64_t count0 = w_.count();
  uint8_t at[64];  // at[k]: skeleton index of word character k, less count0
  const uint64_t cut = simd_ ? write_ascii_skeleton_avx512(b, begin, gap_, gap_flags_, r_->max_gap,
                                                           w_.ring(), count0, at)
                             : write_ascii_skeleton_scalar(b, begin, gap_, gap_flags_, r_->max_gap,
                                                           w_.ring(), count0, at);
  if (cut != kNoCut) barrier_ = cut;
  const uint64_t count = count0 + static_cast<uint64_t>(std::popcount(word));
  // The noise after the last word character (all of the block if none).
  const uint32_t after_last = word == 0 ? 0 : 64 - static_cast<uint32_t>(std::countl_zero(word));
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
  uint64_t xs[64];  // by byte: the line state of its probe
  for (uint64_t m = ends | b.ends_anywhere; m != 0; m &= m - 1) {
    const uint32_t k = static_cast<uint32_t>(std::countr_zero(m));
    xs[k] = ((ends >> k) & 1) ? start_probe(r_->word, w_, word_end_at(k))
                              : start_probe(r_->anywhere, w_, count0 + at[k]);
  }
  uint64_t ev = ends | probes | (pending_.empty() ? 0 : word);
  while (ev != 0) {
    const uint32_t k = static_cast<uint32_t>(std::countr_zero(ev));
    ev &= ev - 1;
    if ((ends >> k) & 1) {
      // end_of_word() at count j + 1; word_end_pending_ is set after the loop.
      const uint64_t j = word_end_at(k);
      w_.set_count(j + 1);
      probe_batched(r_->word, w_, j, xs[k], word_hit(j));
    } else {
      const uint64_t j = count0 + at[k];
      w_.set_count(j + 1);
      if ((b.ends_allow >> k) & 1) probe_allow(j);
      if ((b.ends_anywhere >> k) & 1) probe_batched(r_->anywhere, w_, j, xs[k], anywhere_hit(j));
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
  const uint32_t max_gap = r_->max_gap;
  const uint64_t base = offset_;
  constexpr uint8_t kProbe = MatchRules::kEndsAllow | MatchRules::kEndsAnywhere;
  uint8_t ends[64];
  uint32_t entries[64];
  while (true) {
    // Decode up to 64 characters and load their entries first: the loads do
    // not wait on each other (nor on the branches below), so their misses
    // overlap.
    const uint32_t m = simd_ ? decode_cjk_avx512(p + i, n - i, bmp, entries)
                             : decode_cjk_scalar(p + i, n - i, bmp, entries);
    bool more = m == 64;  // the batch ended full, not at something the run cannot take
    const uint64_t count0 = w_.count();
    uint64_t count = count0;
    uint32_t gap = gap_;
    uint8_t flags = gap_flags_;
    uint64_t barrier = barrier_, after_cjk = after_cjk_;
    for (uint32_t c = 0; c < m; ++c) {
      const uint32_t e = entries[c];
      if (e & (FoldTable::kMulti | MatchRules::kBmpCjkStop)) {
        more = false;
        break;
      }
      const char32_t f = e & FoldTable::kCpMask;
      if (use_regex_) fold_out(f, base + i, 3);
      i += 3;
      if (!(e & FoldTable::kWord)) {
        gap += gap < 255;
        flags |= static_cast<uint8_t>(((e & FoldTable::kSpace) ? SkelChar::kGapSpace : 0) |
                                      ((e & MatchRules::kBmpBreaker) ? SkelChar::kGapBreaker : 0));
        continue;
      }
      w_.put(count, SkelChar{f, static_cast<uint8_t>(gap), flags, 3, base + i - 3});
      if ((flags & SkelChar::kGapBreaker) || gap > max_gap) barrier = count;
      const uint8_t end = static_cast<uint8_t>(e >> MatchRules::kBmpEndsShift) & 7;
      ends[count - count0] = end;
      after_cjk = ++count;
      gap = 0;
      flags = 0;
      if (end & MatchRules::kEndsWord) {
        more = false;  // the general path ends the word at the next character
        break;
      }
    }
    uint64_t xs[64];  // the line states of the substring probes
    for (uint64_t j = count0; j < count; ++j) {
      if (ends[j - count0] & MatchRules::kEndsAnywhere)
        xs[j - count0] = start_probe(r_->anywhere, w_, j);
    }
    for (uint64_t j = count0; j < count; ++j) {
      const uint8_t end = ends[j - count0];
      if ((end & kProbe) == 0 && pending_.empty()) continue;
      w_.set_count(j + 1);
      if (end & MatchRules::kEndsAllow) probe_allow(j);
      if (end & MatchRules::kEndsAnywhere)
        probe_batched(r_->anywhere, w_, j, xs[j - count0], anywhere_hit(j));
      if (!pending_.empty()) settle(false);
    }
    w_.set_count(count);
    gap_ = gap;
    gap_flags_ = flags;
    barrier_ = barrier;
    after_cjk_ = after_cjk;
    if (count > count0 && (ends[count - 1 - count0] & MatchRules::kEndsWord))
      word_end_pending_ = true;
    if (!more) return i;
  }
}

void Scanner::fold_out(char32_t folded, uint64_t begin, uint32_t len) {
  const uint64_t at = folded_done_ + folded_.size();
  append_utf8(folded_, folded);
  const uint32_t flen = static_cast<uint32_t>(folded_done_ + folded_.size() - at);
  if (flen != len) folded_records_.push_back({at, begin, flen, len});
}

void Scanner::code_point(char32_t cp, uint64_t begin, uint32_t len) {
  FoldedChar out[kMaxFoldOut];
  const int n = r_->table->fold(cp, out);
  if (use_regex_) {
    const uint64_t at = folded_done_ + folded_.size();
    for (int k = 0; k < n; ++k) append_utf8(folded_, out[k].cp);
    folded_records_.push_back(
        {at, begin, static_cast<uint32_t>(folded_done_ + folded_.size() - at), len});
  }
  for (int k = 0; k < n; ++k) {
    if (out[k].word) {
      word_char(out[k], begin, len);
    } else {
      noise_char(out[k]);
    }
  }
}

void Scanner::probe_allow(uint64_t j) {
  r_->allow.for_each_ending_at(w_, j, [&](const TermRef& t) {
    const uint64_t s = j + 1 - t.len;
    if (span_ok(t, s, j, false)) allows_.push_back({w_.at(s).begin, w_.at(j).end()});
  });
}

void Scanner::probe_anywhere(uint64_t j) {
  r_->anywhere.for_each_ending_at(w_, j, anywhere_hit(j));
}

void Scanner::end_of_word() {
  word_end_pending_ = false;
  const uint64_t j = w_.count() - 1;
  r_->word.for_each_ending_at(w_, j, word_hit(j));
}

bool Scanner::span_ok(const TermRef& t, uint64_t s, uint64_t j, bool whole_word) const {
  if (whole_word && s > 0) {
    const SkelChar& first = w_.at(s);
    if (first.gap == 0 && first.alpha() && w_.at(s - 1).alpha()) return false;  // starts mid-word
  }
  bool tight = false, foreign_space = false;
  for (uint64_t k = s + 1; k <= j; ++k) {
    const SkelChar& c = w_.at(k);
    if (c.gap > r_->max_gap || (c.flags & SkelChar::kGapBreaker)) return false;
    if (!(c.alpha() && w_.at(k - 1).alpha())) continue;
    if (c.gap == 0) {
      tight = true;
    } else if ((c.flags & SkelChar::kGapSpace) && ((t.space_before >> (k - s)) & 1) == 0) {
      foreign_space = true;
    }
  }
  return !(tight && foreign_space);
}

void Scanner::candidate(uint32_t rule, uint64_t begin, uint64_t end, uint64_t s) {
  const Hit h{rule, begin, end};
  if (r_->allow.empty() || !r_->allow_coverable[rule]) {
    hits_.push_back(h);
    return;
  }
  pending_.push_back({h, s + r_->allow.max_len() - 1});
}

void Scanner::settle(bool all) {
  const uint64_t done = w_.count() == 0 ? 0 : w_.count() - 1;  // last index the allow set has seen
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (!all && it->final_at > done) {
      ++it;
      continue;
    }
    if (!covered(it->hit)) hits_.push_back(it->hit);
    it = pending_.erase(it);
  }
  // Allow spans that end before any hit could still begin are no longer needed.
  if (!use_regex_ && allows_.size() > 256) {
    const uint64_t keep_from = stable_end();
    allows_.erase(std::remove_if(allows_.begin(), allows_.end(),
                                 [&](const Span& a) { return a.end <= keep_from; }),
                  allows_.end());
  }
}

bool Scanner::covered(const Hit& h) const {
  for (auto it = allows_.rbegin(); it != allows_.rend(); ++it) {
    if (it->begin <= h.begin && it->end >= h.end) return true;
  }
  return false;
}

Status Scanner::scan_folded() {
  if (!use_regex_) return Status();
  const Status st =
      regex_->scan(folded_.data(), folded_.size(),
                   [this](unsigned id, uint64_t f, uint64_t t) { regex_match(id, f, t); });
  folded_done_ += folded_.size();
  folded_.clear();
  if (!pending_.empty()) settle(false);
  return st;
}

void Scanner::regex_match(unsigned id, uint64_t from, uint64_t to) {
  if (to <= from) return;
  // Folded byte x -> original byte. Between irregular records folded and
  // original bytes advance in step (same code point, same length).
  const auto original = [&](uint64_t x, bool end) -> uint64_t {
    auto it = std::upper_bound(folded_records_.begin(), folded_records_.end(), x,
                               [](uint64_t off, const FoldedRecord& r) { return off < r.folded; });
    if (it == folded_records_.begin()) return x + end;
    --it;
    if (x < it->folded + it->folded_len) return end ? it->begin + it->len : it->begin;
    return it->begin + it->len + (x - it->folded - it->folded_len) + end;
  };
  const uint64_t begin = original(from, false), end = original(to - 1, true);
  const uint64_t s = w_.count();
  const Hit h{r_->regex->rule(id), begin, end};
  if (r_->allow.empty()) {
    hits_.push_back(h);
  } else {
    pending_.push_back({h, s + r_->allow.max_len()});
  }
}

uint64_t Scanner::stable_end() const {
  if (finished_) return offset_;
  uint64_t stable = offset_;
  const uint64_t count = w_.count();
  // A clause break or an over-long gap since the last word character: no
  // future match can include anything before it.
  const bool cut = (gap_flags_ & SkelChar::kGapBreaker) || gap_ > r_->max_gap;
  if (count > 0 && !cut) {
    // First skeleton index a future (or word-end-pending) match could start at.
    const uint64_t cjk = r_->max_term_len_cjk(), alpha = r_->max_term_len_alpha();
    const uint64_t from_cjk = count - std::min(count, cjk);
    const uint64_t from_alpha = std::max(count - std::min(count, alpha), after_cjk_);
    const uint64_t first = std::max(std::min(from_cjk, from_alpha), barrier_);
    if (first < count) stable = w_.at(first).begin;
  }
  for (const Pending& p : pending_) stable = std::min(stable, p.hit.begin);
  return stable;
}

}  // namespace zhi::compliance
