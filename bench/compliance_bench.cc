// Compliance moderation throughput:
//  - block mode: whole texts (4 MiB) of generated mixed Chinese/English (about
//    half and half by bytes) against a 100,000-term list, bytes of original
//    text per second of wall time (Moderator::check scans a text this long as
//    parts on two threads, block_scan.h), with and without the two
//    personal-information regexes the cn pack ships;
//  - the same text with no terms at all: the folding (normalization) floor;
//  - the 100,000-term scan on one thread (the per-core rate);
//  - streaming: microseconds per generated token (1-6 byte pieces) through a
//    StreamModerator over the same list, including the hold-back release
//    (one thread).
//
//   build-bench/compliance_bench --benchmark_min_time=1 --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "compliance/block_scan.h"
#include "compliance/moderator.h"
#include "compliance/policy_loader.h"
#include "compliance/stream_moderator.h"
#include "compliance/utf8_codec.h"
#include "other_load_counter.h"

namespace {

using zhi::compliance::Action;
using zhi::compliance::MatchMode;
using zhi::compliance::Moderator;
using zhi::compliance::PolicyPack;

constexpr size_t kTerms = 100000;

// Common characters: the text draws from these, so Chinese words repeat as
// in real prose. Terms draw from all of the URO, as a real list of names
// and phrases mostly does not occur in ordinary text.
const char32_t* common_hanzi() {
  static const std::u32string s =
      U"的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
      U"过子说产种面而方后多定"
      U"行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去"
      U"把性好应开它合还因由其"
      U"些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道"
      U"命此变条只没结解问意建"
      U"月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头"
      U"基资边流路级少图山统接"
      U"知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研队南给色光门即保"
      U"治北造百规热领七海口东";
  return s.c_str();
}

std::string make_mixed_text(size_t bytes, uint32_t seed) {
  static const char* const kWords[] = {
      "the",      "model",   "runs",    "on",        "a",       "phone",      "with",   "two",
      "threads",  "and",     "answers", "questions", "about",   "weather",    "travel", "recipes",
      "music",    "for",     "users",   "in",        "many",    "cities",     "policy", "pack",
      "region",   "text",    "is",      "checked",   "before",  "after",      "we",     "they",
      "it's",     "don't",   "memory",  "cache",     "of",      "to",         "that",   "was",
      "this",     "have",    "from",    "or",        "one",     "by",         "word",   "but",
      "not",      "what",    "all",     "when",      "your",    "can",        "said",   "there",
      "each",     "which",   "how",     "their",     "if",      "will",       "other",  "Beijing",
      "Hangzhou", "Alibaba", "Qwen",    "inference", "latency", "throughput", "engine", "people"};
  const std::u32string hanzi = common_hanzi();
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(bytes + 256);
  while (s.size() < bytes) {
    const unsigned kind = rng() % 10;
    if (kind < 4) {
      const int n = 5 + static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i)
        s += std::string(i ? " " : "") + kWords[rng() % std::size(kWords)];
      s += ". ";
    } else if (kind < 9) {
      const int n = 6 + static_cast<int>(rng() % 20);
      for (int i = 0; i < n; ++i) {
        zhi::compliance::append_utf8(s, hanzi[rng() % hanzi.size()]);
        if (rng() % 9 == 0) s += "，";
      }
      s += "。";
    } else {
      s += std::to_string(rng() % 100000) + " 个 items, " + std::to_string(rng() % 1000) + "% ";
    }
    if (rng() % 12 == 0) s += "\n";
  }
  return s;
}

std::vector<std::string> make_terms(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::set<std::string> seen;
  std::vector<std::string> out;
  while (out.size() < n) {
    std::string t;
    if (out.size() % 3 != 0) {  // 2-6 ideographs
      const int len = 2 + static_cast<int>(rng() % 5);
      for (int i = 0; i < len; ++i) zhi::compliance::append_utf8(t, 0x4E00 + rng() % 0x51A6);
    } else {  // 5-12 letters: whole-word terms
      const int len = 5 + static_cast<int>(rng() % 8);
      for (int i = 0; i < len; ++i) t += static_cast<char>('a' + rng() % 26);
    }
    if (seen.insert(t).second) out.push_back(t);
  }
  return out;
}

// regex: 0 none; 1 the cn pack's two (ID and phone numbers: they start
// with digits); 2 those and three that start with Chinese characters, as
// operators' lists do.
std::shared_ptr<const Moderator> make_moderator(size_t n_terms, int regex) {
  PolicyPack pack;
  pack.identity = {"bench", "1", "bench", "BENCH"};
  zhi::compliance::Category c;
  c.id = "B.1";
  c.slug = "bench";
  c.class_id = "B";
  c.action = Action::kFlag;
  pack.categories.push_back(c);
  const std::vector<std::string> terms = make_terms(n_terms, 42);
  for (size_t i = 0; i < terms.size(); ++i) {
    const zhi::Status st = zhi::compliance::add_term(pack, terms[i], MatchMode::kAuto, 0,
                                                     "bench:" + std::to_string(i));
    if (!st.ok()) std::fprintf(stderr, "compliance_bench: %s\n", st.to_string().c_str());
  }
  // A few terms that do occur in the text, so the hit path is exercised.
  for (const char* t : {"天气", "people", "人民"})
    (void)zhi::compliance::add_term(pack, t, MatchMode::kAuto, 0, "bench:hit");
  if (regex >= 1) {
    (void)zhi::compliance::add_term(pack, "\\b\\d{17}[\\dx]\\b", MatchMode::kRegex, 0, "bench:id");
    (void)zhi::compliance::add_term(pack, "\\b1[3-9]\\d{9}\\b", MatchMode::kRegex, 0,
                                    "bench:phone");
  }
  if (regex >= 2) {
    for (const char* t : {"(买|卖|出售).{0,6}(枪支|弹药)", "代开.{0,4}发票", "刷单.{0,8}返利"})
      (void)zhi::compliance::add_term(pack, t, MatchMode::kRegex, 0, "bench:cjk");
  }
  zhi::Result<std::shared_ptr<const Moderator>> m = Moderator::create(std::move(pack));
  if (!m.ok()) {
    std::fprintf(stderr, "compliance_bench: %s\n", m.status().to_string().c_str());
    return nullptr;
  }
  return m.value();
}

