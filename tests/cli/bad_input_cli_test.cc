// Bad input reaches the user as a clear message and exit status 1 or 2 —
// never a crash, an abort or silent truncation.
#include <gtest/gtest.h>

#include <fstream>

#include "cli_runner.h"
#include "test_paths.h"

namespace zhi {
namespace {

using testing::run_zhi;

void expect_clean_failure(const testing::CliResult& r, const std::string& needle) {
  EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 2) << "exit " << r.exit_code << "\n" << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr was: " << r.err;
}

std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = testing::temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(BadInputCli, MissingModelPath) {
  expect_clean_failure(run_zhi({"run", "-m", "/nonexistent/model.gguf", "-p", "hi"}), "/nonexistent/model.gguf");
  expect_clean_failure(run_zhi({"run", "-p", "hi"}), "--model");
  expect_clean_failure(run_zhi({"inspect", testing::temp_dir()}), "directory");
}

TEST(BadInputCli, BadMagicAndTruncatedFile) {
  expect_clean_failure(run_zhi({"inspect", write_file("magic.gguf", "NOTAGGUFFILE_AT_ALL_1234567890")}), "magic");
  expect_clean_failure(run_zhi({"run", "-m", write_file("empty.gguf", ""), "-p", "x"}), "");
  ZHI_REQUIRE_CONFORMANCE();
  std::ifstream in(testing::conformance_dir() + "/models/conf-q8_0.gguf", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (size_t cut : {size_t{7}, size_t{100}, size_t{5000}, bytes.size() / 2, bytes.size() - 1}) {
    auto r = run_zhi({"run", "-m", write_file("trunc.gguf", bytes.substr(0, cut)), "-p", "x", "-n", "1"});
    expect_clean_failure(r, "trunc.gguf");
  }
}

TEST(BadInputCli, UnknownArchitecture) {
  ZHI_REQUIRE_CONFORMANCE();
  std::ifstream in(testing::conformance_dir() + "/models/conf-q8_0.gguf", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const size_t at = bytes.find("qwen2");  // the value of general.architecture comes first
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 5, "llama");
  expect_clean_failure(run_zhi({"run", "-m", write_file("arch.gguf", bytes), "-p", "x"}), "not supported");
}

TEST(BadInputCli, OverLongPromptIsAnErrorNotTruncation) {
  ZHI_REQUIRE_CONFORMANCE();
  std::string prompt;
  for (int i = 0; i < 200; ++i) prompt += "hello world ";
  auto r = run_zhi({"run", "-m", testing::conformance_dir() + "/models/conf-q8_0.gguf", "-c", "64", "-p", prompt});
  expect_clean_failure(r, "exceed the context window of 64");
  EXPECT_TRUE(r.out.find_first_not_of("\n") == std::string::npos) << "no text may be generated: " << r.out;
}

TEST(BadInputCli, BadFlags) {
  ZHI_REQUIRE_CONFORMANCE();
  const std::string m = testing::conformance_dir() + "/models/conf-q8_0.gguf";
  expect_clean_failure(run_zhi({"run", "-m", m, "-p", "x", "--temp", "warm"}), "--temp");
  expect_clean_failure(run_zhi({"run", "-m", m, "-p", "x", "-t", "0"}), "threads");
  expect_clean_failure(run_zhi({"run", "-m", m, "-p", "x", "--top-p", "1.5"}), "top_p");
  expect_clean_failure(run_zhi({"run", "-m", m, "-p", "x", "--kv-type", "q2_k"}), "kv-type");
  expect_clean_failure(run_zhi({"logits", "-m", m, "--ids", "1,x,3"}), "'x'");
  expect_clean_failure(run_zhi({"logits", "-m", m, "--ids", "5000"}), "outside the vocabulary");
  expect_clean_failure(run_zhi({"quantize", m, testing::temp_dir() + "/o.gguf", "q9_z"}), "q9_z");
  expect_clean_failure(run_zhi({"make-model", "--shape", "9b", "-o", testing::temp_dir() + "/x.gguf"}), "9b");
  expect_clean_failure(run_zhi({"frobnicate"}), "frobnicate");
}

TEST(BadInputCli, MalformedJson) {
  const std::string bad = write_file("bad.json", "[{\"role\": \"user\", \"content\": ");
  expect_clean_failure(run_zhi({"template", "--messages", bad}), "not valid JSON");
  const std::string wrong = write_file("wrong.json", R"([{"role": "user", "content": 42}])");
  expect_clean_failure(run_zhi({"template", "--messages", wrong}), "messages[0].content");
}

}  // namespace
}  // namespace zhi
