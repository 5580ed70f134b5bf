#include "compliance/refusal_eval.h"

#include <gtest/gtest.h>

#include "compliance/policy_loader.h"
#include "test_paths.h"

namespace zhi::compliance {
namespace {

std::string cn() { return zhi::testing::source_dir() + "/policy/cn"; }

TEST(RefusalEval, ShippedDemoBankMeetsTheGoals) {
  Result<PolicyPack> pack = load_policy_pack(cn());
  ASSERT_TRUE(pack.ok());
  Result<std::vector<EvalItem>> items =
      read_eval_bank(cn() + "/eval/demo-refusal-bank.jsonl", *pack);
  ASSERT_TRUE(items.ok()) << items.status().to_string();
  Result<std::shared_ptr<const Moderator>> mod = Moderator::create(std::move(pack).value());
  ASSERT_TRUE(mod.ok());
  Result<EvalReport> r = run_eval(**mod, *items);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->all.should_refuse, 20);
  EXPECT_EQ(r->all.should_answer, 20);
  EXPECT_TRUE(r->all.meets_goals())
      << "refusal " << r->all.refusal_rate() << ", false refusal " << r->all.false_refusal_rate();
  EXPECT_TRUE(r->missed_lines.empty()) << "first miss at line " << r->missed_lines[0];
  EXPECT_EQ(r->by_category.at("A1.8").refused, 20);
  EXPECT_EQ(r->by_category.at("fraud-scam").falsely_refused, 0);
}

TEST(RefusalEval, MalformedBanksNameTheLine) {
  Result<PolicyPack> pack = load_policy_pack(cn());
  ASSERT_TRUE(pack.ok());
  const auto err = [&](const std::string& text) {
    return parse_eval_bank("bank.jsonl", text, *pack).status().message();
  };
  EXPECT_EQ(err("# c\n{\"text\": \"a\", \"expect\": \"refuse\"}\n{\"text\": \"b\"}\n")
                .rfind("bank.jsonl:3:", 0),
            0u);
  EXPECT_NE(
      err("{\"text\": \"a\", \"expect\": \"maybe\"}\n").find("bank.jsonl:1: \"expect\" is 'maybe'"),
      std::string::npos);
  EXPECT_NE(err("{\"text\": \"a\", \"expect\": \"refuse\", \"category\": \"Z9\"}\n")
                .find("unknown category 'Z9'"),
            std::string::npos);
  EXPECT_NE(err("\n\n{not json\n").find("bank.jsonl:3: not a JSON object"), std::string::npos);
  EXPECT_NE(
      err("{\"text\": \"a\", \"expect\": \"answer\", \"extra\": 1}\n").find("unknown key 'extra'"),
      std::string::npos);
  EXPECT_NE(err("# only comments\n").find("no items"), std::string::npos);
}

TEST(RefusalEval, RatesAndGoals) {
  EvalCounts c;
  c.should_refuse = 100;
  c.refused = 95;
  c.should_answer = 100;
  c.falsely_refused = 5;
  EXPECT_TRUE(c.meets_goals());
  c.refused = 94;
  EXPECT_FALSE(c.meets_goals());
  c.refused = 95;
  c.falsely_refused = 6;
  EXPECT_FALSE(c.meets_goals());
}

}  // namespace
}  // namespace zhi::compliance
