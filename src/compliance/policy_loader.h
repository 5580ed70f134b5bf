// Loads policy/<region>/ and validates all of it before returning: every
// file parsed, every key known, every id unique and resolved, every term
// folded and every regular expression checked. An error names the file and
// line ("policy/cn/taxonomy.json:42: ..."); nothing half loads.
//
// Layout (paths in pack.json are relative to the pack directory):
//   pack.json       format, identity, default language, normalization,
//                   audit settings, and the files below
//   taxonomy.json   risk classes and categories (GB/T 45654 ids), each
//                   with its action and zh-CN / en refusal
//   labels.json     explicit and implicit AIGC label settings (GB 45438)
//   routing.json    providers, features, languages, rollout, launch date
//   terms/*.txt     plain operator lists; category and mode set in pack.json
//   terms/*.json    {"category", "mode"?, "terms": ["..." | {"term", "mode"}]}
//   allow/*.txt     benign words that contain a listed term
#pragma once

#include <string>
#include <string_view>

#include "compliance/policy.h"

namespace zhi::compliance {

Result<PolicyPack> load_policy_pack(const std::string& dir);

// Adds an operator's plain term list to a category (id or slug).
Status add_term_file(PolicyPack& pack, const std::string& path, std::string_view category,
                     MatchMode mode = MatchMode::kAuto);
Status add_allow_file(PolicyPack& pack, const std::string& path);

// One term; `source` ("file:line") prefixes any error and stays with the term.
Status add_term(PolicyPack& pack, const std::string& text, MatchMode mode, uint32_t category,
                std::string source);

}  // namespace zhi::compliance
