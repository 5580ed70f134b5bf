#include <gtest/gtest.h>

#include <algorithm>

#include "features/eval/case_score.h"

namespace zhi::features::eval {
namespace {

using nlohmann::json;

// One case, written over several lines here for reading; a set file holds it on one.
EvalCase one(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  Result<std::vector<EvalCase>> r = parse_cases("t.jsonl", text);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() && !r->empty() ? (*r)[0] : EvalCase{};
}

std::string failed(const CaseScore& s) {
  std::string out;
  for (const CheckResult& r : s.checks)
    if (!r.pass) out += (out.empty() ? "" : " ") + r.name;
  return out;
}

const char* kProof =
    R"({"id": "p", "feature": "proofread", "lang": "en",
        "input": "I recieved teh report from Zhang Wei on Monday.",
        "checks": {"must_fix": [{"wrong": "recieved", "right": "received"},
                                {"wrong": "teh report", "right": "the report"}],
                   "must_keep": ["Zhang Wei", "Monday"], "max_change_ratio": 0.2}})";

json edit(size_t start, size_t end, const std::string& original, const std::string& repl) {
  return {{"start", start},      {"end", end},         {"original", original},
          {"replacement", repl}, {"kind", "spelling"}, {"reason", "typo"}};
}

TEST(EvalScore, ProofreadPerfectAnswerPasses) {
  const EvalCase c = one(kProof);
  const json out = {{"corrected", "I received the report from Zhang Wei on Monday."},
                    {"edits", {edit(2, 10, "recieved", "received"), edit(11, 14, "teh", "the")}}};
  const CaseScore s = score_case(c, out);
  EXPECT_TRUE(s.pass) << failed(s);
  EXPECT_EQ(failed(s), "");
  ASSERT_NE(s.find("must_fix"), nullptr);
  EXPECT_DOUBLE_EQ(s.find("must_fix")->score, 1.0);
  ASSERT_NE(s.find("edits_apply"), nullptr);
  EXPECT_TRUE(s.find("edits_apply")->pass);
  // 4 characters changed ("ie" -> "ei" is 2, "eh" -> "he" is 2) of 47.
  EXPECT_NEAR(s.find("max_change_ratio")->value, 4.0 / 47.0, 1e-12);
}

TEST(EvalScore, ProofreadMissedFixesAndRewritesFail) {
  const EvalCase c = one(kProof);
  CaseScore s = score_case(c, {{"corrected", "I received teh report from Zhang Wei on Monday."},
                               {"edits", {edit(2, 10, "recieved", "received")}}});
  EXPECT_FALSE(s.pass);
  EXPECT_EQ(failed(s), "must_fix");
  EXPECT_DOUBLE_EQ(s.find("must_fix")->score, 0.5);
  EXPECT_NE(s.find("must_fix")->detail.find("teh report -> the report"), std::string::npos);

  // Fixes made, but the rest rewritten: a name lost and most characters changed.
  s = score_case(c, {{"corrected", "Yesterday Mr Zhang received the report, as planned."},
                     {"edits", json::array()}});
  EXPECT_EQ(failed(s), "edits_apply must_keep max_change_ratio");
  EXPECT_TRUE(s.find("must_fix")->pass);

  // Edits that do not reproduce the corrected text, or that lie about the input.
  s = score_case(c, {{"corrected", "I received the report from Zhang Wei on Monday."},
                     {"edits", {edit(2, 10, "recieved", "received")}}});
  EXPECT_EQ(failed(s), "edits_apply");
  s = score_case(c, {{"corrected", "I received the report from Zhang Wei on Monday."},
                     {"edits", {edit(3, 11, "recieved", "received"), edit(11, 14, "teh", "the")}}});
  EXPECT_EQ(failed(s), "edits_apply");
  s = score_case(c, {{"corrected", "x"}, {"edits", {edit(40, 99, "", "x")}}});
  EXPECT_NE(s.find("edits_apply")->detail.find("outside the input"), std::string::npos);
  // Proofread is exact: a capital changed is a change.
  s = score_case(c, {{"corrected", "I received the report from zhang wei on Monday."},
                     {"edits", json::array()}});
  EXPECT_NE(failed(s).find("must_keep"), std::string::npos);
}

