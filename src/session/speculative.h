// Speculative decoding for greedy free text: a small draft model with the
// same vocabulary proposes a few tokens, the target model scores them all in
// one batched forward pass, and the longest prefix the target agrees with is
// kept, plus the target's own next token. Every kept token is the target's
// argmax, so the text is identical to plain greedy decoding; the target just
// runs fewer, wider passes.
#pragma once

#include <cstdint>
#include <vector>

#include "model/qwen2_context.h"
#include "session/response_turn.h"

namespace zhi {

struct DraftSetup {
  Qwen2Context* ctx = nullptr;
  std::vector<int32_t>* evaluated = nullptr;  // tokens in the draft's KV cache
  int max_draft = 4;                          // tokens proposed per target pass
};

struct DraftStats {
  int64_t proposed = 0;
  int64_t accepted = 0;
};

// Like run_turn for a greedy free-text turn (no grammar, no tool calls). The
// draft context must already hold the same prompt as setup.ctx.
Expected<TurnResult> run_speculative_turn(const TurnSetup& setup, const DraftSetup& draft, DraftStats* stats);

// The highest logit's id, lowest id on ties, skipping `ban_a` and `ban_b`
// (-1: none): what the greedy sampler picks from the same masked logits.
int32_t greedy_token(const float* logits, int64_t n_vocab, int32_t ban_a, int32_t ban_b);

}  // namespace zhi
