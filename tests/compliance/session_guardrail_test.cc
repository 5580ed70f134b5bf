// The policy inside a real Session (the tiny random-weight model): prompt
// refusals before generation, in the user's language; a term in the streamed
// answer stops generation and is retracted, the error naming the category and
// never the term; mask terms are starred before they are shown.
//
// The model's text means nothing, but seeded sampling is deterministic: each
// test first generates without a guardrail, then takes its term from that
// answer, across a boundary between streamed pieces.
#include "compliance/session_guardrail.h"

#include <gtest/gtest.h>

#include "compliance/test_pack.h"
#include "session/tiny_model.h"

namespace zhi::compliance {
namespace {

using zhi::compliance::testing::kRefusalEn;
using zhi::compliance::testing::kRefusalZh;
using zhi::compliance::testing::ListSpec;
using zhi::compliance::testing::make_moderator;

GenerationOptions greedy(int64_t max_tokens) {
  GenerationOptions g;
  g.greedy = true;
  g.max_tokens = max_tokens;
  return g;
}

// The tiny model's greedy answer is an empty line; seeded sampling over the
// whole vocabulary gives a longer (and as reproducible) answer.
GenerationOptions sampled(int64_t max_tokens) {
  GenerationOptions g;
  g.greedy = false;
  g.temperature = 1.0f;
  g.top_k = 0;
  g.top_p = 1.0f;
  g.min_p = 0.0f;
  g.seed = 20251;
  g.max_tokens = max_tokens;
  return g;
}

struct Plain {
  std::string content;
  std::vector<size_t> piece_ends;  // byte offset where each streamed piece ends
  int64_t generated = 0;
};

Plain unguarded(const std::string& prompt, int64_t max_tokens) {
  Plain p;
  auto s = Session::create(zhi::testing::tiny_model());
  EXPECT_TRUE(s.ok());
  auto r = (*s)->stream(prompt, sampled(max_tokens), [&](const StreamDelta& d) {
    p.piece_ends.push_back(d.content.size());
    return true;
  });
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (r.ok()) {
    p.content = r->content;
    p.generated = r->stats.generated_tokens;
  }
  return p;
}

// Code points of `s` with their byte offsets (the session only ever hands out whole characters).
std::vector<std::pair<size_t, char32_t>> code_points(const std::string& s) {
  std::vector<std::pair<size_t, char32_t>> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.emplace_back(i, cp);
    i += n;
  }
  return out;
}

// Letters, digits and CJK ideographs: characters a term may be made of here
// (no separators, which matching skips, and no case to fold).
bool usable(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 0x4E00 && c <= 0x9FFF);
}

// Two usable characters either side of a boundary between streamed pieces,
// in the first three quarters of the answer: a term that completes only in a
// later piece, with answer left after it.
std::string term_across_pieces(const Plain& p) {
  const auto cps = code_points(p.content);
  for (size_t end : p.piece_ends) {
    if (end > p.content.size() * 3 / 4) continue;
    size_t k = 0;
    while (k < cps.size() && cps[k].first < end) ++k;  // cps[k] starts the next piece
    if (k < 2 || k + 2 > cps.size()) continue;
    if (!usable(cps[k - 2].second) || !usable(cps[k - 1].second) || !usable(cps[k].second) ||
        !usable(cps[k + 1].second))
      continue;
    const size_t b = cps[k - 2].first;
    const size_t e = k + 2 < cps.size() ? cps[k + 2].first : p.content.size();
    return p.content.substr(b, e - b);
  }
  return "";
}

// The first prompt (of a few, in one language) whose greedy answer holds such
// a term; the tiny model answers some prompts with an immediate end of turn.
struct Pick {
  std::string prompt;
  Plain plain;
  std::string term;
};

Pick pick(const std::vector<std::string>& prompts, int64_t max_tokens) {
  Pick p;
  std::string tried;
  for (const std::string& prompt : prompts) {
    p.prompt = prompt;
    p.plain = unguarded(prompt, max_tokens);
    p.term = term_across_pieces(p.plain);
    if (!p.term.empty()) return p;
    tried += "\n  " + prompt + " -> '" + p.plain.content + "'";
  }
  ADD_FAILURE() << "no usable term in the tiny model's answers:" << tried;
  return p;
}

