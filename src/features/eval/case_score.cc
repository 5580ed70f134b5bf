#include "features/eval/case_score.h"

#include <algorithm>
#include <map>

#include "features/eval/text_measure.h"

namespace zhi::features::eval {
namespace {

using nlohmann::json;

// Language shares: a Chinese answer is mostly Han, an English one hardly any
// (a name or a place in Han script may appear).
constexpr double kZhMinHanShare = 0.5;
constexpr double kEnMaxHanShare = 0.2;
constexpr double kDefaultAddressRate = 0.5;

std::string str_at(const json& o, const char* key) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string()) return "";
  return o[key].get<std::string>();
}

std::vector<std::string> strings_at(const json& o, const char* key) {
  std::vector<std::string> out;
  if (!o.is_object() || !o.contains(key) || !o[key].is_array()) return out;
  for (const json& e : o[key])
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

bool is_string_array(const json& o, const char* key) {
  if (!o.contains(key) || !o[key].is_array()) return false;
  return std::all_of(o[key].begin(), o[key].end(), [](const json& e) { return e.is_string(); });
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// Empty when `out` has the fixed shape of the feature's result.
std::string shape_error(const std::string& f, const json& out) {
  if (!out.is_object()) return "the answer is not a JSON object";
  const auto need_str = [&](const char* k) -> std::string {
    return out.contains(k) && out[k].is_string() ? "" : std::string("needs string \"") + k + "\"";
  };
  const auto need_strs = [&](const char* k) -> std::string {
    return is_string_array(out, k) ? "" : std::string("needs string array \"") + k + "\"";
  };
  if (f == "proofread") {
    if (auto e = need_str("corrected"); !e.empty()) return e;
    if (!out.contains("edits") || !out["edits"].is_array()) return "needs array \"edits\"";
    return "";
  }
  if (f == "rewrite") return need_str("text");
  if (f == "summarize" || f == "notify-summary") return need_str("summary");
  if (f == "key-points") return need_strs("points");
  if (f == "list") return need_strs("items");
  if (f == "table") {
    if (auto e = need_strs("header"); !e.empty()) return e;
    if (auto e = need_str("markdown"); !e.empty()) return e;
    if (!out.contains("rows") || !out["rows"].is_array()) return "needs array \"rows\"";
    const size_t width = out["header"].size();
    for (size_t i = 0; i < out["rows"].size(); ++i) {
      const json& r = out["rows"][i];
      if (!r.is_array() ||
          !std::all_of(r.begin(), r.end(), [](const json& c) { return c.is_string(); }))
        return "rows[" + std::to_string(i) + "] is not an array of strings";
      if (r.size() != width)
        return "rows[" + std::to_string(i) + "] has " + std::to_string(r.size()) +
               " cells for a header of " + std::to_string(width);
    }
    return "";
  }
  if (f == "thread-summary") {
    if (auto e = need_str("summary"); !e.empty()) return e;
    if (auto e = need_strs("open_questions"); !e.empty()) return e;
    if (!out.contains("action_items") || !out["action_items"].is_array())
      return "needs array \"action_items\"";
    for (const json& a : out["action_items"])
      if (!a.is_object() || !a.contains("item") || !a["item"].is_string() ||
          (a.contains("owner") && !a["owner"].is_string() && !a["owner"].is_null()))
        return "action_items need {\"item\": string, \"owner\": string}";
    return "";
  }
  if (f == "reply") {
    if (auto e = need_strs("replies"); !e.empty()) return e;
    const size_t n = out["replies"].size();
    if (n < 1 || n > 3) return "has " + std::to_string(n) + " replies, expected 1 to 3";
    if (!out.contains("questions") || !out["questions"].is_array())
      return "needs array \"questions\"";
    for (const json& q : out["questions"])
      if (!q.is_object() || !q.contains("question") || !q["question"].is_string() ||
          !is_string_array(q, "options"))
        return "questions need {\"question\": string, \"options\": [string]}";
    return "";
  }
  if (f == "priority") {
    if (!out.contains("urgent") || !out["urgent"].is_boolean()) return "needs boolean \"urgent\"";
    if (auto e = need_str("reason"); !e.empty()) return e;
    if (out.contains("deadline") && !out["deadline"].is_string() && !out["deadline"].is_null())
      return "\"deadline\" must be a string or null";
    return "";
  }
  if (f == "tags") {
    if (auto e = need_strs("topics"); !e.empty()) return e;
    if (auto e = need_strs("actions"); !e.empty()) return e;
    if (auto e = need_str("sentiment"); !e.empty()) return e;
    if (!out.contains("entities") || !out["entities"].is_array()) return "needs array \"entities\"";
    for (const json& e : out["entities"])
      if (!e.is_object() || !e.contains("text") || !e["text"].is_string())
        return "entities need {\"text\": string, \"type\": string}";
    return "";
  }
  return "unknown feature '" + f + "'";
}

CheckResult bound_check(const std::string& name, double value, double limit, bool is_max,
                        const std::string& what) {
  CheckResult r;
  r.name = name;
  r.value = value;
  r.pass = is_max ? value <= limit : value >= limit;
  if (r.pass) {
    r.score = 1.0;
  } else if (is_max) {
    r.score = value > 0 ? std::clamp(limit / value, 0.0, 1.0) : 0.0;
  } else {
    r.score = limit > 0 ? std::clamp(value / limit, 0.0, 1.0) : 0.0;
  }
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%s %.3g, %s %.3g", what.c_str(), value,
                is_max ? "at most" : "at least", limit);
  r.detail = buf;
  return r;
}

// Share of `terms` found in `text`; `missing` lists the ones not found.
double coverage(const json& terms, const std::string& text, const std::string& lang,
                std::string* missing) {
  size_t found = 0;
  for (const json& t : terms) {
    if (contains_term(text, t, lang)) {
      ++found;
    } else if (missing) {
      *missing += (missing->empty() ? "missing: " : ", ") + term_label(t);
    }
  }
  return terms.empty() ? 1.0 : static_cast<double>(found) / static_cast<double>(terms.size());
}

CheckResult coverage_check(const std::string& name, const json& terms, const std::string& text,
                           const std::string& lang, double min_cov) {
  CheckResult r;
  r.name = name;
  std::string missing;
  r.value = coverage(terms, text, lang, &missing);
  r.score = r.value;
  r.pass = r.value + 1e-9 >= min_cov;
  r.detail = missing.empty() ? "all found" : missing;
  return r;
}

CheckResult flag(const std::string& name, bool pass, const std::string& detail) {
  CheckResult r;
  r.name = name;
  r.pass = pass;
  r.score = pass ? 1.0 : 0.0;
  r.value = pass ? 1.0 : 0.0;
  r.detail = detail;
  return r;
}

// Byte-offset edits applied to the input must give the corrected text.
CheckResult edits_apply(const std::string& input, const json& out) {
  std::vector<const json*> edits;
  for (const json& e : out["edits"]) edits.push_back(&e);
  for (size_t i = 0; i < edits.size(); ++i) {
    const json& e = *edits[i];
    if (!e.is_object() || !e.contains("start") || !e.contains("end") ||
        !e["start"].is_number_unsigned() || !e["end"].is_number_unsigned() ||
        !e.contains("replacement") || !e["replacement"].is_string())
      return flag("edits_apply", false,
                  "edits[" + std::to_string(i) + "] needs start, end and replacement");
  }
  std::stable_sort(edits.begin(), edits.end(), [](const json* a, const json* b) {
    return (*a)["start"].get<uint64_t>() < (*b)["start"].get<uint64_t>();
  });
  std::string applied;
  uint64_t at = 0;
  for (const json* ep : edits) {
    const json& e = *ep;
    const uint64_t start = e["start"].get<uint64_t>();
    const uint64_t end = e["end"].get<uint64_t>();
    if (start < at || end < start || end > input.size())
      return flag("edits_apply", false,
                  "edit [" + std::to_string(start) + ", " + std::to_string(end) +
                      ") overlaps another or lies outside the input");
    if (e.contains("original") && e["original"].is_string() &&
        e["original"].get<std::string>() != input.substr(start, end - start))
      return flag("edits_apply", false,
                  "edit at " + std::to_string(start) + ": original '" +
                      e["original"].get<std::string>() + "' is not the input there");
    applied.append(input, at, start - at);
    applied += e["replacement"].get<std::string>();
    at = end;
  }
  applied.append(input, at, std::string::npos);
  const bool ok = applied == out["corrected"].get<std::string>();
  return flag("edits_apply", ok,
              ok ? std::to_string(edits.size()) + " edits reproduce the corrected text"
                 : "the edits applied to the input do not give the corrected text");
}

std::string canonical_sentiment(const std::string& s, const std::string& lang) {
  static const std::map<std::string, std::string> kSynonyms = {
      {"积极", "positive"}, {"正面", "positive"}, {"消极", "negative"}, {"负面", "negative"},
      {"中性", "neutral"},  {"中立", "neutral"},  {"混合", "mixed"},
  };
  const std::string n = normalize_for_match(s, lang);
  auto it = kSynonyms.find(n);
  return it == kSynonyms.end() ? n : it->second;
}

std::string canonical_entity_type(const std::string& s) {
  static const std::map<std::string, std::string> kSynonyms = {
      {"people", "person"}, {"per", "person"},     {"organization", "org"}, {"organisation", "org"},
      {"company", "org"},   {"location", "place"}, {"loc", "place"},        {"gpe", "place"},
      {"date", "time"},     {"datetime", "time"},
  };
  const std::string n = normalize_for_match(s, "en");
  auto it = kSynonyms.find(n);
  return it == kSynonyms.end() ? n : it->second;
}

// An expected entity is found when an answered entity names it: either text
// contains the other ("Zhang Wei" / "Mr Zhang Wei", "北京市" / "北京"), and
// the type agrees when the case gives one.
bool entity_found(const json& expected, const json& entities, const std::string& lang) {
  const json& term = expected.is_object() ? expected["text"] : expected;
  const std::string type = expected.is_object() ? str_at(expected, "type") : "";
  for (const json& got : entities) {
    const std::string text = str_at(got, "text");
    if (char_count(normalize_for_match(text, lang)) < 2) continue;
    bool named = contains_term(text, term, lang);
    for (const std::string& alt : term_alternatives(term))
      named = named || contains_term(alt, json(text), lang);
    if (!named) continue;
    if (type.empty() || canonical_entity_type(str_at(got, "type")) == canonical_entity_type(type))
      return true;
  }
  return false;
}

double num(const json& checks, const char* key, double fallback) {
  return checks.contains(key) ? checks[key].get<double>() : fallback;
}

}  // namespace

