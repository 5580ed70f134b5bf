#include "compliance/homoglyph_map.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace zhi::compliance {
namespace {

// Sorted by code point for binary search. Only pairs a reader takes for the
// Latin letter at ordinary sizes; letters that merely resemble (Greek ν vs v
// is kept, Cyrillic и vs u is not) stay distinct to limit collateral matches
// in genuine Russian or Greek text.
constexpr std::pair<char32_t, char32_t> kPairs[] = {
    {0x0131, U'i'},  // ı dotless i
    {0x0237, U'j'},  // ȷ dotless j
    {0x0251, U'a'},  // ɑ Latin alpha
    {0x0261, U'g'},  // ɡ script g
    {0x026A, U'i'},  // ɪ small capital I
    {0x0274, U'n'},  // ɴ small capital N
    {0x0280, U'r'},  // ʀ small capital R
    {0x028F, U'y'},  // ʏ small capital Y
    {0x0299, U'b'},  // ʙ small capital B
    {0x029C, U'h'},  // ʜ small capital H
    {0x029F, U'l'},  // ʟ small capital L
    {0x03B1, U'a'},  // α
    {0x03B2, U'b'},  // β
    {0x03B3, U'y'},  // γ
    {0x03B5, U'e'},  // ε
    {0x03B7, U'n'},  // η
    {0x03B9, U'i'},  // ι
    {0x03BA, U'k'},  // κ
    {0x03BD, U'v'},  // ν
    {0x03BF, U'o'},  // ο
    {0x03C1, U'p'},  // ρ
    {0x03C4, U't'},  // τ
    {0x03C5, U'u'},  // υ
    {0x03C7, U'x'},  // χ
    {0x03C9, U'w'},  // ω
    {0x0430, U'a'},  // а
    {0x0432, U'b'},  // в (capital В is B)
    {0x0435, U'e'},  // е
    {0x043A, U'k'},  // к
    {0x043C, U'm'},  // м (capital М is M)
    {0x043D, U'h'},  // н (capital Н is H)
    {0x043E, U'o'},  // о
    {0x0440, U'p'},  // р
    {0x0441, U'c'},  // с
    {0x0442, U't'},  // т (capital Т is T)
    {0x0443, U'y'},  // у
    {0x0445, U'x'},  // х
    {0x0455, U's'},  // ѕ
    {0x0456, U'i'},  // і
    {0x0458, U'j'},  // ј
    {0x04BB, U'h'},  // һ
    {0x04CF, U'l'},  // ӏ palochka
    {0x0501, U'd'},  // ԁ
    {0x051B, U'q'},  // ԛ
    {0x051D, U'w'},  // ԝ
    {0x1D00, U'a'},  // ᴀ small capital A
    {0x1D04, U'c'},  // ᴄ
    {0x1D05, U'd'},  // ᴅ
    {0x1D07, U'e'},  // ᴇ
    {0x1D0A, U'j'},  // ᴊ
    {0x1D0B, U'k'},  // ᴋ
    {0x1D0D, U'm'},  // ᴍ
    {0x1D0F, U'o'},  // ᴏ
    {0x1D18, U'p'},  // ᴘ
    {0x1D1B, U't'},  // ᴛ
    {0x1D1C, U'u'},  // ᴜ
    {0x1D20, U'v'},  // ᴠ
    {0x1D21, U'w'},  // ᴡ
    {0x1D22, U'z'},  // ᴢ
    {0xA731, U's'},  // ꜱ small capital S
};

}  // namespace

char32_t fold_homoglyph(char32_t cp) {
  static const std::vector<std::pair<char32_t, char32_t>> sorted = [] {
    std::vector<std::pair<char32_t, char32_t>> a(std::begin(kPairs), std::end(kPairs));
    std::sort(a.begin(), a.end());
    return a;
  }();
  if (cp < 0x0131) return cp;
  const auto it = std::lower_bound(sorted.begin(), sorted.end(), std::make_pair(cp, char32_t{0}));
  return (it != sorted.end() && it->first == cp) ? it->second : cp;
}

}  // namespace zhi::compliance
