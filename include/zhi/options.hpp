// Options for loading a model and for one generation request.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zhi {

enum class KvCacheType { kF16, kQ8_0, kF32 };

struct ModelOptions {
  int64_t context_size = 4096;  // tokens each session's KV cache holds
  int threads = 0;              // 0: the hardware's thread count (at most 8)
  int64_t batch_size = 512;     // prompt tokens per forward pass
  KvCacheType kv_cache_type = KvCacheType::kF16;
  // Prefix cache: idle KV states kept for reuse by later requests, across
  // sessions. Both limits apply; the least recently used entry goes first.
  int prefix_cache_entries = 8;
  uint64_t prefix_cache_bytes = uint64_t{1} << 30;
  // Prompt cache files: when set, a request's prompt KV rows are also kept in
  // this directory (created when missing), and a later request, in this
  // process or another, loads the stored prefix sharing the most leading
  // tokens with its prompt. Files are validated on load: a corrupt, truncated
  // or other model's file is skipped with a warning in ResponseStats. Files
  // are never evicted; clear the directory to reclaim space.
  std::string prompt_cache_dir;
  // Faster prompts over Q8_0, Q4_0 and Q5_0 weights (about 1.7x on AVX-512
  // machines): each block's integer sum is scaled once instead of in eight
  // lanes. Off by default: prompt logits then differ from the reference
  // engine's by rounding, which quantized activations can grow in later
  // layers, so tokens are no longer bit-exact with it. Decode is unchanged.
  bool fast_prompts = false;
};

// Whether the model may call tools in this request.
enum class ToolChoice {
  kAuto,      // the model decides
  kNone,      // no tool calls: the answer is text
  kRequired,  // the answer starts with at least one tool call
};

struct GenerationOptions {
  // Greedy picks the most likely token; otherwise tokens are drawn after
  // top-k, top-p and min-p, at `temperature`.
  bool greedy = false;
  float temperature = 0.8f;  // > 0 when not greedy
  int32_t top_k = 40;        // 0: off
  float top_p = 0.95f;       // (0, 1]; 1: off
  float min_p = 0.05f;       // [0, 1]; 0: off
  uint64_t seed = 0x5EED;
  int64_t max_tokens = 512;  // tokens per answer (all tool rounds together); -1: until the context is full
  // Text stops before the first of these. They apply to free text only, never
  // inside structured output or tool calls.
  std::vector<std::string> stop;
  // A JSON Schema: the answer is JSON that validates against it (decoding is
  // constrained token by token, so it always does). Empty: free text.
  //
  // Supported: type (name or list), enum, const (beside type only), anyOf,
  // $ref ("#" or "#/..." pointers, recursion allowed), $defs/definitions;
  // object: properties, required, additionalProperties (true/false);
  // array: items, minItems, maxItems; string: minLength, maxLength, format
  // (date, time, date-time, uuid), pattern (literals, ., [...], [^...] with
  // ASCII ranges, \d \w \s \D \W \S, escapes, groups, |, * + ? {n} {n,}
  // {n,m}; matched in full); integer/number: minimum, maximum,
  // exclusiveMinimum, exclusiveMaximum; annotations (title, description,
  // default, examples, $schema, $id, $comment, deprecated, readOnly,
  // writeOnly). Anything else is a kInvalidSchema error naming it.
  // Output choices: properties in schema order, no undeclared properties,
  // integers of at most 15 digits when unbounded, numbers without exponent
  // and with at most 6 decimals, February days 01-28, bounded whitespace.
  std::string json_schema;
  ToolChoice tool_choice = ToolChoice::kAuto;
  int max_tool_rounds = 4;  // model turns that may call tools before it must answer
};

}  // namespace zhi
