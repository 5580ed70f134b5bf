// The regex subset accepted in a JSON Schema `pattern`, compiled to a grammar
// rule for the JSON string body (escapes included) of the strings it matches.
//
// Supported: literals (any UTF-8), `.`, classes `[...]` and `[^...]` with
// ASCII ranges, `\d \w \s \D \W \S`, escapes `\n \t \r \f \v \xHH \uHHHH` and
// escaped punctuation, groups `(...)` and `(?:...)`, alternation `|`,
// quantifiers `* + ? {n} {n,} {n,m}` (a trailing `?` for laziness is
// accepted; it does not change what matches). `^` at the start and `$` at
// the end are accepted.
// Not supported (an invalid_schema error names it): backreferences,
// lookaround, named groups, `\b`, anchors elsewhere, ranges with non-ASCII
// ends, and negated classes that list non-ASCII characters.
//
// A pattern is matched in full: generating a whole-string match always
// satisfies the schema's search semantics. The classes generate a subset of
// what they match under every common regex engine: `\d \w \s` produce ASCII
// only, their negations printable ASCII only, and `.` anything but line breaks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "session/grammar.h"
#include "session/json_text_rules.h"
#include "zhi/errors.hpp"

namespace zhi {

// `where` names the schema location for errors ("#/properties/id/pattern").
Expected<uint32_t> compile_pattern(std::string_view pattern, GrammarBuilder& b, JsonTextRules& rules,
                                   const std::string& where);

}  // namespace zhi