const std::vector<std::string> kEnglishPrompts = {
    "hello there",  "Tell me a story.",          "What is the weather like today?",
    "Write a poem", "Explain how a phone works", "Hi"};
const std::vector<std::string> kChinesePrompts = {"你好，请介绍一下自己", "今天天气怎么样？",
                                                  "给我讲个故事", "写一首诗", "手机是怎么工作的？"};

struct Shown {
  std::string now;                  // what the user sees
  std::vector<std::string> states;  // after every update
};

ShowCallback recorder(Shown* s) {
  return [s](const ShownText& t) {
    if (t.replace) s->now.clear();
    s->now += t.text;
    s->states.push_back(s->now);
    return true;
  };
}

TEST(SessionGuardrail, RefusesThePromptBeforeGenerationInTheUsersLanguage) {
  auto mod = make_moderator({{"T.refuse", "substring", "违禁测试词\nforbiddenterm\n"}});
  ASSERT_TRUE(mod);
  auto guard = SessionGuardrail::create(mod);
  SessionOptions so;
  so.guardrail = guard->hook();
  auto s = Session::create(zhi::testing::tiny_model(), so);
  ASSERT_TRUE(s.ok());

  Shown shown;
  auto zh = guarded_stream(**s, *guard, "请告诉我关于违禁测试词的事", greedy(16), recorder(&shown));
  ASSERT_TRUE(zh.ok()) << zh.error().to_string();
  EXPECT_TRUE(zh->outcome.blocked);
  EXPECT_EQ(zh->outcome.stage, GuardrailStage::kPrompt);
  EXPECT_EQ(zh->outcome.category_id, "T.refuse");
  EXPECT_EQ(zh->response.content, kRefusalZh);
  EXPECT_EQ(zh->response.stats.generated_tokens, 0);  // nothing was generated
  EXPECT_EQ(shown.now, kRefusalZh);
  EXPECT_TRUE((*s)->transcript().entries.empty());

  auto en = guarded_stream(**s, *guard, "tell me about the ForbiddenTerm please", greedy(16), {});
  ASSERT_TRUE(en.ok());
  EXPECT_TRUE(en->outcome.blocked);
  EXPECT_EQ(en->response.content, kRefusalEn);

  // Through the plain Session API: guardrail_violation, category named, term not.
  auto plain = (*s)->respond("what is a forbiddenterm", greedy(16));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code(), ErrorCode::kGuardrailViolation);
  EXPECT_NE(plain.error().message().find("T.refuse"), std::string::npos) << plain.error().message();
  EXPECT_EQ(plain.error().message().find("forbiddenterm"), std::string::npos);
  EXPECT_NE(plain.error().message().find(kRefusalEn), std::string::npos);

  // A clean prompt on the same session is answered.
  auto ok = guarded_stream(**s, *guard, "hello", greedy(8), {});
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->outcome.blocked);
  EXPECT_GT(ok->response.stats.generated_tokens, 0);
}

