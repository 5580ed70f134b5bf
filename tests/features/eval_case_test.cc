#include "features/eval/eval_case.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "test_paths.h"

namespace zhi::features::eval {
namespace {

namespace fs = std::filesystem;

std::string shipped_dir() { return zhi::testing::source_dir() + "/evals/features"; }

// A fresh directory holding the given files.
fs::path make_set(const std::string& name, const std::map<std::string, std::string>& files) {
  const fs::path dir = fs::path(zhi::testing::temp_dir()) / ("eval-set-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& [file, text] : files) std::ofstream(dir / file, std::ios::binary) << text;
  return dir;
}

const char* kGood =
    R"({"id": "p1", "feature": "proofread", "lang": "en", "input": "I recieved it.", )"
    R"("checks": {"must_fix": [{"wrong": "recieved", "right": "received"}]}})";

std::string err(const std::string& text) {
  Result<std::vector<EvalCase>> r = parse_cases("set.jsonl", text);
  return r.ok() ? std::string("(loaded)") : r.status().message();
}

TEST(EvalCases, ShippedSetLoadsWithBothLanguagesAndEveryFeature) {
  Result<std::vector<EvalCase>> cases = load_cases(shipped_dir());
  ASSERT_TRUE(cases.ok()) << cases.status().to_string();
  std::map<std::string, size_t> per_lang;
  std::map<std::string, std::set<std::string>> features;
  std::set<std::string> ids;
  for (const EvalCase& c : *cases) {
    ++per_lang[c.lang];
    features[c.lang].insert(c.feature);
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_FALSE(c.source.empty());
  }
  EXPECT_GE(per_lang["en"], 40u);
  EXPECT_GE(per_lang["zh"], 40u);
  for (const std::string lang : {"en", "zh"})
    for (std::string_view f : kFeatures)
      EXPECT_TRUE(features[lang].count(std::string(f))) << lang << " has no " << f << " case";
}

TEST(EvalCases, ParsesAllFields) {
  const std::string text =
      "# a comment\n\n"
      R"({"id": "r1", "feature": "rewrite", "lang": "zh", "input": "张伟3月5日到。", )"
      R"("params": {"tone": "friendly"}, "checks": {"keep": ["张伟", ["3月5日", "3月5号"]]}})"
      "\n" +
      std::string(kGood) + "\n";
  Result<std::vector<EvalCase>> r = parse_cases("set.jsonl", text);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 2u);
  const EvalCase& c = (*r)[0];
  EXPECT_EQ(c.id, "r1");
  EXPECT_EQ(c.feature, "rewrite");
  EXPECT_EQ(c.lang, "zh");
  EXPECT_EQ(c.input, "张伟3月5日到。");
  EXPECT_EQ(c.params["tone"], "friendly");
  EXPECT_EQ(c.checks["keep"].size(), 2u);
  EXPECT_EQ(c.source, "set.jsonl:3");
  EXPECT_EQ((*r)[1].source, "set.jsonl:4");
  EXPECT_TRUE((*r)[1].params.is_object());
  EXPECT_TRUE((*r)[1].params.empty());
}

TEST(EvalCases, MalformedLinesNameFileAndLine) {
  const std::string ok = std::string(kGood) + "\n";
  EXPECT_EQ(err(ok + "{not json\n"), "set.jsonl:2: not valid JSON");
  EXPECT_EQ(err(ok + "[1, 2]\n"), "set.jsonl:2: not a JSON object");
  EXPECT_EQ(err("\n\n" + ok.substr(0, ok.size() - 3) + "\n"), "set.jsonl:3: not valid JSON");
  EXPECT_EQ(err(R"({"feature": "rewrite"})"), "set.jsonl:1: missing string \"id\"");
  EXPECT_EQ(
      err(R"({"id": "x", "feature": "translate", "lang": "en", "input": "a", "checks": {}})")
          .rfind("set.jsonl:1: case 'x': unknown feature 'translate' (expected one of proofread, ",
                 0),
      0u);
  EXPECT_EQ(err(R"({"id": "x", "feature": "rewrite", "lang": "fr", "input": "a", "checks": {}})"),
            "set.jsonl:1: case 'x': \"lang\" is 'fr', expected \"zh\" or \"en\"");
  EXPECT_EQ(
      err(R"({"id": "x", "feature": "rewrite", "lang": "en", "params": {"tone": "friendly"}, "input": "a"})"),
      "set.jsonl:1: case 'x': missing \"checks\"");
  EXPECT_EQ(err(R"({"id": "x", "feature": "rewrite", "lang": "en", "checks": {"keep": ["a"]}})"),
            "set.jsonl:1: case 'x': missing \"input\"");
  EXPECT_EQ(err(R"({"id": "x", "feature": "rewrite", "lang": "en", "input": "a", "check": {}})"),
            "set.jsonl:1: unknown key 'check' (expected id, feature, lang, input, params, checks)");
}

TEST(EvalCases, ChecksAreValidatedAgainstTheVocabularyAndTheInput) {
  const auto proof = [](const std::string& checks) {
    return err(
        R"({"id": "p", "feature": "proofread", "lang": "en", "input": "teh cat sat", "checks": )" +
        checks + "}");
  };
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "teh", "right": "the"}]})"), "(loaded)");
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "dgo", "right": "dog"}]})"),
            "set.jsonl:1: case 'p': checks.must_fix[0] wrong 'dgo' is not in the input");
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "teh", "right": "cat"}]})"),
            "set.jsonl:1: case 'p': checks.must_fix[0] right 'cat' is already in the input, so a "
            "fix cannot be seen");
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "teh", "right": "tehh"}]})"),
            "set.jsonl:1: case 'p': checks.must_fix[0] wrong 'teh' is part of right 'tehh'; add "
            "context so the two differ");
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "teh"}]})"),
            "set.jsonl:1: case 'p': checks.must_fix[0] must be {\"wrong\": non-empty string, "
            "\"right\": non-empty string}");
  EXPECT_EQ(proof(R"({"must_keep": ["cat"]})"),
            "set.jsonl:1: case 'p': a proofread case needs checks.must_fix");
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "teh", "right": "the"}], "must_keep": ["dog"]})"),
            "set.jsonl:1: case 'p': checks.must_keep[0] 'dog' is not in the input");
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "teh", "right": "the"}], "keep": ["cat"]})")
                .rfind("set.jsonl:1: case 'p': check 'keep' does not apply to proofread", 0),
            0u);
  EXPECT_EQ(proof(R"({"must_fix": [{"wrong": "teh", "right": "the"}], "max_change_ratio": 2})"),
            "set.jsonl:1: case 'p': checks.max_change_ratio must be a number from 0 to 1");

  const auto summ = [](const std::string& checks) {
    return err(
        R"({"id": "s", "feature": "summarize", "lang": "zh", "input": "张伟在北京。", "checks": )" +
        checks + "}");
  };
  EXPECT_EQ(summ(R"({"key_terms": ["张 伟", ["上海", "北京"]], "max_ratio": 0.5})"), "(loaded)");
  EXPECT_EQ(summ(R"({"key_terms": ["李娜"]})"),
            "set.jsonl:1: case 's': checks.key_terms[0] '李娜' is not in the input");
  EXPECT_EQ(summ(R"({"min_term_coverage": 0.5})"),
            "set.jsonl:1: case 's': checks.min_term_coverage needs checks.key_terms");
  EXPECT_EQ(summ(R"({"key_terms": []})"),
            "set.jsonl:1: case 's': checks.key_terms must be a non-empty array");
  EXPECT_EQ(summ(R"({"key_terms": [["北京", 3]]})"),
            "set.jsonl:1: case 's': checks.key_terms[0] must be a non-empty string or an array of "
            "non-empty alternative strings");
  EXPECT_EQ(summ(R"({"min_ratio": 0.6, "max_ratio": 0.5})"),
            "set.jsonl:1: case 's': checks.min_ratio is above checks.max_ratio");
  EXPECT_EQ(summ(R"({})"), "set.jsonl:1: case 's': \"checks\" must be a non-empty object");

  EXPECT_EQ(
      err(R"({"id": "t", "feature": "priority", "lang": "en", "input": "x", "checks": {"has_deadline": true}})"),
      "set.jsonl:1: case 't': a priority case needs checks.urgent");
  EXPECT_EQ(
      err(R"({"id": "t", "feature": "tags", "lang": "en", "input": "x", "checks": {"sentiment": "happy"}})"),
      "set.jsonl:1: case 't': checks.sentiment must be positive, negative, neutral or mixed");
  EXPECT_EQ(
      err(R"({"id": "t", "feature": "tags", "lang": "en", "input": "Ann here", "checks": {"entities": [{"text": "Ann", "kind": "person"}]}})"),
      "set.jsonl:1: case 't': checks.entities[0] unknown key 'kind' (expected text, type)");
}

