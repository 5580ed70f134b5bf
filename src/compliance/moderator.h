// The compliance layer's entry point: a policy pack compiled into matchers,
// and the decision for a text. Thread-safe and shared: every request or
// generation stream makes its own scanner over the same compiled rules.
//
//   auto mod = Moderator::create(load_policy_pack("policy/cn").value()).value();
//   Verdict v = mod->check(user_text).value();
//   if (v.decision == Action::kRefuse) reply(v.refusal);  // no generation
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/match_rules.h"
#include "compliance/policy.h"

namespace zhi::compliance {

struct Finding {
  uint32_t category;  // index into PolicyPack::categories
  Action action;
  uint32_t rule;        // index into PolicyPack::terms (source line, for operators)
  uint64_t begin, end;  // bytes of the original text
};

struct Verdict {
  Action decision = Action::kAllow;  // the most severe action of any finding
  int category = -1;                 // the category behind it (first such finding), -1 if none
  std::vector<Finding> findings;     // in text order (by begin, end, then rule)
  std::string language;              // what the refusal is written in
  std::string refusal;               // set when decision == kRefuse
  std::string masked;  // set when decision == kMask: the text with masked spans starred
};

class StreamModerator;

class Moderator : public std::enable_shared_from_this<Moderator> {
 public:
  static Result<std::shared_ptr<const Moderator>> create(PolicyPack pack);

  // `language` ("zh-CN" / "en") picks the refusal's language; empty detects it from the text.
  Result<Verdict> check(std::string_view text, std::string_view language = {}) const;

  // For generated output, in the user's language (detect it from their input).
  Result<StreamModerator> stream(std::string language) const;

  const PolicyPack& pack() const { return pack_; }
  const Category& category(uint32_t i) const { return pack_.categories[i]; }
  const std::shared_ptr<const MatchRules>& rules() const { return rules_; }
  std::string language_for(std::string_view text) const;

  // Builds a Verdict from final hits of `text`.
  Verdict decide(std::string_view text, const std::vector<Hit>& hits, std::string language) const;

 private:
  Moderator() = default;
  PolicyPack pack_;
  std::shared_ptr<const MatchRules> rules_;
};

// `text` holds bytes [base, base + text.size()) of a longer text; every code
// point inside any of `spans` (offsets in that longer text) becomes one '*'.
std::string mask_spans(std::string_view text, uint64_t base,
                       std::vector<std::pair<uint64_t, uint64_t>> spans);

}  // namespace zhi::compliance
