#include "features/eval/eval_report.h"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

namespace zhi::features::eval {
namespace {

using nlohmann::json;

std::vector<EvalCase> small_set() {
  const std::string text =
      R"({"id": "p-en", "feature": "proofread", "lang": "en", "input": "teh cat", "checks": {"must_fix": [{"wrong": "teh", "right": "the"}]}})"
      "\n"
      R"({"id": "p-zh", "feature": "proofread", "lang": "zh", "input": "会义室", "checks": {"must_fix": [{"wrong": "会义室", "right": "会议室"}]}})"
      "\n"
      R"({"id": "p-zh-2", "feature": "proofread", "lang": "zh", "input": "按装软件", "checks": {"must_fix": [{"wrong": "按装", "right": "安装"}]}})"
      "\n"
      R"({"id": "pr-en", "feature": "priority", "lang": "en", "input": "Server down now!", "checks": {"urgent": true}})"
      "\n";
  Result<std::vector<EvalCase>> r = parse_cases("small.jsonl", text);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : std::vector<EvalCase>{};
}

// Answers well, except: the Chinese "按装" case is answered without the fix,
// and the priority feature throws.
json fake_feature(const EvalCase& c) {
  if (c.feature == "priority") throw std::runtime_error("model file is not loaded");
  const auto fix = [](size_t start, size_t end, const char* original, const char* replacement) {
    return json::array({{{"start", start},
                         {"end", end},
                         {"original", original},
                         {"replacement", replacement},
                         {"kind", "spelling"},
                         {"reason", "typo"}}});
  };
  if (c.id == "p-en") return {{"corrected", "the cat"}, {"edits", fix(0, 3, "teh", "the")}};
  if (c.id == "p-zh") return {{"corrected", "会议室"}, {"edits", fix(0, 9, "会义室", "会议室")}};
  return {{"corrected", "按装软件"}, {"edits", json::array()}};
}

TEST(EvalReport, AThrowingFeatureFailsItsCaseAndTheRunGoesOn) {
  const std::vector<EvalCase> cases = small_set();
  ASSERT_EQ(cases.size(), 4u);
  std::vector<std::pair<size_t, size_t>> ticks;
  const EvalReport r = run_eval(
      cases, fake_feature, [&](size_t done, size_t total) { ticks.emplace_back(done, total); });
  ASSERT_EQ(r.cases.size(), 4u);
  EXPECT_EQ(ticks, (std::vector<std::pair<size_t, size_t>>{{1, 4}, {2, 4}, {3, 4}, {4, 4}}));
  EXPECT_TRUE(r.cases[0].pass);
  EXPECT_TRUE(r.cases[1].pass);
  EXPECT_FALSE(r.cases[2].pass);
  EXPECT_TRUE(r.cases[2].error.empty());
  const CaseScore& thrown = r.cases[3];
  EXPECT_EQ(thrown.id, "pr-en");
  EXPECT_FALSE(thrown.pass);
  EXPECT_EQ(thrown.error, "model file is not loaded");
  ASSERT_NE(thrown.find("answered"), nullptr);
  EXPECT_FALSE(thrown.find("answered")->pass);
  EXPECT_TRUE(thrown.output.is_null());

  // Rows: proofread en, proofread zh, priority en; in feature order.
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].feature, "proofread");
  EXPECT_EQ(r.rows[0].lang, "en");
  EXPECT_EQ(r.rows[1].lang, "zh");
  EXPECT_EQ(r.rows[1].cases, 2u);
  EXPECT_EQ(r.rows[1].passed, 1u);
  EXPECT_DOUBLE_EQ(r.rows[1].pass_rate(), 0.5);
  EXPECT_DOUBLE_EQ(r.rows[1].mean_score("must_fix"), 0.5);
  EXPECT_EQ(r.rows[2].feature, "priority");
  EXPECT_EQ(r.rows[2].errors, 1u);
  EXPECT_EQ(r.total.cases, 4u);
  EXPECT_EQ(r.total.passed, 2u);
  EXPECT_EQ(r.total.errors, 1u);
}

TEST(EvalReport, NoProgressCallbackAndNonStdExceptions) {
  const std::vector<EvalCase> cases = small_set();
  const EvalReport r = run_eval(
      cases, [](const EvalCase&) -> json { throw 7; }, nullptr);
  ASSERT_EQ(r.cases.size(), 4u);
  for (const CaseScore& c : r.cases) EXPECT_EQ(c.error, "unknown exception");
  EXPECT_EQ(r.total.passed, 0u);
  EXPECT_EQ(r.total.errors, 4u);
}

