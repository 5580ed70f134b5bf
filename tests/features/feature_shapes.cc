#include "feature_shapes.h"

#include <set>

namespace zhi::features::testing {
namespace {

using Json = nlohmann::json;

std::string need(const Json& r, const char* key, bool (Json::*is)() const, const char* what) {
  if (!r.contains(key)) return std::string("missing \"") + key + "\"";
  if (!(r[key].*is)()) return std::string("\"") + key + "\" is not " + what;
  return {};
}

std::string strings(const Json& r, const char* key) {
  if (auto p = need(r, key, &Json::is_array, "an array"); !p.empty()) return p;
  for (const Json& x : r[key]) {
    if (!x.is_string()) return std::string("\"") + key + "\" holds a non-string";
  }
  return {};
}

std::string one_of(const Json& v, std::set<std::string> allowed, const char* key) {
  if (!v.is_string() || !allowed.count(v.get<std::string>()))
    return std::string("\"") + key + "\" is not in its enum";
  return {};
}

#define ZHI_CHECK(expr)         \
  do {                          \
    std::string p_ = (expr);    \
    if (!p_.empty()) return p_; \
  } while (0)

std::string coverage(const Json& r) {
  ZHI_CHECK(need(r, "coverage", &Json::is_object, "an object"));
  const Json& c = r["coverage"];
  for (const char* k : {"input_bytes", "covered_bytes", "chunks"})
    ZHI_CHECK(need(c, k, &Json::is_number_integer, "an integer"));
  return {};
}

}  // namespace

std::string shape_problem(Feature feature, const Json& r) {
  if (!r.is_object()) return "not an object";
  ZHI_CHECK(need(r, "lang", &Json::is_string, "a string"));
  ZHI_CHECK(one_of(r["lang"], {"en", "zh"}, "lang"));
  ZHI_CHECK(coverage(r));
  switch (feature) {
    case Feature::kProofread:
      ZHI_CHECK(need(r, "corrected", &Json::is_string, "a string"));
      ZHI_CHECK(need(r, "edits", &Json::is_array, "an array"));
      for (const Json& e : r["edits"]) {
        ZHI_CHECK(need(e, "start", &Json::is_number_unsigned, "an offset"));
        ZHI_CHECK(need(e, "end", &Json::is_number_unsigned, "an offset"));
        ZHI_CHECK(need(e, "original", &Json::is_string, "a string"));
        ZHI_CHECK(need(e, "replacement", &Json::is_string, "a string"));
        ZHI_CHECK(need(e, "reason", &Json::is_string, "a string"));
        ZHI_CHECK(one_of(e["kind"], {"spelling", "grammar", "punctuation", "word_choice"}, "kind"));
      }
      return {};
    case Feature::kRewrite:
      return need(r, "text", &Json::is_string, "a string");
    case Feature::kSummarize:
      return need(r, "summary", &Json::is_string, "a string");
    case Feature::kKeyPoints:
      return strings(r, "points");
    case Feature::kList:
      return strings(r, "items");
    case Feature::kTable:
      ZHI_CHECK(strings(r, "header"));
      ZHI_CHECK(need(r, "rows", &Json::is_array, "an array"));
      for (const Json& row : r["rows"]) {
        if (!row.is_array() || row.size() != r["header"].size())
          return "a row is not as wide as the header";
        for (const Json& c : row) {
          if (!c.is_string()) return "a cell is not a string";
        }
      }
      return need(r, "markdown", &Json::is_string, "a string");
    case Feature::kNotifySummary:
      return need(r, "summary", &Json::is_string, "a string");
    case Feature::kThreadSummary:
      ZHI_CHECK(need(r, "summary", &Json::is_string, "a string"));
      ZHI_CHECK(strings(r, "open_questions"));
      ZHI_CHECK(need(r, "action_items", &Json::is_array, "an array"));
      for (const Json& a : r["action_items"]) {
        ZHI_CHECK(need(a, "item", &Json::is_string, "a string"));
        ZHI_CHECK(need(a, "owner", &Json::is_string, "a string"));
      }
      return {};
    case Feature::kReply:
      ZHI_CHECK(strings(r, "replies"));
      if (r["replies"].size() > 3) return "more than 3 replies";
      ZHI_CHECK(need(r, "questions", &Json::is_array, "an array"));
      for (const Json& q : r["questions"]) {
        ZHI_CHECK(need(q, "question", &Json::is_string, "a string"));
        ZHI_CHECK(strings(q, "options"));
      }
      return {};
    case Feature::kPriority:
      ZHI_CHECK(need(r, "urgent", &Json::is_boolean, "a boolean"));
      ZHI_CHECK(need(r, "reason", &Json::is_string, "a string"));
      if (!r.contains("deadline") || !(r["deadline"].is_null() || r["deadline"].is_string()))
        return "\"deadline\" is not a string or null";
      return {};
    case Feature::kTags:
      ZHI_CHECK(strings(r, "topics"));
      ZHI_CHECK(strings(r, "actions"));
      ZHI_CHECK(need(r, "entities", &Json::is_array, "an array"));
      for (const Json& e : r["entities"]) {
        ZHI_CHECK(need(e, "text", &Json::is_string, "a string"));
        ZHI_CHECK(one_of(e["type"], {"person", "org", "place", "time"}, "type"));
      }
      return one_of(r["sentiment"], {"positive", "neutral", "negative"}, "sentiment");
  }
  return "unknown feature";
}

}  // namespace zhi::features::testing
