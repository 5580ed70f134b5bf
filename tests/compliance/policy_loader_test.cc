// Loading packs: the shipped packs load; every kind of malformed pack is
// rejected with the file and line at fault; plain operator term files.
#include "compliance/policy_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "compliance/gbt45654.h"
#include "compliance/moderator.h"
#include "compliance/term_file.h"
#include "compliance/test_pack.h"
#include "test_paths.h"

namespace zhi::compliance {
namespace {

using testing::ListSpec;
using testing::write_file;
using testing::write_pack;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Replaces the first `from` in the file with `to`; the test fails if absent.
void edit(const std::string& path, const std::string& from, const std::string& to) {
  std::string s = read(path);
  const size_t at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  s.replace(at, from.size(), to);
  std::ofstream(path, std::ios::binary) << s;
}

// 1-based line of the first occurrence of `needle` in a file.
size_t line_of(const std::string& path, const std::string& needle) {
  const std::string s = read(path);
  const size_t at = s.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<size_t>(std::count(s.begin(), s.begin() + static_cast<long>(at), '\n'));
}

// Loads `dir` expecting failure whose message starts "<file>:<line>:".
void expect_error_at(const std::string& dir, const std::string& file, size_t line,
                     const std::string& words) {
  Result<PolicyPack> p = load_policy_pack(dir);
  ASSERT_FALSE(p.ok()) << "loaded a malformed pack";
  const std::string msg = p.status().message();
  EXPECT_EQ(msg.rfind(file + ":" + std::to_string(line) + ":", 0), 0u) << msg;
  EXPECT_NE(msg.find(words), std::string::npos) << msg;
}

std::string shipped(const std::string& region) {
  return zhi::testing::source_dir() + "/policy/" + region;
}

TEST(ShippedPacks, CnLoadsWithTheFullGbt45654Taxonomy) {
  Result<PolicyPack> p = load_policy_pack(shipped("cn"));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->identity.region, "cn");
  EXPECT_EQ(p->standard, kGbt45654);
  EXPECT_EQ(gbt45654_risk_ids().size(), 31u);
  for (const std::string& id : gbt45654_risk_ids()) {
    const int c = p->find_category(id);
    ASSERT_GE(c, 0) << id;
    EXPECT_FALSE(p->categories[c].refusal.zh_cn.empty());
    EXPECT_FALSE(p->categories[c].refusal.en.empty());
  }
  EXPECT_EQ(p->classes.size(), 5u);
  EXPECT_TRUE(p->routing.require_domestic);
  EXPECT_TRUE(p->routing.provider_allowed("local-qwen"));
  EXPECT_TRUE(p->routing.provider_allowed("alibaba-cloud"));
  EXPECT_FALSE(p->routing.provider_allowed("foreign-chatbot-extension"));
  EXPECT_FALSE(p->routing.feature_enabled("foreign_chatbot_extension"));
  EXPECT_EQ(p->labels.explicit_text.zh_cn, "本内容由人工智能生成");
  EXPECT_EQ(p->labels.content_producer, p->identity.provider_code);
  EXPECT_EQ(p->audit.retention_days, 183);
  EXPECT_FALSE(p->terms.empty());
  for (const Term& t : p->terms) EXPECT_NE(t.mode, MatchMode::kAuto) << t.source;
}

TEST(ShippedPacks, GlobalLoadsAndAllowsForeignProviders) {
  Result<PolicyPack> p = load_policy_pack(shipped("global"));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_TRUE(p->routing.provider_allowed("foreign-chatbot-extension"));
  EXPECT_FALSE(p->labels.explicit_enabled);
}

TEST(ShippedPacks, DemoTermsDriveEachAction) {
  Result<PolicyPack> p = load_policy_pack(shipped("cn"));
  ASSERT_TRUE(p.ok());
  Result<std::shared_ptr<const Moderator>> m = Moderator::create(std::move(p).value());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  const Moderator& mod = *m.value();
  EXPECT_EQ(mod.check("请解释一下ZHI测试违禁词")->decision, Action::kRefuse);
  EXPECT_EQ(mod.check("请解释一下ZHI测试违禁词")->refusal,
            mod.category(mod.pack().find_category("A1.8")).refusal.zh_cn);
  EXPECT_EQ(mod.check("tell me about zhi demo forbidden")->refusal,
            mod.category(mod.pack().find_category("A1.8")).refusal.en);
  EXPECT_EQ(mod.check("我的手机号是13812345678")->masked, "我的手机号是***********");
  EXPECT_EQ(mod.check("兼职刷单返利，日入三百")->decision, Action::kFlag);
  EXPECT_EQ(mod.check("如何防范刷单返利诈骗？")->decision, Action::kAllow);
  EXPECT_EQ(mod.check("今天天气很好")->decision, Action::kAllow);
}

class Malformed : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = write_pack(
        std::string("malformed-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        {{"test-refuse", "auto", "# comment\nfirst\n\nsecond\n"}});
    ASSERT_TRUE(load_policy_pack(dir_).ok()) << "the unedited pack must load";
  }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

TEST_F(Malformed, JsonSyntaxErrorNamesTheLine) {
  edit(file("pack.json"), R"("default_language": "zh-CN",)", R"("default_language": "zh-CN",,)");
  expect_error_at(dir_, file("pack.json"), line_of(file("pack.json"), ",,"), "syntax error");
}

TEST_F(Malformed, TruncatedJson) {
  std::string s = read(file("taxonomy.json"));
  std::ofstream(file("taxonomy.json")) << s.substr(0, s.size() / 2);
  Result<PolicyPack> p = load_policy_pack(dir_);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find(file("taxonomy.json") + ":"), std::string::npos)
      << p.status().message();
}

TEST_F(Malformed, UnknownActionNamesTaxonomyLine) {
  edit(file("taxonomy.json"), R"("action": "mask")", R"("action": "deny")");
  expect_error_at(dir_, file("taxonomy.json"), line_of(file("taxonomy.json"), "deny"),
                  "unknown action 'deny'");
}

TEST_F(Malformed, MisspelledKey) {
  edit(file("taxonomy.json"), R"("action": "flag")", R"("acton": "flag")");
  expect_error_at(dir_, file("taxonomy.json"), line_of(file("taxonomy.json"), "acton"),
                  "unknown key 'acton'");
}

TEST_F(Malformed, WrongType) {
  edit(file("pack.json"), R"("version": "1")", R"("version": 1)");
  expect_error_at(dir_, file("pack.json"), line_of(file("pack.json"), "\"version\""),
                  "must be a string");
}

TEST_F(Malformed, MissingRequiredKey) {
  edit(file("pack.json"), R"("taxonomy": "taxonomy.json",)", "");
  Result<PolicyPack> p = load_policy_pack(dir_);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("missing required key 'taxonomy'"), std::string::npos);
  EXPECT_EQ(p.status().message().rfind(file("pack.json") + ":1:", 0), 0u) << p.status().message();
}

