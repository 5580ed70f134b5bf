// Schema -> grammar: what each construct accepts and rejects, byte by byte,
// and the errors for everything outside the subset.
#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "session/compiled_grammar.h"
#include "session/json_schema_grammar.h"
#include "session/number_grammar.h"

namespace zhi {
namespace {

class Matcher {
 public:
  explicit Matcher(const std::string& schema) {
    auto g = json_schema_grammar(schema);
    EXPECT_TRUE(g.ok()) << g.error().to_string();
    if (g.ok()) compiled_ = std::make_unique<CompiledGrammar>(std::move(g).value());
  }
  explicit Matcher(Grammar g) : compiled_(std::make_unique<CompiledGrammar>(std::move(g))) {}

  bool accepts(std::string_view text) {
    if (!compiled_) return false;
    int32_t s = compiled_->initial_state();
    for (char c : text) {
      if (s == CompiledGrammar::kDead) return false;
      s = compiled_->next(s, static_cast<uint8_t>(c));
    }
    return s != CompiledGrammar::kDead && compiled_->complete(s);
  }

 private:
  std::unique_ptr<CompiledGrammar> compiled_;
};

Error schema_error(const std::string& schema) {
  auto g = json_schema_grammar(schema);
  return g.ok() ? Error() : g.error();
}

TEST(JsonSchemaGrammar, IntegerRangesMatchExactly) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 40; ++trial) {
    int64_t lo = static_cast<int64_t>(rng() % 2001) - 1000;
    int64_t hi = lo + static_cast<int64_t>(rng() % 1500);
    GrammarBuilder b;
    const uint32_t r = b.add("range", integer_range_sequences(lo, hi));
    auto g = b.build(r);
    ASSERT_TRUE(g.ok());
    Matcher m(std::move(g).value());
    for (int64_t v = lo - 30; v <= hi + 30; ++v) {
      ASSERT_EQ(m.accepts(std::to_string(v)), v >= lo && v <= hi) << v << " in [" << lo << ", " << hi << "]";
    }
    EXPECT_FALSE(m.accepts("-0"));
    EXPECT_FALSE(m.accepts("007"));
  }
}

TEST(JsonSchemaGrammar, IntegerAndNumberBounds) {
  Matcher i(R"({"type": "integer", "minimum": -5, "exclusiveMaximum": 10})");
  EXPECT_TRUE(i.accepts("-5"));
  EXPECT_TRUE(i.accepts("9"));
  EXPECT_FALSE(i.accepts("10"));
  EXPECT_FALSE(i.accepts("-6"));
  EXPECT_FALSE(i.accepts("1.5"));
  Matcher n(R"({"type": "number", "minimum": 0.5, "maximum": 3})");
  EXPECT_TRUE(n.accepts("1"));
  EXPECT_TRUE(n.accepts("3"));
  EXPECT_TRUE(n.accepts("2.75"));
  EXPECT_FALSE(n.accepts("3.5"));
  EXPECT_FALSE(n.accepts("0"));
  Matcher neg(R"({"type": "number", "maximum": 0, "minimum": -2})");
  EXPECT_TRUE(neg.accepts("-1.5"));
  EXPECT_TRUE(neg.accepts("-0.25"));
  EXPECT_FALSE(neg.accepts("-2.5"));
  EXPECT_FALSE(neg.accepts("0.5"));
  Matcher any(R"({"type": "number"})");
  EXPECT_TRUE(any.accepts("-12.125"));
  EXPECT_FALSE(any.accepts("1e5"));  // never written: exponents are out
  EXPECT_EQ(schema_error(R"({"type": "integer", "minimum": 5, "maximum": 4})").code(), ErrorCode::kInvalidSchema);
  EXPECT_EQ(schema_error(R"({"type": "integer", "exclusiveMinimum": true})").code(), ErrorCode::kInvalidSchema);
}

