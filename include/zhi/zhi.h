/* Zhi C ABI: a stable C interface to the Model / Session API, for Swift,
 * Kotlin, Python (ctypes) and any language with a C FFI.
 *
 * Conventions
 * - Handles are opaque. A session keeps its model alive: zhi_model_free may
 *   be called while sessions made from it still run.
 * - Strings are UTF-8 and NUL-terminated. Strings the library returns
 *   through `char** out` are the caller's, freed with zhi_string_free.
 * - Every call that can fail returns a zhi_status. zhi_last_error() gives the
 *   message of the latest such call on the calling thread ("" after success).
 * - Callbacks receive the user_data pointer given with them. They run on the
 *   thread that made the call (respond/stream), never on another.
 * - Option structs start with struct_size; fill them with the matching
 *   *_init function, then change what you need. Newer libraries accept
 *   structs from older headers. Output structs (stats) only grow with a new
 *   ZHI_ABI_VERSION.
 * - No C++ exception crosses this boundary.
 */
#ifndef ZHI_ZHI_H_
#define ZHI_ZHI_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define ZHI_API __declspec(dllexport)
#else
#define ZHI_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define ZHI_ABI_VERSION 1

typedef enum zhi_status {
  ZHI_OK = 0,
  ZHI_INVALID_ARGUMENT = 1,
  ZHI_CONTEXT_WINDOW_EXCEEDED = 2, /* see zhi_last_error_context_counts */
  ZHI_GUARDRAIL_VIOLATION = 3,
  ZHI_DECODING_FAILURE = 4,
  ZHI_CANCELLED = 5,
  ZHI_CONCURRENT_REQUESTS = 6,
  ZHI_INVALID_SCHEMA = 7,
  ZHI_UNAVAILABLE = 8,
  ZHI_INTERNAL = 9,
  ZHI_OUT_OF_MEMORY = 10
} zhi_status;

/* "context_window_exceeded", ...; never NULL. */
ZHI_API const char* zhi_status_name(zhi_status status);
/* The message of the latest call on this thread, "" when it succeeded. Valid
 * until the next zhi call on this thread. */
ZHI_API const char* zhi_last_error(void);
/* For ZHI_CONTEXT_WINDOW_EXCEEDED: the tokens the request needed and the
 * context window; both 0 after other errors. Either pointer may be NULL. */
ZHI_API void zhi_last_error_context_counts(int64_t* requested_tokens, int64_t* context_size);
ZHI_API const char* zhi_version(void);
ZHI_API void zhi_string_free(char* s);

/* ---- Model ---- */

typedef struct zhi_model zhi_model;

typedef enum zhi_kv_cache_type { ZHI_KV_F16 = 0, ZHI_KV_Q8_0 = 1, ZHI_KV_F32 = 2 } zhi_kv_cache_type;

typedef struct zhi_model_options {
  uint32_t struct_size;
  int64_t context_size;          /* tokens per session; default 4096 */
  int32_t threads;               /* 0: automatic */
  int64_t batch_size;            /* prompt tokens per forward pass; default 512 */
  int32_t kv_cache_type;         /* zhi_kv_cache_type */
  int32_t prefix_cache_entries;  /* default 8 */
  uint64_t prefix_cache_bytes;   /* default 1 GiB */
  /* Directory of prompt cache files (prompt KV state kept across processes;
     invalid files are skipped with a warning); NULL or "": off. Copied at load. */
  const char* prompt_cache_dir;
  /* 1: faster prompts over Q8_0/Q4_0/Q5_0 weights, not bit-exact with the
     reference engine (see ModelOptions::fast_prompts); default 0. */
  int32_t fast_prompts;
} zhi_model_options;

ZHI_API void zhi_model_options_init(zhi_model_options* options);

typedef enum zhi_availability {
  ZHI_AVAILABLE = 0,
  ZHI_MODEL_FILE_MISSING = 1,
  ZHI_MODEL_FILE_UNREADABLE = 2,
  ZHI_INSUFFICIENT_MEMORY = 3,
  ZHI_UNSUPPORTED_CPU = 4
} zhi_availability;

/* Checks without loading. *reason (may be NULL) receives why, or "". */
ZHI_API zhi_status zhi_check_availability(const char* path, const zhi_model_options* options /* NULL: defaults */,
                                          zhi_availability* out, char** reason);

ZHI_API zhi_status zhi_model_load(const char* path, const zhi_model_options* options /* NULL: defaults */,
                                  zhi_model** out);
ZHI_API void zhi_model_free(zhi_model* model);

typedef struct zhi_prefix_cache_stats {
  int64_t lookups, hits, reused_tokens, evictions, entries;
  uint64_t bytes;
} zhi_prefix_cache_stats;