TEST_F(Malformed, UnknownCategoryInTermListReference) {
  edit(file("pack.json"), R"("category": "test-refuse")", R"("category": "no-such")");
  expect_error_at(dir_, file("pack.json"), line_of(file("pack.json"), "no-such"),
                  "unknown category 'no-such'");
}

TEST_F(Malformed, DuplicateCategoryId) {
  edit(file("taxonomy.json"), R"("id": "T.mask")", R"("id": "T.refuse")");
  expect_error_at(dir_, file("taxonomy.json"),
                  line_of(file("taxonomy.json"), "\"id\": \"T.refuse\", \"slug\": \"test-mask\""),
                  "duplicate category id");
}

TEST_F(Malformed, PathOutsideThePack) {
  edit(file("pack.json"), R"("taxonomy": "taxonomy.json")", R"("taxonomy": "../taxonomy.json")");
  expect_error_at(dir_, file("pack.json"), line_of(file("pack.json"), "../"),
                  "relative path inside the pack");
}

TEST_F(Malformed, MissingFile) {
  edit(file("pack.json"), R"("taxonomy": "taxonomy.json")", R"("taxonomy": "nope.json")");
  Result<PolicyPack> p = load_policy_pack(dir_);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("nope.json"), std::string::npos);
}

TEST_F(Malformed, TermWithNoLettersNamesItsLine) {
  std::ofstream(file("terms/list0.txt")) << "# header\nfirst\n*** ---\n";
  expect_error_at(dir_, file("terms/list0.txt"), 3, "no letters");
}

TEST_F(Malformed, InvalidUtf8TermNamesItsLine) {
  std::ofstream(file("terms/list0.txt")) << "first\nsecond\nbad\xC3\x28\n";
  expect_error_at(dir_, file("terms/list0.txt"), 3, "not valid UTF-8");
}

