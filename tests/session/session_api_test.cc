// The Session API end to end on a tiny random model: answers, streaming,
// transcripts and restore, every error code, cancellation and concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tiny_model.h"
#include "zhi/session.hpp"

namespace zhi {
namespace {

GenerationOptions greedy(int64_t max_tokens = 16) {
  GenerationOptions g;
  g.greedy = true;
  g.max_tokens = max_tokens;
  return g;
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

TEST(SessionApi, RespondIsDeterministicWhenGreedy) {
  auto model = testing::tiny_model();
  ASSERT_TRUE(model);
  auto a = Session::create(model, testing::with_instructions("Be brief."));
  auto b = Session::create(model, testing::with_instructions("Be brief."));
  ASSERT_TRUE(a.ok() && b.ok());
  auto ra = (*a)->respond("Hello there", greedy());
  auto rb = (*b)->respond("Hello there", greedy());
  ASSERT_TRUE(ra.ok()) << ra.error().to_string();
  ASSERT_TRUE(rb.ok()) << rb.error().to_string();
  EXPECT_EQ(ra->content, rb->content);
  EXPECT_GT(ra->stats.generated_tokens, 0);
  EXPECT_GT(ra->stats.prompt_tokens, 0);
  EXPECT_GT(ra->stats.time_to_first_token_s, 0.0);
}

TEST(SessionApi, TranscriptRecordsTurns) {
  auto model = testing::tiny_model();
  auto s = Session::create(model, testing::with_instructions("You are terse."));
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->respond("one", greedy(4)).ok());
  ASSERT_TRUE((*s)->respond("two", greedy(4)).ok());
  const Transcript t = (*s)->transcript();
  ASSERT_EQ(t.entries.size(), 5u);
  EXPECT_EQ(t.entries[0].role, Role::kInstructions);
  EXPECT_EQ(t.entries[0].content, "You are terse.");
  EXPECT_EQ(t.entries[1].role, Role::kUser);
  EXPECT_EQ(t.entries[1].content, "one");
  EXPECT_EQ(t.entries[2].role, Role::kAssistant);
  EXPECT_EQ(t.entries[3].content, "two");
}

TEST(SessionApi, StreamDeltasAreWholeCharactersAndSumToContent) {
  auto model = testing::tiny_model();
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  GenerationOptions g;
  g.temperature = 1.0f;
  g.top_k = 0;
  g.top_p = 1.0f;
  g.min_p = 0.0f;
  g.seed = 42;
  g.max_tokens = 64;
  std::string joined;
  int deltas = 0;
  auto r = (*s)->stream("写一首诗", g, [&](const StreamDelta& d) {
    EXPECT_TRUE(valid_utf8(d.text));
    joined += d.text;
    EXPECT_EQ(d.content, joined);
    ++deltas;
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(joined, r->content);
  EXPECT_GT(deltas, 0);
}

TEST(SessionApi, RestoreFromTranscriptContinuesIdentically) {
  auto model = testing::tiny_model();
  auto live = Session::create(model, testing::with_instructions("Remember everything."));
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE((*live)->respond("My name is Ada.", greedy(8)).ok());
  const std::string saved = (*live)->transcript().to_json();
  auto parsed = Transcript::from_json(saved);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  model->clear_prefix_cache();
  auto restored = Session::restore(model, *parsed);
  ASSERT_TRUE(restored.ok()) << restored.error().to_string();
  EXPECT_EQ((*restored)->transcript().to_json(), saved);
  auto a = (*live)->respond("What is my name?", greedy(12));
  auto b = (*restored)->respond("What is my name?", greedy(12));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->content, b->content);
}

TEST(SessionApi, RestoreRejectsBadTranscripts) {
  auto model = testing::tiny_model();
  EXPECT_EQ(Transcript::from_json("not json").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Transcript::from_json(R"({"version": 2, "entries": []})").error().code(), ErrorCode::kInvalidArgument);
  auto bad_role = Transcript::from_json(R"({"version": 1, "entries": [{"role": "bot", "content": "x"}]})");
  ASSERT_FALSE(bad_role.ok());
  EXPECT_NE(bad_role.error().message().find("entries[0].role"), std::string::npos) << bad_role.error().message();
  auto late_instructions = Transcript::from_json(
      R"({"version": 1, "entries": [{"role": "user", "content": "x"}, {"role": "instructions", "content": "y"}]})");
  EXPECT_FALSE(late_instructions.ok());
  auto bad_args = Transcript::from_json(
      R"({"version": 1, "entries": [{"role": "assistant", "content": "", "tool_calls": [{"name": "f", "arguments": "[1]"}]}]})");
  EXPECT_FALSE(bad_args.ok());
  Transcript t;
  t.entries.push_back({Role::kUser, "x", {}, {}});
  t.entries.push_back({Role::kInstructions, "y", {}, {}});
  EXPECT_EQ(Session::restore(model, t).error().code(), ErrorCode::kInvalidArgument);
  SessionOptions with_instructions;
  with_instructions.instructions = "z";
  EXPECT_EQ(Session::restore(model, Transcript{}, with_instructions).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Session::create(nullptr).error().code(), ErrorCode::kInvalidArgument);
}

TEST(SessionApi, PromptLongerThanContextIsContextWindowExceeded) {
  auto model = testing::tiny_model(/*context_size=*/64);
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  std::string long_prompt;
  for (int i = 0; i < 100; ++i) long_prompt += "word ";
  auto r = (*s)->respond(long_prompt, greedy());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kContextWindowExceeded);
  EXPECT_EQ(r.error().context_size(), 64);
  EXPECT_GT(r.error().requested_tokens(), 64);
  EXPECT_NE(r.error().message().find("64"), std::string::npos);
  EXPECT_TRUE((*s)->transcript().entries.empty());  // a failed request leaves no trace
}

TEST(SessionApi, AnswerRunningOutOfContextIsContextWindowExceeded) {
  auto model = testing::tiny_model(/*context_size=*/160);
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  GenerationOptions g = greedy(-1);  // no token limit: only the window stops it
  auto r = (*s)->respond("hi", g);
  if (r.ok()) GTEST_SKIP() << "the model ended its turn early";
  EXPECT_EQ(r.error().code(), ErrorCode::kContextWindowExceeded);
  EXPECT_EQ(r.error().context_size(), 160);
  EXPECT_EQ(r.error().requested_tokens(), 161);
  EXPECT_NE(r.error().message().find("did not finish"), std::string::npos);
}

TEST(SessionApi, CancelFromAnotherThread) {
  auto model = testing::tiny_model(/*context_size=*/2048);
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  Session& session = **s;
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  std::thread canceller([&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return started; });
    session.cancel();
  });
  GenerationOptions g = greedy(-1);
  g.greedy = false;
  g.temperature = 1.0f;
  g.top_k = 0;
  g.top_p = 1.0f;
  g.min_p = 0.0f;
  auto r = session.stream("Tell me a long story", g, [&](const StreamDelta&) {
    {
      std::lock_guard<std::mutex> lock(mu);
      started = true;
    }
    cv.notify_all();
    return true;
  });
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kCancelled);
  EXPECT_FALSE(session.is_responding());
  EXPECT_TRUE(session.transcript().entries.empty());
  // The session is usable afterwards, and a cancel while idle changes nothing.
  session.cancel();
  EXPECT_TRUE(session.respond("again", greedy(4)).ok());
}

