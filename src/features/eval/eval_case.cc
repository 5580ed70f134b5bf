#include "features/eval/eval_case.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "features/eval/text_measure.h"

namespace zhi::features::eval {
namespace {

using nlohmann::json;

enum class Kind {
  kBool,
  kFraction,  // number in [0, 1]
  kRatio,     // number > 0
  kCount,     // integer >= 0
  kPositive,  // integer >= 1
  kTerms,     // array of terms (string, or array of alternative strings)
  kStrings,   // array of non-empty strings, matched exactly
  kFixes,     // array of {wrong, right}
  kEntities,  // array of terms or {text: term, type}
  kString,
};

const std::map<std::string, Kind>& check_kinds() {
  static const std::map<std::string, Kind> kinds = {
      {"lang", Kind::kString},
      {"forbid", Kind::kTerms},
      {"must_fix", Kind::kFixes},
      {"must_keep", Kind::kStrings},
      {"max_change_ratio", Kind::kFraction},
      {"keep", Kind::kTerms},
      {"key_terms", Kind::kTerms},
      {"min_term_coverage", Kind::kFraction},
      {"min_ratio", Kind::kRatio},
      {"max_ratio", Kind::kRatio},
      {"max_chars", Kind::kPositive},
      {"min_items", Kind::kCount},
      {"max_items", Kind::kPositive},
      {"columns", Kind::kTerms},
      {"min_columns", Kind::kPositive},
      {"min_rows", Kind::kPositive},
      {"owners", Kind::kTerms},
      {"min_action_items", Kind::kCount},
      {"min_open_questions", Kind::kCount},
      {"should_address", Kind::kTerms},
      {"min_address_rate", Kind::kFraction},
      {"min_questions", Kind::kCount},
      {"max_reply_chars", Kind::kPositive},
      {"urgent", Kind::kBool},
      {"has_deadline", Kind::kBool},
      {"deadline_terms", Kind::kTerms},
      {"entities", Kind::kEntities},
      {"min_entity_coverage", Kind::kFraction},
      {"topics", Kind::kTerms},
      {"min_topic_coverage", Kind::kFraction},
      {"sentiment", Kind::kString},
      {"min_actions", Kind::kCount},
  };
  return kinds;
}

const std::set<std::string>& feature_checks(const std::string& feature) {
  static const std::map<std::string, std::set<std::string>> by_feature = [] {
    const std::set<std::string> summary = {"key_terms", "min_term_coverage", "keep",
                                           "min_ratio", "max_ratio",         "max_chars"};
    std::set<std::string> items = summary;
    items.insert({"min_items", "max_items"});
    std::map<std::string, std::set<std::string>> m = {
        {"proofread", {"must_fix", "must_keep", "max_change_ratio"}},
        {"rewrite", {"keep", "min_ratio", "max_ratio", "max_chars"}},
        {"summarize", summary},
        {"key-points", items},
        {"list", items},
        {"table", {"key_terms", "min_term_coverage", "keep", "columns", "min_columns", "min_rows"}},
        {"notify-summary", {"max_chars", "key_terms", "min_term_coverage", "keep"}},
        {"thread-summary",
         {"key_terms", "min_term_coverage", "keep", "owners", "min_action_items",
          "min_open_questions", "max_ratio"}},
        {"reply", {"should_address", "min_address_rate", "min_questions", "max_reply_chars"}},
        {"priority", {"urgent", "has_deadline", "deadline_terms"}},
        {"tags",
         {"entities", "min_entity_coverage", "topics", "min_topic_coverage", "sentiment",
          "min_actions"}},
    };
    for (auto& [name, keys] : m) keys.insert({"lang", "forbid"});
    return m;
  }();
  return by_feature.at(feature);
}

bool is_term(const json& t) {
  if (t.is_string()) return !t.get<std::string>().empty();
  if (!t.is_array() || t.empty()) return false;
  return std::all_of(t.begin(), t.end(),
                     [](const json& a) { return a.is_string() && !a.get<std::string>().empty(); });
}

// Empty when `v` has the kind, else what is wrong with it.
std::string kind_error(const json& v, Kind kind) {
  switch (kind) {
    case Kind::kBool:
      return v.is_boolean() ? "" : "must be true or false";
    case Kind::kFraction:
      return v.is_number() && v.get<double>() >= 0.0 && v.get<double>() <= 1.0
                 ? ""
                 : "must be a number from 0 to 1";
    case Kind::kRatio:
      return v.is_number() && v.get<double>() > 0.0 ? "" : "must be a number above 0";
    case Kind::kCount:
      return v.is_number_integer() && v.get<int64_t>() >= 0 ? "" : "must be an integer >= 0";
    case Kind::kPositive:
      return v.is_number_integer() && v.get<int64_t>() >= 1 ? "" : "must be an integer >= 1";
    case Kind::kString:
      return v.is_string() ? "" : "must be a string";
    case Kind::kTerms:
    case Kind::kStrings:
    case Kind::kFixes:
    case Kind::kEntities:
      break;
  }
  if (!v.is_array() || v.empty()) return "must be a non-empty array";
  for (size_t i = 0; i < v.size(); ++i) {
    const json& e = v[i];
    const std::string at = "[" + std::to_string(i) + "] ";
    switch (kind) {
      case Kind::kTerms:
        if (!is_term(e))
          return at + "must be a non-empty string or an array of non-empty alternative strings";
        break;
      case Kind::kStrings:
        if (!e.is_string() || e.get<std::string>().empty())
          return at + "must be a non-empty string";
        break;
      case Kind::kFixes:
        if (!e.is_object() || e.size() != 2 || !e.contains("wrong") || !e.contains("right") ||
            !e["wrong"].is_string() || !e["right"].is_string() ||
            e["wrong"].get<std::string>().empty() || e["right"].get<std::string>().empty())
          return at + "must be {\"wrong\": non-empty string, \"right\": non-empty string}";
        break;
      case Kind::kEntities:
        if (e.is_object()) {
          if (!e.contains("text") || !is_term(e["text"])) return at + "needs \"text\": a term";
          for (auto it = e.begin(); it != e.end(); ++it)
            if (it.key() != "text" && it.key() != "type")
              return at + "unknown key '" + it.key() + "' (expected text, type)";
          if (e.contains("type") && !e["type"].is_string()) return at + "\"type\" must be a string";
        } else if (!is_term(e)) {
          return at + "must be a term or {\"text\": term, \"type\": string}";
        }
        break;
      default:
        break;
    }
  }
  return "";
}

std::string require_string_fields(const json& obj, std::initializer_list<const char*> fields) {
  if (!obj.is_object()) return "must be an object";
  for (const char* f : fields)
    if (!obj.contains(f) || !obj[f].is_string()) return std::string("needs string \"") + f + "\"";
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (std::find_if(fields.begin(), fields.end(), [&](const char* f) { return it.key() == f; }) ==
        fields.end())
      return "unknown key '" + it.key() + "'";
  return "";
}

// Empty when the input has the shape the feature takes.
std::string input_error(const std::string& feature, const json& input) {
  const bool messages_ok = feature == "thread-summary" || feature == "reply";
  if (input.is_string()) {
    if (feature == "notify-summary" || feature == "thread-summary")
      return "\"input\" must be an array of " +
             std::string(feature == "notify-summary" ? "notifications" : "messages");
    if (input.get<std::string>().empty()) return "\"input\" is empty";
    return "";
  }
  if (!input.is_array() || input.empty()) return "\"input\" must be a non-empty string or array";
  if (feature == "notify-summary") {
    for (size_t i = 0; i < input.size(); ++i) {
      const std::string e =
          require_string_fields(input[i], {"app", "sender", "title", "body", "time"});
      if (!e.empty()) return "input[" + std::to_string(i) + "] " + e;
    }
    return "";
  }
  if (messages_ok) {
    for (size_t i = 0; i < input.size(); ++i) {
      const std::string e = require_string_fields(input[i], {"sender", "time", "text"});
      if (!e.empty()) return "input[" + std::to_string(i) + "] " + e;
    }
    return "";
  }
  return "\"input\" must be a string for " + feature;
}

std::string params_error(const std::string& feature, const json& params) {
  if (!params.is_object()) return "\"params\" must be an object";
  for (auto it = params.begin(); it != params.end(); ++it) {
    const std::string& k = it.key();
    if (k == "tone") {
      if (!it->is_string() || (*it != "friendly" && *it != "professional" && *it != "concise"))
        return "params.tone must be \"friendly\", \"professional\" or \"concise\"";
    } else if (k == "instruction") {
      if (!it->is_string() || it->get<std::string>().empty())
        return "params.instruction must be a non-empty string";
    } else if (k == "max_chars") {
      if (!it->is_number_integer() || it->get<int64_t>() < 1)
        return "params.max_chars must be an integer >= 1";
    } else {
      return "unknown params key '" + k + "' (expected tone, instruction, max_chars)";
    }
  }
  if (feature == "rewrite" && !params.contains("tone") && !params.contains("instruction"))
    return "a rewrite needs params.tone or params.instruction";
  if (feature == "notify-summary" && !params.contains("max_chars"))
    return "a notify-summary needs params.max_chars";
  return "";
}

// Terms an answer can only contain by carrying them over from the input must
// be in the input, or no answer could pass.
std::string term_in_input_error(const std::string& key, size_t i, const json& term,
                                const std::string& text, const std::string& lang) {
  if (contains_term(text, term, lang)) return "";
  return key + "[" + std::to_string(i) + "] '" + term_label(term) + "' is not in the input";
}

std::string checks_error(const EvalCase& c) {
  const json& checks = c.checks;
  if (!checks.is_object() || checks.empty()) return "\"checks\" must be a non-empty object";
  const std::set<std::string>& allowed = feature_checks(c.feature);
  for (auto it = checks.begin(); it != checks.end(); ++it) {
    const std::string& k = it.key();
    if (!allowed.count(k)) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return "check '" + k + "' does not apply to " + c.feature + " (expected one of " + list + ")";
    }
    const std::string e = kind_error(*it, check_kinds().at(k));
    if (!e.empty()) return "checks." + k + (e[0] == '[' ? "" : " ") + e;
  }
  if (c.feature == "proofread" && !checks.contains("must_fix"))
    return "a proofread case needs checks.must_fix";
  if (c.feature == "priority" && !checks.contains("urgent"))
    return "a priority case needs checks.urgent";
  const std::pair<const char*, const char*> needs[] = {{"min_term_coverage", "key_terms"},
                                                       {"min_entity_coverage", "entities"},
                                                       {"min_topic_coverage", "topics"},
                                                       {"min_address_rate", "should_address"}};
  for (const auto& [k, base] : needs)
    if (checks.contains(k) && !checks.contains(base))
      return std::string("checks.") + k + " needs checks." + base;
  if (checks.contains("lang") && checks["lang"] != "zh" && checks["lang"] != "en" &&
      checks["lang"] != "any")
    return "checks.lang must be \"zh\", \"en\" or \"any\"";
  if (checks.contains("sentiment")) {
    const std::string s = checks["sentiment"].get<std::string>();
    if (s != "positive" && s != "negative" && s != "neutral" && s != "mixed")
      return "checks.sentiment must be positive, negative, neutral or mixed";
  }
  if (checks.contains("min_ratio") && checks.contains("max_ratio") &&
      checks["min_ratio"].get<double>() > checks["max_ratio"].get<double>())
    return "checks.min_ratio is above checks.max_ratio";
  if (checks.contains("min_items") && checks.contains("max_items") &&
      checks["min_items"].get<int64_t>() > checks["max_items"].get<int64_t>())
    return "checks.min_items is above checks.max_items";

