/* A small C program using libzhi end to end: availability, loading, a
 * streamed answer, a tool call, a structured (JSON Schema) answer, the
 * transcript, and restoring a session from it.
 *
 *   zhi_example_chat MODEL.gguf
 *
 * With a random-weight model (zhi make-model) the text is gibberish, but
 * every step runs and the structured answer still matches its schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zhi/zhi.h"

static int fail(const char* what, zhi_status st) {
  fprintf(stderr, "%s failed: %s (%s)\n", what, zhi_status_name(st), zhi_last_error());
  return 1;
}

static int32_t print_delta(void* user_data, const char* text, size_t len) {
  size_t* total = (size_t*)user_data;
  *total += len;
  fwrite(text, 1, len, stdout);
  return 0; /* keep going */
}

static void weather_tool(void* user_data, const char* arguments_json, zhi_tool_result* result) {
  int* calls = (int*)user_data;
  char buf[512];
  ++*calls;
  snprintf(buf, sizeof buf, "{\"forecast\": \"sunny\", \"asked\": %s}", arguments_json);
  zhi_tool_result_set(result, buf);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL.gguf\n", argv[0]);
    return 2;
  }
  const char* path = argv[1];
  zhi_status st;

  zhi_model_options mo;
  zhi_model_options_init(&mo);
  mo.context_size = 2048;
  mo.threads = 1;

  zhi_availability availability;
  char* reason = NULL;
  st = zhi_check_availability(path, &mo, &availability, &reason);
  if (st != ZHI_OK) return fail("zhi_check_availability", st);
  if (availability != ZHI_AVAILABLE) {
    fprintf(stderr, "model unavailable: %s\n", reason);
    zhi_string_free(reason);
    return 1;
  }
  zhi_string_free(reason);

  zhi_model* model = NULL;
  st = zhi_model_load(path, &mo, &model);
  if (st != ZHI_OK) return fail("zhi_model_load", st);

  int tool_calls = 0;
  zhi_tool tools[1] = {{"get_weather", "Weather forecast for a city",
                        "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"maxLength\": 16}},"
                        " \"required\": [\"city\"]}",
                        weather_tool, &tool_calls}};
  zhi_session_options so;
  zhi_session_options_init(&so);
  so.instructions = "You are a helpful assistant.";
  so.tools = tools;
  so.n_tools = 1;
  zhi_session* session = NULL;
  st = zhi_session_create(model, &so, &session);
  if (st != ZHI_OK) return fail("zhi_session_create", st);
  /* Sessions keep the model alive; the handle is no longer needed here. */

  zhi_generation_options go;
  zhi_generation_options_init(&go);
  go.seed = 7;
  go.max_tokens = 48;
  go.tool_choice = ZHI_TOOL_NONE;

  /* 1. A streamed answer. */
  size_t streamed = 0;
  char* text = NULL;
  zhi_response_stats stats;
  printf("stream: ");
  st = zhi_session_stream(session, "Hello! Who are you?", &go, print_delta, &streamed, &text, &stats);
  if (st != ZHI_OK) return fail("zhi_session_stream", st);
  printf("\n  %lld prompt tokens, %lld generated, first token after %.1f ms\n", (long long)stats.prompt_tokens,
         (long long)stats.generated_tokens, stats.time_to_first_token_s * 1000.0);
  if (streamed != strlen(text)) {
    fprintf(stderr, "streamed %zu bytes but the answer has %zu\n", streamed, strlen(text));
    return 1;
  }
  zhi_string_free(text);

  /* 2. A tool call: the model must call get_weather, then answer. */
  go.tool_choice = ZHI_TOOL_REQUIRED;
  go.max_tool_rounds = 1;
  go.max_tokens = 200;
  st = zhi_session_respond(session, "What is the weather in Paris?", &go, NULL, &stats);
  if (st != ZHI_OK) return fail("zhi_session_respond (tools)", st);
  printf("tools: %d call(s) made, %d reported, %d rounds; cache reused %lld tokens\n", tool_calls, stats.tool_calls,
         stats.rounds, (long long)stats.cached_tokens);
  if (tool_calls < 1 || tool_calls != stats.tool_calls) return 1;

  /* 3. A structured answer. */
  go.tool_choice = ZHI_TOOL_NONE;
  go.max_tokens = 400;
  go.json_schema =
      "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"maxLength\": 10},"
      " \"age\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 150}}, \"required\": [\"name\", \"age\"]}";
  st = zhi_session_respond(session, "Describe a person as JSON.", &go, &text, NULL);
  if (st != ZHI_OK) return fail("zhi_session_respond (json)", st);
  printf("json: %s\n", text);
  zhi_string_free(text);

  /* 4. Errors are values: an unsupported schema keyword is named. */
  go.json_schema = "{\"type\": \"string\", \"format\": \"email\"}";
  st = zhi_session_respond(session, "x", &go, NULL, NULL);
  if (st != ZHI_INVALID_SCHEMA) return fail("expected ZHI_INVALID_SCHEMA", st);
  printf("error: %s: %s\n", zhi_status_name(st), zhi_last_error());
  go.json_schema = NULL;

  /* 5. Save the conversation and continue it in a new session. */
  char* transcript = NULL;
  st = zhi_session_transcript(session, &transcript);
  if (st != ZHI_OK) return fail("zhi_session_transcript", st);
  zhi_session_options ro;
  zhi_session_options_init(&ro);
  ro.tools = tools;
  ro.n_tools = 1;
  zhi_session* restored = NULL;
  st = zhi_session_restore(model, transcript, &ro, &restored);
  zhi_string_free(transcript);
  if (st != ZHI_OK) return fail("zhi_session_restore", st);
  go.max_tokens = 8;
  st = zhi_session_respond(restored, "Thanks!", &go, &text, &stats);
  if (st != ZHI_OK) return fail("zhi_session_respond (restored)", st);
  printf("restored: reused %lld of %lld prompt tokens\n", (long long)stats.cached_tokens, (long long)stats.prompt_tokens);
  zhi_string_free(text);

  zhi_prefix_cache_stats cache;
  st = zhi_model_prefix_cache_stats(model, &cache);
  if (st != ZHI_OK) return fail("zhi_model_prefix_cache_stats", st);
  printf("prefix cache: %lld hits of %lld lookups, %lld tokens reused\n", (long long)cache.hits,
         (long long)cache.lookups, (long long)cache.reused_tokens);

  zhi_session_free(restored);
  zhi_session_free(session);
  zhi_model_free(model);
  return 0;
}
