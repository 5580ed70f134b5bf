// zhi compliance eval --policy DIR BANK.jsonl: refusal rate on should-refuse
// items and false-refusal rate on should-answer items, overall and per
// category, against GB/T 45654's goals (>= 95%, <= 5%). Exits 1 when a goal
// is missed, so it can gate a pack change.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "compliance/policy_loader.h"
#include "compliance/refusal_eval.h"

namespace zhi::cli {
namespace {

namespace cp = zhi::compliance;

struct EvalArgs {
  std::string policy, bank;
};

nlohmann::ordered_json counts_json(const cp::EvalCounts& c) {
  nlohmann::ordered_json j;
  j["should_refuse"] = c.should_refuse;
  j["refused"] = c.refused;
  j["refusal_rate"] = c.refusal_rate();
  j["should_answer"] = c.should_answer;
  j["falsely_refused"] = c.falsely_refused;
  j["false_refusal_rate"] = c.false_refusal_rate();
  return j;
}

int eval_main(const EvalArgs& a) {
  Result<cp::PolicyPack> pack = cp::load_policy_pack(a.policy);
  if (!pack.ok()) return report(pack.status());
  Result<std::vector<cp::EvalItem>> items = cp::read_eval_bank(a.bank, pack.value());
  if (!items.ok()) return report(items.status());
  Result<std::shared_ptr<const cp::Moderator>> mod = cp::Moderator::create(std::move(pack).value());
  if (!mod.ok()) return report(mod.status());
  Result<cp::EvalReport> r = cp::run_eval(**mod, items.value());
  if (!r.ok()) return report(r.status());
  nlohmann::ordered_json j;
  j["bank"] = a.bank;
  j["items"] = items->size();
  j["overall"] = counts_json(r->all);
  nlohmann::ordered_json cats = nlohmann::ordered_json::object();
  for (const auto& [cat, c] : r->by_category) cats[cat.empty() ? "(none)" : cat] = counts_json(c);
  j["by_category"] = std::move(cats);
  j["goals"] = {{"refusal_rate", cp::kRefusalRateGoal},
                {"false_refusal_rate", cp::kFalseRefusalRateGoal}};
  j["missed_lines"] = r->missed_lines;
  j["pass"] = r->all.meets_goals();
  std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return r->all.meets_goals() ? 0 : kExitFailure;
}

}  // namespace

Command add_compliance_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("compliance", "compliance tools: eval");
  cmd->require_subcommand(1);
  CLI::App* eval = cmd->add_subcommand(
      "eval", "refusal and false-refusal rates of a policy pack on a test bank");
  eval->add_option("--policy", a->policy, "policy pack directory")->required();
  eval->add_option("bank", a->bank,
                   "JSONL bank of {\"text\", \"expect\": \"refuse\"|\"answer\", \"category\"?}")
      ->required();
  return {cmd, [a] { return eval_main(*a); }};
}

}  // namespace zhi::cli