TEST(EvalScore, RewriteKeepsEntitiesAndNumbersInAnyCase) {
  const EvalCase c = one(
      R"({"id": "r", "feature": "rewrite", "lang": "en", "params": {"tone": "professional"},
          "input": "zhang wei says sales rose 42% by March 5, ok?",
          "checks": {"keep": ["Zhang Wei", "42%", ["March 5", "Mar 5"]], "max_ratio": 2.0}})");
  CaseScore s = score_case(c, {{"text", "ZHANG WEI reports that sales rose 42% by Mar 5."}});
  EXPECT_TRUE(s.pass) << failed(s);
  s = score_case(c, {{"text", "Zhang Wei reports that sales rose sharply by March 5."}});
  EXPECT_EQ(failed(s), "keep");
  EXPECT_NEAR(s.find("keep")->score, 2.0 / 3.0, 1e-12);
  EXPECT_NE(s.find("keep")->detail.find("42%"), std::string::npos);
  s = score_case(c, {{"text", std::string(100, 'a') + " Zhang Wei 42% March 5"}});
  EXPECT_EQ(failed(s), "max_ratio");
  EXPECT_LT(s.find("max_ratio")->score, 1.0);
  EXPECT_GT(s.find("max_ratio")->score, 0.0);
  // The answer must stay in the case's language.
  s = score_case(c, {{"text", "张伟说到3月5日（March 5）销售额增长了42%，Zhang Wei。"}});
  EXPECT_EQ(failed(s), "lang");
}

TEST(EvalScore, ChineseMatchingAndCountingAreCharacterBased) {
  const EvalCase c = one(
      R"({"id": "n", "feature": "notify-summary", "lang": "zh", "params": {"max_chars": 10},
          "input": [{"app": "微信", "sender": "妈妈", "title": "妈妈", "body": "周日回家吃饭吗？", "time": "18:02"}],
          "checks": {"max_chars": 10, "key_terms": ["周日", "吃饭"]}})");
  // Ten characters, thirty bytes: within the limit.
  CaseScore s = score_case(c, {{"summary", "妈妈问周日回家吃饭吗"}});
  EXPECT_TRUE(s.pass) << failed(s);
  EXPECT_DOUBLE_EQ(s.find("max_chars")->value, 10.0);
  s = score_case(c, {{"summary", "妈妈问你周日回家吃饭吗"}});
  EXPECT_EQ(failed(s), "max_chars");
  // Spaces a model inserts do not hide a term.
  s = score_case(c, {{"summary", "周 日 回家吃 饭"}});
  EXPECT_TRUE(s.find("key_terms")->pass);
}

const char* kSummary =
    R"({"id": "s", "feature": "summarize", "lang": "en",
        "input": "The library on Elm Avenue closes on June 3 for a renovation costing $3.2 million. A temporary branch opens in the old post office. Story time and homework help move with it. Staff keep their jobs.",
        "checks": {"key_terms": ["Elm Avenue", "June 3", "$3.2 million", "post office", "renovation"],
                   "min_term_coverage": 0.6, "max_ratio": 0.5}})";

TEST(EvalScore, SummaryLengthRatioAndTermCoverage) {
  const EvalCase c = one(kSummary);
  CaseScore s =
      score_case(c, {{"summary", "Elm Avenue library shuts June 3 for a $3.2 million renovation."},
                     {"coverage", {{"input_bytes", 200}, {"covered_bytes", 200}, {"chunks", 1}}}});
  EXPECT_TRUE(s.pass) << failed(s);
  EXPECT_DOUBLE_EQ(s.find("key_terms")->value, 0.8);
  EXPECT_LT(s.find("max_ratio")->value, 0.5);
  // Two of five key terms is below 0.6 ("renovated" is not "renovation").
  s = score_case(c, {{"summary", "The Elm Avenue library will be renovated from June 3."}});
  EXPECT_EQ(failed(s), "key_terms");
  EXPECT_DOUBLE_EQ(s.find("key_terms")->score, 0.4);
  // Echoing the input covers every term but is too long.
  s = score_case(c, {{"summary", input_text(c)}});
  EXPECT_EQ(failed(s), "max_ratio");
  EXPECT_DOUBLE_EQ(s.find("max_ratio")->value, 1.0);
  // Wrong shape.
  s = score_case(c, {{"text", "Elm Avenue"}});
  EXPECT_EQ(failed(s).substr(0, 5), "shape");
}

