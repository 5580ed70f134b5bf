// zhi run --prompt-cache DIR: the second run of a prompt reuses the stored KV
// rows (reported on stderr) and prints the same text; a damaged file is a
// warning and a cold start.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "cli_runner.h"
#include "test_paths.h"

namespace zhi {
namespace {

namespace fs = std::filesystem;
using testing::run_zhi;

// "prompt cache: reused N of M tokens" -> {N, M}; {-1, -1} when absent.
// (Parsed by hand: GCC 12's std::regex trips -Wmaybe-uninitialized under ASan.)
std::pair<long, long> reused(const std::string& err) {
  static const std::string kPrefix = "prompt cache: reused ";
  const size_t at = err.find(kPrefix);
  if (at == std::string::npos) return {-1, -1};
  long n = -1, m = -1;
  char tail[8] = {};
  if (std::sscanf(err.c_str() + at + kPrefix.size(), "%ld of %ld %6s", &n, &m, tail) != 3 ||
      std::string(tail) != "tokens")
    return {-1, -1};
  return {n, m};
}

const std::string& model_path() {
  static const std::string path = [] {
    const std::string p = testing::temp_dir() + "/prompt-cache-tiny.gguf";
    EXPECT_EQ(run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "-o", p}).exit_code, 0);
    return p;
  }();
  return path;
}

void expect_second_run_reuses(const std::vector<std::string>& extra, const std::string& name) {
  const std::string dir = testing::temp_dir() + "/prompt-cache-cli-" + name;
  fs::remove_all(dir);
  std::vector<std::string> args = {"run",
                                   "-m",
                                   model_path(),
                                   "-p",
                                   "A prompt worth caching across runs, 跨运行缓存.",
                                   "-n",
                                   "8",
                                   "--greedy",
                                   "-t",
                                   "1",
                                   "--prompt-cache",
                                   dir};
  args.insert(args.end(), extra.begin(), extra.end());
  auto first = run_zhi(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto [n1, m1] = reused(first.err);
  EXPECT_EQ(n1, 0) << first.err;
  EXPECT_GT(m1, 5) << first.err;
  auto second = run_zhi(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto [n2, m2] = reused(second.err);
  EXPECT_EQ(m2, m1) << second.err;
  EXPECT_EQ(n2, m2 - 1) << second.err;  // all but the last token, whose logits start the answer
  EXPECT_EQ(second.out, first.out);
  EXPECT_EQ(second.err.find("warning"), std::string::npos) << second.err;

  // Damage every file: a warning naming the file, a cold start, the same text.
  for (const auto& e : fs::directory_iterator(dir))
    fs::resize_file(e.path(), fs::file_size(e.path()) / 2);
  auto third = run_zhi(args);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.err.find("warning: prompt cache file"), std::string::npos) << third.err;
  EXPECT_EQ(reused(third.err).first, 0) << third.err;
  EXPECT_EQ(third.out, first.out);
  // ... and it wrote a good file again.
  auto fourth = run_zhi(args);
  EXPECT_EQ(reused(fourth.err).first, m1 - 1) << fourth.err;
}

TEST(PromptCacheCli, RawPromptSecondRunReusesTokens) { expect_second_run_reuses({}, "raw"); }

TEST(PromptCacheCli, SessionPathSecondRunReusesTokens) {
  expect_second_run_reuses({"--json-schema", R"({"type": "boolean"})"}, "session");
}

TEST(PromptCacheCli, UnwritableDirectoryIsAWarning) {
  const std::string file = testing::temp_dir() + "/prompt-cache-not-a-dir";
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  auto r = run_zhi({"run", "-m", model_path(), "-p", "hello there", "-n", "2", "--greedy",
                    "--prompt-cache", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("prompt cache not saved"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace zhi
