// Availability answers with a reason for each way a model cannot run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "session/availability.h"
#include "test_paths.h"
#include "tiny_model.h"
#include "zhi/model.hpp"

namespace zhi {
namespace {

TEST(Availability, TinyModelIsAvailable) {
  const Availability a = check_availability(testing::tiny_model_path());
  EXPECT_TRUE(a.available()) << a.reason;
  EXPECT_GT(a.required_bytes, 0u);
  auto m = testing::tiny_model();
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->availability().available());
}

TEST(Availability, MissingFile) {
  const Availability a = check_availability(testing::temp_dir() + "/nope.gguf");
  EXPECT_EQ(a.status, AvailabilityStatus::kModelFileMissing);
  EXPECT_NE(a.reason.find("nope.gguf"), std::string::npos);
  auto m = Model::load(testing::temp_dir() + "/nope.gguf");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(m.error().message().find("model_file_missing"), std::string::npos);
}

TEST(Availability, UnreadableFiles) {
  EXPECT_EQ(check_availability(testing::temp_dir()).status, AvailabilityStatus::kModelFileUnreadable);
  const std::string garbage = testing::temp_dir() + "/garbage.gguf";
  std::ofstream(garbage) << "this is not a gguf file";
  const Availability a = check_availability(garbage);
  EXPECT_EQ(a.status, AvailabilityStatus::kModelFileUnreadable);
  EXPECT_FALSE(a.reason.empty());
}

TEST(Availability, NotEnoughMemory) {
  SystemResources sys = current_system_resources();
  sys.available_bytes = 1024;
  const Availability a = check_availability_with(testing::tiny_model_path(), {}, sys);
  EXPECT_EQ(a.status, AvailabilityStatus::kInsufficientMemory);
  EXPECT_NE(a.reason.find("KV cache"), std::string::npos) << a.reason;
  // The KV cache counts: a context this long needs more than the weights.
  sys.available_bytes = check_availability(testing::tiny_model_path()).required_bytes;
  ModelOptions huge;
  huge.context_size = 1 << 24;
  EXPECT_EQ(check_availability_with(testing::tiny_model_path(), huge, sys).status, AvailabilityStatus::kInsufficientMemory);
}

TEST(Availability, CpuLackingTheBuildsInstructionSet) {
  SystemResources sys = current_system_resources();
  sys.required_isa = {"avx2", "fma"};
  sys.cpu = CpuFeatures{};
  const Availability a = check_availability_with(testing::tiny_model_path(), {}, sys);
  EXPECT_EQ(a.status, AvailabilityStatus::kUnsupportedCpu);
  EXPECT_NE(a.reason.find("avx2"), std::string::npos);
  EXPECT_TRUE(missing_cpu_features(compiled_cpu_requirements(), cpu_features()).empty());
}

}  // namespace
}  // namespace zhi