ZHI_API zhi_status zhi_model_prefix_cache_stats(const zhi_model* model, zhi_prefix_cache_stats* out);

/* ---- Session ---- */

typedef struct zhi_session zhi_session;
typedef struct zhi_tool_result zhi_tool_result;

/* A tool call: arguments_json validates against the tool's schema. Set the
 * result with zhi_tool_result_set or zhi_tool_result_set_error (which the
 * model also sees, as {"error": message}). Both copy their argument. */
typedef void (*zhi_tool_fn)(void* user_data, const char* arguments_json, zhi_tool_result* result);
ZHI_API void zhi_tool_result_set(zhi_tool_result* result, const char* text);
ZHI_API void zhi_tool_result_set_error(zhi_tool_result* result, const char* message);

typedef struct zhi_tool {
  const char* name;
  const char* description;
  const char* parameters_json; /* JSON Schema of the arguments; NULL or "": none */
  zhi_tool_fn fn;
  void* user_data;
} zhi_tool;

typedef enum zhi_guardrail_stage { ZHI_GUARDRAIL_PROMPT = 0, ZHI_GUARDRAIL_RESPONSE = 1 } zhi_guardrail_stage;
/* Return NULL to allow `text`, or a reason to block it (copied at once). */
typedef const char* (*zhi_guardrail_fn)(void* user_data, zhi_guardrail_stage stage, const char* text, size_t len);

/* What an answer is recorded as. Each model turn's text goes through it
 * before it enters the transcript (the next turn's prompt, and what
 * zhi_session_transcript saves), and the whole answer before it is returned
 * in out_text. A caller whose moderation masks spans (stars them on screen)
 * installs one that stars the same spans, as the C++ compliance layer's
 * SessionGuardrail::record_filter does, so a masked span never re-enters the
 * model's context. Pieces already passed to a zhi_delta_fn are not filtered:
 * the display masks those itself. Return `text` itself to record it unchanged,
 * other text to record instead (copied at once), or NULL to fail the request
 * with ZHI_GUARDRAIL_VIOLATION, leaving the transcript unchanged. */
typedef const char* (*zhi_record_filter_fn)(void* user_data, const char* text, size_t len);

typedef struct zhi_session_options {
  uint32_t struct_size;
  const char* instructions; /* system prompt; NULL: the model's default */
  const zhi_tool* tools;    /* copied at creation */
  size_t n_tools;
  zhi_guardrail_fn guardrail;
  void* guardrail_user_data;
  zhi_model* draft_model; /* speculative decoding of greedy answers; NULL: off */
  int32_t draft_tokens;   /* proposed per step; default 4 */
  /* Added last: a struct from an older header ends before these, which then
     read as NULL (answers recorded as generated). */
  zhi_record_filter_fn record_filter; /* NULL: record answers as generated */
  void* record_filter_user_data;
} zhi_session_options;

ZHI_API void zhi_session_options_init(zhi_session_options* options);

ZHI_API zhi_status zhi_session_create(zhi_model* model, const zhi_session_options* options /* NULL: defaults */,
                                      zhi_session** out);
/* Continues a conversation saved with zhi_session_transcript. options may
 * register tools, a guardrail and a record filter; its instructions must be
 * NULL. */
ZHI_API zhi_status zhi_session_restore(zhi_model* model, const char* transcript_json,
                                       const zhi_session_options* options, zhi_session** out);
/* Only when no request is in flight on the session. */
ZHI_API void zhi_session_free(zhi_session* session);

typedef enum zhi_tool_choice { ZHI_TOOL_AUTO = 0, ZHI_TOOL_NONE = 1, ZHI_TOOL_REQUIRED = 2 } zhi_tool_choice;

typedef struct zhi_generation_options {
  uint32_t struct_size;
  int32_t greedy;       /* nonzero: most likely token */
  float temperature;    /* default 0.8 */
  int32_t top_k;        /* default 40; 0 off */
  float top_p;          /* default 0.95; 1 off */
  float min_p;          /* default 0.05; 0 off */
  uint64_t seed;
  int64_t max_tokens;   /* default 512; -1: until the context is full */
  const char* const* stop;
  size_t n_stop;
  const char* json_schema; /* NULL or "": free text */
  int32_t tool_choice;     /* zhi_tool_choice */
  int32_t max_tool_rounds; /* default 4 */
} zhi_generation_options;

ZHI_API void zhi_generation_options_init(zhi_generation_options* options);

typedef enum zhi_finish_reason { ZHI_FINISH_END_OF_TURN = 0, ZHI_FINISH_STOP_STRING = 1, ZHI_FINISH_MAX_TOKENS = 2 } zhi_finish_reason;

