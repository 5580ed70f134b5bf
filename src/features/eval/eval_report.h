// Runs a case set through the features and sums the scores per feature and
// language: `zhi eval features --model MODEL --set DIR` prints print_table's
// table, and --json prints to_json.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "features/eval/case_score.h"
#include "features/eval/eval_case.h"

namespace zhi::features::eval {

// One row of the table: the cases of one feature in one language.
struct FeatureStats {
  std::string feature, lang;
  size_t cases = 0;
  size_t passed = 0;
  size_t errors = 0;  // the feature threw or refused
  double seconds = 0.0;
  std::map<std::string, double> score_sum;  // check name -> sum of its scores
  std::map<std::string, size_t> score_n;    // check name -> cases that ran it

  double pass_rate() const { return cases ? double(passed) / double(cases) : 0.0; }
  double mean_score(const std::string& check) const;
  double mean_seconds() const { return cases ? seconds / double(cases) : 0.0; }
};

struct EvalReport {
  std::vector<CaseScore> cases;    // in the order run
  std::vector<FeatureStats> rows;  // kFeatures order, then "en" before "zh"
  FeatureStats total;              // feature "all", lang "all"
};

// Runs every case through `run_feature` and scores its answer. An exception
// from run_feature fails that case with the exception's message; the run goes
// on. `progress` (may be empty) hears (done, total) after each case.
EvalReport run_eval(const std::vector<EvalCase>& cases,
                    const std::function<nlohmann::json(const EvalCase&)>& run_feature,
                    const std::function<void(size_t done, size_t total)>& progress);

// Builds rows and total from already scored cases.
void summarize(EvalReport& report);

// Feature x language table: cases, passed, pass rate, mean check scores,
// failures to answer, mean seconds; then a total line.
void print_table(const EvalReport& report, std::ostream& out);

// {"total": {...}, "rows": [{feature, lang, cases, passed, pass_rate, errors,
//  mean_seconds, mean_scores: {check: mean}}], "cases": [{id, feature, lang, pass,
//  error, seconds, output, checks: [{name, pass, score, value, detail}]}]}
nlohmann::json to_json(const EvalReport& report);

}  // namespace zhi::features::eval
