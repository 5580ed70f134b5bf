// A region's policy pack (policy/<region>/), as loaded and validated. Data
// only: the matcher is compiled from it by Moderator::create.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/folded_term.h"

namespace zhi::compliance {

// Ordered by severity: a text's decision is the most severe of its hits.
enum class Action : uint8_t { kAllow = 0, kFlag = 1, kMask = 2, kRefuse = 3 };
const char* action_name(Action a);
bool parse_action(std::string_view s, Action* out);  // "refuse" | "mask" | "flag"

enum class MatchMode : uint8_t { kAuto, kSubstring, kWord, kRegex };
const char* match_mode_name(MatchMode m);
bool parse_match_mode(std::string_view s,
                      MatchMode* out);  // "auto" | "substring" | "word" | "regex"

// Text in the languages refusals and labels come in.
struct Localized {
  std::string zh_cn;
  std::string en;
  // "zh-CN" (or any zh*) picks Chinese; anything else English.
  const std::string& in(std::string_view language) const;
};

struct PackIdentity {
  std::string region;         // "cn", "global"
  std::string version;        // pack version, e.g. "2025.09.1"
  std::string provider_name;  // service provider
  std::string provider_code;  // goes into AIGC ContentProducer
};

struct RiskClass {
  std::string id;  // "A1"
  Localized name;
  Localized refusal;  // default for its categories
};

struct Category {
  std::string id;        // "A1.7", or an operator's own id
  std::string slug;      // "false-harmful-info"; either id or slug names it on the command line
  std::string class_id;  // "A1"
  Localized name;
  Action action = Action::kRefuse;
  Localized refusal;
};

struct Term {
  std::string text;    // as written; operator-facing only, never shown to users
  MatchMode mode;      // resolved: never kAuto
  uint32_t category;   // index into PolicyPack::categories
  std::string source;  // "policy/cn/terms/demo.txt:12"
  FoldedTerm folded;   // empty for regex terms
};

struct AllowTerm {
  std::string text;
  std::string source;
  FoldedTerm folded;
};

struct NormalizationSettings {
  uint32_t max_gap = 3;  // noise characters allowed between two characters of a term
  std::u32string clause_breaks = U"，。！？；、!?;\n\r\u2028\u2029";
};

enum class LabelPosition : uint8_t { kStart, kEnd };

struct LabelSettings {
  bool explicit_enabled = true;
  LabelPosition position = LabelPosition::kEnd;
  Localized explicit_text{"本内容由人工智能生成", "AI-generated content"};
  bool implicit_enabled = true;
  std::string content_producer;  // defaults to the provider code
  std::string content_propagator;
  std::string reserved_code1;
  std::string reserved_code2;
};

struct ProviderRule {
  std::string id;
  std::string kind;  // "local" | "cloud" | "extension"
  std::string endpoint;
  bool domestic = false;
  bool enabled = false;
};

struct RoutingRules {
  bool require_domestic = false;
  std::vector<ProviderRule> providers;
  std::map<std::string, bool> features;
  std::vector<std::string> languages;
  bool rollout_enabled = false;
  int rollout_percent = 0;
  std::string launch_date;  // YYYY-MM-DD

  bool provider_allowed(std::string_view id) const;
  bool feature_enabled(std::string_view name) const;
  bool language_enabled(std::string_view language) const;
};

enum class AuditFailureMode : uint8_t { kFailClosed, kSpool };

struct AuditSettings {
  int retention_days = 183;  // six months, the Labeling Measures' minimum
  bool store_raw_text = false;
  AuditFailureMode on_write_failure = AuditFailureMode::kFailClosed;
};

struct PolicyPack {
  std::string dir;
  PackIdentity identity;
  std::string standard;  // "GB/T 45654-2025" when the taxonomy claims it
  std::string default_language = "zh-CN";
  NormalizationSettings normalization;
  std::vector<RiskClass> classes;
  std::vector<Category> categories;
  std::vector<Term> terms;
  std::vector<AllowTerm> allow;
  LabelSettings labels;
  RoutingRules routing;
  AuditSettings audit;

  // By id or slug; -1 when absent.
  int find_category(std::string_view id_or_slug) const;
};

}  // namespace zhi::compliance