typedef struct zhi_response_stats {
  int64_t prompt_tokens;
  int64_t cached_tokens; /* reused from the prefix cache */
  int64_t evaluated_tokens;
  int64_t generated_tokens;
  int32_t prefix_cache_hit;
  int32_t tool_calls;
  int32_t rounds;
  int32_t finish_reason; /* zhi_finish_reason */
  double time_to_first_token_s;
  double prompt_seconds;
  double generate_seconds;
  int64_t draft_proposed; /* speculative decoding */
  int64_t draft_accepted;
} zhi_response_stats;

/* The whole answer into *out_text (may be NULL), stats into *out_stats (may be NULL). */
ZHI_API zhi_status zhi_session_respond(zhi_session* session, const char* prompt, const zhi_generation_options* options,
                                       char** out_text, zhi_response_stats* out_stats);

/* Receives each piece of the answer (whole UTF-8 characters; text is also
 * NUL-terminated). Return 0 to continue, nonzero to cancel (ZHI_CANCELLED). */
typedef int32_t (*zhi_delta_fn)(void* user_data, const char* text, size_t len);

ZHI_API zhi_status zhi_session_stream(zhi_session* session, const char* prompt, const zhi_generation_options* options,
                                      zhi_delta_fn on_delta, void* user_data, char** out_text,
                                      zhi_response_stats* out_stats);

ZHI_API zhi_status zhi_session_prewarm(zhi_session* session, const char* prompt_prefix /* NULL: "" */);
/* Stops the request in flight on `session`; safe from any thread. */
ZHI_API zhi_status zhi_session_cancel(zhi_session* session);
ZHI_API zhi_status zhi_session_transcript(const zhi_session* session, char** out_json);

/* Best-effort JSON of a streaming structured answer (zhi::partial_json). */
ZHI_API zhi_status zhi_partial_json(const char* prefix, char** out_json);

/* ---- Intelligence features (zhi/features.hpp) ---- */

/* Map-reduce progress: phase is "map" or "reduce"; one call per model call. */
typedef void (*zhi_feature_progress_fn)(void* user_data, const char* phase, int32_t done, int32_t total);

typedef struct zhi_feature_options {
  uint32_t struct_size;
  zhi_guardrail_fn guardrail; /* refusals come back in the result's "refused"; NULL: none */
  void* guardrail_user_data;
  zhi_feature_progress_fn progress; /* NULL: none */
  void* progress_user_data;
  /* Added last: a struct from an older header ends before these, which then
     read as NULL. Every string of the result JSON (not "lang", "coverage" or
     "refused") goes through it before the result is returned, as a session's
     answer goes through zhi_session_options.record_filter: return `text` to
     keep it, other text to return instead (e.g. with a moderation pack's mask
     spans starred; a guardrail only refuses), or NULL to fail the request with
     ZHI_GUARDRAIL_VIOLATION. */
  zhi_record_filter_fn output_filter;
  void* output_filter_user_data;
  /* Added after output_filter (older structs end before it). The input text
     (messages and notifications as formatted for the prompt) goes through it
     once before the model sees any of it, e.g. to star a pack's mask spans:
     return `text`, other text to use instead, or NULL to fail the request
     with ZHI_GUARDRAIL_VIOLATION. Edits and coverage refer to the result. */
  zhi_record_filter_fn input_filter;
  void* input_filter_user_data;
} zhi_feature_options;

ZHI_API void zhi_feature_options_init(zhi_feature_options* options);

/* Runs one feature: "proofread", "rewrite", "summarize", "key-points", "list",
 * "table", "notify-summary", "thread-summary", "reply", "priority", "tags".
 * input_json: a JSON string (the text) or an array of notifications / messages.
 * params_json (NULL: {}): {"tone", "instruction", "max_chars", "lang"} and
 * sampling {"greedy" (default true), "temperature", "top_k", "top_p",
 * "min_p", "seed"} and "chunk_tokens". *out_json gets the result (see
 * README); free it with zhi_string_free. */
ZHI_API zhi_status zhi_feature_run(zhi_model* model, const char* feature, const char* input_json,
                                   const char* params_json, const zhi_feature_options* options /* NULL: defaults */,
                                   char** out_json);

/* Whether a feature is available: query_json is {"locale", "region",
 * "model_path", "rollouts": [{"region", ...routing.json keys}], "today"
 * (YYYY-MM-DD, optional), "rollout_bucket" (0..99, optional)}. *out_json is
 * {"available": bool, "reason": "available" | "model_missing" |
 * "model_not_ready" | "device_not_eligible" | "language_unsupported" |
 * "region_not_enabled" | "feature_off" | "before_launch_date", "message"}. */
ZHI_API zhi_status zhi_feature_availability(const char* feature, const char* query_json, char** out_json);

#ifdef __cplusplus
}
#endif

#endif /* ZHI_ZHI_H_ */
