// A policy pack's decisions inside a zhi::Session (the session layer knows
// nothing of policies; this adapter speaks its GuardrailHook):
//
//   auto guard = SessionGuardrail::create(moderator);
//   SessionOptions so;
//   so.guardrail = guard->hook();
//   so.record_filter = guard->record_filter();
//   auto session = Session::create(model, so).value();
//   GuardedReply r = guarded_stream(*session, *guard, prompt, options, show).value();
//
// - A prompt that hits a refuse category is refused before anything is
//   generated, in the user's language.
// - Generated text is moderated as it streams (a term split across tokens is
//   still caught). A refuse hit stops generation: the session returns
//   guardrail_violation naming the category, never the matched text, and the
//   caller's display is told to retract what it showed and show the refusal.
// - Mask hits are starred before the text is shown (text is held back only
//   while a term could still complete over it); a masked prompt reaches the
//   model masked, and with record_filter() installed a masked answer is
//   recorded masked, so later turns and saved transcripts never hold it raw.
//
// One SessionGuardrail per session (it follows one request at a time).
// Plain Session::respond/stream with only hook() installed still gets the
// refusals and the stop; guarded_stream adds masking and retraction.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/audit_store.h"
#include "compliance/moderator.h"
#include "compliance/stream_moderator.h"
#include "zhi/session.hpp"

namespace zhi::compliance {

// What to show the user next. `replace`: discard everything shown so far.
struct ShownText {
  bool replace = false;
  std::string_view text;
};
// Returning false cancels the request.
using ShowCallback = std::function<bool(const ShownText&)>;

// The decisions of the last request.
struct GuardrailOutcome {
  bool blocked = false;
  GuardrailStage stage = GuardrailStage::kPrompt;  // where it was blocked
  int category = -1;                               // PolicyPack::categories index; -1: none
  std::string category_id;                         // "A1.8"
  std::string language;                            // the user's, from the prompt
  std::string refusal;                             // what the user is shown instead
  Verdict input;                                   // the prompt's verdict
  Verdict output;                                  // the answer's (masked text when it masks)
};

class SessionGuardrail : public std::enable_shared_from_this<SessionGuardrail> {
 public:
  static std::shared_ptr<SessionGuardrail> create(std::shared_ptr<const Moderator> moderator);

  // For SessionOptions::guardrail. Holds this guardrail alive.
  GuardrailHook hook();
  // For SessionOptions::record_filter: the answer as the transcript keeps
  // it, with this pack's mask spans starred (a refuse hit is an error; the
  // hook has stopped such an answer already). Holds this guardrail alive.
  std::function<Expected<std::string>(std::string_view text)> record_filter();

  // The prompt to send: masked when the pack masks part of it. Remembers the
  // verdict for the outcome (the hook then sees the masked text).
  Result<std::string> screen_prompt(std::string_view prompt);

  // Moves the text moderated so far (held back, masked, or a retraction) to `show`.
  bool drain(const ShowCallback& show);

  GuardrailOutcome outcome() const;
  const Moderator& moderator() const { return *mod_; }

 private:
  explicit SessionGuardrail(std::shared_ptr<const Moderator> mod) : mod_(std::move(mod)) {}
  GuardrailVerdict on_prompt(std::string_view text);
  GuardrailVerdict on_response(std::string_view content);
  GuardrailVerdict block(GuardrailStage stage, int category, const std::string& refusal);

  std::shared_ptr<const Moderator> mod_;
  mutable std::mutex mu_;
  std::optional<std::pair<std::string, Verdict>> screened_;  // prompt sent -> its original verdict
  std::optional<StreamModerator> stream_;
  size_t seen_ = 0;  // bytes of the answer fed to stream_
  bool finished_ = false;
  std::vector<StreamStep> pending_;  // moderated text not yet shown
  GuardrailOutcome outcome_;
};

struct GuardedReply {
  Response response;  // content: what the user was shown (masked answer, or the refusal)
  GuardrailOutcome outcome;
};

// Runs one request through `session` (created with guard.hook()): screens the
// prompt, streams moderated text to `show` (may be empty), and turns a
// guardrail violation into a refusal reply. Other errors are returned.
Expected<GuardedReply> guarded_stream(Session& session, SessionGuardrail& guard,
                                      std::string_view prompt, const GenerationOptions& options,
                                      const ShowCallback& show);

// The audit record of a guarded generation: the most severe decision of prompt
// and answer (refuse when blocked), its category and rule, hashes of the prompt
// and of what was shown (raw text only when the pack says so).
AuditRecord guarded_audit_record(const Moderator& moderator, const GuardrailOutcome& outcome,
                                 std::string_view prompt, std::string_view shown,
                                 const std::string& produce_id, const std::string& feature,
                                 const std::string& provider);

}  // namespace zhi::compliance
