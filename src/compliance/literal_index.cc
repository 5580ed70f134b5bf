#include "compliance/literal_index.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>

namespace zhi::compliance {

void LiteralIndex::add(const FoldedTerm& term, uint32_t rule) {
  TermRef t;
  t.rule = rule;
  t.offset = static_cast<uint32_t>(chars_.size());
  t.len = static_cast<uint32_t>(term.chars.size());
  t.space_before = term.space_before;
  chars_ += term.chars;
  terms_.push_back(t);
  max_len_ = std::max<size_t>(max_len_, t.len);
  bool cjk = false;
  for (char32_t c : term.chars) cjk = cjk || is_cjk_like(c);
  (cjk ? max_len_cjk_ : max_len_alpha_) =
      std::max<size_t>(cjk ? max_len_cjk_ : max_len_alpha_, t.len);
}

void LiteralIndex::build() {
  // (key, term) sorted by key; each distinct key gets one slot pointing at its run.
  std::vector<std::pair<uint64_t, uint32_t>> keyed;
  keyed.reserve(terms_.size());
  // Each term sets four bits; 32 bits per term keeps the false-positive rate
  // near 1.6% per probe where the lines fill evenly (16 gave 6%, and 4%
  // less throughput with 100,000 terms: every false positive costs slot
  // lookups that miss the cache, while 512 KiB of filter still sits in L2).
  // Capped at 2^24 bits (2 MiB).
  const uint64_t filter_bits = std::clamp<uint64_t>(
      std::bit_ceil(uint64_t{32} * std::max<size_t>(terms_.size(), 1)), 1u << 12, 1u << 24);
  const uint64_t n_lines = filter_bits / (64 * kLineWords);
  line_shift_ = 64 - std::countr_zero(n_lines);
  lines_.assign(filter_bits / 64 + kLineWords - 1, 0);
  line_base_ = ((64 - reinterpret_cast<uintptr_t>(lines_.data()) % 64) % 64) / sizeof(uint64_t);
  singles_.assign(0x10000 / 64, 0);
  last_chars_.assign(0x10000 / 64, 0);
  line_chars_ = 4;
  for (const TermRef& t : terms_) {
    if (t.len >= 2) line_chars_ = std::min(line_chars_, t.len);
  }
  for (uint32_t i = 0; i < terms_.size(); ++i) {
    const TermRef& t = terms_[i];
    const char32_t* c = chars_.data() + t.offset;
    const uint32_t q = std::min<uint32_t>(t.len, kMaxKeyChars);
    const char32_t last = c[t.len - 1];
    if (last < 0x10000) last_chars_[last >> 6] |= uint64_t{1} << (last & 63);
    uint64_t x = 0, h_line = 0;
    for (uint32_t k = 0; k < q; ++k) {
      x = fold_in(x, c[t.len - 1 - k], k);
      if (k + 1 == line_chars_) h_line = finish(x);
    }
    const uint64_t h = finish(x);
    if (t.len == 1) {
      if (c[0] < 0x10000) {
        singles_[c[0] >> 6] |= uint64_t{1} << (c[0] & 63);
      } else {
        supplementary_singles_ = true;
      }
    }
    q_present_ |= 1u << q;
    max_q_ = std::max(max_q_, q);
    keyed.emplace_back(key_of(h, q), i);
    if (q >= 2) {
      uint64_t* line = lines_.data() + line_base_ + (h_line >> line_shift_) * kLineWords;
      line_set(line, key_of(h_line, 0));
      line_set(line, key_of(h, q));
    }
  }
  prefetch_ = (q_present_ & ~3u) != 0 && lines_.size() * sizeof(uint64_t) > (32u << 10);
  std::sort(keyed.begin(), keyed.end());
  size_t distinct = 0;
  for (size_t i = 0; i < keyed.size(); ++i)
    distinct += (i == 0 || keyed[i].first != keyed[i - 1].first);
  const uint64_t n_slots = std::bit_ceil(std::max<uint64_t>(2 * distinct, 16));
  slots_.assign(n_slots, Slot{});
  slot_mask_ = n_slots - 1;
  postings_.resize(keyed.size());
  for (size_t i = 0; i < keyed.size();) {
    size_t e = i;
    while (e < keyed.size() && keyed[e].first == keyed[i].first) {
      postings_[e] = keyed[e].second;
      ++e;
    }
    uint64_t at = keyed[i].first & slot_mask_;
    while (slots_[at].key != 0) at = (at + 1) & slot_mask_;
    slots_[at] = Slot{keyed[i].first, static_cast<uint32_t>(i), static_cast<uint32_t>(e - i)};
    i = e;
  }
}

size_t LiteralIndex::memory_bytes() const {
  return chars_.size() * sizeof(char32_t) + terms_.size() * sizeof(TermRef) +
         postings_.size() * sizeof(uint32_t) + slots_.size() * sizeof(Slot) +
         (lines_.size() + singles_.size() + last_chars_.size()) * sizeof(uint64_t);
}

}  // namespace zhi::compliance