const CheckResult* CaseScore::find(const std::string& name) const {
  for (const CheckResult& c : checks)
    if (c.name == name) return &c;
  return nullptr;
}

std::string output_text(const std::string& f, const json& out) {
  if (!out.is_object()) return "";
  if (f == "proofread") return str_at(out, "corrected");
  if (f == "rewrite") return str_at(out, "text");
  if (f == "summarize" || f == "notify-summary") return str_at(out, "summary");
  if (f == "key-points") return join(strings_at(out, "points"), "\n");
  if (f == "list") return join(strings_at(out, "items"), "\n");
  if (f == "table") {
    std::vector<std::string> lines = {join(strings_at(out, "header"), " | ")};
    if (out.contains("rows") && out["rows"].is_array())
      for (const json& r : out["rows"]) {
        std::vector<std::string> cells;
        if (r.is_array())
          for (const json& c : r)
            if (c.is_string()) cells.push_back(c.get<std::string>());
        lines.push_back(join(cells, " | "));
      }
    return join(lines, "\n");
  }
  if (f == "thread-summary") {
    std::vector<std::string> parts = {str_at(out, "summary")};
    for (const std::string& q : strings_at(out, "open_questions")) parts.push_back(q);
    if (out.contains("action_items") && out["action_items"].is_array())
      for (const json& a : out["action_items"]) {
        const std::string owner = str_at(a, "owner");
        parts.push_back(str_at(a, "item") + (owner.empty() ? "" : " (" + owner + ")"));
      }
    return join(parts, "\n");
  }
  if (f == "reply") return join(strings_at(out, "replies"), "\n");
  if (f == "priority") return str_at(out, "reason");
  if (f == "tags") {
    std::vector<std::string> parts = strings_at(out, "topics");
    if (out.contains("entities") && out["entities"].is_array())
      for (const json& e : out["entities"]) parts.push_back(str_at(e, "text"));
    for (const std::string& a : strings_at(out, "actions")) parts.push_back(a);
    return join(parts, "\n");
  }
  return "";
}

