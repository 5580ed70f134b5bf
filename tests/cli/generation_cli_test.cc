// End-to-end generation: a synthetic model from `zhi make-model` runs, and
// greedy output does not depend on threads or on batched vs stepwise prefill.
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "test_paths.h"

namespace zhi {
namespace {

using testing::run_zhi;

TEST(GenerationCli, MakeModelThenRun) {
  const std::string path = testing::temp_dir() + "/tiny-q4km.gguf";
  auto made = run_zhi({"make-model", "--shape", "tiny", "--type", "q4_k_m", "-o", path});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto inspect = run_zhi({"inspect", path});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("q4_K"), std::string::npos);
  auto run = run_zhi({"run", "-m", path, "-p", "Hello", "-n", "12", "--chat", "--seed", "7"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("generation: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("tokens/s"), std::string::npos);
}

TEST(GenerationCli, GreedySameForThreadsAndBatching) {
  const std::string path = testing::temp_dir() + "/tiny-q8.gguf";
  ASSERT_EQ(run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "-o", path}).exit_code, 0);
  const std::string prompt = "The quick brown fox jumps over the lazy dog, 一只敏捷的狐狸。";
  auto base = run_zhi({"run", "-m", path, "-p", prompt, "-n", "24", "--greedy", "-t", "1"});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  auto two = run_zhi({"run", "-m", path, "-p", prompt, "-n", "24", "--greedy", "-t", "2"});
  auto stepwise = run_zhi({"run", "-m", path, "-p", prompt, "-n", "24", "--greedy", "-t", "2", "-b", "1"});
  EXPECT_EQ(two.out, base.out);
  EXPECT_EQ(stepwise.out, base.out);
  EXPECT_FALSE(base.out.empty());
}

TEST(GenerationCli, SeededSamplingIsReproducible) {
  const std::string path = testing::temp_dir() + "/tiny-q8.gguf";
  ASSERT_EQ(run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "-o", path}).exit_code, 0);
  auto a = run_zhi({"run", "-m", path, "-p", "Once", "-n", "24", "--seed", "11", "--temp", "1.0"});
  auto b = run_zhi({"run", "-m", path, "-p", "Once", "-n", "24", "--seed", "11", "--temp", "1.0"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

}  // namespace
}  // namespace zhi

namespace zhi {
namespace {

TEST(GenerationCli, ChatReadsTurnsFromStdin) {
  const std::string path = testing::temp_dir() + "/tiny-chat.gguf";
  ASSERT_EQ(testing::run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "-o", path}).exit_code, 0);
  auto r = testing::run_zhi({"chat", "-m", path, "-n", "8", "--seed", "3"}, "Hello there\n你好\n/reset\nAgain\n/exit\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t turns = 0;
  for (size_t at = r.err.find("tokens/s]"); at != std::string::npos; at = r.err.find("tokens/s]", at + 1)) ++turns;
  EXPECT_EQ(turns, 3u) << r.err;
}

}  // namespace
}  // namespace zhi