TEST(SessionApi, StreamCallbackReturningFalseCancels) {
  auto model = testing::tiny_model();
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  int calls = 0;
  auto r = (*s)->stream("hello", greedy(64), [&](const StreamDelta&) { return ++calls < 2; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kCancelled);
  EXPECT_EQ(calls, 2);
}

TEST(SessionApi, SecondConcurrentRequestIsRejected) {
  auto model = testing::tiny_model();
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  Session& session = **s;
  Error inner, prewarm_inner, other_thread;
  auto r = session.stream("hello", greedy(8), [&](const StreamDelta&) {
    if (inner.ok()) {
      auto nested = session.respond("nested", greedy(2));
      inner = nested.ok() ? Error() : nested.error();
      prewarm_inner = session.prewarm("x");
      std::thread t([&] {
        auto x = session.respond("from another thread", greedy(2));
        other_thread = x.ok() ? Error() : x.error();
      });
      t.join();
    }
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(inner.code(), ErrorCode::kConcurrentRequests);
  EXPECT_EQ(prewarm_inner.code(), ErrorCode::kConcurrentRequests);
  EXPECT_EQ(other_thread.code(), ErrorCode::kConcurrentRequests);
  EXPECT_NE(inner.message().find("already responding"), std::string::npos);
  // Only the first request reached the transcript.
  EXPECT_EQ(session.transcript().entries.size(), 2u);
}

TEST(SessionApi, SessionsOnManyThreadsShareOneModel) {
  auto model = testing::tiny_model(512, /*prefix_cache_entries=*/2);
  std::vector<std::string> out(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto s = Session::create(model, testing::with_instructions("Shared instructions."));
      if (!s.ok()) return;
      auto r = (*s)->respond("same question", greedy(8));
      if (r.ok()) out[i] = r->content;
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 1; i < 4; ++i) EXPECT_EQ(out[i], out[0]);
  EXPECT_FALSE(out[0].empty());
}

TEST(SessionApi, GuardrailHookBlocksPromptAndResponse) {
  auto model = testing::tiny_model();
  SessionOptions o;
  o.guardrail = [](GuardrailStage stage, std::string_view text) {
    if (stage == GuardrailStage::kPrompt && text.find("forbidden") != std::string_view::npos)
      return GuardrailVerdict{false, "topic not allowed"};
    if (stage == GuardrailStage::kResponse && !text.empty()) return GuardrailVerdict{false, "no output today"};
    return GuardrailVerdict{};
  };
  auto s = Session::create(model, o);
  ASSERT_TRUE(s.ok());
  auto p = (*s)->respond("a forbidden topic", greedy());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), ErrorCode::kGuardrailViolation);
  EXPECT_NE(p.error().message().find("topic not allowed"), std::string::npos);
  std::string streamed;
  auto r = (*s)->stream("fine", greedy(), [&](const StreamDelta& d) {
    streamed += d.text;
    return true;
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kGuardrailViolation);
  EXPECT_TRUE(streamed.empty());  // blocked before the first piece was shown
  EXPECT_TRUE((*s)->transcript().entries.empty());
}

TEST(SessionApi, RecordFilterShapesTheTranscriptAndAnErrorChangesNothing) {
  auto model = testing::tiny_model();
  bool fail = false;
  SessionOptions o;
  o.record_filter = [&fail](std::string_view text) -> Expected<std::string> {
    if (fail) return Error(ErrorCode::kInternal, "filter down");
    return "[" + std::string(text) + "]";
  };
  auto s = Session::create(model, o);
  ASSERT_TRUE(s.ok());
  auto r = (*s)->respond("hello", greedy(12));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_GE(r->content.size(), 2u);
  EXPECT_EQ(r->content.front(), '[');
  EXPECT_EQ(r->content.back(), ']');
  auto entries = (*s)->transcript().entries;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].content, r->content);
  fail = true;
  auto f = (*s)->respond("again", greedy(12));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), ErrorCode::kInternal);
  EXPECT_EQ((*s)->transcript().entries.size(), 2u);
}

