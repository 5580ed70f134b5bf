// A record filter set through the C ABI (zhi_session_options.record_filter)
// shapes what a session records, as SessionOptions::record_filter does in
// C++: a masked span is returned and kept in the transcript masked, and the
// next turn is generated from the masked transcript, never the raw answer.
//
// The tiny model's text means nothing, but seeded sampling is deterministic:
// the test first answers without a filter, then masks a span of that answer.
#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "capi/tiny_capi_model.h"
#include "zhi/zhi.h"

namespace {

using Json = nlohmann::json;

zhi_model* model() { return zhi::testing::tiny_capi_model(); }

// The tiny model's greedy answer is an empty line; seeded sampling over the
// whole vocabulary gives a longer (and as reproducible) one.
zhi_generation_options sampled(int64_t max_tokens) {
  zhi_generation_options g;
  zhi_generation_options_init(&g);
  g.greedy = 0;
  g.temperature = 1.0f;
  g.top_k = 0;
  g.top_p = 1.0f;
  g.min_p = 0.0f;
  g.seed = 20251;
  g.max_tokens = max_tokens;
  return g;
}

size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Stars every occurrence of `term`, one '*' per code point.
std::string star(std::string text, const std::string& term) {
  for (size_t at = text.find(term); at != std::string::npos; at = text.find(term, at))
    text.replace(at, term.size(), std::string(code_points(term), '*'));
  return text;
}

// What the C caller's filter sees and does.
struct Masker {
  explicit Masker(std::string t) : term(std::move(t)) {}
  std::string term;
  bool refuse = false;
  int calls = 0;
  std::string out;  // the text returned, kept until the next call
};

const char* mask_filter(void* user, const char* text, size_t len) {
  auto* m = static_cast<Masker*>(user);
  ++m->calls;
  if (m->refuse) return nullptr;
  const std::string in(text, len);
  if (in.find(m->term) == std::string::npos) return text;  // unchanged
  m->out = star(in, m->term);
  return m->out.c_str();
}

// Session options whose record filter masks `masker`'s term.
zhi_session_options masking_options(Masker& masker) {
  zhi_session_options o;
  zhi_session_options_init(&o);
  o.record_filter = mask_filter;
  o.record_filter_user_data = &masker;
  return o;
}

struct Session {
  zhi_session* s = nullptr;
  explicit Session(const zhi_session_options* o) {
    EXPECT_EQ(zhi_session_create(model(), o, &s), ZHI_OK) << zhi_last_error();
  }
  Session(const std::string& transcript, const zhi_session_options* o) {
    EXPECT_EQ(zhi_session_restore(model(), transcript.c_str(), o, &s), ZHI_OK) << zhi_last_error();
  }
  ~Session() { zhi_session_free(s); }

  std::string respond(const char* prompt, const zhi_generation_options& g,
                      zhi_status expect = ZHI_OK) {
    char* out = nullptr;
    EXPECT_EQ(zhi_session_respond(s, prompt, &g, &out, nullptr), expect) << zhi_last_error();
    std::string text = out ? out : "";
    zhi_string_free(out);
    return text;
  }
  std::string transcript_json() const {
    char* out = nullptr;
    EXPECT_EQ(zhi_session_transcript(s, &out), ZHI_OK) << zhi_last_error();
    std::string text = out ? out : "";
    zhi_string_free(out);
    return text;
  }
  Json entries() const { return Json::parse(transcript_json())["entries"]; }
};

// A run of three code points from the middle of `text` that holds a letter
// or ideograph (not only spaces and punctuation), or "" if there is none.
std::string pick_term(const std::string& text) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  for (size_t k = starts.size() / 2; k + 3 < starts.size(); ++k) {
    const std::string t = text.substr(starts[k], starts[k + 3] - starts[k]);
    for (unsigned char c : t)
      if (c >= 0x80 || std::isalnum(c)) return t;
  }
  return "";
}

const char* const kPrompt = "Tell me about the weather in Hangzhou.";
const char* const kNext = "And tomorrow?";

