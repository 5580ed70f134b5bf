#include "session/json_text_rules.h"

#include <cstdio>

namespace zhi {
namespace {
using Seq = GrammarBuilder::Seq;
using B = GrammarBuilder;

ByteSet digits() { return ByteSet::range('0', '9'); }
ByteSet hex_digits() {
  ByteSet s = digits();
  s.add_range('a', 'f');
  s.add_range('A', 'F');
  return s;
}
}  // namespace

uint32_t JsonTextRules::ws() {
  if (ws_) return *ws_;
  const uint32_t indent = b_.repeat("ws-indent", {B::byte(' ')}, 0, 16);
  ws_ = b_.add("ws", {{}, {B::byte(' ')}, {B::byte('\n'), B::ref(indent)}});
  return *ws_;
}

uint32_t JsonTextRules::utf8_multibyte() {
  if (utf8_) return *utf8_;
  const ByteSet cont = ByteSet::range(0x80, 0xBF);
  ByteSet e1_ec = ByteSet::range(0xE1, 0xEC);
  e1_ec.add_range(0xEE, 0xEF);
  utf8_ = b_.add("utf8-multibyte",
                 {
                     {B::bytes(ByteSet::range(0xC2, 0xDF)), B::bytes(cont)},
                     {B::byte(0xE0), B::bytes(ByteSet::range(0xA0, 0xBF)), B::bytes(cont)},
                     {B::bytes(e1_ec), B::bytes(cont), B::bytes(cont)},
                     {B::byte(0xED), B::bytes(ByteSet::range(0x80, 0x9F)), B::bytes(cont)},
                     {B::byte(0xF0), B::bytes(ByteSet::range(0x90, 0xBF)), B::bytes(cont), B::bytes(cont)},
                     {B::bytes(ByteSet::range(0xF1, 0xF3)), B::bytes(cont), B::bytes(cont), B::bytes(cont)},
                     {B::byte(0xF4), B::bytes(ByteSet::range(0x80, 0x8F)), B::bytes(cont), B::bytes(cont)},
                 });
  return *utf8_;
}

uint32_t JsonTextRules::string_char() {
  if (char_) return *char_;
  ByteSet raw = ByteSet::range(0x20, 0x7F);
  raw.remove('"');
  raw.remove('\\');
  ByteSet simple_escape;
  for (char c : std::string_view("\"\\/bfnrt")) simple_escape.add(static_cast<uint8_t>(c));
  ByteSet not_d = hex_digits();
  not_d.remove('d');
  not_d.remove('D');
  ByteSet d;
  d.add('d');
  d.add('D');
  const ByteSet h = hex_digits();
  char_ = b_.add("string-char",
                 {
                     {B::bytes(raw)},
                     {B::ref(utf8_multibyte())},
                     {B::byte('\\'), B::bytes(simple_escape)},
                     {B::byte('\\'), B::byte('u'), B::bytes(not_d), B::bytes(h), B::bytes(h), B::bytes(h)},
                     {B::byte('\\'), B::byte('u'), B::bytes(d), B::bytes(ByteSet::range('0', '7')), B::bytes(h), B::bytes(h)},
                 });
  return *char_;
}

uint32_t JsonTextRules::any_string() {
  if (string_) return *string_;
  const uint32_t chars = b_.repeat("any-string-chars", {B::ref(string_char())}, 0, -1);
  string_ = b_.add("any-string", {{B::byte('"'), B::ref(chars), B::byte('"')}});
  return *string_;
}

uint32_t JsonTextRules::any_number() {
  if (number_) return *number_;
  const uint32_t more = b_.repeat("any-number-digits", {B::bytes(digits())}, 0, kMaxIntegerDigits - 1);
  const uint32_t frac_digits = b_.repeat("any-number-frac", {B::bytes(digits())}, 1, kMaxFractionDigits);
  const uint32_t int_part = b_.add("any-number-int", {{B::byte('0')}, {B::bytes(ByteSet::range('1', '9')), B::ref(more)}});
  const uint32_t frac = b_.add("any-number-fraction", {{}, {B::byte('.'), B::ref(frac_digits)}});
  const uint32_t sign = b_.add("any-number-sign", {{}, {B::byte('-')}});
  number_ = b_.add("any-number", {{B::ref(sign), B::ref(int_part), B::ref(frac)}});
  return *number_;
}

uint32_t JsonTextRules::any_value() {
  if (value_) return *value_;
  const uint32_t value = b_.declare("any-value");
  value_ = value;
  const uint32_t w = ws();
  // member ::= string ws ":" ws value ws
  const uint32_t member = b_.add("any-member", {{B::ref(any_string()), B::ref(w), B::byte(':'), B::ref(w), B::ref(value), B::ref(w)}});
  const uint32_t more_members = b_.repeat("any-members", {B::byte(','), B::ref(w), B::ref(member)}, 0, -1);
  const uint32_t object = b_.add("any-object", {{B::byte('{'), B::ref(w), B::byte('}')},
                                                {B::byte('{'), B::ref(w), B::ref(member), B::ref(more_members), B::byte('}')}});
  const uint32_t element = b_.add("any-element", {{B::ref(value), B::ref(w)}});
  const uint32_t more_elements = b_.repeat("any-elements", {B::byte(','), B::ref(w), B::ref(element)}, 0, -1);
  const uint32_t array = b_.add("any-array", {{B::byte('['), B::ref(w), B::byte(']')},
                                              {B::byte('['), B::ref(w), B::ref(element), B::ref(more_elements), B::byte(']')}});
  b_.define(value, {{B::ref(object)}, {B::ref(array)}, {B::ref(any_string())}, {B::ref(any_number())},
                    B::literal("true"), B::literal("false"), B::literal("null")});
  return value;
}

GrammarBuilder::Seq JsonTextRules::ascii_char_in_string(uint8_t c) {
  switch (c) {
    case '"': return B::literal("\\\"");
    case '\\': return B::literal("\\\\");
    case '\n': return B::literal("\\n");
    case '\r': return B::literal("\\r");
    case '\t': return B::literal("\\t");
    case '\b': return B::literal("\\b");
    case '\f': return B::literal("\\f");
    default: break;
  }
  if (c < 0x20) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", c);
    return B::literal(buf);
  }
  return {B::byte(c)};
}

}  // namespace zhi
