// features::availability: policy first (language, region, switch, rollout
// share, launch date), then whether the model can run on this device.
#include <chrono>
#include <cstdio>
#include <ctime>

#include "zhi/features.hpp"

namespace zhi::features {
namespace {

using Json = nlohmann::json;

bool is_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  return true;
}

std::string today_utc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

FeatureAvailability no(UnavailableReason r, std::string message) { return {r, std::move(message)}; }

}  // namespace

Expected<RolloutConfig> rollout_from_json(const Json& routing, std::string region) {
  const auto bad = [](const std::string& m) {
    return Error(ErrorCode::kInvalidArgument, "routing: " + m);
  };
  if (!routing.is_object()) return bad("expected a JSON object");
  RolloutConfig c;
  c.region = std::move(region);
  if (routing.contains("features")) {
    if (!routing["features"].is_object())
      return bad("features: expected an object of true/false switches");
    for (const auto& [k, v] : routing["features"].items()) {
      if (!v.is_boolean()) return bad("features." + k + ": expected true or false");
      c.features[k] = v.get<bool>();
    }
  }
  if (routing.contains("languages")) {
    if (!routing["languages"].is_array()) return bad("languages: expected an array of strings");
    for (const Json& l : routing["languages"]) {
      if (!l.is_string()) return bad("languages: expected an array of strings");
      c.languages.push_back(l.get<std::string>());
    }
  }
  if (routing.contains("rollout")) {
    const Json& r = routing["rollout"];
    if (!r.is_object()) return bad("rollout: expected {\"enabled\", \"percent\"}");
    if (r.contains("enabled")) {
      if (!r["enabled"].is_boolean()) return bad("rollout.enabled: expected true or false");
      c.enabled = r["enabled"].get<bool>();
    }
    if (r.contains("percent")) {
      if (!r["percent"].is_number_integer() || r["percent"].get<int64_t>() < 0 ||
          r["percent"].get<int64_t>() > 100)
        return bad("rollout.percent: expected an integer 0..100");
      c.percent = r["percent"].get<int>();
    }
  }
  if (routing.contains("launch_date")) {
    if (!routing["launch_date"].is_string() || !is_date(routing["launch_date"].get<std::string>()))
      return bad("launch_date: expected YYYY-MM-DD");
    c.launch_date = routing["launch_date"].get<std::string>();
  }
  return c;
}

FeatureAvailability availability(Feature feature, std::string_view locale, std::string_view region,
                                 const AvailabilityQuery& query) {
  const std::optional<Language> lang = parse_language(locale);
  if (!lang || *lang == Language::kAuto)
    return no(
        UnavailableReason::kLanguageUnsupported,
        "language '" + std::string(locale) + "' is not supported (en and Simplified Chinese are)");
  const RolloutConfig* rollout = nullptr;
  for (const RolloutConfig& r : query.rollouts) {
    if (r.region == region) rollout = &r;
  }
  if (rollout == nullptr)
    return no(UnavailableReason::kRegionNotEnabled,
              "no rollout is configured for region '" + std::string(region) + "'");
  if (!rollout->enabled || rollout->percent <= 0)
    return no(UnavailableReason::kRegionNotEnabled,
              "the rollout for region '" + std::string(region) + "' is switched off");
  const std::string pack_lang = *lang == Language::kZh ? "zh-CN" : "en";
  bool offered = false;
  for (const std::string& l : rollout->languages) offered = offered || l == pack_lang;
  if (!offered)
    return no(UnavailableReason::kLanguageUnsupported,
              "region '" + std::string(region) + "' does not offer " + pack_lang);
  const char* sw = feature_switch(feature);
  const auto it = rollout->features.find(sw);
  if (it == rollout->features.end() || !it->second)
    return no(
        UnavailableReason::kFeatureOff,
        std::string("the '") + sw + "' switch is off in region '" + std::string(region) + "'");
  if (query.rollout_bucket >= rollout->percent)
    return no(UnavailableReason::kFeatureOff,
              "this device (bucket " + std::to_string(query.rollout_bucket) + ") is outside the " +
                  std::to_string(rollout->percent) + "% rollout");
  const std::string today = query.today.empty() ? today_utc() : query.today;
  if (rollout->launch_date.empty() || !is_date(rollout->launch_date))
    return no(UnavailableReason::kBeforeLaunchDate,
              "region '" + std::string(region) + "' has no launch date set");
  if (today < rollout->launch_date)
    return no(UnavailableReason::kBeforeLaunchDate, "launches in region '" + std::string(region) +
                                                        "' on " + rollout->launch_date +
                                                        " (today is " + today + ")");
  const Availability a = query.model_check
                             ? *query.model_check
                             : check_availability(query.model_path, query.model_options);
  switch (a.status) {
    case AvailabilityStatus::kAvailable:
      return {};
    case AvailabilityStatus::kModelFileMissing:
      return no(UnavailableReason::kModelMissing, a.reason);
    case AvailabilityStatus::kModelFileUnreadable:
      return no(UnavailableReason::kModelNotReady, a.reason);
    case AvailabilityStatus::kInsufficientMemory:
    case AvailabilityStatus::kUnsupportedCpu:
      return no(UnavailableReason::kDeviceNotEligible, a.reason);
  }
  return no(UnavailableReason::kModelNotReady, a.reason);
}

}  // namespace zhi::features
