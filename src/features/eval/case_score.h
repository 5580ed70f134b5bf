// Scores one feature answer against its case's checks. The answer is the
// feature's JSON result in its fixed shape (proofread {"corrected", "edits"},
// rewrite {"text"}, summarize {"summary", "coverage"}, ...). Each check gives
// pass/fail, a score in [0, 1] (1 = fully met; partial credit where the check
// has parts, such as the share of key terms covered) and the raw measurement
// it was judged on. An answer of the wrong shape fails its "shape" check; a
// refused answer fails "not_refused" and nothing else is scored.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "features/eval/eval_case.h"

namespace zhi::features::eval {

struct CheckResult {
  std::string name;  // the check's key in the case, or shape / not_refused / edits_apply / lang
  bool pass = false;
  double score = 0.0;  // 0..1
  double value = 0.0;  // what was measured: a ratio, a count, a share
  std::string detail;  // why it failed, or what was measured, for people
};

struct CaseScore {
  std::string id, feature, lang;
  bool pass = false;  // every check passed and the feature ran
  std::vector<CheckResult> checks;
  std::string error;      // the feature's failure or refusal; empty when it answered
  nlohmann::json output;  // the answer scored (null when the feature failed)
  double seconds = 0.0;   // time the feature took, set by run_eval

  // The check with this name, or nullptr.
  const CheckResult* find(const std::string& name) const;
};

CaseScore score_case(const EvalCase& c, const nlohmann::json& output);

// The answer's prose, in which terms, language and length are judged: the
// corrected text, the summary, the points or cells joined by newlines, ...
std::string output_text(const std::string& feature, const nlohmann::json& output);

}  // namespace zhi::features::eval