// The moderator for (term list, regexes), built once per process; null
// (and the benchmark marked failed) when it cannot be built.
const Moderator* moderator_for(benchmark::State& state, size_t n_terms, int regex) {
  static std::shared_ptr<const Moderator> mods[6];
  auto& mod = mods[(n_terms > 0) * 3 + regex];
  if (!mod) mod = make_moderator(n_terms, regex);
  if (!mod) state.SkipWithError("could not build the moderator");
  return mod.get();
}

const std::string& text() {
  static const std::string t = make_mixed_text(4 << 20, 7);
  return t;
}

void BM_Block(benchmark::State& state) {
  const size_t n_terms = static_cast<size_t>(state.range(0));
  const Moderator* mod = moderator_for(state, n_terms, static_cast<int>(state.range(1)));
  if (mod == nullptr) return;
  size_t findings = 0;
  const zhi::OtherLoadCounter other_load(state);
  for (auto _ : state) {
    zhi::Result<zhi::compliance::Verdict> v = mod->check(text(), "en");
    findings = v.ok() ? v->findings.size() : 0;
    benchmark::DoNotOptimize(findings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text().size()));
  state.counters["terms"] = static_cast<double>(n_terms);
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_Block)
    ->ArgNames({"terms", "regex"})
    ->Args({0, 0})
    ->Args({static_cast<int64_t>(kTerms), 0})
    ->Args({static_cast<int64_t>(kTerms), 1})
    ->Args({static_cast<int64_t>(kTerms), 2})
    ->UseRealTime()  // the scan's second thread does not count in this one's CPU time
    ->Unit(benchmark::kMillisecond);

// The same scan as one part on the calling thread: what one core does (and
// what Moderator::check does for texts under kSplitMinBytes).
void BM_BlockOneThread(benchmark::State& state) {
  const Moderator* mod = moderator_for(state, kTerms, static_cast<int>(state.range(0)));
  if (mod == nullptr) return;
  size_t findings = 0;
  const zhi::OtherLoadCounter other_load(state);
  for (auto _ : state) {
    zhi::Result<std::vector<zhi::compliance::Hit>> hits =
        zhi::compliance::scan_parts(mod->rules(), text(), {}, nullptr);
    findings = hits.ok() ? mod->decide(text(), *hits, "en").findings.size() : 0;
    benchmark::DoNotOptimize(findings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text().size()));
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_BlockOneThread)
    ->ArgNames({"regex"})
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

// Token-sized pieces (1-6 bytes, never splitting a character: a detokenizer
// emits whole characters), grouped into 512-token responses.
std::vector<std::vector<std::string>> make_responses(const std::string& t, size_t n_responses) {
  std::mt19937 rng(3);
  std::vector<std::vector<std::string>> out(n_responses);
  size_t at = 0;
  for (auto& r : out) {
    for (int k = 0; k < 512 && at < t.size(); ++k) {
      size_t len = 1 + rng() % 6;
      size_t end = std::min(t.size(), at + len);
      while (end < t.size() && (static_cast<unsigned char>(t[end]) & 0xC0) == 0x80) ++end;
      r.push_back(t.substr(at, end - at));
      at = end;
    }
  }
  return out;
}

void BM_StreamPerToken(benchmark::State& state) {
  const Moderator* mod = moderator_for(state, kTerms, state.range(0) != 0);
  if (mod == nullptr) return;
  static const std::vector<std::vector<std::string>> responses = make_responses(text(), 64);
  size_t tokens = 0, r = 0;
  const zhi::OtherLoadCounter other_load(state);
  for (auto _ : state) {
    const std::vector<std::string>& pieces = responses[r++ % responses.size()];
    zhi::Result<zhi::compliance::StreamModerator> s = mod->stream("en");
    for (const std::string& p : pieces) {
      zhi::Result<zhi::compliance::StreamStep> st = s->feed(p);
      benchmark::DoNotOptimize(st);
    }
    zhi::Result<zhi::compliance::StreamStep> st = s->finish();
    benchmark::DoNotOptimize(st);
    tokens += pieces.size();
  }
  // Seconds per token, printed with an SI prefix ("2.1u" is 2.1 µs).
  state.counters["per_token"] = benchmark::Counter(
      static_cast<double>(tokens), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(static_cast<int64_t>(tokens));
}
BENCHMARK(BM_StreamPerToken)->ArgNames({"regex"})->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
