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
  // A part of a text is all there is: an incomplete sequence at its end is
  // decoded now, as finish() would (byte by byte, as U+FFFD).
  const size_t tail = whole_piece_ ? 0 : incomplete_utf8_tail(p, n);
  // Room for the folded text, made once: growing it by doubling would copy
  // and page in the folded text of a large piece again and again. The fast
  // paths ask for a whole block's or batch's room (up to 192 bytes) before
  // they know how much of it they fill.
  if (use_regex_) folded_.reserve(folded_.size() + n + n / 8 + 256);
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

void Scanner::WordHit::operator()(const TermRef& t) const {
  const uint64_t s = j + 1 - t.len;
  if (sc->span_ok(t, s, j, true)) sc->candidate(t.rule, sc->w_.at(s).begin, sc->w_.at(j).end(), s);
}

void Scanner::AnywhereHit::operator()(const TermRef& t) const {
  const uint64_t s = j + 1 - t.len;
  if (sc->span_ok(t, s, j, false)) sc->candidate(t.rule, sc->w_.at(s).begin, sc->w_.at(j).end(), s);
}

void Scanner::probe_anywhere(uint64_t j) {
  r_->anywhere.for_each_ending_at(w_, j, AnywhereHit{this, j});
}

void Scanner::end_of_word() {
  word_end_pending_ = false;
  const uint64_t j = w_.count() - 1;
  r_->word.for_each_ending_at(w_, j, WordHit{this, j});
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
  if (!regex_) return Status();  // none, or deferred to regex_over_parts
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
