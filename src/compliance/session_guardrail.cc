#include "compliance/session_guardrail.h"

#include "compliance/audit_log.h"

namespace zhi::compliance {

std::shared_ptr<SessionGuardrail> SessionGuardrail::create(
    std::shared_ptr<const Moderator> moderator) {
  return std::shared_ptr<SessionGuardrail>(new SessionGuardrail(std::move(moderator)));
}

GuardrailHook SessionGuardrail::hook() {
  std::shared_ptr<SessionGuardrail> self = shared_from_this();
  return [self](GuardrailStage stage, std::string_view text) {
    std::lock_guard<std::mutex> lk(self->mu_);
    return stage == GuardrailStage::kPrompt ? self->on_prompt(text) : self->on_response(text);
  };
}

Result<std::string> SessionGuardrail::screen_prompt(std::string_view prompt) {
  ZHI_ASSIGN_OR_RETURN(Verdict v, mod_->check(prompt));
  std::string sent = v.decision == Action::kMask ? v.masked : std::string(prompt);
  std::lock_guard<std::mutex> lk(mu_);
  screened_.emplace(sent, std::move(v));
  return sent;
}

GuardrailVerdict SessionGuardrail::block(GuardrailStage stage, int category,
                                         const std::string& refusal) {
  outcome_.blocked = true;
  outcome_.stage = stage;
  outcome_.category = category;
  outcome_.category_id = category >= 0 ? mod_->category(static_cast<uint32_t>(category)).id : "";
  outcome_.refusal = refusal;
  pending_.clear();  // nothing held back is shown; what was shown is retracted
  StreamStep retract;
  retract.stop = true;
  retract.replace = true;
  retract.text = refusal;
  retract.category = category;
  pending_.push_back(std::move(retract));
  // The session's message names the category; the matched text never leaves here.
  return GuardrailVerdict{false, "category " + outcome_.category_id + ": " + refusal};
}

std::function<Expected<std::string>(std::string_view)> SessionGuardrail::record_filter() {
  std::shared_ptr<SessionGuardrail> self = shared_from_this();
  return [self](std::string_view text) -> Expected<std::string> {
    std::string language;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      language = self->outcome_.language;
    }
    Result<Verdict> v = self->mod_->check(text, language);
    if (!v.ok()) return Error(ErrorCode::kInternal, "moderation failed: " + v.status().message());
    if (v->decision == Action::kRefuse)
      return Error(ErrorCode::kGuardrailViolation,
                   "the response was blocked: category " +
                       self->mod_->pack().categories[static_cast<size_t>(v->category)].id);
    if (v->decision == Action::kMask) return std::move(v->masked);
    return std::string(text);
  };
}

// A new request: everything about the last one is forgotten.
GuardrailVerdict SessionGuardrail::on_prompt(std::string_view text) {
  stream_.reset();
  seen_ = 0;
  finished_ = false;
  pending_.clear();
  outcome_ = GuardrailOutcome{};
  Verdict v;
  if (screened_ && screened_->first == text) {
    v = std::move(screened_->second);
  } else {
    Result<Verdict> checked = mod_->check(text);
    if (!checked.ok())
      return GuardrailVerdict{false, "moderation failed: " + checked.status().message()};
    v = std::move(checked).value();
  }
  screened_.reset();
  outcome_.language = v.language;
  outcome_.input = v;
  if (v.decision == Action::kRefuse) return block(GuardrailStage::kPrompt, v.category, v.refusal);
  Result<StreamModerator> s = mod_->stream(outcome_.language);
  if (!s.ok()) return GuardrailVerdict{false, "moderation failed: " + s.status().message()};
  stream_.emplace(std::move(s).value());
  return GuardrailVerdict{};
}