TEST(SessionCapi, RecordFilterMasksTheAnswerTheTranscriptAndTheNextTurnsContext) {
  zhi_session_options plain_o;
  zhi_session_options_init(&plain_o);
  EXPECT_EQ(plain_o.record_filter, nullptr);
  Session plain(&plain_o);
  const std::string raw = plain.respond(kPrompt, sampled(48));
  const std::string term = pick_term(raw);
  ASSERT_FALSE(term.empty()) << "answer too short: " << raw;
  SCOPED_TRACE("answer " + raw + " / term " + term);
  const std::string expected = star(raw, term);
  ASSERT_NE(expected, raw);

  Masker masker(term);
  zhi_session_options o = masking_options(masker);
  Session masked(&o);
  // The same seed gives the same answer; it comes back masked.
  EXPECT_EQ(masked.respond(kPrompt, sampled(48)), expected);
  EXPECT_GE(masker.calls, 2);  // the turn's text, then the whole answer
  const Json entries = masked.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1]["role"], "assistant");
  EXPECT_EQ(entries[1]["content"], expected);
  EXPECT_EQ(entries[1]["content"].get<std::string>().find(term), std::string::npos);
  EXPECT_EQ(plain.entries()[1]["content"], raw);

  // The next turn is rendered from the transcript: the masked session answers
  // exactly as a session restored from the masked transcript (without any
  // filter) does, and not as the unmasked conversation does.
  const std::string masked_transcript = masked.transcript_json();
  const std::string next_masked = masked.respond(kNext, sampled(24));
  Session restored(masked_transcript, nullptr);
  const std::string next_restored = restored.respond(kNext, sampled(24));
  const std::string next_plain = plain.respond(kNext, sampled(24));
  EXPECT_EQ(star(next_restored, term), next_masked);
  EXPECT_NE(next_plain, next_restored) << "the test cannot tell the two contexts apart";
}

TEST(SessionCapi, StreamedPiecesAreRawAndTheResultIsMasked) {
  Session plain(nullptr);
  const std::string raw = plain.respond(kPrompt, sampled(48));
  const std::string term = pick_term(raw);
  ASSERT_FALSE(term.empty());
  Masker masker(term);
  zhi_session_options o = masking_options(masker);
  Session masked(&o);
  std::string streamed;
  char* out = nullptr;
  const zhi_generation_options g = sampled(48);
  const zhi_delta_fn collect = [](void* user, const char* text, size_t len) -> int32_t {
    static_cast<std::string*>(user)->append(text, len);
    return 0;
  };
  ASSERT_EQ(zhi_session_stream(masked.s, kPrompt, &g, collect, &streamed, &out, nullptr), ZHI_OK)
      << zhi_last_error();
  const std::string result = out ? out : "";
  zhi_string_free(out);
  EXPECT_EQ(streamed, raw);  // the display's business
  EXPECT_EQ(result, star(raw, term));
  EXPECT_EQ(masked.entries()[1]["content"], star(raw, term));
}

TEST(SessionCapi, RecordFilterNullFailsTheRequestAndChangesNothing) {
  Masker masker("x");
  zhi_session_options o = masking_options(masker);
  Session s(&o);
  s.respond(kPrompt, sampled(8));
  ASSERT_EQ(s.entries().size(), 2u);
  masker.refuse = true;
  s.respond(kNext, sampled(8), ZHI_GUARDRAIL_VIOLATION);
  EXPECT_NE(std::string(zhi_last_error()).find("record filter"), std::string::npos)
      << zhi_last_error();
  EXPECT_EQ(s.entries().size(), 2u);
}

TEST(SessionCapi, OptionsFromAnOlderHeaderHaveNoRecordFilter) {
  // A caller built against the header before record_filter existed passes a
  // shorter struct; whatever lies beyond its struct_size is not read.
  zhi_session_options o;
  zhi_session_options_init(&o);
  o.record_filter = [](void*, const char*, size_t) -> const char* { return nullptr; };
  o.struct_size = offsetof(zhi_session_options, record_filter);
  Session s(&o);
  Session plain(nullptr);
  EXPECT_EQ(s.respond(kPrompt, sampled(16)), plain.respond(kPrompt, sampled(16)));
  EXPECT_EQ(s.entries().size(), 2u);
}

}  // namespace
