// zhi eval features --model MODEL --set DIR: the feature quality eval. Every
// case in DIR's *.jsonl files runs through the features (zhi/features.hpp),
// its answer is scored against the case's checks, and a feature x language
// table (or --json report) is printed. Progress on stderr.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/cli_common.h"
#include "features/eval/eval_case.h"
#include "features/eval/eval_report.h"
#include "zhi/features.hpp"

namespace zhi::cli {
namespace {

struct EvalArgs {
  std::string model;
  std::string set;
  int threads = default_threads();
  int64_t ctx = 4096;
  bool json = false;
  float temp = 0.0f;
  uint64_t seed = 0x5EED;
};

int eval_features_main(const EvalArgs& a) {
  auto cases = features::eval::load_cases(a.set);
  if (!cases.ok()) return report(cases.status());
  if (cases->empty())
    return report(invalid_argument("--set " + a.set + ": no cases (*.jsonl files) there"));
  ModelOptions mo;
  mo.context_size = a.ctx;
  mo.threads = a.threads;
  auto model = Model::load(a.model, mo);
  if (!model.ok()) return report(Status(StatusCode::kInvalidArgument, model.error().to_string()));
  features::FeatureOptions o;
  o.generation.greedy = a.temp <= 0.0f;
  if (!o.generation.greedy) o.generation.temperature = a.temp;
  o.generation.seed = a.seed;
  const std::shared_ptr<Model> m = model.value();
  // The runner records an exception as that case's failure and goes on.
  const auto run = [&](const features::eval::EvalCase& c) -> nlohmann::json {
    const auto f = features::parse_feature(c.feature);
    if (!f) throw std::runtime_error("unknown feature '" + c.feature + "'");
    auto r = features::run_feature(m, *f, c.input, c.params, o);
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    return std::move(r).value();
  };
  ProgressBar bar("eval features");
  const features::eval::EvalReport rep = features::eval::run_eval(
      *cases, run, [&](size_t done, size_t total) { bar.update(done, total); });
  bar.finish();
  if (a.json) {
    std::printf("%s\n", features::eval::to_json(rep).dump(2).c_str());
  } else {
    features::eval::print_table(rep, std::cout);
  }
  return 0;
}

}  // namespace

Command add_eval_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("eval", "quality evals");
  cmd->require_subcommand(1);
  auto a = std::make_shared<EvalArgs>();
  CLI::App* f = cmd->add_subcommand(
      "features", "score the intelligence features on a case set (evals/features)");
  f->add_option("-m,--model", a->model,
                "GGUF model file (a Qwen2.5 instruct model for meaningful numbers)")
      ->required();
  f->add_option("--set", a->set, "directory of *.jsonl cases, e.g. evals/features")
      ->required()
      ->check(CLI::ExistingDirectory);
  f->add_option("-t,--threads", a->threads, "threads")->check(CLI::Range(1, 512));
  f->add_option("-c,--ctx-size", a->ctx, "context size in tokens")
      ->check(CLI::Range(int64_t{64}, int64_t{1} << 24));
  f->add_flag("--json", a->json, "print the full report (every case and check) as JSON");
  f->add_option("--temp", a->temp, "temperature; 0 (default) = greedy")
      ->check(CLI::Range(0.0f, 5.0f));
  f->add_option("-s,--seed", a->seed, "random seed (with --temp > 0)");
  return {cmd, [a] { return eval_features_main(*a); }};
}

}  // namespace zhi::cli
