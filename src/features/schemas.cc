#include "features/schemas.h"

#include <algorithm>

namespace zhi::features {
namespace {

using OJson = nlohmann::ordered_json;

OJson str(size_t max_len, size_t min_len = 0) {
  OJson s = {{"type", "string"}, {"maxLength", max_len}};
  if (min_len > 0) s["minLength"] = min_len;
  return s;
}

OJson arr(OJson items, size_t min_items, size_t max_items) {
  return {{"type", "array"},
          {"items", std::move(items)},
          {"minItems", min_items},
          {"maxItems", max_items}};
}

OJson obj(std::initializer_list<std::pair<const char*, OJson>> props) {
  OJson p = OJson::object();
  OJson req = OJson::array();
  for (const auto& [name, schema] : props) {
    p[name] = schema;
    req.push_back(name);
  }
  return {{"type", "object"},
          {"properties", std::move(p)},
          {"required", std::move(req)},
          {"additionalProperties", false}};
}

}  // namespace

OJson feature_schema(Feature feature, const SchemaParams& sp) {
  switch (feature) {
    case Feature::kProofread: {
      const size_t n = sp.input_chars;
      const OJson offset = {{"type", "integer"}, {"minimum", 0}, {"maximum", sp.input_bytes}};
      return obj(
          {{"corrected", str(n + n / 4 + 16)},
           {"edits",
            arr(obj({{"start", offset},
                     {"end", offset},
                     {"original", str(60)},
                     {"replacement", str(60)},
                     {"kind", {{"enum", {"spelling", "grammar", "punctuation", "word_choice"}}}},
                     {"reason", str(60)}}),
                0, 10)}});
    }
    case Feature::kRewrite:
      return obj({{"text", str(sp.input_chars * 3 / 2 + 32, 1)}});
    case Feature::kSummarize:
      return obj({{"summary", str(400, 1)}});
    case Feature::kKeyPoints:
      return obj({{"points", arr(str(120, 1), 1, 6)}});
    case Feature::kList:
      return obj({{"items", arr(str(100, 1), 1, 10)}});
    case Feature::kTable:
      return obj({{"header", arr(str(30, 1), 1, 5)}, {"rows", arr(arr(str(40), 1, 5), 1, 8)}});
    case Feature::kNotifySummary:
      return obj({{"summary", str(static_cast<size_t>(std::max(sp.max_chars, 1)), 1)}});
    case Feature::kThreadSummary:
      return obj({{"summary", str(300, 1)},
                  {"open_questions", arr(str(120, 1), 0, 4)},
                  {"action_items", arr(obj({{"item", str(100, 1)}, {"owner", str(30)}}), 0, 5)}});
    case Feature::kReply:
      return obj(
          {{"replies", arr(str(100, 1), 1, 3)},
           {"questions",
            arr(obj({{"question", str(100, 1)}, {"options", arr(str(30, 1), 2, 4)}}), 0, 3)}});
    case Feature::kPriority:
      return obj({{"urgent", {{"type", "boolean"}}},
                  {"reason", str(120, 1)},
                  {"deadline", {{"type", {"string", "null"}}, {"maxLength", 40}}}});
    case Feature::kTags:
      return obj({{"topics", arr(str(30, 1), 0, 5)},
                  {"entities", arr(obj({{"text", str(40, 1)},
                                        {"type", {{"enum", {"person", "org", "place", "time"}}}}}),
                                   0, 8)},
                  {"actions", arr(str(60, 1), 0, 4)},
                  {"sentiment", {{"enum", {"positive", "neutral", "negative"}}}}});
  }
  return OJson::object();
}

int64_t answer_reserve_tokens(Feature feature) {
  switch (feature) {
    case Feature::kProofread:
      return 700;
    case Feature::kRewrite:
      return 64;
    case Feature::kSummarize:
      return 450;
    case Feature::kKeyPoints:
      return 700;
    case Feature::kList:
      return 1000;
    case Feature::kTable:
      return 1200;
    case Feature::kNotifySummary:
      return 200;
    case Feature::kThreadSummary:
      return 1200;
    case Feature::kReply:
      return 900;
    case Feature::kPriority:
      return 200;
    case Feature::kTags:
      return 900;
  }
  return 1000;
}

}  // namespace zhi::features