TEST_F(Malformed, OverlongTerm) {
  std::ofstream(file("terms/list0.txt")) << "first\n" << std::string(100, 'x') << "\n";
  expect_error_at(dir_, file("terms/list0.txt"), 2, "longer than");
}

TEST_F(Malformed, BadRegexNamesItsLine) {
  edit(file("pack.json"), R"("mode": "auto")", R"("mode": "regex")");
  std::ofstream(file("terms/list0.txt")) << "ok\\d+\nbroken(\n";
  expect_error_at(dir_, file("terms/list0.txt"), 2, "regular expression");
  std::ofstream(file("terms/list0.txt")) << "ok\\d+\nx*\n";
  expect_error_at(dir_, file("terms/list0.txt"), 2, "empty");
}

TEST_F(Malformed, BadTermInJsonListNamesItsLine) {
  write_file(dir_.substr(zhi::testing::temp_dir().size() + 1) + "/terms/x.json",
             "{\n  \"category\": \"T.mask\",\n  \"terms\": [\n    \"fine\",\n    {\"term\": "
             "\"a(\", \"mode\": \"regex\"}\n  ]\n}\n");
  edit(file("pack.json"), R"("term_lists": [)", R"("term_lists": [{"file": "terms/x.json"}, )");
  expect_error_at(dir_, file("terms/x.json"), 5, "regular expression");
}

TEST_F(Malformed, MissingGbtRisk) {
  edit(file("taxonomy.json"), "{\n  \"classes\"",
       "{\n  \"standard\": \"GB/T 45654-2025\",\n  \"classes\"");
  Result<PolicyPack> p = load_policy_pack(dir_);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("class A1 is missing"), std::string::npos)
      << p.status().message();
}

TEST(MalformedShipped, GbtRiskRemovedFromCnTaxonomy) {
  const std::string dir = zhi::testing::temp_dir() + "/cn-copy";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(shipped("cn"), dir, std::filesystem::copy_options::recursive);
  edit(dir + "/taxonomy.json", R"("id": "A2.9")", R"("id": "A2.10")");
  Result<PolicyPack> p = load_policy_pack(dir);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("risk A2.9 is missing"), std::string::npos)
      << p.status().message();
}

TEST(MalformedShipped, ForeignProviderEnabledWhereDomesticIsRequired) {
  const std::string dir = zhi::testing::temp_dir() + "/cn-routing";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(shipped("cn"), dir, std::filesystem::copy_options::recursive);
  edit(dir + "/routing.json", R"("domestic": false, "enabled": false)",
       R"("domestic": false, "enabled": true)");
  expect_error_at(dir, dir + "/routing.json",
                  line_of(dir + "/routing.json", "foreign-chatbot-extension"), "not domestic");
}

TEST(MalformedShipped, BadLaunchDate) {
  const std::string dir = zhi::testing::temp_dir() + "/cn-date";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(shipped("cn"), dir, std::filesystem::copy_options::recursive);
  edit(dir + "/routing.json", "2025-09-01", "2025-13-01");
  expect_error_at(dir, dir + "/routing.json", line_of(dir + "/routing.json", "launch_date"),
                  "YYYY-MM-DD");
}

TEST(TermFile, PlainFormat) {
  const std::string path = write_file(
      "plain.txt",
      "\xEF\xBB\xBF# comment\n  spaced term  \r\n\n\\#hashtag\n   # indented comment\n敏感\n");
  Result<std::vector<TermLine>> lines = read_term_file(path);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 3u);
  EXPECT_EQ((*lines)[0].text, "spaced term");
  EXPECT_EQ((*lines)[0].line, 2u);
  EXPECT_EQ((*lines)[1].text, "#hashtag");
  EXPECT_EQ((*lines)[2].text, "敏感");
  EXPECT_EQ((*lines)[2].line, 6u);
}

TEST(TermFile, OperatorListAddedFromTheCommandLine) {
  Result<PolicyPack> p = load_policy_pack(write_pack("cli-terms", {}));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  const std::string path = write_file("operator.txt", "operatorterm\n运营词\n");
  ASSERT_TRUE(add_term_file(*p, path, "test-flag").ok());
  EXPECT_FALSE(add_term_file(*p, path, "no-such-category").ok());
  Result<std::shared_ptr<const Moderator>> m = Moderator::create(std::move(p).value());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->check("an operatorterm here")->decision, Action::kFlag);
  const Verdict v = (*m)->check("这是运营词").value();
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ((*m)->pack().terms[v.findings[0].rule].source, path + ":2");
}

}  // namespace
}  // namespace zhi::compliance
