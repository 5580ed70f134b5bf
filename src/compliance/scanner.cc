#include "compliance/scanner.h"

#include <algorithm>

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

// The general path (process -> word_char / noise_char) specialised for
// ASCII, where every word character is alpha: one table load per byte tells
// the folded character, its class and which term sets end with it, and a
// byte is handled without branching on its class (the branch on letter vs
// space would be mispredicted at every word boundary). Every byte writes the
// slot at count(); a noise byte leaves the count as is, so the next byte
// overwrites it (the slot is kSize back, never read). Only events (a word
// end with whole-word terms to probe, a character some term ends with, hits
// waiting for an allow term) leave the straight line, and they run in the
// general path's order. Stops at the first byte the table marks slow (any
// non-ASCII byte, or an ASCII character that folds unusually) and returns
// its index.
size_t Scanner::ascii_run(const unsigned char* p, size_t i, size_t n) {
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
    if (use_regex_) folded_ += static_cast<char>(c);
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

// The general path specialised for runs of three-byte characters (all of
// CJK) that fold to one non-alpha word character or to noise, with the
// state in registers. Anything else (a full-width letter, which folds to an
// alpha one; an expansion; a dropped character; a pending word end) goes
// back to the general path. Returns the index of the first byte not taken.
size_t Scanner::cjk_run(const unsigned char* p, size_t i, size_t n) {
  if (word_end_pending_) return i;
  const uint32_t* bmp = r_->table->bmp();
  uint64_t count = w_.count();
  uint32_t gap = gap_;
  uint8_t flags = gap_flags_;
  uint64_t barrier = barrier_, after_cjk = after_cjk_;
  bool pending = !pending_.empty();
  const uint32_t max_gap = r_->max_gap;
  const uint64_t base = offset_;
  while (i + 2 < n) {
    const unsigned b0 = p[i], b1 = p[i + 1], b2 = p[i + 2];
    if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80 ||
        (b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0))
      break;
    const uint32_t e = bmp[((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F)];
    if (e & (FoldTable::kMulti | FoldTable::kDrop)) break;
    const char32_t f = e & FoldTable::kCpMask;
    if (!(e & FoldTable::kWord)) {
      if (use_regex_) fold_out(f, base + i, 3);
      gap += gap < 255;
      if (e & FoldTable::kSpace) flags |= SkelChar::kGapSpace;
      if (r_->is_breaker(f)) flags |= SkelChar::kGapBreaker;
      i += 3;
      continue;
    }
    if (e & FoldTable::kAlpha) break;
    if (use_regex_) fold_out(f, base + i, 3);
    w_.put(count, SkelChar{f, static_cast<uint8_t>(gap), flags, 3, base + i});
    if ((flags & SkelChar::kGapBreaker) || gap > max_gap) barrier = count;
    after_cjk = ++count;
    gap = 0;
    flags = 0;
    i += 3;
    const uint8_t ends = r_->ends_of(f);
    if ((ends & (MatchRules::kEndsAllow | MatchRules::kEndsAnywhere)) || pending) {
      w_.set_count(count);
      barrier_ = barrier;
      after_cjk_ = after_cjk;
      gap_ = 0;
      gap_flags_ = 0;
      if (ends & MatchRules::kEndsAllow) probe_allow(count - 1);
      if (ends & MatchRules::kEndsAnywhere) probe_anywhere(count - 1);
      if (!pending_.empty()) settle(false);
      pending = !pending_.empty();
    }
    if (ends & MatchRules::kEndsWord) {
      word_end_pending_ = true;  // the general path ends the word at the next character
      break;
    }
  }
  w_.set_count(count);
  gap_ = gap;
  gap_flags_ = flags;
  barrier_ = barrier;
  after_cjk_ = after_cjk;
  return i;
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
  r_->anywhere.for_each_ending_at(w_, j, [&](const TermRef& t) {
    const uint64_t s = j + 1 - t.len;
    if (span_ok(t, s, j, false)) candidate(t.rule, w_.at(s).begin, w_.at(j).end(), s);
  });
}

void Scanner::end_of_word() {
  word_end_pending_ = false;
  const uint64_t j = w_.count() - 1;
  r_->word.for_each_ending_at(w_, j, [&](const TermRef& t) {
    const uint64_t s = j + 1 - t.len;
    if (span_ok(t, s, j, true)) candidate(t.rule, w_.at(s).begin, w_.at(j).end(), s);
  });
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