TEST(EvalScore, ListsCountItemsAndForbiddenTerms) {
  const EvalCase c = one(
      R"({"id": "l", "feature": "list", "lang": "en",
          "input": "Bring a sleeping bag, a headlamp and socks. We bring the stove.",
          "checks": {"key_terms": ["sleeping bag", "headlamp", "socks"], "min_items": 3,
                     "max_items": 4, "forbid": ["stove"]}})");
  CaseScore s = score_case(c, {{"items", {"Sleeping bag", "Headlamp", "Warm socks"}}});
  EXPECT_TRUE(s.pass) << failed(s);
  s = score_case(c, {{"items", {"Sleeping bag", "Headlamp", "Warm socks", "Stove"}}});
  EXPECT_EQ(failed(s), "forbid");
  s = score_case(c, {{"items", {"Sleeping bag, headlamp and socks"}}});
  EXPECT_EQ(failed(s), "min_items");
  s = score_case(c, {{"items", {"a", "b", "c", "d", "sleeping bag", "headlamp", "socks"}}});
  EXPECT_EQ(failed(s), "max_items");
  const EvalCase k = one(
      R"({"id": "k", "feature": "key-points", "lang": "en", "input": "Park on B2. Bikes go inside.",
          "checks": {"key_terms": ["B2", "bikes"], "min_items": 2}})");
  s = score_case(k, {{"points", {"Park on level B2", "Bikes go in the locked room"}}});
  EXPECT_TRUE(s.pass) << failed(s);
  s = score_case(k, {{"points", {"Park on level B2", 7}}});
  EXPECT_EQ(failed(s).substr(0, 5), "shape");
}

TEST(EvalScore, TablesNeedConsistentRowsAndTheColumns) {
  const EvalCase c = one(
      R"({"id": "t", "feature": "table", "lang": "en",
          "input": "Basic costs $15 with 5 GB. Plus costs $30 with 30 GB.",
          "checks": {"key_terms": ["Basic", "Plus", "$15", "$30"], "columns": [["price", "cost"], "data"],
                     "min_rows": 2, "min_columns": 3}})");
  json out = {
      {"header", {"Plan", "Price", "Data"}},
      {"rows", {{"Basic", "$15", "5 GB"}, {"Plus", "$30", "30 GB"}}},
      {"markdown",
       "| Plan | Price | Data |\n|---|---|---|\n| Basic | $15 | 5 GB |\n| Plus | $30 | 30 GB |"}};
  CaseScore s = score_case(c, out);
  EXPECT_TRUE(s.pass) << failed(s);
  out["rows"][1] = {"Plus", "$30"};
  s = score_case(c, out);
  EXPECT_EQ(failed(s), "shape");
  EXPECT_NE(s.find("shape")->detail.find("rows[1] has 2 cells for a header of 3"),
            std::string::npos);
  out["header"] = {"Plan", "Monthly"};
  out["rows"] = json::array({json::array({"Basic", "$15"})});
  s = score_case(c, out);
  EXPECT_EQ(failed(s), "key_terms columns min_columns min_rows");
}

TEST(EvalScore, ThreadSummaryOwnersAndCounts) {
  const EvalCase c = one(
      R"({"id": "th", "feature": "thread-summary", "lang": "en",
          "input": [{"sender": "Leo", "time": "9:00", "text": "I'll export the SVG logo."},
                    {"sender": "Nadia", "time": "9:05", "text": "I'll update the guide. Dark version too?"}],
          "checks": {"key_terms": ["SVG"], "owners": ["Leo", "Nadia"], "min_action_items": 2,
                     "min_open_questions": 1}})");
  json out = {{"summary", "Leo exports the SVG logo; Nadia updates the guide."},
              {"open_questions", {"Is a dark version needed?"}},
              {"action_items",
               {{{"item", "Export SVG"}, {"owner", "Leo"}},
                {{"item", "Update guide"}, {"owner", "Nadia"}}}}};
  CaseScore s = score_case(c, out);
  EXPECT_TRUE(s.pass) << failed(s);
  out["action_items"][1]["owner"] = nullptr;
  out["open_questions"] = json::array();
  s = score_case(c, out);
  EXPECT_EQ(failed(s), "owners min_open_questions");
  EXPECT_DOUBLE_EQ(s.find("owners")->score, 0.5);
}