TEST(JsonSchemaGrammar, StringsCountCodePoints) {
  Matcher m(R"({"type": "string", "minLength": 2, "maxLength": 3})");
  EXPECT_TRUE(m.accepts("\"ab\""));
  EXPECT_TRUE(m.accepts("\"中文字\""));
  EXPECT_TRUE(m.accepts("\"a\\n\""));
  EXPECT_TRUE(m.accepts("\"\\u4e2d😀\""));
  EXPECT_FALSE(m.accepts("\"a\""));
  EXPECT_FALSE(m.accepts("\"abcd\""));
  EXPECT_FALSE(m.accepts("\"a\nb\""));      // raw control character
  EXPECT_FALSE(m.accepts("\"\\ud800x\""));  // lone surrogate escape
  EXPECT_FALSE(m.accepts("\"\xC0\xAF\""));  // overlong UTF-8
  EXPECT_FALSE(m.accepts("\"\xE4\xB8\""));  // truncated character
}

TEST(JsonSchemaGrammar, PatternsAndFormats) {
  Matcher p(R"({"type": "string", "pattern": "^[A-Z]{2}-\\d{3}(x|yz)?$"})");
  EXPECT_TRUE(p.accepts("\"AB-123\""));
  EXPECT_TRUE(p.accepts("\"QQ-000yz\""));
  EXPECT_FALSE(p.accepts("\"ab-123\""));
  EXPECT_FALSE(p.accepts("\"AB-12\""));
  Matcher quote(R"({"type": "string", "pattern": "a\"b\\\\c"})");
  EXPECT_TRUE(quote.accepts(R"("a\"b\\c")"));
  Matcher dot(R"({"type": "string", "pattern": "^.+$"})");
  EXPECT_TRUE(dot.accepts("\"汉字 ok\""));
  EXPECT_FALSE(dot.accepts("\"\""));
  EXPECT_FALSE(dot.accepts("\"a\\nb\""));
  Matcher neg(R"({"type": "string", "pattern": "^[^0-9]+$"})");
  EXPECT_TRUE(neg.accepts("\"abc汉\""));
  EXPECT_FALSE(neg.accepts("\"a1\""));
  Matcher date(R"({"type": "string", "format": "date"})");
  EXPECT_TRUE(date.accepts("\"2024-02-28\""));
  EXPECT_TRUE(date.accepts("\"1999-12-31\""));
  EXPECT_FALSE(date.accepts("\"2024-02-30\""));
  EXPECT_FALSE(date.accepts("\"2024-04-31\""));
  EXPECT_FALSE(date.accepts("\"2024-13-01\""));
  Matcher time(R"({"type": "string", "format": "time"})");
  EXPECT_TRUE(time.accepts("\"23:59:59Z\""));
  EXPECT_TRUE(time.accepts("\"08:00:00.5+05:30\""));
  EXPECT_FALSE(time.accepts("\"24:00:00Z\""));
  EXPECT_FALSE(time.accepts("\"08:00:00\""));
  Matcher dt(R"({"type": "string", "format": "date-time"})");
  EXPECT_TRUE(dt.accepts("\"2020-01-01T00:00:00Z\""));
  Matcher uuid(R"({"type": "string", "format": "uuid"})");
  EXPECT_TRUE(uuid.accepts("\"123e4567-e89b-12d3-a456-426614174000\""));
}

