// features::availability gives each reason a feature can be unavailable,
// policy first, then the model and the device.
#include <gtest/gtest.h>

#include <fstream>

#include "session/tiny_model.h"
#include "test_paths.h"
#include "zhi/features.hpp"

namespace zhi::features {
namespace {

using Json = nlohmann::json;

RolloutConfig cn() {
  auto r = rollout_from_json(Json::parse(R"({
    "features": {"summarize": true, "rewrite": true, "proofread": true, "smart_reply": false},
    "languages": ["zh-CN", "en"],
    "rollout": {"enabled": true, "percent": 50},
    "launch_date": "2026-01-15"})"),
                             "cn");
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return *r;
}

AvailabilityQuery query() {
  AvailabilityQuery q;
  q.model_path = zhi::testing::tiny_model_path();
  q.rollouts = {cn()};
  q.today = "2026-02-01";
  q.rollout_bucket = 10;
  return q;
}

TEST(FeatureAvailability, AvailableWhenEverythingHolds) {
  const FeatureAvailability a = availability(Feature::kSummarize, "zh-CN", "cn", query());
  EXPECT_TRUE(a.available()) << a.message;
  EXPECT_TRUE(availability(Feature::kTable, "en-US", "cn", query()).available());
  EXPECT_TRUE(availability(Feature::kProofread, "zh_Hans_CN", "cn", query()).available());
}

TEST(FeatureAvailability, ModelMissingOrNotReady) {
  AvailabilityQuery q = query();
  q.model_path = zhi::testing::temp_dir() + "/no-such-model.gguf";
  EXPECT_EQ(availability(Feature::kSummarize, "zh-CN", "cn", q).reason,
            UnavailableReason::kModelMissing);
  const std::string partial = zhi::testing::temp_dir() + "/partial-download.gguf";
  std::ofstream(partial) << "GGUF";  // a download cut short
  q.model_path = partial;
  const FeatureAvailability a = availability(Feature::kSummarize, "zh-CN", "cn", q);
  EXPECT_EQ(a.reason, UnavailableReason::kModelNotReady);
  EXPECT_FALSE(a.message.empty());
}

TEST(FeatureAvailability, DeviceNotEligible) {
  AvailabilityQuery q = query();
  Availability memory;
  memory.status = AvailabilityStatus::kInsufficientMemory;
  memory.reason = "needs 1.2 GB, 0.5 GB available";
  q.model_check = memory;
  FeatureAvailability a = availability(Feature::kSummarize, "en", "cn", q);
  EXPECT_EQ(a.reason, UnavailableReason::kDeviceNotEligible);
  EXPECT_EQ(a.message, memory.reason);
  Availability isa;
  isa.status = AvailabilityStatus::kUnsupportedCpu;
  isa.reason = "the CPU lacks avx2";
  q.model_check = isa;
  EXPECT_EQ(availability(Feature::kSummarize, "en", "cn", q).reason,
            UnavailableReason::kDeviceNotEligible);
}

TEST(FeatureAvailability, LanguageUnsupported) {
  EXPECT_EQ(availability(Feature::kSummarize, "fr-FR", "cn", query()).reason,
            UnavailableReason::kLanguageUnsupported);
  EXPECT_EQ(availability(Feature::kSummarize, "zh-TW", "cn", query()).reason,
            UnavailableReason::kLanguageUnsupported);
  AvailabilityQuery q = query();
  q.rollouts[0].languages = {"zh-CN"};  // the region offers Chinese only
  const FeatureAvailability a = availability(Feature::kSummarize, "en", "cn", q);
  EXPECT_EQ(a.reason, UnavailableReason::kLanguageUnsupported);
  EXPECT_NE(a.message.find("en"), std::string::npos);
}

TEST(FeatureAvailability, RegionNotEnabled) {
  EXPECT_EQ(availability(Feature::kSummarize, "en", "eu", query()).reason,
            UnavailableReason::kRegionNotEnabled);
  AvailabilityQuery q = query();
  q.rollouts[0].enabled = false;
  EXPECT_EQ(availability(Feature::kSummarize, "en", "cn", q).reason,
            UnavailableReason::kRegionNotEnabled);
}

TEST(FeatureAvailability, FeatureOffBySwitchOrRolloutShare) {
  FeatureAvailability a = availability(Feature::kReply, "zh-CN", "cn", query());
  EXPECT_EQ(a.reason, UnavailableReason::kFeatureOff);
  EXPECT_NE(a.message.find("smart_reply"), std::string::npos);
  // Not listed at all: off.
  EXPECT_EQ(availability(Feature::kPriority, "zh-CN", "cn", query()).reason,
            UnavailableReason::kFeatureOff);
  AvailabilityQuery q = query();
  q.rollout_bucket = 75;  // outside the 50% rollout
  a = availability(Feature::kSummarize, "zh-CN", "cn", q);
  EXPECT_EQ(a.reason, UnavailableReason::kFeatureOff);
  EXPECT_NE(a.message.find("50%"), std::string::npos);
}

TEST(FeatureAvailability, BeforeLaunchDateIsASwitchNotARebuild) {
  AvailabilityQuery q = query();
  q.today = "2026-01-14";
  FeatureAvailability a = availability(Feature::kSummarize, "zh-CN", "cn", q);
  EXPECT_EQ(a.reason, UnavailableReason::kBeforeLaunchDate);
  EXPECT_NE(a.message.find("2026-01-15"), std::string::npos);
  q.today = "2026-01-15";
  EXPECT_TRUE(availability(Feature::kSummarize, "zh-CN", "cn", q).available());
  // Moving the date in the pack's data moves the launch.
  q.rollouts[0].launch_date = "2027-01-01";
  EXPECT_EQ(availability(Feature::kSummarize, "zh-CN", "cn", q).reason,
            UnavailableReason::kBeforeLaunchDate);
}

TEST(FeatureAvailability, RoutingJsonErrorsNameTheField) {
  auto r = rollout_from_json(Json::parse(R"({"rollout": {"percent": 150}})"), "cn");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("rollout.percent"), std::string::npos);
  r = rollout_from_json(Json::parse(R"({"launch_date": "soon"})"), "cn");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("launch_date"), std::string::npos);
  r = rollout_from_json(Json::parse(R"({"features": {"summarize": "yes"}})"), "cn");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("features.summarize"), std::string::npos);
}

TEST(FeatureAvailability, ShippedPacksParse) {
  for (const char* region : {"cn", "global"}) {
    std::ifstream in(std::string(ZHI_SOURCE_DIR) + "/policy/" + region + "/routing.json");
    ASSERT_TRUE(in) << region;
    auto r = rollout_from_json(Json::parse(in), region);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    AvailabilityQuery q = query();
    q.rollouts = {*r};
    q.rollout_bucket = 0;
    for (Feature f : all_features()) {
      const FeatureAvailability a = availability(f, "zh-CN", region, q);
      EXPECT_TRUE(a.available()) << region << " " << feature_name(f) << ": " << a.message;
    }
  }
}

}  // namespace
}  // namespace zhi::features
