// Native renderer for the Qwen2.5-Instruct chat template (ChatML with Hermes-style tool
// calls), reproducing the Hugging Face Jinja rendering byte for byte without a Jinja
// engine. Reference: conformance/chat/qwen2.5-instruct.jinja.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace zhi {

// One stretch of the rendered prompt. Template text comes from the template itself and
// may hold special tokens (<|im_start|>, <|im_end|>) that must be encoded as specials.
// Content text came from the caller (message content, system prompt, tool schemas,
// tool-call names and arguments, tool responses) and must be encoded as plain text, so a
// user who types "<|im_start|>" gets those characters, not a new turn.
struct ChatSegment {
  std::string text;
  bool is_template = false;
};

struct RenderedChat {
  std::string text;                   // what the Jinja template renders
  std::vector<ChatSegment> segments;  // concatenated, equal `text`; adjacent kinds differ
};

// Renders OpenAI-style `messages` (array of {role, content, tool_calls?}) and `tools`
// (null or an array of tool schemas) as Qwen2.5-Instruct does.
//
// Where the Jinja template leaves room, this renderer is stricter or kinder, and says so:
// - every message needs a string `role` among system, user, assistant, tool (the template
//   silently drops unknown roles; that hides caller bugs);
// - `content` must be a string, except on an assistant message with tool calls, where it
//   may be absent, null or "" (multimodal content arrays are not supported: this is a
//   text model);
// - a tool call is {name, arguments} or {function: {name, arguments}}; `arguments` given
//   as a string holding a JSON object (the OpenAI wire format) is parsed and rendered as
//   that object, as the model saw in training; any other string is rendered as a JSON
//   string, exactly as the template would.
// Errors name the offending field, e.g. "messages[2].content: expected a string, got null".
Result<RenderedChat> render_qwen2_chat(const nlohmann::ordered_json& messages,
                                       const nlohmann::ordered_json& tools,
                                       bool add_generation_prompt);

// The system prompt Qwen2.5-Instruct uses when the conversation has none.
inline constexpr std::string_view kQwen2DefaultSystemPrompt =
    "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

// A rendered chat cut into what a tokenizer encodes one way: a special token (found only
// inside template segments) or a maximal run of plain text.
struct ChatPiece {
  std::string text;
  bool is_special = false;
};

// Splits `chat` at occurrences of `specials` inside template segments (longest match
// first). Plain text runs are joined across segment boundaries, so BPE pre-tokenization
// sees the same chunks as when the whole prompt is tokenized with specials parsed
// (Hugging Face's behaviour): e.g. content "\n\n" after template "\n" must reach BPE as one
// "\n\n\n" pre-token, not two. Content can never yield a special piece.
std::vector<ChatPiece> split_chat_specials(const RenderedChat& chat,
                                           std::span<const std::string> specials);

}  // namespace zhi
