// Names of features, languages and enums as the JSON results, the CLI and
// the C ABI spell them.
#include <array>

#include "zhi/features.hpp"

namespace zhi::features {
namespace {

constexpr std::array<std::pair<Feature, const char*>, 11> kFeatures = {{
    {Feature::kProofread, "proofread"},
    {Feature::kRewrite, "rewrite"},
    {Feature::kSummarize, "summarize"},
    {Feature::kKeyPoints, "key-points"},
    {Feature::kList, "list"},
    {Feature::kTable, "table"},
    {Feature::kNotifySummary, "notify-summary"},
    {Feature::kThreadSummary, "thread-summary"},
    {Feature::kReply, "reply"},
    {Feature::kPriority, "priority"},
    {Feature::kTags, "tags"},
}};

}  // namespace

const char* feature_name(Feature feature) {
  for (const auto& [f, name] : kFeatures) {
    if (f == feature) return name;
  }
  return "unknown";
}

std::optional<Feature> parse_feature(std::string_view name) {
  for (const auto& [f, n] : kFeatures) {
    if (name == n) return f;
  }
  return std::nullopt;
}

const std::vector<Feature>& all_features() {
  static const std::vector<Feature> kAll = [] {
    std::vector<Feature> v;
    for (const auto& [f, name] : kFeatures) v.push_back(f);
    return v;
  }();
  return kAll;
}

const char* language_code(Language language) {
  switch (language) {
    case Language::kEn:
      return "en";
    case Language::kZh:
      return "zh";
    case Language::kAuto:
      return "auto";
  }
  return "auto";
}

std::optional<Language> parse_language(std::string_view code) {
  if (code.empty() || code == "auto") return Language::kAuto;
  std::string c(code);
  for (char& ch : c) {
    if (ch == '_') ch = '-';
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  const auto starts = [&](std::string_view p) {
    return c == p || c.rfind(std::string(p) + "-", 0) == 0;
  };
  if (starts("en")) return Language::kEn;
  // Simplified Chinese only: Traditional scripts and regions are not offered.
  if (c == "zh" || c == "zh-cn" || c == "zh-sg" || c == "zh-hans" || c.rfind("zh-hans-", 0) == 0)
    return Language::kZh;
  return std::nullopt;
}

const char* edit_kind_name(EditKind kind) {
  switch (kind) {
    case EditKind::kSpelling:
      return "spelling";
    case EditKind::kGrammar:
      return "grammar";
    case EditKind::kPunctuation:
      return "punctuation";
    case EditKind::kWordChoice:
      return "word_choice";
  }
  return "word_choice";
}

const char* entity_type_name(EntityType type) {
  switch (type) {
    case EntityType::kPerson:
      return "person";
    case EntityType::kOrg:
      return "org";
    case EntityType::kPlace:
      return "place";
    case EntityType::kTime:
      return "time";
  }
  return "person";
}

const char* sentiment_name(Sentiment sentiment) {
  switch (sentiment) {
    case Sentiment::kPositive:
      return "positive";
    case Sentiment::kNeutral:
      return "neutral";
    case Sentiment::kNegative:
      return "negative";
  }
  return "neutral";
}

const char* unavailable_reason_name(UnavailableReason reason) {
  switch (reason) {
    case UnavailableReason::kNone:
      return "available";
    case UnavailableReason::kModelMissing:
      return "model_missing";
    case UnavailableReason::kModelNotReady:
      return "model_not_ready";
    case UnavailableReason::kDeviceNotEligible:
      return "device_not_eligible";
    case UnavailableReason::kLanguageUnsupported:
      return "language_unsupported";
    case UnavailableReason::kRegionNotEnabled:
      return "region_not_enabled";
    case UnavailableReason::kFeatureOff:
      return "feature_off";
    case UnavailableReason::kBeforeLaunchDate:
      return "before_launch_date";
  }
  return "unknown";
}

const char* feature_switch(Feature feature) {
  switch (feature) {
    case Feature::kProofread:
      return "proofread";
    case Feature::kRewrite:
      return "rewrite";
    case Feature::kSummarize:
    case Feature::kKeyPoints:
    case Feature::kList:
    case Feature::kTable:
      return "summarize";
    case Feature::kNotifySummary:
      return "notification_summary";
    case Feature::kThreadSummary:
      return "thread_summary";
    case Feature::kReply:
      return "smart_reply";
    case Feature::kPriority:
      return "priority";
    case Feature::kTags:
      return "content_tagging";
  }
  return "";
}

}  // namespace zhi::features