  const std::string text = input_text(c);
  if (checks.contains("must_fix")) {
    const json& fixes = checks["must_fix"];
    for (size_t i = 0; i < fixes.size(); ++i) {
      const std::string wrong = fixes[i]["wrong"].get<std::string>();
      const std::string right = fixes[i]["right"].get<std::string>();
      const std::string at = "checks.must_fix[" + std::to_string(i) + "] ";
      if (count_exact(text, wrong) == 0) return at + "wrong '" + wrong + "' is not in the input";
      if (count_exact(text, right) != 0)
        return at + "right '" + right + "' is already in the input, so a fix cannot be seen";
      if (right.find(wrong) != std::string::npos)
        return at + "wrong '" + wrong + "' is part of right '" + right +
               "'; add context so the two differ";
    }
  }
  if (checks.contains("must_keep")) {
    const json& keep = checks["must_keep"];
    for (size_t i = 0; i < keep.size(); ++i)
      if (count_exact(text, keep[i].get<std::string>()) == 0)
        return "checks.must_keep[" + std::to_string(i) + "] '" + keep[i].get<std::string>() +
               "' is not in the input";
  }
  for (const char* key : {"keep", "key_terms", "owners"}) {
    if (!checks.contains(key)) continue;
    const json& terms = checks[key];
    for (size_t i = 0; i < terms.size(); ++i) {
      const std::string e =
          term_in_input_error(std::string("checks.") + key, i, terms[i], text, c.lang);
      if (!e.empty()) return e;
    }
  }
  if (checks.contains("entities")) {
    const json& ents = checks["entities"];
    for (size_t i = 0; i < ents.size(); ++i) {
      const json& term = ents[i].is_object() ? ents[i]["text"] : ents[i];
      const std::string e = term_in_input_error("checks.entities", i, term, text, c.lang);
      if (!e.empty()) return e;
    }
  }
  return "";
}

std::string trimmed_first(const std::string& line) {
  const size_t first = line.find_first_not_of(" \t\r");
  return first == std::string::npos ? std::string() : line.substr(first, 1);
}

}  // namespace

