#include "session/json_schema_grammar.h"

#include <cmath>
#include <map>
#include <set>

#include "session/api_errors.h"
#include "session/number_grammar.h"
#include "session/regex_grammar.h"

namespace zhi {
namespace {

using Json = nlohmann::ordered_json;
using B = GrammarBuilder;
using Seq = GrammarBuilder::Seq;

constexpr int64_t kMaxCount = 10000;  // minLength/maxLength/minItems/maxItems beyond this would unroll too far
constexpr double kIntegerCap = 999999999999999.0;  // 15 digits (kMaxIntegerDigits)

const std::set<std::string>& annotations() {
  static const std::set<std::string> k = {"title",    "description", "default",  "examples",  "$schema",
                                          "$id",      "$comment",    "deprecated", "readOnly", "writeOnly",
                                          "$defs",    "definitions"};
  return k;
}

const std::map<std::string, std::string>& typed_keywords() {
  static const std::map<std::string, std::string> k = {
      {"properties", "object"},      {"required", "object"},     {"additionalProperties", "object"},
      {"items", "array"},            {"minItems", "array"},      {"maxItems", "array"},
      {"minLength", "string"},       {"maxLength", "string"},    {"pattern", "string"},
      {"format", "string"},          {"minimum", "number"},      {"maximum", "number"},
      {"exclusiveMinimum", "number"}, {"exclusiveMaximum", "number"},
  };
  return k;
}

std::string pointer_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Error schema_error(const std::string& where, const std::string& what) {
  return {ErrorCode::kInvalidSchema, where + ": " + what};
}

bool matches_type(const Json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

class SchemaCompiler {
 public:
  SchemaCompiler(const Json& doc, std::string name, GrammarBuilder& b, JsonTextRules& rules)
      : doc_(doc), name_(std::move(name)), b_(b), rules_(rules) {}

  Expected<uint32_t> compile(const Json& schema, const std::string& ptr) {
    if (++depth_ > 256) return schema_error(where(ptr), "schema nested too deeply");
    auto r = compile_inner(schema, ptr);
    --depth_;
    return r;
  }

 private:
  std::string where(const std::string& ptr) const { return name_ + ptr; }

  Expected<uint32_t> compile_inner(const Json& schema, const std::string& ptr) {
    if (schema.is_boolean()) {
      if (schema.get<bool>()) return rules_.any_value();
      return schema_error(where(ptr), "the schema false matches nothing");
    }
    if (!schema.is_object()) return schema_error(where(ptr), "expected a schema object or boolean");
    // Every keyword must be one we honour; an unknown one is never ignored.
    std::set<std::string> structural;
    for (const auto& [key, value] : schema.items()) {
      if (annotations().count(key) || typed_keywords().count(key)) continue;
      if (key == "type" || key == "enum" || key == "const" || key == "anyOf" || key == "$ref") {
        structural.insert(key);
        continue;
      }
      return schema_error(where(ptr), "unsupported keyword '" + key + "'");
    }
    auto only_with = [&](const std::string& kw, std::set<std::string> allowed) -> Error {
      for (const auto& [key, value] : schema.items()) {
        if (key == kw || annotations().count(key) || allowed.count(key)) continue;
        return schema_error(where(ptr), "'" + kw + "' beside '" + key + "' is not supported");
      }
      return {};
    };
    if (structural.count("$ref")) {
      ZHI_RETURN_IF_API_ERROR(only_with("$ref", {}));
      if (!schema["$ref"].is_string()) return schema_error(where(ptr + "/$ref"), "expected a string");
      return resolve_ref(schema["$ref"].get<std::string>(), ptr + "/$ref");
    }
    if (structural.count("anyOf")) {
      ZHI_RETURN_IF_API_ERROR(only_with("anyOf", {}));
      const Json& alts = schema["anyOf"];
      if (!alts.is_array() || alts.empty()) return schema_error(where(ptr + "/anyOf"), "expected a non-empty array");
      std::vector<Seq> seqs;
      for (size_t i = 0; i < alts.size(); ++i) {
        auto r = compile(alts[i], ptr + "/anyOf/" + std::to_string(i));
        if (!r.ok()) return r.error();
        seqs.push_back({B::ref(*r)});
      }
      return b_.add("anyOf", std::move(seqs));
    }
    std::vector<std::string> types;
    if (structural.count("type")) {
      const Json& t = schema["type"];
      if (t.is_string()) {
        types.push_back(t.get<std::string>());
      } else if (t.is_array() && !t.empty()) {
        for (const Json& x : t) {
          if (!x.is_string()) return schema_error(where(ptr + "/type"), "expected type names");
          types.push_back(x.get<std::string>());
        }
      } else {
        return schema_error(where(ptr + "/type"), "expected a type name or a non-empty list of them");
      }
      for (const std::string& t : types) {
        static const std::set<std::string> known = {"string", "integer", "number", "boolean", "null", "object", "array"};
        if (!known.count(t)) return schema_error(where(ptr + "/type"), "unknown type '" + t + "'");
      }
    }
    if (structural.count("enum") || structural.count("const")) {
      const std::string kw = structural.count("enum") ? "enum" : "const";
      if (structural.count("enum") && structural.count("const"))
        return schema_error(where(ptr), "'enum' beside 'const' is not supported");
      ZHI_RETURN_IF_API_ERROR(only_with(kw, {"type"}));
      std::vector<Json> values;
      if (kw == "const") {
        values.push_back(schema["const"]);
      } else {
        if (!schema["enum"].is_array() || schema["enum"].empty())
          return schema_error(where(ptr + "/enum"), "expected a non-empty array");
        for (const Json& v : schema["enum"]) values.push_back(v);
      }
      std::vector<Seq> seqs;
      for (const Json& v : values) {
        bool ok = types.empty();
        for (const std::string& t : types) ok = ok || matches_type(v, t);
        if (ok) seqs.push_back(B::literal(v.dump(-1, ' ', false, Json::error_handler_t::replace)));
      }
      if (seqs.empty()) return schema_error(where(ptr + "/" + kw), "no value matches 'type'");
      return b_.add(kw, std::move(seqs));
    }
    if (types.empty()) {
      // No type: the kinds that the constraint keywords describe, else anything.
      std::set<std::string> kinds;
      for (const auto& [key, value] : schema.items())
        if (auto it = typed_keywords().find(key); it != typed_keywords().end()) kinds.insert(it->second);
      if (kinds.empty()) return rules_.any_value();
      types.assign(kinds.begin(), kinds.end());
    }
    std::vector<Seq> seqs;
    for (const std::string& t : types) {
      auto r = compile_type(schema, t, ptr);
      if (!r.ok()) return r.error();
      seqs.push_back({B::ref(*r)});
    }
    if (seqs.size() == 1) return seqs[0][0].rule;
    return b_.add("types", std::move(seqs));
  }

  Expected<uint32_t> resolve_ref(const std::string& ref, const std::string& ptr) {
    if (ref.empty() || ref[0] != '#')
      return schema_error(where(ptr), "only references within the schema ('#' or '#/...') are supported, got '" + ref + "'");
    if (auto it = refs_.find(ref); it != refs_.end()) return it->second;
    const Json* target = &doc_;
    std::string path = ref.substr(1);
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] != '/') return schema_error(where(ptr), "malformed JSON pointer '" + ref + "'");
      const size_t next = path.find('/', i + 1);
      std::string token = path.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1);
      std::string key;
      for (size_t k = 0; k < token.size(); ++k) {
        if (token[k] == '~' && k + 1 < token.size()) {
          key += token[k + 1] == '1' ? '/' : '~';
          ++k;
        } else {
          key += token[k];
        }
      }
      if (target->is_object() && target->contains(key)) {
        target = &(*target)[key];
      } else if (target->is_array() && !key.empty() && key.find_first_not_of("0123456789") == std::string::npos &&
                 std::stoull(key) < target->size()) {
        target = &(*target)[std::stoull(key)];
      } else {
        return schema_error(where(ptr), "reference '" + ref + "' points at nothing");
      }
      i = next == std::string::npos ? path.size() : next;
    }
    // Declared before compiling so a recursive reference finds it.
    const uint32_t rule = b_.declare("ref" + ref);
    refs_.emplace(ref, rule);
    auto body = compile(*target, ref);
    if (!body.ok()) return body.error();
    b_.define(rule, {{B::ref(*body)}});
    return rule;
  }

  Expected<int64_t> count(const Json& schema, const char* kw, const std::string& ptr, int64_t fallback) {
    if (!schema.contains(kw)) return fallback;
    const Json& v = schema[kw];
    if (!v.is_number_integer() || v.get<int64_t>() < 0)
      return schema_error(where(ptr + "/" + kw), "expected a non-negative integer");
    if (v.get<int64_t>() > kMaxCount)
      return schema_error(where(ptr + "/" + kw), "values above " + std::to_string(kMaxCount) + " are not supported");
    return v.get<int64_t>();
  }

  Expected<uint32_t> compile_type(const Json& schema, const std::string& type, const std::string& ptr) {
    if (type == "boolean") return b_.add("boolean", {B::literal("true"), B::literal("false")});
    if (type == "null") return b_.add("null", {B::literal("null")});
    if (type == "string") return compile_string(schema, ptr);
    if (type == "integer" || type == "number") return compile_number(schema, type == "integer", ptr);
    if (type == "array") return compile_array(schema, ptr);
    return compile_object(schema, ptr);
  }

  Expected<uint32_t> compile_string(const Json& schema, const std::string& ptr) {
    auto min = count(schema, "minLength", ptr, 0);
    if (!min.ok()) return min.error();
    auto max = count(schema, "maxLength", ptr, -1);
    if (!max.ok()) return max.error();
    const bool has_length = schema.contains("minLength") || schema.contains("maxLength");
    if (*max >= 0 && *max < *min) return schema_error(where(ptr), "maxLength is below minLength: no string fits");
    Seq body;
    if (schema.contains("pattern")) {
      if (has_length || schema.contains("format"))
        return schema_error(where(ptr), "'pattern' beside minLength, maxLength or format is not supported");
      if (!schema["pattern"].is_string()) return schema_error(where(ptr + "/pattern"), "expected a string");
      auto r = compile_pattern(schema["pattern"].get<std::string>(), b_, rules_, where(ptr + "/pattern"));
      if (!r.ok()) return r.error();
      body.push_back(B::ref(*r));
    } else if (schema.contains("format")) {
      if (has_length) return schema_error(where(ptr), "'format' beside minLength or maxLength is not supported");
      if (!schema["format"].is_string()) return schema_error(where(ptr + "/format"), "expected a string");
      auto r = format_rule(schema["format"].get<std::string>(), ptr);
      if (!r.ok()) return r.error();
      body.push_back(B::ref(*r));
    } else {
      body.push_back(B::ref(b_.repeat("string-chars", {B::ref(rules_.string_char())}, *min, *max)));
    }
    Seq s{B::byte('"')};
    B::append(s, body);
    s.push_back(B::byte('"'));
    return b_.add("string", {s});
  }

  Expected<uint32_t> format_rule(const std::string& format, const std::string& ptr) {
    const ByteSet d = ByteSet::range('0', '9');
    auto digit_pair = [&](char first_lo, char first_hi) {
      return Seq{B::bytes(ByteSet::range(static_cast<uint8_t>(first_lo), static_cast<uint8_t>(first_hi))), B::bytes(d)};
    };
    auto date = [&] {
      const uint32_t year = b_.add("year", {{B::bytes(ByteSet::range('1', '9')), B::bytes(d), B::bytes(d), B::bytes(d)}});
      const uint32_t day31 = b_.add("day31", {{B::byte('0'), B::bytes(ByteSet::range('1', '9'))}, digit_pair('1', '2'),
                                              {B::byte('3'), B::bytes(ByteSet::range('0', '1'))}});
      const uint32_t day30 = b_.add("day30", {{B::byte('0'), B::bytes(ByteSet::range('1', '9'))}, digit_pair('1', '2'),
                                              B::literal("30")});
      const uint32_t day28 = b_.add("day28", {{B::byte('0'), B::bytes(ByteSet::range('1', '9'))}, digit_pair('1', '1'),
                                              {B::byte('2'), B::bytes(ByteSet::range('0', '8'))}});
      std::vector<Seq> md;
      for (const char* m : {"01", "03", "05", "07", "08", "10", "12"}) {
        Seq s = B::literal(m);
        s.push_back(B::byte('-'));
        s.push_back(B::ref(day31));
        md.push_back(s);
      }
      for (const char* m : {"04", "06", "09", "11"}) {
        Seq s = B::literal(m);
        s.push_back(B::byte('-'));
        s.push_back(B::ref(day30));
        md.push_back(s);
      }
      Seq feb = B::literal("02-");
      feb.push_back(B::ref(day28));
      md.push_back(feb);
      const uint32_t month_day = b_.add("month-day", std::move(md));
      return b_.add("date", {{B::ref(year), B::byte('-'), B::ref(month_day)}});
    };
    auto time = [&] {
      const uint32_t hour = b_.add("hour", {digit_pair('0', '1'), {B::byte('2'), B::bytes(ByteSet::range('0', '3'))}});
      const uint32_t minute = b_.add("minute", {digit_pair('0', '5')});
      const uint32_t frac = b_.add("second-fraction",
                                   {{}, {B::byte('.'), B::ref(b_.repeat("fraction-digits", {B::bytes(d)}, 1, kMaxFractionDigits))}});
      ByteSet sign;
      sign.add('+');
      sign.add('-');
      const uint32_t offset = b_.add("time-offset", {B::literal("Z"), {B::bytes(sign), B::ref(hour), B::byte(':'), B::ref(minute)}});
      return b_.add("time", {{B::ref(hour), B::byte(':'), B::ref(minute), B::byte(':'), B::ref(minute), B::ref(frac), B::ref(offset)}});
    };
    if (format == "date") return date();
    if (format == "time") return time();
    if (format == "date-time") {
      const uint32_t dr = date();
      const uint32_t tr = time();
      return b_.add("date-time", {{B::ref(dr), B::byte('T'), B::ref(tr)}});
    }
    if (format == "uuid") {
      ByteSet h = ByteSet::range('0', '9');
      h.add_range('a', 'f');
      Seq s;
      for (int group : {8, 4, 4, 4, 12}) {
        if (!s.empty()) s.push_back(B::byte('-'));
        for (int k = 0; k < group; ++k) s.push_back(B::bytes(h));
      }
      return b_.add("uuid", {s});
    }
    return schema_error(where(ptr + "/format"), "format '" + format + "' is not supported (supported: date, time, date-time, uuid)");
  }

  // Bounds from minimum/maximum/exclusive*, each side the tightest given.
  struct Bounds {
    double lo = -kIntegerCap, hi = kIntegerCap;
    bool lo_exclusive = false, hi_exclusive = false;
  };

  Expected<Bounds> bounds(const Json& schema, const std::string& ptr) {
    Bounds b;
    for (const char* kw : {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}) {
      if (!schema.contains(kw)) continue;
      const Json& v = schema[kw];
      if (v.is_boolean())
        return schema_error(where(ptr + "/" + kw), "boolean exclusive bounds (draft 4) are not supported; give the bound as a number");
      if (!v.is_number()) return schema_error(where(ptr + "/" + kw), "expected a number");
      const double x = v.get<double>();
      const std::string k = kw;
      const bool exclusive = k.rfind("exclusive", 0) == 0;
      if (k == "minimum" || k == "exclusiveMinimum") {
        if (x > b.lo || (x == b.lo && exclusive)) b.lo = x, b.lo_exclusive = exclusive;
      } else {
        if (x < b.hi || (x == b.hi && exclusive)) b.hi = x, b.hi_exclusive = exclusive;
      }
    }
    b.lo = std::max(b.lo, -kIntegerCap - 1);
    b.hi = std::min(b.hi, kIntegerCap + 1);
    return b;
  }

  Expected<uint32_t> compile_number(const Json& schema, bool integer, const std::string& ptr) {
    auto bb = bounds(schema, ptr);
    if (!bb.ok()) return bb.error();
    const Bounds& b = *bb;
    // Smallest integer allowed by the lower bound, largest by the upper.
    const double lo_int_d = b.lo_exclusive ? std::floor(b.lo) + 1 : std::ceil(b.lo);
    const double hi_int_d = b.hi_exclusive ? std::ceil(b.hi) - 1 : std::floor(b.hi);
    const int64_t lo_int = static_cast<int64_t>(std::max(lo_int_d, -kIntegerCap));
    const int64_t hi_int = static_cast<int64_t>(std::min(hi_int_d, kIntegerCap));
    std::vector<Seq> alts;
    if (lo_int <= hi_int) {
      for (Seq& s : integer_range_sequences(lo_int, hi_int)) alts.push_back(std::move(s));
    }
    if (!integer) {
      const uint32_t frac = b_.add("fraction", {{B::byte('.'), B::ref(b_.repeat("fraction-digits", {B::bytes(ByteSet::range('0', '9'))}, 1, kMaxFractionDigits))}});
      // ip.fff lies in [ip, ip + 1): needs ip within the lower bound and ip + 1 <= the upper one.
      const int64_t pos_lo = std::max<int64_t>(0, lo_int);
      const int64_t pos_hi = static_cast<int64_t>(std::min(std::floor(b.hi) - 1, kIntegerCap));
      if (pos_lo <= pos_hi) {
        const uint32_t ip = b_.add("int-part", integer_range_sequences(pos_lo, pos_hi));
        alts.push_back({B::ref(ip), B::ref(frac)});
      }
      // -ip.fff lies in (-(ip + 1), -ip]: needs -ip within the upper bound and -(ip + 1) >= the lower one.
      const double neg_lo_d = b.hi_exclusive ? std::floor(-b.hi) + 1 : std::ceil(-b.hi);
      const int64_t neg_lo = std::max<int64_t>(0, static_cast<int64_t>(std::max(neg_lo_d, -kIntegerCap)));
      const int64_t neg_hi = static_cast<int64_t>(std::min(std::floor(-b.lo) - 1, kIntegerCap));
      if (neg_lo <= neg_hi) {
        const uint32_t ip = b_.add("neg-int-part", integer_range_sequences(neg_lo, neg_hi));
        alts.push_back({B::byte('-'), B::ref(ip), B::ref(frac)});
      }
    }
    if (alts.empty()) return schema_error(where(ptr), std::string("no ") + (integer ? "integer" : "number") +
                                                          " this engine writes lies within the bounds");
    return b_.add(integer ? "integer" : "number", std::move(alts));
  }

  Expected<uint32_t> compile_array(const Json& schema, const std::string& ptr) {
    auto min = count(schema, "minItems", ptr, 0);
    if (!min.ok()) return min.error();
    auto max = count(schema, "maxItems", ptr, -1);
    if (!max.ok()) return max.error();
    if (*max >= 0 && *max < *min) return schema_error(where(ptr), "maxItems is below minItems: no array fits");
    uint32_t item = 0;
    if (schema.contains("items")) {
      if (schema["items"].is_array()) return schema_error(where(ptr + "/items"), "a list of item schemas (tuple form) is not supported");
      auto r = compile(schema["items"], ptr + "/items");
      if (!r.ok()) return r.error();
      item = *r;
    } else {
      item = rules_.any_value();
    }
    const uint32_t w = rules_.ws();
    const Seq open{B::byte('['), B::ref(w)};
    std::vector<Seq> alts;
    if (*min == 0) alts.push_back({B::byte('['), B::ref(w), B::byte(']')});
    if (*max != 0) {
      const Seq elem{B::ref(item), B::ref(w)};
      const Seq rest{B::byte(','), B::ref(w), B::ref(item), B::ref(w)};
      const int64_t first = std::max<int64_t>(*min, 1);
      Seq s = open;
      B::append(s, elem);
      s.push_back(B::ref(b_.repeat("array-rest", rest, first - 1, *max < 0 ? -1 : *max - 1)));
      s.push_back(B::byte(']'));
      alts.push_back(s);
    }
    return b_.add("array", std::move(alts));
  }

  Expected<uint32_t> compile_object(const Json& schema, const std::string& ptr) {
    if (schema.contains("additionalProperties") && !schema["additionalProperties"].is_boolean())
      return schema_error(where(ptr + "/additionalProperties"), "only true or false is supported, not a schema");
    std::vector<std::pair<std::string, const Json*>> props;
    static const Json kAny = true;
    if (schema.contains("properties")) {
      if (!schema["properties"].is_object()) return schema_error(where(ptr + "/properties"), "expected an object");
      for (const auto& [k, v] : schema["properties"].items()) props.emplace_back(k, &v);
    }
    std::set<std::string> required;
    if (schema.contains("required")) {
      if (!schema["required"].is_array()) return schema_error(where(ptr + "/required"), "expected an array of names");
      for (const Json& r : schema["required"]) {
        if (!r.is_string()) return schema_error(where(ptr + "/required"), "expected an array of names");
        required.insert(r.get<std::string>());
      }
    }
    // Required names without a schema still have to appear: any value will do,
    // unless undeclared properties are forbidden, when no object fits at all.
    const bool closed = schema.contains("additionalProperties") && !schema["additionalProperties"].get<bool>();
    for (const std::string& r : required) {
      bool listed = false;
      for (const auto& p : props) listed = listed || p.first == r;
      if (listed) continue;
      if (closed)
        return schema_error(where(ptr + "/required"), "'" + r +
                                                          "' is required but not in properties, and additionalProperties "
                                                          "is false: no object fits");
      props.emplace_back(r, &kAny);
    }
    const uint32_t w = rules_.ws();
    const size_t n = props.size();
    std::vector<uint32_t> kv(n);
    for (size_t i = 0; i < n; ++i) {
      auto value = compile(*props[i].second, ptr + "/properties/" + pointer_escape(props[i].first));
      if (!value.ok()) return value.error();
      Seq s = B::literal(Json(props[i].first).dump(-1, ' ', false, Json::error_handler_t::replace));
      B::append(s, {B::ref(w), B::byte(':'), B::ref(w), B::ref(*value), B::ref(w)});
      kv[i] = b_.add("member-" + props[i].first, {s});
    }
    // first[i]: members i.. when none came before; after[i]: when one did (needs a comma).
    uint32_t first = b_.add("members-end", {{}});
    uint32_t after = first;
    for (size_t i = n; i-- > 0;) {
      const bool optional = !required.count(props[i].first);
      std::vector<Seq> after_alts{{B::byte(','), B::ref(w), B::ref(kv[i]), B::ref(after)}};
      std::vector<Seq> first_alts{{B::ref(kv[i]), B::ref(after)}};
      if (optional) {
        after_alts.push_back({B::ref(after)});
        first_alts.push_back({B::ref(first)});
      }
      const uint32_t new_after = b_.add("members-after", std::move(after_alts));
      first = b_.add("members", std::move(first_alts));
      after = new_after;
    }
    return b_.add("object", {{B::byte('{'), B::ref(w), B::ref(first), B::byte('}')}});
  }

  const Json& doc_;
  std::string name_;
  GrammarBuilder& b_;
  JsonTextRules& rules_;
  std::map<std::string, uint32_t> refs_;
  int depth_ = 0;
};

}  // namespace

Expected<uint32_t> compile_schema_document(const Json& schema, const std::string& name, GrammarBuilder& b,
                                           JsonTextRules& rules) {
  SchemaCompiler c(schema, name, b, rules);
  return c.compile(schema, "#");
}

Expected<Grammar> finish_grammar(const GrammarBuilder& b, uint32_t root) {
  auto g = b.build(root);
  if (!g.ok()) {
    const ErrorCode code = g.status().code() == StatusCode::kInvalidArgument ? ErrorCode::kInvalidSchema : ErrorCode::kInternal;
    return Error(code, "schema: " + g.status().message());
  }
  return std::move(g).value();
}

Expected<Grammar> json_schema_grammar(std::string_view schema_text) {
  Json schema = Json::parse(schema_text.begin(), schema_text.end(), nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) return Error(ErrorCode::kInvalidSchema, "schema: not valid JSON");
  GrammarBuilder b;
  JsonTextRules rules(b);
  auto root = compile_schema_document(schema, "schema", b, rules);
  if (!root.ok()) return root.error();
  return finish_grammar(b, *root);
}

}  // namespace zhi