TEST(JsonSchemaGrammar, ObjectsArraysEnumsAnyOfRefs) {
  Matcher o(R"({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "boolean"}, "c": {"type": "null"}},
               "required": ["b"], "additionalProperties": false})");
  EXPECT_TRUE(o.accepts(R"({"b":true})"));
  EXPECT_TRUE(o.accepts(R"({"a": 1, "b": false, "c": null})"));
  EXPECT_TRUE(o.accepts("{\n  \"a\": 1,\n  \"b\": true\n}"));
  EXPECT_FALSE(o.accepts(R"({"a":1})"));
  EXPECT_FALSE(o.accepts(R"({"b":true,})"));
  EXPECT_FALSE(o.accepts(R"({"b":true,"d":1})"));
  Matcher a(R"({"type": "array", "items": {"type": "string", "maxLength": 1}, "minItems": 1, "maxItems": 2})");
  EXPECT_TRUE(a.accepts(R"(["x"])"));
  EXPECT_TRUE(a.accepts(R"(["x", ""])"));
  EXPECT_FALSE(a.accepts(R"([])"));
  EXPECT_FALSE(a.accepts(R"(["x","y","z"])"));
  Matcher e(R"({"enum": ["red", 2, null, {"k": [1]}], "type": ["string", "integer", "null", "object"]})");
  EXPECT_TRUE(e.accepts(R"("red")"));
  EXPECT_TRUE(e.accepts("2"));
  EXPECT_TRUE(e.accepts("null"));
  EXPECT_TRUE(e.accepts(R"({"k":[1]})"));
  EXPECT_FALSE(e.accepts(R"("blue")"));
  Matcher c(R"({"const": "中文"})");
  EXPECT_TRUE(c.accepts("\"中文\""));
  Matcher any_of(R"({"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 2}]})");
  EXPECT_TRUE(any_of.accepts("12"));
  EXPECT_TRUE(any_of.accepts("\"ab\""));
  EXPECT_FALSE(any_of.accepts("\"abc\""));
  Matcher rec(R"({"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
                 "$ref": "#/$defs/node"})");
  EXPECT_TRUE(rec.accepts(R"({"next":{"next":{}}})"));
  EXPECT_FALSE(rec.accepts(R"({"next":{"next":1}})"));
  Matcher anything(R"({})");
  EXPECT_TRUE(anything.accepts(R"({"x": [1, "y", null, {"z": false}]})"));
}

TEST(JsonSchemaGrammar, UnsupportedKeywordsAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type": "string", "contentEncoding": "base64"})", "contentEncoding"},
      {R"({"oneOf": [{"type": "string"}]})", "oneOf"},
      {R"({"allOf": [{"type": "string"}]})", "allOf"},
      {R"({"type": "number", "multipleOf": 3})", "multipleOf"},
      {R"({"type": "array", "uniqueItems": true})", "uniqueItems"},
      {R"({"type": "object", "patternProperties": {}})", "patternProperties"},
      {R"({"type": "object", "properties": {"a": {"type": "string", "format": "email"}}})", "email"},
      {R"({"type": "object", "additionalProperties": {"type": "string"}})", "additionalProperties"},
      {R"({"type": "string", "pattern": "(?=a)b"})", "(?="},
      {R"({"type": "string", "pattern": "(a)\\1"})", "backreferences"},
      {R"({"type": "string", "pattern": "a\\bb"})", "word boundaries"},
      {R"({"type": "string", "pattern": "[α-ω]"})", "beyond ASCII"},
      {R"({"type": "strin"})", "strin"},
      {R"({"$ref": "http://example.com/s.json"})", "within the schema"},
      {R"({"$ref": "#/$defs/missing"})", "points at nothing"},
      {R"({"$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "null"}]}}, "$ref": "#/$defs/a"})", "left recursion"},
      {R"({"type": "string", "pattern": "(a*)*"})", "left recursion"},
      {"not json", "not valid JSON"},
      {R"({"type": "object", "required": ["a"], "additionalProperties": false})", "no object fits"},
  };
  for (const auto& [schema, needle] : cases) {
    Error e = schema_error(schema);
    EXPECT_EQ(e.code(), ErrorCode::kInvalidSchema) << schema;
    EXPECT_NE(e.message().find(needle), std::string::npos) << schema << " -> " << e.message();
  }
  // Annotations are fine.
  EXPECT_TRUE(schema_error(R"({"title": "t", "description": "d", "type": "boolean", "default": true,
                              "$schema": "https://json-schema.org/draft/2020-12/schema"})").ok());
}

}  // namespace
}  // namespace zhi