TEST(EvalReport, ACaseWithMalformedChecksFailsAlone) {
  std::vector<EvalCase> cases = small_set();
  cases[0].checks = {{"must_fix", 5}};  // not what load_cases would accept
  const EvalReport r = run_eval(cases, fake_feature, nullptr);
  ASSERT_EQ(r.cases.size(), 4u);
  EXPECT_FALSE(r.cases[0].pass);
  EXPECT_EQ(r.cases[0].error.rfind("cannot score the case: ", 0), 0u) << r.cases[0].error;
  EXPECT_TRUE(r.cases[1].pass);
}

TEST(EvalReport, TableHasOneRowPerFeatureAndLanguage) {
  const EvalReport r = run_eval(small_set(), fake_feature, nullptr);
  std::ostringstream out;
  print_table(r, out);
  const std::string t = out.str();
  std::istringstream lines(t);
  std::vector<std::string> rows;
  for (std::string l; std::getline(lines, l);) rows.push_back(l);
  ASSERT_GE(rows.size(), 5u) << t;
  EXPECT_EQ(rows[0].rfind("feature", 0), 0u) << t;
  EXPECT_NE(rows[0].find("pass%"), std::string::npos);
  EXPECT_EQ(rows[1].rfind("proofread       en       1      1  100.0      0", 0), 0u) << t;
  EXPECT_EQ(rows[2].rfind("proofread       zh       2      1   50.0      0", 0), 0u) << t;
  EXPECT_NE(rows[2].find("must_fix 0.50"), std::string::npos) << t;
  EXPECT_EQ(rows[3].rfind("priority        en       1      0    0.0      1", 0), 0u) << t;
  EXPECT_EQ(rows[4].rfind("all             all      4      2   50.0      1", 0), 0u) << t;
  // Failures are listed with their reasons.
  EXPECT_NE(t.find("p-zh-2 (proofread, zh): [must_fix: not fixed: 按装 -> 安装]"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("pr-en (priority, en): model file is not loaded"), std::string::npos) << t;
}

TEST(EvalReport, JsonCarriesRowsCasesAndChecks) {
  const EvalReport r = run_eval(small_set(), fake_feature, nullptr);
  const json j = to_json(r);
  EXPECT_EQ(j["total"]["cases"], 4);
  EXPECT_EQ(j["total"]["passed"], 2);
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(j["rows"][1]["feature"], "proofread");
  EXPECT_EQ(j["rows"][1]["lang"], "zh");
  EXPECT_DOUBLE_EQ(j["rows"][1]["pass_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["rows"][1]["mean_scores"]["must_fix"].get<double>(), 0.5);
  ASSERT_EQ(j["cases"].size(), 4u);
  EXPECT_EQ(j["cases"][2]["id"], "p-zh-2");
  EXPECT_EQ(j["cases"][2]["output"]["corrected"], "按装软件");
  bool saw_must_fix = false;
  for (const json& c : j["cases"][2]["checks"])
    if (c["name"] == "must_fix") {
      saw_must_fix = true;
      EXPECT_FALSE(c["pass"].get<bool>());
      EXPECT_EQ(c["score"], 0.0);
    }
  EXPECT_TRUE(saw_must_fix);
  EXPECT_EQ(j["cases"][3]["error"], "model file is not loaded");
  EXPECT_EQ(json::parse(j.dump()), j);
}

TEST(EvalReport, JsonDumpsWhateverBytesTheFeatureReturned) {
  const std::vector<EvalCase> cases = small_set();
  const EvalReport r = run_eval(
      cases,
      [](const EvalCase& c) -> json {
        if (c.feature == "priority") throw std::runtime_error("bad \xff byte");
        return {{"corrected", "the \xfe cat"}, {"edits", json::array()}, {"\xc3", 1}};
      },
      nullptr);
  const std::string dumped = to_json(r).dump();  // throws on invalid UTF-8 if any got through
  EXPECT_NE(dumped.find("bad \xef\xbf\xbd byte"), std::string::npos);
  EXPECT_NE(dumped.find("the \xef\xbf\xbd cat"), std::string::npos);
  std::ostringstream table;
  print_table(r, table);
  EXPECT_NE(table.str().find("pr-en"), std::string::npos);
}

TEST(EvalReport, EmptyRunPrintsATotalOfZero) {
  const EvalReport r = run_eval({}, fake_feature, nullptr);
  std::ostringstream out;
  print_table(r, out);
  EXPECT_NE(out.str().find("all             all      0      0    0.0      0"), std::string::npos)
      << out.str();
  EXPECT_EQ(to_json(r)["cases"].size(), 0u);
}

}  // namespace
}  // namespace zhi::features::eval