TEST(EvalCases, InputsAndParamsHaveTheFeaturesShape) {
  EXPECT_EQ(
      err(R"({"id": "n", "feature": "notify-summary", "lang": "en", "input": "hi", "params": {"max_chars": 40}, "checks": {"max_chars": 40}})"),
      "set.jsonl:1: case 'n': \"input\" must be an array of notifications");
  EXPECT_EQ(
      err(R"({"id": "n", "feature": "notify-summary", "lang": "en", "input": [{"app": "A", "sender": "B", "title": "C", "body": "D"}], "params": {"max_chars": 40}, "checks": {"max_chars": 40}})"),
      "set.jsonl:1: case 'n': input[0] needs string \"time\"");
  EXPECT_EQ(
      err(R"({"id": "n", "feature": "notify-summary", "lang": "en", "input": [{"app": "A", "sender": "B", "title": "C", "body": "D", "time": "1"}], "checks": {"max_chars": 40}})"),
      "set.jsonl:1: case 'n': a notify-summary needs params.max_chars");
  EXPECT_EQ(
      err(R"({"id": "m", "feature": "thread-summary", "lang": "en", "input": [{"sender": "A", "time": "1", "text": "x", "cc": "y"}], "checks": {"min_action_items": 1}})"),
      "set.jsonl:1: case 'm': input[0] unknown key 'cc'");
  EXPECT_EQ(
      err(R"({"id": "r", "feature": "reply", "lang": "en", "input": [{"sender": "A", "time": "1", "text": "Lunch?"}], "checks": {"should_address": ["lunch"]}})"),
      "(loaded)");
  EXPECT_EQ(
      err(R"({"id": "s", "feature": "summarize", "lang": "en", "input": [{"sender": "A", "time": "1", "text": "x"}], "checks": {"max_ratio": 0.5}})"),
      "set.jsonl:1: case 's': \"input\" must be a string for summarize");
  EXPECT_EQ(
      err(R"({"id": "s", "feature": "summarize", "lang": "en", "input": "", "checks": {"max_ratio": 0.5}})"),
      "set.jsonl:1: case 's': \"input\" is empty");
  EXPECT_EQ(
      err(R"({"id": "w", "feature": "rewrite", "lang": "en", "input": "x", "checks": {"max_ratio": 2}})"),
      "set.jsonl:1: case 'w': a rewrite needs params.tone or params.instruction");
  EXPECT_EQ(
      err(R"({"id": "w", "feature": "rewrite", "lang": "en", "input": "x", "params": {"tone": "angry"}, "checks": {"max_ratio": 2}})"),
      "set.jsonl:1: case 'w': params.tone must be \"friendly\", \"professional\" or \"concise\"");
  EXPECT_EQ(
      err(R"({"id": "w", "feature": "rewrite", "lang": "en", "input": "x", "params": {"style": "a"}, "checks": {"max_ratio": 2}})"),
      "set.jsonl:1: case 'w': unknown params key 'style' (expected tone, instruction, max_chars)");
}

