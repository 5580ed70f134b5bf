// The feature commands end to end on a synthetic model: --json output has
// the documented shape, readable output prints, long input shows progress,
// a policy pack's refusal shows up, bad input is a clear error.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "test_paths.h"

namespace zhi {
namespace {

using Json = nlohmann::json;
using testing::run_zhi;

const std::string& model_path() {
  static const std::string path = [] {
    const std::string p = testing::temp_dir() + "/features-cli-tiny.gguf";
    auto made = run_zhi({"make-model", "--shape", "tiny", "--type", "q8_0", "-o", p});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return p;
  }();
  return path;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = testing::temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const char* kText =
    "Teh meeting is on Friday at 3 pm. Anna will present the figures; please send slides to Ben.";

TEST(FeaturesCli, WriteModesPrintJsonOfTheirShape) {
  const struct {
    std::vector<std::string> args;
    std::vector<const char*> keys;
  } cases[] = {
      {{"write", "proofread"}, {"corrected", "edits"}},
      {{"write", "rewrite", "--tone", "professional"}, {"text"}},
      {{"write", "rewrite", "--instruction", "make it warmer and mention the deadline"}, {"text"}},
      {{"write", "summarize"}, {"summary", "coverage"}},
      {{"write", "key-points"}, {"points", "coverage"}},
      {{"write", "list"}, {"items", "coverage"}},
      {{"write", "table"}, {"header", "rows", "markdown", "coverage"}},
  };
  const std::string file = write_file("features-cli-input.txt", kText);
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    for (const char* a : {"-m", model_path().c_str(), "-c", "8192", "--json", file.c_str()})
      args.push_back(a);
    auto r = run_zhi(args);
    ASSERT_EQ(r.exit_code, 0) << c.args[1] << ": " << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.out;
    for (const char* k : c.keys)
      EXPECT_TRUE(j.contains(k)) << c.args[1] << " lacks " << k << ": " << r.out;
    EXPECT_EQ(j["lang"], "en");
  }
}

TEST(FeaturesCli, JsonInputCommandsReadStdin) {
  const std::string stack =
      R"([{"app":"微信","sender":"王斌","title":"开会","body":"周五下午三点","time":"09:00"},
                                {"app":"微信","sender":"安娜","title":"幻灯片","body":"周四前发我","time":"09:05"}])";
  auto n = run_zhi(
      {"notify-summary", "-m", model_path(), "-c", "8192", "--max-chars", "20", "--json"}, stack);
  ASSERT_EQ(n.exit_code, 0) << n.err;
  Json j = Json::parse(n.out);
  EXPECT_EQ(j["lang"], "zh");
  // Code points, not bytes.
  std::u32string chars;
  for (size_t i = 0; i < j["summary"].get<std::string>().size(); ++i) {
    if ((static_cast<unsigned char>(j["summary"].get<std::string>()[i]) & 0xC0) != 0x80)
      chars.push_back(U'x');
  }
  EXPECT_LE(chars.size(), 20u);

  const std::string thread =
      R"([{"from":"Ben","text":"Can we meet Friday?"},{"from":"Anna","text":"Which room?"}])";
  for (const char* cmd : {"thread-summary", "reply", "priority", "tags"}) {
    auto r = run_zhi({cmd, "-m", model_path(), "-c", "8192", "--json"}, thread);
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_TRUE(Json::parse(r.out, nullptr, false).is_object()) << r.out;
    auto human = run_zhi({cmd, "-m", model_path(), "-c", "8192"}, thread);
    ASSERT_EQ(human.exit_code, 0) << human.err;
    EXPECT_FALSE(human.out.empty());
    EXPECT_TRUE(Json::parse(human.out, nullptr, false).is_discarded())
        << "readable output should not be JSON";
  }
  auto p = run_zhi({"priority", "-m", model_path(), "-c", "8192"}, "Server down, fix by 5pm!");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_TRUE(p.out.rfind("urgent: ", 0) == 0 || p.out.rfind("not urgent: ", 0) == 0) << p.out;
}

