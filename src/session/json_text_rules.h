// Grammar rules for the pieces of JSON text that every schema grammar shares:
// whitespace, string characters (raw UTF-8 or escapes, one code point each, so
// minLength/maxLength count what validators count), any string, any value.
// Each rule is added to the builder on first use.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "session/grammar.h"

namespace zhi {

// Most digits an integer part may have when the schema sets no bound: keeps
// values exact in a double and lets a sampled answer finish.
inline constexpr int kMaxIntegerDigits = 15;
// Most digits after the decimal point, so a value never rounds onto a bound
// when a validator parses it as a double.
inline constexpr int kMaxFractionDigits = 6;

class JsonTextRules {
 public:
  explicit JsonTextRules(GrammarBuilder& b) : b_(b) {}

  // "" | " " | "\n" followed by up to 16 spaces: room for compact and
  // indented JSON, bounded so a sampled answer cannot pad forever.
  uint32_t ws();
  // One non-ASCII character in well-formed UTF-8 (no surrogates, no overlongs).
  uint32_t utf8_multibyte();
  // One character of a JSON string body: an unescaped character or an escape
  // (\uXXXX only outside the surrogate range, so each is one code point).
  uint32_t string_char();
  uint32_t any_string();
  // Any JSON value, nested arbitrarily (a schema of {} or true).
  uint32_t any_value();
  uint32_t any_number();

  // The JSON string form (without quotes) of one ASCII character c < 0x80:
  // raw, or escaped when JSON requires it.
  static GrammarBuilder::Seq ascii_char_in_string(uint8_t c);

 private:
  GrammarBuilder& b_;
  std::optional<uint32_t> ws_, utf8_, char_, string_, value_, number_;
};

}  // namespace zhi