TEST(EvalCases, DirectoryErrors) {
  const fs::path missing = fs::path(zhi::testing::temp_dir()) / "no-such-set";
  Result<std::vector<EvalCase>> r = load_cases(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("no-such-set"), std::string::npos);

  r = load_cases(make_set("empty", {{"notes.txt", "x"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no *.jsonl case files"), std::string::npos);

  r = load_cases(make_set("comments", {{"a.jsonl", "# nothing yet\n"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("the set has no cases"), std::string::npos);

  // The error names the file it is in, whichever file that is.
  const fs::path bad =
      make_set("bad", {{"a.jsonl", std::string(kGood) + "\n"}, {"b.jsonl", "\n{\"id\": 1}\n"}});
  r = load_cases(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), (bad / "b.jsonl").string() + ":2: missing string \"id\"");

  const fs::path dup = make_set("dup", {{"a.jsonl", std::string(kGood) + "\n"},
                                        {"b.jsonl", "\n" + std::string(kGood) + "\n"}});
  r = load_cases(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), (dup / "b.jsonl").string() +
                                      ":2: case id 'p1' is already used at " +
                                      (dup / "a.jsonl").string() + ":1");

  r = load_cases(make_set("two", {{"a.jsonl", std::string(kGood) + "\n"}, {"b.txt", "junk"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->size(), 1u);
}

TEST(EvalCases, InputTextJoinsMessages) {
  EvalCase c;
  c.input = nlohmann::json::parse(
      R"([{"app": "Mail", "sender": "Ann", "title": "Lunch", "body": "At noon?", "time": "9:00"},
          {"sender": "Bo", "time": "9:05", "text": "Yes"}])");
  EXPECT_EQ(input_text(c), "Ann Lunch At noon?\nBo Yes");
  c.input = "plain";
  EXPECT_EQ(input_text(c), "plain");
}

}  // namespace
}  // namespace zhi::features::eval