TEST(FeaturesCli, LongInputShowsProgressAndFullCoverage) {
  std::string text;
  for (int i = 0; i < 10; ++i)
    text += "Paragraph " + std::to_string(i) + " says something about item " + std::to_string(i) +
            ".\n\n";
  auto r = run_zhi({"write", "summarize", "-m", model_path(), "-c", "8192", "--chunk-tokens", "40",
                    "--json", "-"},
                   text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_GT(j["coverage"]["chunks"].get<int>(), 1);
  EXPECT_EQ(j["coverage"]["covered_bytes"], text.size());
  EXPECT_NE(r.err.find("summarize map"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("summarize reduce"), std::string::npos) << r.err;
}

TEST(FeaturesCli, PolicyPackRefusalShowsUp) {
  const std::string pack = std::string(ZHI_SOURCE_DIR) + "/policy/cn";
  auto r =
      run_zhi({"write", "summarize", "-m", model_path(), "-c", "8192", "--policy", pack, "--json"},
              "Please summarize: zhitestblocked appears here.");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_TRUE(j.contains("refused")) << r.out;
  EXPECT_EQ(j["refused"]["stage"], "prompt");
  EXPECT_FALSE(j["refused"]["message"].get<std::string>().empty());
  auto human = run_zhi({"write", "summarize", "-m", model_path(), "-c", "8192", "--policy", pack},
                       "Please summarize: zhitestblocked appears here.");
  EXPECT_EQ(human.out.rfind("refused (", 0), 0u) << human.out;
}

TEST(FeaturesCli, PolicyPackMasksResultText) {
  // Proofread quotes the text it edits, so the input's mask-category test
  // term reaches the result; the guardrail lets a mask hit pass, and the
  // result must come back with the term starred.
  const std::string pack = std::string(ZHI_SOURCE_DIR) + "/policy/cn";
  const std::string text = "Please check: zhitestprivate is my secret id. Thanks.";
  auto plain =
      run_zhi({"write", "proofread", "-m", model_path(), "-c", "8192", "--json", "-"}, text);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_NE(plain.out.find("zhitestprivate"), std::string::npos)
      << "precondition: the result quotes the term\n"
      << plain.out;
  auto r = run_zhi(
      {"write", "proofread", "-m", model_path(), "-c", "8192", "--policy", pack, "--json", "-"},
      text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("zhitestprivate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("**************"), std::string::npos) << r.out;
  EXPECT_FALSE(Json::parse(r.out).contains("refused")) << r.out;
}

TEST(FeaturesCli, PolicyPackLabelsGeneratedResults) {
  const std::string pack = std::string(ZHI_SOURCE_DIR) + "/policy/cn";
  auto r = run_zhi({"tags", "-m", model_path(), "-c", "8192", "--policy", pack, "--json"},
                   "明天下午三点开会。");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_TRUE(j.contains("AIGC")) << r.out;
  EXPECT_EQ(j["AIGC"]["Label"], "1");
  EXPECT_FALSE(j["AIGC"]["ContentProducer"].get<std::string>().empty());
  EXPECT_FALSE(j["AIGC"]["ProduceID"].get<std::string>().empty());
  auto human =
      run_zhi({"tags", "-m", model_path(), "-c", "8192", "--policy", pack}, "明天下午三点开会。");
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("【本内容由人工智能生成】"), std::string::npos) << human.out;
  // Without a pack nothing is labelled.
  auto plain = run_zhi({"tags", "-m", model_path(), "-c", "8192", "--json"}, "明天下午三点开会。");
  EXPECT_FALSE(Json::parse(plain.out).contains("AIGC"));
}

TEST(FeaturesCli, BadInputIsAClearError) {
  auto r = run_zhi({"write", "rewrite", "-m", model_path()}, "Hello");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("tone"), std::string::npos) << r.err;
  r = run_zhi({"write", "summarize", "-m", model_path()}, "   ");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
  r = run_zhi({"write", "summarize", "-m", testing::temp_dir() + "/missing.gguf"}, "text");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.gguf"), std::string::npos) << r.err;
  r = run_zhi({"notify-summary", "-m", model_path(), "--max-chars", "3"}, "[]");
  EXPECT_EQ(r.exit_code, 2);
  r = run_zhi({"write", "summarize", "-m", model_path(), "--lang", "fr"}, "text");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("fr"), std::string::npos) << r.err;
  r = run_zhi({"write", "nonsense", "-m", model_path()}, "text");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace zhi
