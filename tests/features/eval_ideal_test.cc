// Every shipped case must be passable: an answer built by hand from the case's
// own checks (the fixes applied, the terms carried over, the counts met)
// passes every check. A case no answer could pass would only measure noise.
#include <gtest/gtest.h>

#include <algorithm>

#include "features/eval/case_score.h"
#include "features/eval/eval_case.h"
#include "features/eval/eval_report.h"
#include "features/eval/text_measure.h"
#include "test_paths.h"

namespace zhi::features::eval {
namespace {

using nlohmann::json;

std::vector<std::string> first_spellings(const json& checks, const char* key) {
  std::vector<std::string> out;
  if (!checks.contains(key)) return out;
  for (const json& t : checks[key])
    out.push_back(term_alternatives(t.is_object() ? t["text"] : t)[0]);
  return out;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// The fixes applied at every place the wrong text occurs, with the edits
// that do it (byte offsets into the input).
json ideal_proofread(const std::string& input, const json& fixes) {
  struct Hit {
    size_t start, end;
    std::string right;
  };
  std::vector<Hit> hits;
  for (const json& fx : fixes) {
    const std::string wrong = fx["wrong"].get<std::string>();
    for (size_t pos = input.find(wrong); pos != std::string::npos;
         pos = input.find(wrong, pos + wrong.size()))
      hits.push_back({pos, pos + wrong.size(), fx["right"].get<std::string>()});
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.start < b.start; });
  std::string corrected;
  json edits = json::array();
  size_t at = 0;
  for (const Hit& h : hits) {
    EXPECT_GE(h.start, at) << "overlapping fixes in: " << input;
    if (h.start < at) continue;
    corrected += input.substr(at, h.start - at) + h.right;
    edits.push_back({{"start", h.start},
                     {"end", h.end},
                     {"original", input.substr(h.start, h.end - h.start)},
                     {"replacement", h.right},
                     {"kind", "spelling"},
                     {"reason", "seeded error"}});
    at = h.end;
  }
  corrected += input.substr(at);
  return {{"corrected", corrected}, {"edits", edits}};
}

json ideal_answer(const EvalCase& c) {
  const json& ck = c.checks;
  const bool zh = c.lang == "zh";
  const std::string sep = zh ? "，" : ", ";
  const std::string lead = zh ? "要点：" : "In short: ";
  std::vector<std::string> terms = first_spellings(ck, "keep");
  for (const std::string& t : first_spellings(ck, "key_terms")) terms.push_back(t);
  const std::string prose = lead + join(terms, sep);
  const std::string& f = c.feature;
  if (f == "proofread") return ideal_proofread(input_text(c), ck["must_fix"]);
  if (f == "rewrite") return {{"text", prose}};
  if (f == "summarize") return {{"summary", prose}, {"coverage", {{"chunks", 1}}}};
  if (f == "notify-summary") return {{"summary", join(terms, sep)}};
  if (f == "key-points" || f == "list") {
    const size_t lo = ck.value("min_items", size_t{1});
    const size_t hi = ck.value("max_items", size_t{1000});
    const size_t n = std::clamp<size_t>(terms.size(), lo, hi);
    std::vector<std::string> items(n, zh ? "其他事项" : "Other details");
    for (size_t i = 0; i < terms.size(); ++i) {
      std::string& it = items[i % n];
      it = i < n ? terms[i] : it + sep + terms[i];
    }
    return {{f == "list" ? "items" : "points", items}, {"coverage", {{"chunks", 1}}}};
  }
  if (f == "table") {
    std::vector<std::string> header = first_spellings(ck, "columns");
    while (header.size() < std::max<size_t>(2, ck.value("min_columns", size_t{1})))
      header.push_back(zh ? "项目" : "Item");
    const size_t rows_n = std::max<size_t>(ck.value("min_rows", size_t{1}), 1);
    json rows = json::array();
    for (size_t r = 0; r < rows_n; ++r)
      rows.push_back(std::vector<std::string>(header.size(), zh ? "无" : "none"));
    for (size_t i = 0; i < terms.size(); ++i) {
      json& cell = rows[i % rows_n][(i / rows_n) % header.size()];
      cell = (cell == (zh ? "无" : "none")) ? json(terms[i])
                                            : json(cell.get<std::string>() + sep + terms[i]);
    }
    return {{"header", header},
            {"rows", rows},
            {"markdown", "| " + join(header, " | ") + " |"},
            {"coverage", {{"chunks", 1}}}};
  }
  if (f == "thread-summary") {
    json items = json::array();
    for (const std::string& o : first_spellings(ck, "owners"))
      items.push_back({{"item", zh ? "跟进此事" : "follow up"}, {"owner", o}});
    while (items.size() < ck.value("min_action_items", size_t{0}))
      items.push_back({{"item", zh ? "跟进此事" : "follow up"}, {"owner", nullptr}});
    json questions = json::array();
    while (questions.size() < ck.value("min_open_questions", size_t{0}))
      questions.push_back(zh ? "还有什么没定？" : "What is still open?");
    return {{"summary", prose}, {"open_questions", questions}, {"action_items", items}};
  }
  if (f == "reply") {
    const std::string answer = first_spellings(ck, "should_address").at(0);
    json replies = json::array();
    for (const char* w : {"好的，", "可以，", "收到，"})
      replies.push_back(zh ? std::string(w) + answer : "Sure, " + answer + " works.");
    json questions = json::array();
    while (questions.size() < ck.value("min_questions", size_t{0}))
      questions.push_back(
          {{"question", zh ? "选哪个？" : "Which one?"},
           {"options", zh ? json({"第一个", "第二个"}) : json({"first", "second"})}});
    return {{"replies", replies}, {"questions", questions}};
  }
  if (f == "priority") {
    json deadline = nullptr;
    if (ck.value("has_deadline", false) || ck.contains("deadline_terms")) {
      const std::vector<std::string> d = first_spellings(ck, "deadline_terms");
      deadline = d.empty() ? std::string(zh ? "今天" : "today") : d[0];
    }
    return {{"urgent", ck["urgent"].get<bool>()},
            {"reason", zh ? "根据消息内容判断" : "judged from the message"},
            {"deadline", deadline}};
  }
  if (f == "tags") {
    json entities = json::array();
    if (ck.contains("entities"))
      for (const json& e : ck["entities"])
        entities.push_back({{"text", term_alternatives(e.is_object() ? e["text"] : e)[0]},
                            {"type", e.is_object() ? e.value("type", "other") : "other"}});
    std::vector<std::string> topics = first_spellings(ck, "topics");
    if (topics.empty()) topics.push_back(zh ? "日常事务" : "general matters");
    json actions = json::array();
    while (actions.size() < ck.value("min_actions", size_t{0}))
      actions.push_back(zh ? "跟进处理" : "follow up");
    return {{"topics", topics},
            {"entities", entities},
            {"actions", actions},
            {"sentiment", ck.value("sentiment", "neutral")}};
  }
  ADD_FAILURE() << "no ideal answer for " << f;
  return json::object();
}

TEST(EvalIdeal, EveryShippedCaseIsPassable) {
  Result<std::vector<EvalCase>> cases = load_cases(zhi::testing::source_dir() + "/evals/features");
  ASSERT_TRUE(cases.ok()) << cases.status().to_string();
  for (const EvalCase& c : *cases) {
    const CaseScore s = score_case(c, ideal_answer(c));
    std::string why;
    for (const CheckResult& r : s.checks)
      if (!r.pass) why += " [" + r.name + ": " + r.detail + "]";
    EXPECT_TRUE(s.pass) << c.source << " " << c.id << why;
    for (const CheckResult& r : s.checks) EXPECT_DOUBLE_EQ(r.score, 1.0) << c.id << " " << r.name;
  }
}

// The whole pipeline over the shipped set: every feature and language gets a
// row, and ideal answers pass everything.
TEST(EvalIdeal, RunOverTheShippedSetWithIdealAnswers) {
  Result<std::vector<EvalCase>> cases = load_cases(zhi::testing::source_dir() + "/evals/features");
  ASSERT_TRUE(cases.ok()) << cases.status().to_string();
  const EvalReport r = run_eval(*cases, ideal_answer, nullptr);
  EXPECT_EQ(r.rows.size(), 2 * std::size(kFeatures));
  EXPECT_EQ(r.total.cases, cases->size());
  EXPECT_EQ(r.total.passed, cases->size());
  EXPECT_EQ(r.total.errors, 0u);
}

// The contrary: leaving every proofread input as it is fixes nothing, so no
// proofread case passes by echoing.
TEST(EvalIdeal, EchoingTheInputFailsEveryProofreadCase) {
  Result<std::vector<EvalCase>> cases = load_cases(zhi::testing::source_dir() + "/evals/features");
  ASSERT_TRUE(cases.ok()) << cases.status().to_string();
  size_t n = 0;
  for (const EvalCase& c : *cases) {
    if (c.feature != "proofread") continue;
    ++n;
    const CaseScore s = score_case(c, {{"corrected", input_text(c)}, {"edits", json::array()}});
    EXPECT_FALSE(s.pass) << c.id;
    EXPECT_DOUBLE_EQ(s.find("must_fix")->score, 0.0) << c.id;
    EXPECT_TRUE(s.find("must_keep") == nullptr || s.find("must_keep")->pass) << c.id;
  }
  EXPECT_GE(n, 10u);
}

}  // namespace
}  // namespace zhi::features::eval
