#include "tokenizer/special_token_matcher.h"

#include <algorithm>

namespace zhi {

void SpecialTokenMatcher::add(std::string text, int32_t id) {
  if (text.empty()) return;
  first_byte_[static_cast<uint8_t>(text[0])] = true;
  const auto pos = std::upper_bound(tokens_.begin(), tokens_.end(), text.size(),
                                    [](size_t len, const Entry& e) { return len > e.text.size(); });
  tokens_.insert(pos, Entry{std::move(text), id});
}

SpecialTokenMatcher::Match SpecialTokenMatcher::find(std::string_view text, size_t from) const {
  for (size_t i = from; i < text.size(); ++i) {
    if (!first_byte_[static_cast<uint8_t>(text[i])]) continue;
    const std::string_view rest = text.substr(i);
    for (const Entry& e : tokens_) {
      if (rest.starts_with(e.text)) return {i, e.text.size(), e.id};
    }
  }
  return {text.size(), 0, -1};
}

}  // namespace zhi