bool is_known_feature(std::string_view feature) {
  return std::find(std::begin(kFeatures), std::end(kFeatures), feature) != std::end(kFeatures);
}

std::string input_text(const EvalCase& c) {
  if (c.input.is_string()) return c.input.get<std::string>();
  std::string out;
  if (!c.input.is_array()) return out;
  for (const json& m : c.input) {
    if (!m.is_object()) continue;
    std::string line;
    for (const char* f : {"sender", "title", "body", "text"}) {
      if (!m.contains(f) || !m[f].is_string() || m[f].get<std::string>().empty()) continue;
      line += (line.empty() ? "" : " ") + m[f].get<std::string>();
    }
    out += (out.empty() ? "" : "\n") + line;
  }
  return out;
}

Result<std::vector<EvalCase>> parse_cases(const std::string& file, const std::string& text) {
  std::vector<EvalCase> cases;
  std::istringstream in(text);
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string first = trimmed_first(line);
    if (first.empty() || first == "#") continue;
    const std::string where = file + ":" + std::to_string(line_no);
    const auto fail = [&](const std::string& id, const std::string& msg) {
      return corrupt_file(where + ": " + (id.empty() ? "" : "case '" + id + "': ") + msg);
    };
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail("", "not valid JSON");
    if (!j.is_object()) return fail("", "not a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      static const std::set<std::string> kKeys = {"id",    "feature", "lang",
                                                  "input", "params",  "checks"};
      if (!kKeys.count(it.key()))
        return fail("", "unknown key '" + it.key() +
                            "' (expected id, feature, lang, input, params, checks)");
    }
    if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty())
      return fail("", "missing string \"id\"");
    EvalCase c;
    c.id = j["id"].get<std::string>();
    if (!j.contains("feature") || !j["feature"].is_string())
      return fail(c.id, "missing string \"feature\"");
    c.feature = j["feature"].get<std::string>();
    if (!is_known_feature(c.feature)) {
      std::string list;
      for (std::string_view f : kFeatures) list += (list.empty() ? "" : ", ") + std::string(f);
      return fail(c.id, "unknown feature '" + c.feature + "' (expected one of " + list + ")");
    }
    if (!j.contains("lang") || !j["lang"].is_string()) return fail(c.id, "missing string \"lang\"");
    c.lang = j["lang"].get<std::string>();
    if (c.lang != "zh" && c.lang != "en")
      return fail(c.id, "\"lang\" is '" + c.lang + "', expected \"zh\" or \"en\"");
    if (!j.contains("input")) return fail(c.id, "missing \"input\"");
    c.input = j["input"];
    if (std::string e = input_error(c.feature, c.input); !e.empty()) return fail(c.id, e);
    c.params = j.contains("params") ? j["params"] : json::object();
    if (std::string e = params_error(c.feature, c.params); !e.empty()) return fail(c.id, e);
    if (!j.contains("checks")) return fail(c.id, "missing \"checks\"");
    c.checks = j["checks"];
    if (std::string e = checks_error(c); !e.empty()) return fail(c.id, e);
    c.source = where;
    cases.push_back(std::move(c));
  }
  return cases;
}

Result<std::vector<EvalCase>> load_cases(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return not_found(dir.string() + ": not a directory of *.jsonl case files");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl")
      files.push_back(entry.path());
  if (ec) return io_error(dir.string() + ": " + ec.message());
  if (files.empty()) return not_found(dir.string() + ": no *.jsonl case files");
  std::sort(files.begin(), files.end());
  std::vector<EvalCase> all;
  std::map<std::string, std::string> seen;  // id -> source
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return io_error(path.string() + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return io_error(path.string() + ": read failed");
    Result<std::vector<EvalCase>> cases = parse_cases(path.string(), ss.str());
    if (!cases.ok()) return cases.status();
    for (EvalCase& c : *cases) {
      auto [it, fresh] = seen.emplace(c.id, c.source);
      if (!fresh)
        return corrupt_file(c.source + ": case id '" + c.id + "' is already used at " + it->second);
      all.push_back(std::move(c));
    }
  }
  if (all.empty()) return corrupt_file(dir.string() + ": the set has no cases");
  return all;
}

}  // namespace zhi::features::eval