TEST(SessionGuardrail, OutputTermStopsGenerationAndIsRetracted) {
  for (const bool english : {true, false}) {
    const Pick picked = pick(english ? kEnglishPrompts : kChinesePrompts, 48);
    ASSERT_FALSE(picked.term.empty());
    const std::string& prompt = picked.prompt;
    const Plain& plain = picked.plain;
    const std::string& term = picked.term;
    SCOPED_TRACE(prompt + " / term " + term);
    const size_t at = plain.content.find(term);

    auto mod = make_moderator({{"T.refuse", "substring", term + "\n"}});
    ASSERT_TRUE(mod);
    auto guard = SessionGuardrail::create(mod);
    SessionOptions so;
    so.guardrail = guard->hook();
    auto s = Session::create(zhi::testing::tiny_model(), so);
    ASSERT_TRUE(s.ok());
    Shown shown;
    auto r = guarded_stream(**s, *guard, prompt, sampled(48), recorder(&shown));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_TRUE(r->outcome.blocked);
    EXPECT_EQ(r->outcome.stage, GuardrailStage::kResponse);
    EXPECT_EQ(r->outcome.category_id, "T.refuse");
    const std::string refusal = r->outcome.language == "en" ? kRefusalEn : kRefusalZh;
    EXPECT_EQ(r->outcome.language, english ? "en" : "zh-CN");
    EXPECT_EQ(r->response.content, refusal);
    EXPECT_EQ(shown.now, refusal);  // retracted and replaced
    ASSERT_GE(shown.states.size(), 1u);
    for (const std::string& state : shown.states)
      EXPECT_EQ(state.find(term), std::string::npos) << "the term was shown: " << state;
    // Something of the answer before the term was shown before the retraction.
    if (at > 8) {
      EXPECT_GE(shown.states.size(), 2u);
    }
    EXPECT_TRUE((*s)->transcript().entries.empty());

    // The plain API stops too, early, and never names the term.
    auto plain_guard = SessionGuardrail::create(mod);
    SessionOptions po;
    po.guardrail = plain_guard->hook();
    auto ps = Session::create(zhi::testing::tiny_model(), po);
    ASSERT_TRUE(ps.ok());
    std::string streamed;
    auto pr = (*ps)->stream(prompt, sampled(48), [&](const StreamDelta& d) {
      streamed += d.text;
      return true;
    });
    ASSERT_FALSE(pr.ok());
    EXPECT_EQ(pr.error().code(), ErrorCode::kGuardrailViolation);
    EXPECT_NE(pr.error().message().find("T.refuse"), std::string::npos);
    EXPECT_EQ(pr.error().message().find(term), std::string::npos) << pr.error().message();
    EXPECT_EQ(streamed.find(term), std::string::npos);
    EXPECT_LT(streamed.size(), plain.content.size());  // generation stopped
    EXPECT_EQ(plain_guard->outcome().stage, GuardrailStage::kResponse);
  }
}

TEST(SessionGuardrail, MasksOutputAndPromptSpans) {
  const Pick picked = pick(kEnglishPrompts, 48);
  ASSERT_FALSE(picked.term.empty());
  const std::string& prompt = picked.prompt;
  const Plain& plain = picked.plain;
  const std::string& term = picked.term;
  SCOPED_TRACE(prompt + " / term " + term);

  auto mod = make_moderator({{"T.mask", "substring", term + "\nsecretword\n"}});
  ASSERT_TRUE(mod);
  auto guard = SessionGuardrail::create(mod);
  SessionOptions so;
  so.guardrail = guard->hook();
  so.record_filter = guard->record_filter();
  auto s = Session::create(zhi::testing::tiny_model(), so);
  ASSERT_TRUE(s.ok());
  Shown shown;
  auto r = guarded_stream(**s, *guard, prompt, sampled(48), recorder(&shown));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->outcome.blocked);
  EXPECT_EQ(r->outcome.output.decision, Action::kMask);
  // Every occurrence starred, one '*' per character; the rest passes unchanged.
  std::string expected = plain.content;
  for (size_t at = expected.find(term); at != std::string::npos; at = expected.find(term, at))
    expected.replace(at, term.size(), std::string(code_points(term).size(), '*'));
  EXPECT_EQ(r->response.content, expected);
  EXPECT_EQ(shown.now, expected);
  EXPECT_EQ(r->outcome.output.masked, expected);
  for (const std::string& state : shown.states)
    EXPECT_EQ(state.find(term), std::string::npos) << "shown unmasked: " << state;
  EXPECT_EQ(r->response.stats.generated_tokens, plain.generated);  // masking does not stop it
  // The transcript (the next turn's prompt, what is saved) holds the answer masked.
  {
    const auto entries = (*s)->transcript().entries;
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[1].role, Role::kAssistant);
    EXPECT_EQ(entries[1].content, expected);
  }

  // A masked prompt reaches the model masked.
  auto p = guarded_stream(**s, *guard, "my secretword is here", greedy(4), {});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->outcome.input.decision, Action::kMask);
  const auto entries = (*s)->transcript().entries;
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(entries[entries.size() - 2].content, "my ********** is here");
}

}  // namespace
}  // namespace zhi::compliance
