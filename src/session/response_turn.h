// One model turn of a request: sample until end of turn, a stop string, the
// token budget, or an error, under the constraints in force. Free text, a
// JSON answer (grammar), and tool calls (<tool_call> ... </tool_call>, the
// body held to the tool grammar) are phases of the same loop, so a turn may
// say something, call tools, and end.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/qwen2_context.h"
#include "session/compiled_grammar.h"
#include "session/loaded_model.h"
#include "session/sampler.h"
#include "session/token_trie.h"
#include "zhi/errors.hpp"
#include "zhi/session.hpp"

namespace zhi {

class StopMatcher;
class StreamDecoder;

struct TurnSetup {
  Qwen2Context* ctx = nullptr;
  std::vector<int32_t>* evaluated = nullptr;  // tokens in ctx's KV cache, kept in step
  const LoadedModel* lm = nullptr;
  const TokenTrie* trie = nullptr;  // needed when a grammar is set
  Sampler* sampler = nullptr;
  std::shared_ptr<CompiledGrammar> answer_grammar;  // the answer must match (JSON Schema); null: free text
  std::shared_ptr<CompiledGrammar> tool_grammar;    // tool-call bodies; null: tools are not offered
  bool allow_tool_calls = false;
  bool require_tool_call = false;
  std::vector<std::string> stop;  // free text only
  int64_t max_tokens = -1;        // for this turn; -1: no limit
  const std::atomic<bool>* cancel = nullptr;
  // Receives each piece of answer text; an error (guardrail, callback
  // cancel) ends the turn with it.
  std::function<Error(std::string_view text)> emit;
};

struct TurnResult {
  std::string text;
  std::vector<ToolCall> calls;
  FinishReason finish = FinishReason::kEndOfTurn;
  int64_t generated = 0;
  std::optional<std::chrono::steady_clock::time_point> first_token;
};

Expected<TurnResult> run_turn(const TurnSetup& setup);

// Appends a piece of answer text to r.text and hands it to setup.emit; empty
// pieces are dropped.
Error emit_answer(const TurnSetup& setup, TurnResult& r, const std::string& text);
// Releases what the UTF-8 decoder and the stop matcher still hold when an
// answer ends without a stop string.
Error flush_answer(const TurnSetup& setup, TurnResult& r, StreamDecoder& decoder, StopMatcher& stops);

// Brings ctx to hold exactly `prompt` (keeping the common prefix, evaluating
// the rest in batches, checking `cancel` between them). Returns the number of
// tokens evaluated.
Expected<int64_t> sync_prompt(Qwen2Context& ctx, std::vector<int32_t>& evaluated, std::span<const int32_t> prompt,
                              int64_t batch, const std::atomic<bool>* cancel);

}  // namespace zhi
