#include "tokenizer/qwen2_pretokenizer.h"

#include <utf8proc.h>

#include <array>

#include "tokenizer/utf8_util.h"

namespace zhi {
namespace {

constexpr std::array<CharClass, 128> make_ascii_classes() {
  std::array<CharClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    CharClass k = CharClass::kOther;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) k = CharClass::kLetter;
    if (c >= '0' && c <= '9') k = CharClass::kNumber;
    if (c == ' ' || c == '\t' || c == '\v' || c == '\f') k = CharClass::kSpace;
    if (c == '\r' || c == '\n') k = CharClass::kNewline;
    t[c] = k;
  }
  return t;
}
constexpr std::array<CharClass, 128> kAsciiClass = make_ascii_classes();

bool is_unicode_white_space(uint32_t cp) {
  switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool is_space_class(CharClass c) { return c == CharClass::kSpace || c == CharClass::kNewline; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

CharClass classify_code_point(uint32_t cp) {
  if (cp < 0x80) return kAsciiClass[cp];
  // The common non-ASCII letters skip the category lookup.
  if (cp >= 0x4E00 && cp <= 0x9FFF) return CharClass::kLetter;  // CJK ideographs
  if (cp >= 0xAC00 && cp <= 0xD7A3) return CharClass::kLetter;  // Hangul syllables
  if (is_unicode_white_space(cp)) return CharClass::kSpace;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
      return CharClass::kLetter;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return CharClass::kNumber;
    default:
      return CharClass::kOther;
  }
}

void Qwen2PreTokenizer::split(std::string_view text, std::vector<PieceSpan>* out) {
  const char* p = text.data();
  const auto nbytes = static_cast<uint32_t>(text.size());

  // Pass 1: classify every character once.
  cls_.clear();
  offset_.clear();
  cls_.reserve(nbytes);
  offset_.reserve(nbytes + 1);
  for (uint32_t i = 0; i < nbytes;) {
    const auto b = static_cast<uint8_t>(p[i]);
    offset_.push_back(i);
    if (b < 0x80) {
      cls_.push_back(kAsciiClass[b]);
      ++i;
      continue;
    }
    const Utf8Decoded d = decode_utf8(p + i, nbytes - i);
    cls_.push_back(d.status == Utf8Status::kValid ? classify_code_point(d.cp) : CharClass::kOther);
    i += d.len;
  }
  offset_.push_back(nbytes);

  // Pass 2: walk the alternatives in the regex's order at each position.
  const auto n = static_cast<uint32_t>(cls_.size());
  const CharClass* cls = cls_.data();
  const uint32_t* off = offset_.data();
  // One-byte characters are where ASCII tests apply.
  auto ascii_at = [&](uint32_t k) -> char {
    return (k < n && off[k + 1] - off[k] == 1) ? p[off[k]] : '\0';
  };
  auto emit = [&](uint32_t from, uint32_t to) { out->push_back({off[from], off[to]}); };

  uint32_t i = 0;
  while (i < n) {
    const CharClass c = cls[i];

    // (?i:'s|'t|'re|'ve|'m|'ll|'d)
    if (ascii_at(i) == '\'') {
      const char a = ascii_lower(ascii_at(i + 1));
      const char b = ascii_lower(ascii_at(i + 2));
      uint32_t len = 0;
      if (a == 's' || a == 't' || a == 'm' || a == 'd') len = 2;
      else if ((a == 'r' || a == 'v') && b == 'e') len = 3;
      else if (a == 'l' && b == 'l') len = 3;
      if (len != 0) {
        emit(i, i + len);
        i += len;
        continue;
      }
    }

    // [^\r\n\p{L}\p{N}]?\p{L}+
    {
      uint32_t j = i;
      if (c == CharClass::kLetter) {
        j = i + 1;
      } else if ((c == CharClass::kSpace || c == CharClass::kOther) && i + 1 < n &&
                 cls[i + 1] == CharClass::kLetter) {
        j = i + 2;
      }
      if (j != i) {
        while (j < n && cls[j] == CharClass::kLetter) ++j;
        emit(i, j);
        i = j;
        continue;
      }
    }

    // \p{N}
    if (c == CharClass::kNumber) {
      emit(i, i + 1);
      ++i;
      continue;
    }

    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    {
      uint32_t j = i;
      if (c == CharClass::kOther) {
        j = i + 1;
      } else if (ascii_at(i) == ' ' && i + 1 < n && cls[i + 1] == CharClass::kOther) {
        j = i + 2;
      }
      if (j != i) {
        while (j < n && cls[j] == CharClass::kOther) ++j;
        while (j < n && cls[j] == CharClass::kNewline) ++j;
        emit(i, j);
        i = j;
        continue;
      }
    }

    // Only whitespace is left at i. Find the run and its last line break.
    uint32_t run_end = i;
    uint32_t last_newline = n;  // none
    while (run_end < n && is_space_class(cls[run_end])) {
      if (cls[run_end] == CharClass::kNewline) last_newline = run_end;
      ++run_end;
    }

    // \s*[\r\n]+ : backtracking leaves the match ending after the last break.
    if (last_newline != n) {
      emit(i, last_newline + 1);
      i = last_newline + 1;
      continue;
    }
    // \s+(?!\S) : the whole run at the end of text; otherwise all but the
    // last space, which is left to lead the next word or punctuation.
    if (run_end == n || run_end - i >= 2) {
      const uint32_t end = run_end == n ? n : run_end - 1;
      emit(i, end);
      i = end;
      continue;
    }
    // \s+ : a single space before a non-space it could not join.
    emit(i, run_end);
    i = run_end;
  }
}

std::vector<std::string_view> qwen2_pretokenize(std::string_view text) {
  Qwen2PreTokenizer pre;
  std::vector<PieceSpan> spans;
  pre.split(text, &spans);
  std::vector<std::string_view> pieces;
  pieces.reserve(spans.size());
  for (const PieceSpan& s : spans) pieces.push_back(text.substr(s.begin, s.end - s.begin));
  return pieces;
}

}  // namespace zhi
