// `zhi eval features` end to end on a synthetic model: the scores mean
// nothing here, but every shipped case shape must reach its feature, come
// back as an answer (no case fails to run) and land in the table.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_runner.h"
#include "test_paths.h"

namespace zhi {
namespace {

using Json = nlohmann::json;
using testing::run_zhi;

// The first case of each feature from each shipped file: every input shape, a quick run.
std::string subset_dir(size_t* n_cases) {
  const std::string dir = testing::temp_dir() + "/eval-features-subset";
  std::filesystem::create_directories(dir);
  *n_cases = 0;
  for (const char* lang : {"en", "zh"}) {
    std::ifstream in(std::string(ZHI_SOURCE_DIR) + "/evals/features/" + lang + ".jsonl");
    EXPECT_TRUE(in) << lang;
    std::ofstream out(dir + "/" + lang + ".jsonl");
    std::set<std::string> seen;
    std::string line;
    while (std::getline(in, line)) {
      const Json c = Json::parse(line, nullptr, false);
      if (!c.is_object() || !seen.insert(c["feature"].get<std::string>()).second) continue;
      out << line << "\n";
      ++*n_cases;
    }
  }
  return dir;
}

TEST(EvalFeaturesCli, RunsEveryCaseShapeAndPrintsTheTable) {
  const std::string model = testing::temp_dir() + "/eval-features-tiny.gguf";
  ASSERT_EQ(run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "-o", model}).exit_code, 0);
  size_t n = 0;
  const std::string dir = subset_dir(&n);
  ASSERT_GE(n, 20u);  // 11 features x 2 languages, less any a file lacks

  auto r = run_zhi({"eval", "features", "--model", model, "--set", dir, "-c", "8192", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json rep = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(rep.is_object()) << r.out.substr(0, 500);
  ASSERT_EQ(rep["cases"].size(), n);
  std::set<std::string> features;
  for (const Json& c : rep["cases"]) {
    EXPECT_EQ(c["error"], "") << c["id"];
    EXPECT_TRUE(c["output"].is_object()) << c["id"];
    features.insert(c["feature"].get<std::string>());
  }
  EXPECT_EQ(features.size(), 11u);
  EXPECT_EQ(rep["total"]["cases"], n);

  auto table = run_zhi({"eval", "features", "--model", model, "--set", dir, "-c", "8192"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const char* f : {"proofread", "notify-summary", "thread-summary", "tags"})
    EXPECT_NE(table.out.find(f), std::string::npos) << table.out;
}

TEST(EvalFeaturesCli, BadSetIsAClearError) {
  const std::string dir = testing::temp_dir() + "/eval-features-bad";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/bad.jsonl") << "{\"id\": \"x\", \"feature\": \"dance\"}\n";
  auto r = run_zhi({"eval", "features", "--model", "/nonexistent.gguf", "--set", dir});
  EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << r.err;
  EXPECT_NE(r.err.find("bad.jsonl"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace zhi
