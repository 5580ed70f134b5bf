// Finds special-token text (<|im_start|>, <tool_call>, ...) in a string,
// leftmost first and longest at a position, as the Hugging Face tokenizer's
// added-token splitter does.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zhi {

class SpecialTokenMatcher {
 public:
  void add(std::string text, int32_t id);  // empty text is ignored
  bool empty() const { return tokens_.empty(); }

  struct Match {
    size_t pos;  // text.size() when there is none
    size_t len;
    int32_t id;
  };
  // The first match at or after `from`.
  Match find(std::string_view text, size_t from) const;

 private:
  struct Entry {
    std::string text;
    int32_t id;
  };
  std::vector<Entry> tokens_;  // longest first, so the first hit is the longest
  std::array<bool, 256> first_byte_{};
};

}  // namespace zhi
