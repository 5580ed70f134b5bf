#include "compliance/stream_moderator.h"

namespace zhi::compliance {

StreamModerator::StreamModerator(std::shared_ptr<const Moderator> mod, Scanner scanner,
                                 std::string language)
    : mod_(std::move(mod)), scanner_(std::move(scanner)) {
  verdict_.language = std::move(language);
}

Result<StreamStep> StreamModerator::feed(std::string_view delta) {
  if (stopped_ || finished_) {
    StreamStep s;
    s.stop = stopped_;
    s.category = verdict_.category;
    return s;
  }
  text_.append(delta);
  ZHI_RETURN_IF_ERROR(scanner_.feed(delta));
  return step(false);
}

Result<StreamStep> StreamModerator::finish() {
  if (stopped_ || finished_) {
    StreamStep s;
    s.stop = stopped_;
    s.category = verdict_.category;
    return s;
  }
  ZHI_RETURN_IF_ERROR(scanner_.finish());
  StreamStep s = step(true);
  finished_ = true;
  if (!stopped_ && !masks_.empty()) verdict_.masked = mask_spans(text_, 0, masks_);
  return s;
}

StreamStep StreamModerator::step(bool at_end) {
  StreamStep out;
  bool rewrite = false;
  for (const Hit& h : scanner_.hits()) {
    const uint32_t cat = mod_->pack().terms[h.rule].category;
    const Action action = mod_->category(cat).action;
    verdict_.findings.push_back({cat, action, h.rule, h.begin, h.end});
    if (action > verdict_.decision) {
      verdict_.decision = action;
      verdict_.category = static_cast<int>(cat);
    }
    if (action == Action::kMask) {
      masks_.emplace_back(h.begin, h.end);
      if (h.begin < released_) {
        rewrite = true;
        out.category = static_cast<int>(cat);
      }
    }
  }
  scanner_.hits().clear();
  if (verdict_.decision == Action::kRefuse) {
    stopped_ = true;
    verdict_.refusal = mod_->category(verdict_.category).refusal.in(verdict_.language);
    out.stop = true;
    out.replace = true;
    out.text = verdict_.refusal;
    out.category = verdict_.category;
    return out;
  }
  const uint64_t stable = at_end ? text_.size() : scanner_.stable_end();
  if (rewrite) {
    out.replace = true;
    out.text = mask_spans(std::string_view(text_).substr(0, stable), 0, masks_);
    released_ = stable;
  } else if (stable > released_) {
    out.text = mask_spans(std::string_view(text_).substr(released_, stable - released_), released_,
                          masks_);
    released_ = stable;
  }
  return out;
}

}  // namespace zhi::compliance