TEST(SessionApi, InvalidOptionsAreInvalidArgument) {
  auto model = testing::tiny_model();
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  GenerationOptions g;
  g.temperature = 0.0f;
  EXPECT_EQ((*s)->respond("x", g).error().code(), ErrorCode::kInvalidArgument);
  g = {};
  g.top_p = 1.5f;
  auto r = (*s)->respond("x", g);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("top_p"), std::string::npos);
  g = {};
  g.stop = {""};
  EXPECT_EQ((*s)->respond("x", g).error().code(), ErrorCode::kInvalidArgument);
  g = {};
  g.max_tokens = -2;
  EXPECT_EQ((*s)->respond("x", g).error().code(), ErrorCode::kInvalidArgument);
  ModelOptions mo;
  mo.context_size = -1;
  EXPECT_EQ(Model::load(testing::tiny_model_path(), mo).error().code(), ErrorCode::kInvalidArgument);
}

TEST(SessionApi, MaxTokensAndStopStrings) {
  auto model = testing::tiny_model();
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  auto r = (*s)->respond("count", greedy(5));
  ASSERT_TRUE(r.ok());
  EXPECT_LE(r->stats.generated_tokens, 5);
  if (r->stats.generated_tokens == 5) {
    EXPECT_EQ(r->stats.finish_reason, FinishReason::kMaxTokens);
  }
  auto full = (*s)->respond("count", greedy(24));
  ASSERT_TRUE(full.ok());
  if (full->content.size() < 4) GTEST_SKIP() << "answer too short to cut";
  GenerationOptions g = greedy(24);
  g.stop = {full->content.substr(2, 2)};
  auto cut = (*s)->respond("count", g);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->stats.finish_reason, FinishReason::kStopString);
  EXPECT_EQ(cut->content.find(g.stop[0]), std::string::npos);
}

TEST(SessionApi, PartialJson) {
  EXPECT_EQ(partial_json(""), "");
  EXPECT_EQ(partial_json("{\"a\": 1, \"b\": \"hel"), "{\"a\":1}");
  EXPECT_EQ(partial_json("{\"a\": 1, \"b\": \"hello\""), "{\"a\":1,\"b\":\"hello\"}");
  EXPECT_EQ(partial_json("{\"a\": 12"), "{}");
  EXPECT_EQ(partial_json("{\"a\": [1, 2, {\"c\": \"中文"), "{\"a\":[1,2,{}]}");
  EXPECT_EQ(partial_json("[\"x\", tr"), "[\"x\"]");
  EXPECT_EQ(partial_json("{\"a\": {\"b\": true}}"), "{\"a\":{\"b\":true}}");
  EXPECT_EQ(partial_json("42"), "42");
  EXPECT_EQ(partial_json("\"unterminated"), "");
}

}  // namespace
}  // namespace zhi
