#include "compliance/fold_table.h"

#include <utf8proc.h>

#include <memory>
#include <mutex>

#include "compliance/homoglyph_map.h"

namespace zhi::compliance {
namespace {

constexpr utf8proc_option_t kFoldOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                   UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);

bool is_word_category(utf8proc_category_t c) {
  switch (c) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool is_space_cp(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' || cp == '\r' || cp == 0x85) return true;
  const utf8proc_category_t c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

// Folds one code point through utf8proc, t2s and the homoglyph map.
int compute_fold(const T2sMap& t2s, char32_t cp, FoldedChar* out) {
  if (cp >= 0xD800 && cp <= 0xDFFF) {  // lone surrogates cannot appear in valid UTF-8
    out[0] = {cp, false, false, false};
    return 1;
  }
  utf8proc_int32_t buf[kMaxFoldOut];
  int boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf,
                                                     kMaxFoldOut, kFoldOptions, &boundclass);
  if (n < 0 || n > kMaxFoldOut) {  // cannot happen for valid code points; keep the character as is
    out[0] = {cp, false, false, is_space_cp(cp)};
    return 1;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    char32_t c = static_cast<char32_t>(buf[i]);
    if (const auto it = t2s.find(c); it != t2s.end()) c = it->second;
    c = fold_homoglyph(c);
    const bool word = is_word_category(utf8proc_category(static_cast<utf8proc_int32_t>(c)));
    out[i] = {c, word, word && !is_cjk_like(c), !word && is_space_cp(c)};
  }
  return static_cast<int>(n);
}

uint32_t pack(const FoldedChar& f) {
  return static_cast<uint32_t>(f.cp) | (f.word ? FoldTable::kWord : 0) |
         (f.alpha ? FoldTable::kAlpha : 0) | (f.space ? FoldTable::kSpace : 0);
}

}  // namespace

bool is_cjk_like(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x11FF) ||    // Hangul Jamo
         (cp >= 0x2E80 && cp <= 0x9FFF) ||    // CJK radicals, kana, CJK symbols, Ext A, URO
         (cp >= 0xA960 && cp <= 0xA97F) ||    // Hangul Jamo Extended-A
         (cp >= 0xAC00 && cp <= 0xD7FF) ||    // Hangul syllables and Jamo Extended-B
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // CJK compatibility ideographs
         (cp >= 0xFF66 && cp <= 0xFFDC) ||    // half-width kana and Hangul
         (cp >= 0x1B000 && cp <= 0x1B16F) ||  // kana supplement
         (cp >= 0x20000 && cp <= 0x3FFFF);    // ideographic planes
}

Result<const FoldTable*> FoldTable::instance() {
  static std::once_flag once;
  static std::unique_ptr<FoldTable> table;
  static Status error;
  std::call_once(once, [] {
    Result<T2sMap> t2s = build_t2s_map();
    if (!t2s.ok()) {
      error = t2s.status();
      return;
    }
    table.reset(new FoldTable(std::move(t2s).value()));
    table->build();
  });
  if (!table) return error;
  return static_cast<const FoldTable*>(table.get());
}

void FoldTable::build() {
  bmp_.assign(0x10000, 0);
  FoldedChar tmp[kMaxFoldOut];
  for (char32_t cp = 0; cp < 0x10000; ++cp) {
    const int n = compute_fold(t2s_, cp, tmp);
    if (n == 0) {
      bmp_[cp] = kDrop;
    } else if (n == 1) {
      bmp_[cp] = pack(tmp[0]);
    } else {
      bmp_[cp] =
          kMulti | static_cast<uint32_t>(pool_.size()) | (static_cast<uint32_t>(n) << kCountShift);
      for (int i = 0; i < n; ++i) pool_.push_back(pack(tmp[i]));
    }
  }
}

int FoldTable::fold_slow(char32_t cp, FoldedChar* out) const { return compute_fold(t2s_, cp, out); }

}  // namespace zhi::compliance
