#include "compliance/folded_term.h"

#include "compliance/utf8_codec.h"

namespace zhi::compliance {

Result<FoldedTerm> fold_term(const FoldTable& table, std::string_view term) {
  FoldedTerm out;
  const auto* p = reinterpret_cast<const unsigned char*>(term.data());
  bool space_pending = false;
  FoldedChar buf[kMaxFoldOut];
  for (size_t i = 0; i < term.size();) {
    const Decoded d = decode_utf8(p + i, term.size() - i);
    if (d.cp == kReplacementChar && d.len == 1) return invalid_argument("term is not valid UTF-8");
    i += d.len;
    const int n = table.fold(d.cp, buf);
    for (int k = 0; k < n; ++k) {
      if (!buf[k].word) {
        space_pending = space_pending || buf[k].space;
        continue;
      }
      if (out.chars.size() == kMaxTermChars)
        return invalid_argument("term is longer than " + std::to_string(kMaxTermChars) +
                                " characters");
      if (space_pending && !out.chars.empty()) out.space_before |= uint64_t{1} << out.chars.size();
      space_pending = false;
      out.chars.push_back(buf[k].cp);
      out.alpha = out.alpha || buf[k].alpha;
    }
  }
  if (out.chars.empty()) return invalid_argument("term has no letters, digits or ideographs");
  return out;
}

}  // namespace zhi::compliance
