// JSON Schema (a subset) -> grammar whose sentences are exactly JSON texts
// that validate against the schema (a subset of them: see the choices below).
//
// Supported keywords:
//   type (a name or a list), enum, const, anyOf, $ref (to "#" or a JSON
//   pointer in the same document, e.g. "#/$defs/item"; recursion allowed),
//   $defs / definitions;
//   object: properties, required, additionalProperties (true or false);
//   array: items, minItems, maxItems;
//   string: minLength, maxLength, pattern (regex_grammar.h), format (date,
//   time, date-time, uuid);
//   integer / number: minimum, maximum, exclusiveMinimum, exclusiveMaximum;
//   annotations, which change nothing: title, description, default,
//   examples, $schema, $id, $comment, deprecated, readOnly, writeOnly.
// Any other keyword is an invalid_schema error that names it and where it is.
//
// Choices that keep output valid and finite:
// - objects list properties in schema order and never add undeclared ones;
// - enum and const may sit beside `type` only (other siblings are rejected);
// - integers without a bound stay within 15 digits; numbers are written
//   without exponent and with at most 6 fraction digits;
// - dates use days 01-28 in February (never an invalid leap day);
// - whitespace is optional and bounded (json_text_rules.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "session/grammar.h"
#include "session/json_text_rules.h"
#include "zhi/errors.hpp"

namespace zhi {

// Adds the rules for one schema document to `b`; returns the rule of its
// root value. `name` prefixes rule names and error locations.
Expected<uint32_t> compile_schema_document(const nlohmann::ordered_json& schema, const std::string& name,
                                           GrammarBuilder& b, JsonTextRules& rules);

// A whole grammar for one schema given as JSON text: the answer is one value.
Expected<Grammar> json_schema_grammar(std::string_view schema_text);

// Checks a built grammar and turns left recursion (a $ref cycle that
// consumes nothing) into invalid_schema.
Expected<Grammar> finish_grammar(const GrammarBuilder& b, uint32_t root);

}  // namespace zhi
