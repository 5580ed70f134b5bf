#include "compliance/policy.h"

#include <algorithm>

namespace zhi::compliance {

const char* action_name(Action a) {
  switch (a) {
    case Action::kAllow:
      return "allow";
    case Action::kFlag:
      return "flag";
    case Action::kMask:
      return "mask";
    case Action::kRefuse:
      return "refuse";
  }
  return "allow";
}

bool parse_action(std::string_view s, Action* out) {
  if (s == "refuse")
    *out = Action::kRefuse;
  else if (s == "mask")
    *out = Action::kMask;
  else if (s == "flag")
    *out = Action::kFlag;
  else
    return false;
  return true;
}

const char* match_mode_name(MatchMode m) {
  switch (m) {
    case MatchMode::kAuto:
      return "auto";
    case MatchMode::kSubstring:
      return "substring";
    case MatchMode::kWord:
      return "word";
    case MatchMode::kRegex:
      return "regex";
  }
  return "auto";
}

bool parse_match_mode(std::string_view s, MatchMode* out) {
  if (s == "auto")
    *out = MatchMode::kAuto;
  else if (s == "substring")
    *out = MatchMode::kSubstring;
  else if (s == "word")
    *out = MatchMode::kWord;
  else if (s == "regex")
    *out = MatchMode::kRegex;
  else
    return false;
  return true;
}

const std::string& Localized::in(std::string_view language) const {
  return language.substr(0, 2) == "zh" ? zh_cn : en;
}

bool RoutingRules::provider_allowed(std::string_view id) const {
  for (const ProviderRule& p : providers) {
    if (p.id == id) return p.enabled && (p.domestic || !require_domestic);
  }
  return false;
}

bool RoutingRules::feature_enabled(std::string_view name) const {
  const auto it = features.find(std::string(name));
  return it != features.end() && it->second;
}

bool RoutingRules::language_enabled(std::string_view language) const {
  return std::find(languages.begin(), languages.end(), language) != languages.end();
}

int PolicyPack::find_category(std::string_view id_or_slug) const {
  for (size_t i = 0; i < categories.size(); ++i) {
    if (categories[i].id == id_or_slug || categories[i].slug == id_or_slug)
      return static_cast<int>(i);
  }
  return -1;
}

}  // namespace zhi::compliance