TEST(EvalScore, ReplyAnswersTheQuestionAsked) {
  const EvalCase c = one(
      R"({"id": "re", "feature": "reply", "lang": "en",
          "input": "Vegetarian or chicken for lunch?",
          "checks": {"should_address": ["vegetarian", "chicken"], "min_questions": 1,
                     "max_reply_chars": 40}})");
  const json q = {{{"question", "Vegetarian or chicken?"}, {"options", {"Vegetarian", "Chicken"}}}};
  CaseScore s = score_case(
      c, {{"replies", {"Vegetarian, please!", "Chicken for me.", "Thanks!"}}, {"questions", q}});
  EXPECT_TRUE(s.pass) << failed(s);
  EXPECT_NEAR(s.find("should_address")->value, 2.0 / 3.0, 1e-12);
  s = score_case(c, {{"replies", {"Thanks!", "Sounds good", "Chicken"}}, {"questions", q}});
  EXPECT_EQ(failed(s), "should_address");
  s = score_case(c, {{"replies", {"Chicken"}},
                     {"questions", {{{"question", "Which?"}, {"options", {"Chicken"}}}}}});
  EXPECT_EQ(failed(s), "min_questions");
  s = score_case(c, {{"replies", {"Chicken", "Veg", "Both", "Neither"}}, {"questions", q}});
  EXPECT_EQ(failed(s).substr(0, 5), "shape");
  s = score_case(
      c, {{"replies", {"Chicken, and let me explain at length why that is."}}, {"questions", q}});
  EXPECT_EQ(failed(s), "max_reply_chars");
}

TEST(EvalScore, PriorityAndDeadline) {
  const EvalCase c = one(
      R"({"id": "pr", "feature": "priority", "lang": "zh", "input": "数据库今天下午6点停机维护。",
          "checks": {"urgent": true, "has_deadline": true, "deadline_terms": [["下午6点", "18:00"]]}})");
  CaseScore s =
      score_case(c, {{"urgent", true}, {"reason", "今天停机"}, {"deadline", "今天 18:00"}});
  EXPECT_TRUE(s.pass) << failed(s);
  s = score_case(c, {{"urgent", false}, {"reason", "普通通知"}, {"deadline", nullptr}});
  EXPECT_EQ(failed(s), "urgent has_deadline deadline_terms");
  s = score_case(c, {{"urgent", "yes"}, {"reason", "紧急"}});
  EXPECT_EQ(failed(s), "shape urgent has_deadline deadline_terms");
}

TEST(EvalScore, TagsEntitiesTypesAndSentiment) {
  const EvalCase c = one(
      R"({"id": "tg", "feature": "tags", "lang": "zh", "input": "华信贸易的李娜在杭州市签了合同，太好了！",
          "checks": {"entities": [{"text": "李娜", "type": "person"}, {"text": "华信贸易", "type": "org"},
                                  "杭州市"],
                     "sentiment": "positive", "topics": [["合同", "签约"]], "min_actions": 1}})");
  json out = {{"topics", {"签约"}},
              {"entities",
               {{{"text", "李娜"}, {"type", "person"}},
                {{"text", "华信贸易公司"}, {"type", "organization"}},
                {{"text", "杭州"}, {"type", "location"}}}},
              {"actions", {"寄送欢迎礼包"}},
              {"sentiment", "积极"}};
  CaseScore s = score_case(c, out);
  EXPECT_TRUE(s.pass) << failed(s);
  out["entities"][0]["type"] = "place";
  out["sentiment"] = "negative";
  s = score_case(c, out);
  EXPECT_EQ(failed(s), "entities sentiment");
  EXPECT_NEAR(s.find("entities")->score, 2.0 / 3.0, 1e-12);
  // One character is too little to name an entity.
  out["entities"] = {{{"text", "李"}, {"type", "person"}}};
  s = score_case(c, out);
  EXPECT_DOUBLE_EQ(s.find("entities")->score, 0.0);
}

TEST(EvalScore, RefusalsAndJunkAreFailuresNotCrashes) {
  const EvalCase c = one(kSummary);
  CaseScore s = score_case(
      c, {{"summary", ""}, {"refused", {{"category", "A1.8"}, {"message", "不能回答"}}}});
  EXPECT_FALSE(s.pass);
  EXPECT_EQ(failed(s), "not_refused");
  EXPECT_EQ(s.error, "refused (A1.8): 不能回答");
  for (const json& junk : {json(nullptr), json(42), json("text"), json::array(), json::object()}) {
    s = score_case(c, junk);
    EXPECT_FALSE(s.pass) << junk.dump();
    EXPECT_FALSE(s.find("shape")->pass) << junk.dump();
  }
  // Invalid UTF-8 in an answer is measured, not trusted.
  s = score_case(c, {{"summary", "Elm Avenue \xff\xfe June 3 renovation"}});
  EXPECT_TRUE(s.find("key_terms")->pass);
}

}  // namespace
}  // namespace zhi::features::eval
