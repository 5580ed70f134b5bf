// A whole text scanned as parts (block_scan.h): each part's scanner starts
// at the part's offset and keeps its folded text; the regex terms then run
// once over all of it, as one scanner over the whole text runs them.
#include <algorithm>

#include "compliance/scanner.h"

namespace zhi::compliance {

Scanner Scanner::part_of_text(std::shared_ptr<const MatchRules> rules, uint64_t base) {
  Scanner s(std::move(rules));
  s.offset_ = base;
  s.whole_piece_ = true;
  s.use_regex_ = s.r_->regex && s.r_->regex->size() > 0;
  return s;
}

Status Scanner::regex_over_parts(std::vector<Scanner>& parts, std::vector<Hit>* hits) {
  if (parts.empty() || !parts.front().use_regex_) return Status();
  ZHI_ASSIGN_OR_RETURN(Scanner all, Scanner::create(parts.front().rules_));
  // The parts' folded texts, one after the other, are the whole text's
  // folded stream; their original offsets are absolute already. Every allow
  // span is kept: a regex match may lie in any part, or across two.
  uint64_t folded_at = 0;
  for (const Scanner& p : parts) {
    for (FoldedRecord r : p.folded_records_) {
      r.folded += folded_at;
      all.folded_records_.push_back(r);
    }
    folded_at += p.folded_.size();
    all.allows_.insert(all.allows_.end(), p.allows_.begin(), p.allows_.end());
  }
  const auto on_match = [&all](unsigned id, uint64_t f, uint64_t t) { all.regex_match(id, f, t); };
  for (const Scanner& p : parts)
    ZHI_RETURN_IF_ERROR(all.regex_->scan(p.folded_.data(), p.folded_.size(), on_match));
  ZHI_RETURN_IF_ERROR(all.regex_->close(on_match));
  all.settle(/*all=*/true);
  all.finished_ = true;
  hits->insert(hits->end(), all.hits_.begin(), all.hits_.end());
  return Status();
}

}  // namespace zhi::compliance
