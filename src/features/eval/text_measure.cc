#include "features/eval/text_measure.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace zhi::features::eval {
namespace {

// One decoded unit; a bad byte becomes 0x110000 + byte, so two different bad
// bytes still compare unequal and nothing valid collides with them.
struct Unit {
  char32_t cp;
  size_t len;
};

Unit next_unit(std::string_view s, size_t i) {
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                       static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0 || cp < 0) return {0x110000u + static_cast<unsigned char>(s[i]), 1};
  return {static_cast<char32_t>(cp), static_cast<size_t>(n)};
}

std::vector<char32_t> decode(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const Unit u = next_unit(s, i);
    out.push_back(u.cp);
    i += u.len;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const Unit u = next_unit(s, i);
    if (u.cp >= 0x110000u) {
      append_utf8(out, 0xFFFD);
    } else {
      out.append(s.substr(i, u.len));
    }
    i += u.len;
  }
  return out;
}

namespace {

bool is_space(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v') return true;
  if (cp >= 0x110000u) return false;
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_ZS;
}

bool is_han(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

bool is_latin_letter(char32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
         (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

}  // namespace

size_t char_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += next_unit(s, i).len) ++n;
  return n;
}

std::string normalize_for_match(std::string_view s, std::string_view lang) {
  const std::string clean = valid_utf8(s);
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
                   static_cast<utf8proc_ssize_t>(clean.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                  UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
  const std::string folded =
      n >= 0 ? std::string(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n)) : clean;
  const bool drop_spaces = lang == "zh";
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (size_t i = 0; i < folded.size();) {
    const Unit u = next_unit(folded, i);
    if (is_space(u.cp)) {
      pending_space = !drop_spaces && !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.append(folded, i, u.len);
    }
    i += u.len;
  }
  return out;
}

std::vector<std::string> term_alternatives(const nlohmann::json& term) {
  std::vector<std::string> alts;
  if (term.is_string()) {
    alts.push_back(term.get<std::string>());
  } else if (term.is_array()) {
    for (const auto& t : term)
      if (t.is_string()) alts.push_back(t.get<std::string>());
  }
  return alts;
}

std::string term_label(const nlohmann::json& term) {
  const std::vector<std::string> alts = term_alternatives(term);
  return alts.empty() ? std::string("?") : alts.front();
}

bool contains_term(std::string_view haystack, const nlohmann::json& term, std::string_view lang) {
  const std::string hay = normalize_for_match(haystack, lang);
  for (const std::string& alt : term_alternatives(term)) {
    const std::string needle = normalize_for_match(alt, lang);
    if (!needle.empty() && hay.find(needle) != std::string::npos) return true;
  }
  return false;
}

size_t count_exact(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return 0;
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

std::optional<double> han_share(std::string_view s) {
  size_t han = 0;
  size_t latin = 0;
  for (size_t i = 0; i < s.size();) {
    const Unit u = next_unit(s, i);
    han += is_han(u.cp);
    latin += is_latin_letter(u.cp);
    i += u.len;
  }
  if (han + latin == 0) return std::nullopt;
  return static_cast<double>(han) / static_cast<double>(han + latin);
}

size_t char_edit_distance(std::string_view a, std::string_view b) {
  std::vector<char32_t> x = decode(a);
  std::vector<char32_t> y = decode(b);
  // A proofread changes little, so trimming the shared ends leaves a small table.
  size_t lo = 0;
  while (lo < x.size() && lo < y.size() && x[lo] == y[lo]) ++lo;
  size_t hx = x.size();
  size_t hy = y.size();
  while (hx > lo && hy > lo && x[hx - 1] == y[hy - 1]) {
    --hx;
    --hy;
  }
  const size_t n = hx - lo;
  const size_t m = hy - lo;
  if (n == 0) return m;
  if (m == 0) return n;
  std::vector<size_t> prev(m + 1);
  std::vector<size_t> cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      const size_t sub = prev[j - 1] + (x[lo + i - 1] == y[lo + j - 1] ? 0 : 1);
      cur[j] = std::min({sub, prev[j] + 1, cur[j - 1] + 1});
    }
    std::swap(prev, cur);
  }
  return prev[m];
}

}  // namespace zhi::features::eval