// `content` is the whole answer so far. The session asks before releasing each
// new (never empty) piece, and once more at the end with nothing new: that
// last call releases the text held back and settles the end-of-text matches.
GuardrailVerdict SessionGuardrail::on_response(std::string_view content) {
  if (outcome_.blocked) return GuardrailVerdict{false, "category " + outcome_.category_id};
  if (!stream_) {  // the hook was installed but the prompt stage never ran
    Result<StreamModerator> s = mod_->stream(mod_->language_for(content));
    if (!s.ok()) return GuardrailVerdict{false, "moderation failed: " + s.status().message()};
    stream_.emplace(std::move(s).value());
  }
  if (content.size() < seen_ || (finished_ && content.size() > seen_))
    return GuardrailVerdict{false, "moderation failed: the answer changed after it was checked"};
  Result<StreamStep> step = Status();
  if (content.size() > seen_) {
    step = stream_->feed(content.substr(seen_));
    seen_ = content.size();
  } else if (!finished_) {
    step = stream_->finish();
    finished_ = true;
  } else {
    return GuardrailVerdict{};
  }
  if (!step.ok()) return GuardrailVerdict{false, "moderation failed: " + step.status().message()};
  if (step->stop) {
    outcome_.output = stream_->verdict();
    return block(GuardrailStage::kResponse, step->category, step->text);
  }
  if (step->replace || !step->text.empty()) pending_.push_back(std::move(step).value());
  if (finished_) outcome_.output = stream_->verdict();
  return GuardrailVerdict{};
}

bool SessionGuardrail::drain(const ShowCallback& show) {
  std::vector<StreamStep> steps;
  {
    std::lock_guard<std::mutex> lk(mu_);
    steps.swap(pending_);
  }
  for (const StreamStep& s : steps)
    if (!show(ShownText{s.replace, s.text})) return false;
  return true;
}

GuardrailOutcome SessionGuardrail::outcome() const {
  std::lock_guard<std::mutex> lk(mu_);
  return outcome_;
}

Expected<GuardedReply> guarded_stream(Session& session, SessionGuardrail& guard,
                                      std::string_view prompt, const GenerationOptions& options,
                                      const ShowCallback& show) {
  Result<std::string> sent = guard.screen_prompt(prompt);
  if (!sent.ok())
    return Error(ErrorCode::kInternal, "moderation failed: " + sent.status().message());
  std::string shown;
  const ShowCallback apply = [&](const ShownText& t) {
    if (t.replace) shown.clear();
    shown += t.text;
    return show ? show(t) : true;
  };
  Expected<Response> r =
      session.stream(*sent, options, [&](const StreamDelta&) { return guard.drain(apply); });
  GuardedReply reply;
  if (!r.ok()) {
    if (r.error().code() != ErrorCode::kGuardrailViolation || !guard.outcome().blocked)
      return r.error();
    if (!guard.drain(apply))
      return Error(ErrorCode::kCancelled, "the show callback cancelled the request");
    reply.outcome = guard.outcome();
    reply.response.content = shown;
    return reply;
  }
  if (!guard.drain(apply))
    return Error(ErrorCode::kCancelled, "the show callback cancelled the request");
  reply.response = std::move(r).value();
  reply.response.content = shown;
  reply.outcome = guard.outcome();
  return reply;
}

AuditRecord guarded_audit_record(const Moderator& moderator, const GuardrailOutcome& outcome,
                                 std::string_view prompt, std::string_view shown,
                                 const std::string& produce_id, const std::string& feature,
                                 const std::string& provider) {
  const PolicyPack& p = moderator.pack();
  const Verdict* from = &outcome.input;
  if (outcome.output.decision > outcome.input.decision) from = &outcome.output;
  if (outcome.blocked)
    from = outcome.stage == GuardrailStage::kPrompt ? &outcome.input : &outcome.output;
  AuditRecord r;
  r.request_id = produce_id;
  r.produce_id = produce_id;
  r.region = p.identity.region;
  r.feature = feature;
  r.provider = provider;
  r.decision = action_name(outcome.blocked ? Action::kRefuse : from->decision);
  const int category = outcome.blocked ? outcome.category : from->category;
  if (category >= 0) {
    r.category = p.categories[static_cast<size_t>(category)].id;
    for (const Finding& f : from->findings) {
      if (static_cast<int>(f.category) == category) {
        r.rule = p.terms[f.rule].source;
        break;
      }
    }
  }
  set_audit_texts(p.audit, prompt, shown, &r);
  return r;
}

}  // namespace zhi::compliance
