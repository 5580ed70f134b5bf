#include "session/number_grammar.h"

#include <string>

namespace zhi {
namespace {

using Seq = GrammarBuilder::Seq;

bool all_of_digit(const std::string& s, char d) {
  for (char c : s)
    if (c != d) return false;
  return true;
}

// Same-length decimal strings a <= b.
void same_length(const std::string& a, const std::string& b, const Seq& prefix, std::vector<Seq>& out) {
  if (a.empty()) {
    out.push_back(prefix);
    return;
  }
  const auto digit = [](char c) { return static_cast<uint8_t>(c); };
  if (a[0] == b[0]) {
    Seq p = prefix;
    p.push_back(GrammarBuilder::byte(digit(a[0])));
    same_length(a.substr(1), b.substr(1), p, out);
    return;
  }
  const std::string a_rest = a.substr(1), b_rest = b.substr(1);
  const size_t n = a_rest.size();
  char lo_full = a[0], hi_full = b[0];
  if (!all_of_digit(a_rest, '0')) {
    Seq p = prefix;
    p.push_back(GrammarBuilder::byte(digit(a[0])));
    same_length(a_rest, std::string(n, '9'), p, out);
    ++lo_full;
  }
  const bool upper_edge = !all_of_digit(b_rest, '9');
  if (upper_edge) --hi_full;
  if (lo_full <= hi_full) {
    Seq p = prefix;
    p.push_back(GrammarBuilder::bytes(ByteSet::range(digit(lo_full), digit(hi_full))));
    for (size_t i = 0; i < n; ++i) p.push_back(GrammarBuilder::bytes(ByteSet::range('0', '9')));
    out.push_back(std::move(p));
  }
  if (upper_edge) {
    Seq p = prefix;
    p.push_back(GrammarBuilder::byte(digit(b[0])));
    same_length(std::string(n, '0'), b_rest, p, out);
  }
}

uint64_t pow10(size_t n) {
  uint64_t v = 1;
  for (size_t i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace

std::vector<Seq> magnitude_range_sequences(uint64_t lo, uint64_t hi) {
  std::vector<Seq> out;
  if (lo > hi) return out;
  const size_t lo_len = std::to_string(lo).size(), hi_len = std::to_string(hi).size();
  for (size_t len = lo_len; len <= hi_len; ++len) {
    // 20 digits would overflow pow10; no caller goes past 19.
    const uint64_t first = len == 1 ? 0 : pow10(len - 1);
    const uint64_t last = len >= 20 ? UINT64_MAX : pow10(len) - 1;
    const uint64_t a = lo > first ? lo : first, b = hi < last ? hi : last;
    if (a > b) continue;
    same_length(std::to_string(a), std::to_string(b), {}, out);
  }
  return out;
}

std::vector<Seq> integer_range_sequences(int64_t lo, int64_t hi) {
  std::vector<Seq> out;
  if (lo > hi) return out;
  if (lo < 0) {
    // Negative part: "-" then magnitudes [max(1, -hi), -lo].
    const uint64_t mag_hi = static_cast<uint64_t>(-(lo + 1)) + 1;
    const uint64_t mag_lo = hi < 0 ? static_cast<uint64_t>(-(hi + 1)) + 1 : 1;
    for (Seq& s : magnitude_range_sequences(mag_lo, mag_hi)) {
      s.insert(s.begin(), GrammarBuilder::byte('-'));
      out.push_back(std::move(s));
    }
  }
  if (hi >= 0) {
    for (Seq& s : magnitude_range_sequences(static_cast<uint64_t>(lo > 0 ? lo : 0), static_cast<uint64_t>(hi)))
      out.push_back(std::move(s));
  }
  return out;
}

}  // namespace zhi
