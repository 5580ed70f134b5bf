// Cases for the feature quality eval (`zhi eval features --set DIR`): every
// *.jsonl file in DIR holds one case a line,
//   {"id", "feature", "lang", "input", "params", "checks"}
// where checks are machine-checkable properties of a good answer (see
// evals/features/README.md for the vocabulary). Loading validates every case
// against the vocabulary and against its own input (a proofread's seeded
// error must be in the input, a term to keep must be there to keep, ...), so
// a case that no answer could pass is an error naming its file and line.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zhi::features::eval {

// Feature names as the CLI spells them, in the order reports list them.
inline constexpr std::string_view kFeatures[] = {
    "proofread",      "rewrite",        "summarize", "key-points", "list", "table",
    "notify-summary", "thread-summary", "reply",     "priority",   "tags"};
bool is_known_feature(std::string_view feature);

struct EvalCase {
  std::string id;
  std::string feature;  // one of kFeatures
  std::string lang;     // "zh" (Simplified Chinese) or "en"
  // A string; for notify-summary an array of {app, sender, title, body, time};
  // for thread-summary (and optionally reply) an array of {sender, time, text}.
  nlohmann::json input;
  nlohmann::json params;  // object: tone, instruction, max_chars, ...; {} when absent
  nlohmann::json checks;  // object, never empty
  std::string source;     // "file:line", for messages
};

// All *.jsonl files directly in `dir`, in name order. Blank lines and lines
// starting with '#' are skipped. Errors name file and line; ids must be unique
// across the whole set.
Result<std::vector<EvalCase>> load_cases(const std::filesystem::path& dir);

// One file's text; `file` only names it in messages.
Result<std::vector<EvalCase>> parse_cases(const std::string& file, const std::string& text);

// The input as plain text: the string itself, or the text fields of the
// notifications / messages, one per line.
std::string input_text(const EvalCase& c);

}  // namespace zhi::features::eval