CaseScore score_case(const EvalCase& c, const json& out) {
  CaseScore s;
  s.id = c.id;
  s.feature = c.feature;
  s.lang = c.lang;
  s.output = out;
  const json& ck = c.checks;
  const std::string& f = c.feature;
  const std::string& lang = c.lang;

  if (out.is_object() && out.contains("refused") && !out["refused"].is_null()) {
    const json& r = out["refused"];
    s.error = "refused (" + str_at(r, "category") + "): " + str_at(r, "message");
    s.checks.push_back(flag("not_refused", false, s.error));
    return s;
  }
  const std::string shape = shape_error(f, out);
  s.checks.push_back(flag("shape", shape.empty(), shape.empty() ? "as the schema says" : shape));
  const json obj = out.is_object() ? out : json::object();

  const std::string in_text = input_text(c);
  const std::string text = output_text(f, obj);
  const double in_chars = static_cast<double>(std::max<size_t>(1, char_count(in_text)));
  const double out_chars = static_cast<double>(char_count(text));

  const std::string want_lang = ck.contains("lang") ? ck["lang"].get<std::string>() : lang;
  if (want_lang != "any") {
    const std::optional<double> han = han_share(text);
    CheckResult r = flag("lang", false, "");
    if (!han) {
      r.detail = "the answer has no letters to tell its language by";
    } else {
      r.value = *han;
      r.pass = want_lang == "zh" ? *han >= kZhMinHanShare : *han <= kEnMaxHanShare;
      r.score = r.pass ? 1.0 : 0.0;
      char buf[96];
      std::snprintf(buf, sizeof(buf), "Han share %.2f, expected %s", *han, want_lang.c_str());
      r.detail = buf;
    }
    s.checks.push_back(r);
  }
  if (f == "proofread" && obj.contains("edits") && obj["edits"].is_array() &&
      obj.contains("corrected") && obj["corrected"].is_string())
    s.checks.push_back(edits_apply(in_text, obj));

  if (ck.contains("must_fix")) {
    CheckResult r;
    r.name = "must_fix";
    size_t fixed = 0;
    for (const json& fx : ck["must_fix"]) {
      const std::string wrong = fx["wrong"].get<std::string>();
      const std::string right = fx["right"].get<std::string>();
      if (text.find(right) != std::string::npos &&
          count_exact(text, wrong) < count_exact(in_text, wrong)) {
        ++fixed;
      } else {
        r.detail += (r.detail.empty() ? "not fixed: " : ", ") + wrong + " -> " + right;
      }
    }
    r.value = static_cast<double>(fixed);
    r.score = static_cast<double>(fixed) / static_cast<double>(ck["must_fix"].size());
    r.pass = fixed == ck["must_fix"].size();
    if (r.detail.empty()) r.detail = "all fixed";
    s.checks.push_back(r);
  }
  if (ck.contains("must_keep")) {
    CheckResult r;
    r.name = "must_keep";
    size_t kept = 0;
    for (const json& k : ck["must_keep"]) {
      if (text.find(k.get<std::string>()) != std::string::npos) {
        ++kept;
      } else {
        r.detail += (r.detail.empty() ? "changed: " : ", ") + k.get<std::string>();
      }
    }
    r.value = static_cast<double>(kept);
    r.score = static_cast<double>(kept) / static_cast<double>(ck["must_keep"].size());
    r.pass = kept == ck["must_keep"].size();
    if (r.detail.empty()) r.detail = "all kept";
    s.checks.push_back(r);
  }
  if (ck.contains("max_change_ratio")) {
    const double d = static_cast<double>(char_edit_distance(in_text, text));
    s.checks.push_back(bound_check("max_change_ratio", d / in_chars,
                                   ck["max_change_ratio"].get<double>(), true,
                                   "characters changed / input"));
  }
  if (ck.contains("keep")) s.checks.push_back(coverage_check("keep", ck["keep"], text, lang, 1.0));
  if (ck.contains("key_terms"))
    s.checks.push_back(coverage_check("key_terms", ck["key_terms"], text, lang,
                                      num(ck, "min_term_coverage", 1.0)));
  if (ck.contains("min_ratio"))
    s.checks.push_back(bound_check("min_ratio", out_chars / in_chars, ck["min_ratio"].get<double>(),
                                   false, "length / input"));
  if (ck.contains("max_ratio"))
    s.checks.push_back(bound_check("max_ratio", out_chars / in_chars, ck["max_ratio"].get<double>(),
                                   true, "length / input"));
  if (ck.contains("max_chars"))
    s.checks.push_back(
        bound_check("max_chars", out_chars, ck["max_chars"].get<double>(), true, "characters"));
  if (ck.contains("min_items") || ck.contains("max_items")) {
    const double n = static_cast<double>(strings_at(obj, f == "list" ? "items" : "points").size());
    if (ck.contains("min_items"))
      s.checks.push_back(
          bound_check("min_items", n, ck["min_items"].get<double>(), false, "items"));
    if (ck.contains("max_items"))
      s.checks.push_back(bound_check("max_items", n, ck["max_items"].get<double>(), true, "items"));
  }
  if (ck.contains("columns"))
    s.checks.push_back(
        coverage_check("columns", ck["columns"], join(strings_at(obj, "header"), "\n"), lang, 1.0));
  if (ck.contains("min_columns"))
    s.checks.push_back(bound_check("min_columns",
                                   static_cast<double>(strings_at(obj, "header").size()),
                                   ck["min_columns"].get<double>(), false, "columns"));
  if (ck.contains("min_rows")) {
    const double rows = obj.contains("rows") && obj["rows"].is_array()
                            ? static_cast<double>(obj["rows"].size())
                            : 0.0;
    s.checks.push_back(bound_check("min_rows", rows, ck["min_rows"].get<double>(), false, "rows"));
  }
  if (f == "thread-summary") {
    const json items = obj.contains("action_items") && obj["action_items"].is_array()
                           ? obj["action_items"]
                           : json::array();
    if (ck.contains("owners")) {
      std::string owners;
      for (const json& a : items) owners += str_at(a, "owner") + "\n";
      s.checks.push_back(coverage_check("owners", ck["owners"], owners, lang, 1.0));
    }
    if (ck.contains("min_action_items"))
      s.checks.push_back(bound_check("min_action_items", static_cast<double>(items.size()),
                                     ck["min_action_items"].get<double>(), false, "action items"));
    if (ck.contains("min_open_questions"))
      s.checks.push_back(bound_check(
          "min_open_questions", static_cast<double>(strings_at(obj, "open_questions").size()),
          ck["min_open_questions"].get<double>(), false, "open questions"));
  }
  if (f == "reply") {
    const std::vector<std::string> replies = strings_at(obj, "replies");
    if (ck.contains("should_address")) {
      size_t addressing = 0;
      for (const std::string& r : replies)
        if (std::any_of(ck["should_address"].begin(), ck["should_address"].end(),
                        [&](const json& t) { return contains_term(r, t, lang); }))
          ++addressing;
      const double rate =
          replies.empty() ? 0.0
                          : static_cast<double>(addressing) / static_cast<double>(replies.size());
      CheckResult r =
          bound_check("should_address", rate, num(ck, "min_address_rate", kDefaultAddressRate),
                      false, "share of replies answering the question");
      r.score = rate;
      s.checks.push_back(r);
    }
    if (ck.contains("min_questions")) {
      size_t good = 0;
      if (obj.contains("questions") && obj["questions"].is_array())
        for (const json& q : obj["questions"])
          if (!str_at(q, "question").empty() && strings_at(q, "options").size() >= 2) ++good;
      s.checks.push_back(bound_check("min_questions", static_cast<double>(good),
                                     ck["min_questions"].get<double>(), false,
                                     "questions with 2+ options"));
    }
    if (ck.contains("max_reply_chars")) {
      size_t longest = 0;
      for (const std::string& r : replies) longest = std::max(longest, char_count(r));
      s.checks.push_back(bound_check("max_reply_chars", static_cast<double>(longest),
                                     ck["max_reply_chars"].get<double>(), true,
                                     "longest reply, characters"));
    }
  }
  if (f == "priority") {
    const bool urgent =
        obj.contains("urgent") && obj["urgent"].is_boolean() && obj["urgent"].get<bool>();
    const bool want = ck["urgent"].get<bool>();
    s.checks.push_back(flag("urgent", obj.contains("urgent") && urgent == want,
                            std::string("answered ") + (urgent ? "urgent" : "not urgent") +
                                ", expected " + (want ? "urgent" : "not urgent")));
    const std::string deadline = str_at(obj, "deadline");
    if (ck.contains("has_deadline")) {
      const bool want_d = ck["has_deadline"].get<bool>();
      s.checks.push_back(flag("has_deadline", deadline.empty() != want_d,
                              deadline.empty() ? "no deadline" : "deadline '" + deadline + "'"));
    }
    if (ck.contains("deadline_terms")) {
      const bool hit = std::any_of(ck["deadline_terms"].begin(), ck["deadline_terms"].end(),
                                   [&](const json& t) { return contains_term(deadline, t, lang); });
      s.checks.push_back(flag("deadline_terms", hit, "deadline '" + deadline + "'"));
    }
  }
  if (f == "tags") {
    if (ck.contains("entities")) {
      const json ents =
          obj.contains("entities") && obj["entities"].is_array() ? obj["entities"] : json::array();
      CheckResult r;
      r.name = "entities";
      size_t found = 0;
      for (const json& e : ck["entities"]) {
        if (entity_found(e, ents, lang)) {
          ++found;
        } else {
          r.detail +=
              (r.detail.empty() ? "missing: " : ", ") + term_label(e.is_object() ? e["text"] : e);
        }
      }
      r.value = static_cast<double>(found) / static_cast<double>(ck["entities"].size());
      r.score = r.value;
      r.pass = r.value + 1e-9 >= num(ck, "min_entity_coverage", 1.0);
      if (r.detail.empty()) r.detail = "all found";
      s.checks.push_back(r);
    }
    if (ck.contains("topics"))
      s.checks.push_back(coverage_check("topics", ck["topics"],
                                        join(strings_at(obj, "topics"), "\n"), lang,
                                        num(ck, "min_topic_coverage", 1.0)));
    if (ck.contains("sentiment")) {
      const std::string got = canonical_sentiment(str_at(obj, "sentiment"), lang);
      const std::string want = ck["sentiment"].get<std::string>();
      s.checks.push_back(
          flag("sentiment", got == want, "answered '" + got + "', expected " + want));
    }
    if (ck.contains("min_actions"))
      s.checks.push_back(bound_check("min_actions",
                                     static_cast<double>(strings_at(obj, "actions").size()),
                                     ck["min_actions"].get<double>(), false, "actions"));
  }
  if (ck.contains("forbid")) {
    CheckResult r;
    r.name = "forbid";
    size_t hits = 0;
    for (const json& t : ck["forbid"]) {
      if (contains_term(text, t, lang)) {
        ++hits;
        r.detail += (r.detail.empty() ? "present: " : ", ") + term_label(t);
      }
    }
    r.value = static_cast<double>(hits);
    r.score = 1.0 - static_cast<double>(hits) / static_cast<double>(ck["forbid"].size());
    r.pass = hits == 0;
    if (r.detail.empty()) r.detail = "none present";
    s.checks.push_back(r);
  }
  s.pass =
      std::all_of(s.checks.begin(), s.checks.end(), [](const CheckResult& r) { return r.pass; });
  return s;
}

}  // namespace zhi::features::eval
