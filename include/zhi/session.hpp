// A conversation with a model: instructions, a transcript, tools, and the KV
// state behind them. One request at a time; cancel(), is_responding() and
// transcript() may be called from any thread. Destroy a session only when no
// request is in flight. Between requests its KV state waits in the model's
// prefix cache, so another session with the same prefix can reuse it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "zhi/errors.hpp"
#include "zhi/model.hpp"
#include "zhi/options.hpp"
#include "zhi/tools.hpp"
#include "zhi/transcript.hpp"

namespace zhi {

// Where the guardrail hook is asked: the user's prompt before anything runs,
// and the answer so far before each piece of it is released (and once at the end).
enum class GuardrailStage { kPrompt, kResponse };

struct GuardrailVerdict {
  bool allowed = true;
  std::string reason;  // becomes the kGuardrailViolation message
};

// Filled by the compliance layer. Must be cheap: it runs once per streamed delta.
using GuardrailHook = std::function<GuardrailVerdict(GuardrailStage stage, std::string_view text)>;

struct SessionOptions {
  std::string instructions;  // the system prompt; empty: the model's default
  std::vector<Tool> tools;
  GuardrailHook guardrail;
  // Optional: what an answer is recorded as. Each model turn's text goes
  // through it before it enters the transcript, and the whole answer before
  // it becomes Response::content. The compliance layer passes one that stars
  // masked spans, so a masked answer never reaches the next turn's prompt, a
  // saved transcript or an export unmasked. An error fails the request and
  // leaves the transcript unchanged.
  std::function<Expected<std::string>(std::string_view text)> record_filter;
  // Speculative decoding: a smaller model with the same vocabulary proposes
  // `draft_tokens` tokens per step for greedy free-text answers. The text is
  // identical to greedy decoding without it.
  std::shared_ptr<Model> draft_model;
  int draft_tokens = 4;
};

enum class FinishReason { kEndOfTurn, kStopString, kMaxTokens };
const char* finish_reason_name(FinishReason reason);

struct ResponseStats {
  int64_t prompt_tokens = 0;     // tokens of the rendered conversation, first round
  int64_t cached_tokens = 0;     // of those, reused from the prefix cache (not evaluated)
  int64_t prompt_cache_tokens = 0;  // of cached_tokens, loaded from a prompt cache file
  bool prefix_cache_hit = false;
  int64_t evaluated_tokens = 0;  // prompt tokens evaluated, all rounds
  int64_t generated_tokens = 0;  // all rounds
  int tool_calls = 0;
  int rounds = 1;                // model turns (1 + rounds that followed tool results)
  double time_to_first_token_s = 0;  // request start to the first generated token
  double prompt_seconds = 0;
  double generate_seconds = 0;
  int64_t draft_proposed = 0;  // speculative decoding: tokens the draft model proposed
  int64_t draft_accepted = 0;  // ... and the target kept
  FinishReason finish_reason = FinishReason::kEndOfTurn;
  // Problems that did not stop the request: prompt cache files skipped as
  // invalid, or one that could not be written.
  std::vector<std::string> warnings;
};

struct Response {
  std::string content;               // the answer's text (JSON text with a schema)
  std::vector<ToolCall> tool_calls;  // calls made while answering, in order
  ResponseStats stats;
};

// One piece of the answer, never part of a UTF-8 character. Returning false
// cancels the request (kCancelled).
struct StreamDelta {
  std::string_view text;     // new text
  std::string_view content;  // the whole answer so far
};
using StreamCallback = std::function<bool(const StreamDelta& delta)>;

class SessionImpl;

class Session {
 public:
  static Expected<std::unique_ptr<Session>> create(std::shared_ptr<Model> model, SessionOptions options = {});
  // Continues a saved conversation. Instructions come from the transcript;
  // options.instructions must be empty. Tools are registered again by the caller.
  static Expected<std::unique_ptr<Session>> restore(std::shared_ptr<Model> model, const Transcript& transcript,
                                                    SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The whole answer. On any error the transcript is unchanged.
  Expected<Response> respond(std::string_view prompt, const GenerationOptions& options = {});
  // The same, delivering text as it is generated.
  Expected<Response> stream(std::string_view prompt, const GenerationOptions& options, const StreamCallback& on_delta);
  // Evaluates the instructions, tools and `prompt_prefix` (the start of the
  // next prompt, may be empty) so the next request's first token comes sooner.
  Error prewarm(std::string_view prompt_prefix = {});

  // Stops the request in flight, from any thread; it returns kCancelled. No-op when idle.
  void cancel();
  bool is_responding() const;

  Transcript transcript() const;
  const Model& model() const;

 private:
  explicit Session(std::unique_ptr<SessionImpl> impl);
  std::unique_ptr<SessionImpl> impl_;
};

// A best-effort JSON value from the beginning of a JSON text: complete
// members and closed strings only, open containers closed. For showing a
// structured answer while it streams. "" when nothing is complete yet.
std::string partial_json(std::string_view prefix);

}  // namespace zhi
