// Session-layer costs: the full-vocabulary token mask of guided generation,
// constrained vs free decoding, and time to first token with and without a
// prefix-cache hit.
//
//   ZHI_BENCH_TOKENIZER=qwen-tokenizer.json  the real Qwen vocabulary (151,665 tokens);
//                                            default: the synthetic Qwen-sized one
//   ZHI_BENCH_MODEL=model.gguf               end-to-end benchmarks (skipped without it)
//   ZHI_BENCH_DRAFT=draft.gguf               speculative decoding with this draft model
//   ZHI_BENCH_THREADS=2
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "session/compiled_grammar.h"
#include "session/grammar_matcher.h"
#include "session/json_schema_grammar.h"
#include "session/token_mask.h"
#include "session/token_trie.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_metadata.h"
#include "zhi/session.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSchema = R"({
  "type": "object",
  "properties": {
    "name": {"type": "string", "maxLength": 40},
    "age": {"type": "integer", "minimum": 0, "maximum": 150},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 12}, "maxItems": 5},
    "born": {"type": "string", "format": "date"},
    "score": {"type": "number", "minimum": 0, "maximum": 1},
    "bio": {"type": "string", "maxLength": 400}
  },
  "required": ["name", "age", "born", "bio"]
})";

// A valid answer, as a model would write it: spaced JSON, Chinese and English.
constexpr const char* kAnswer =
    R"({"name": "李小龙 Bruce Lee", "age": 32, "tags": ["actor", "武术", "philosopher"], "born": "1940-11-27", )"
    R"("score": 0.875, "bio": "Bruce Lee was a Hong Kong and American martial artist, actor and filmmaker. )"
    R"(他创立了截拳道，被认为是二十世纪最有影响力的武术家之一。 His films brought martial arts to a worldwide audience."})";

struct Vocab {
  std::unique_ptr<zhi::Tokenizer> tokenizer;
  std::unique_ptr<zhi::TokenTrie> trie;
};

const Vocab& vocab() {
  static const Vocab v = [] {
    Vocab out;
    const char* path = std::getenv("ZHI_BENCH_TOKENIZER");
    auto tok = path ? zhi::Tokenizer::from_hf_json_file(path) : zhi::Tokenizer::from_vocab(zhi::synthetic_qwen_vocab(151936));
    if (!tok.ok()) {
      std::fprintf(stderr, "session_bench: %s\n", tok.status().to_string().c_str());
      std::exit(1);
    }
    out.tokenizer = std::make_unique<zhi::Tokenizer>(std::move(tok).value());
    out.trie = std::make_unique<zhi::TokenTrie>(*out.tokenizer, out.tokenizer->n_vocab());
    return out;
  }();
  return v;
}

std::shared_ptr<zhi::CompiledGrammar> compile() {
  auto g = zhi::json_schema_grammar(kSchema);
  if (!g.ok()) std::exit(1);
  return std::make_shared<zhi::CompiledGrammar>(std::move(g).value());
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

// Walks the answer token by token: mask, apply it to logits, accept the
// token. Arg 0: cold (a fresh grammar each pass, as on a schema's first
// request); 1: warm (states and masks cached by earlier passes).
void BM_TokenMask(benchmark::State& state) {
  const Vocab& v = vocab();
  const bool warm = state.range(0) == 1;
  const std::vector<int32_t> ids = v.tokenizer->encode(kAnswer, false);
  const int64_t n_vocab = v.tokenizer->n_vocab();
  std::vector<float> logits(static_cast<size_t>(n_vocab), 0.5f), masked(logits.size());
  std::shared_ptr<zhi::CompiledGrammar> shared = compile();
  std::vector<double> mask_us, apply_us;
  if (warm) {  // one pass first, so every state and mask is cached
    zhi::GrammarMatcher m(shared, *v.trie);
    for (int32_t id : ids) {
      m.mask();
      m.accept_token(id);
    }
  }
  for (auto _ : state) {
    auto grammar = warm ? shared : compile();
    zhi::GrammarMatcher m(grammar, *v.trie);
    for (int32_t id : ids) {
      auto t0 = Clock::now();
      auto bits = m.mask();
      auto t1 = Clock::now();
      benchmark::DoNotOptimize(zhi::apply_token_mask(logits.data(), *bits, n_vocab, masked.data()));
      auto t2 = Clock::now();
      mask_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      apply_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
      if (!((*bits)[static_cast<size_t>(id) >> 6] >> (id & 63) & 1) || !m.accept_token(id)) {
        state.SkipWithError("the grammar rejected the sample answer");
        return;
      }
    }
    if (!m.complete()) state.SkipWithError("the sample answer did not complete the grammar");
  }
  state.counters["tokens"] = static_cast<double>(ids.size());
  state.counters["vocab"] = static_cast<double>(n_vocab);
  state.counters["mask_median_us"] = percentile(mask_us, 0.5);
  state.counters["mask_p90_us"] = percentile(mask_us, 0.9);
  state.counters["mask_max_us"] = percentile(mask_us, 1.0);
  state.counters["apply_median_us"] = percentile(apply_us, 0.5);
  state.counters["states"] = static_cast<double>(shared->state_count());
  state.counters["byte_classes"] = static_cast<double>(shared->byte_classes());
  state.counters["trie_nodes"] = static_cast<double>(v.trie->nodes().size());
  state.counters["class_trie_nodes"] = static_cast<double>(shared->class_trie_nodes());
}
BENCHMARK(BM_TokenMask)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

std::shared_ptr<zhi::Model> bench_model() {
  static std::shared_ptr<zhi::Model> model = [] {
    const char* path = std::getenv("ZHI_BENCH_MODEL");
    if (!path) return std::shared_ptr<zhi::Model>();
    zhi::ModelOptions o;
    o.context_size = 2048;
    const char* threads = std::getenv("ZHI_BENCH_THREADS");
    o.threads = threads ? std::atoi(threads) : 2;
    auto m = zhi::Model::load(path, o);
    if (!m.ok()) std::fprintf(stderr, "session_bench: %s\n", m.error().to_string().c_str());
    return m.ok() ? m.value() : nullptr;
  }();
  return model;
}

// Decoding speed, free (arg 0, 64 tokens) vs held to a schema (arg 1),
// greedy, per generated token; the schema's masks are warm.
void BM_Decode(benchmark::State& state) {
  auto model = bench_model();
  if (!model) {
    state.SkipWithError("set ZHI_BENCH_MODEL to a GGUF file");
    return;
  }
  const bool constrained = state.range(0) == 1;
  zhi::GenerationOptions g;
  g.greedy = true;
  g.max_tokens = 64;
  // Bounded, so every constrained answer completes: at most ~70 characters.
  if (constrained) {
    g.max_tokens = 256;
    g.json_schema = R"({"type": "array", "items": {"type": "string", "maxLength": 8}, "minItems": 6, "maxItems": 6})";
  }
  double seconds = 0;
  int64_t tokens = 0;
  {  // warm-up: the schema's states and masks are cached from here on
    auto s = zhi::Session::create(model);
    (void)(*s)->respond("Write a long story.", g);
  }
  for (auto _ : state) {
    auto s = zhi::Session::create(model);
    auto r = (*s)->respond("Write a long story.", g);
    if (!r.ok() && r.error().code() != zhi::ErrorCode::kDecodingFailure) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    if (r.ok()) {
      seconds += r->stats.generate_seconds;
      tokens += r->stats.generated_tokens;
    }
  }
  state.counters["tokens_per_s"] = seconds > 0 ? static_cast<double>(tokens) / seconds : 0;
  state.counters["ms_per_token"] = tokens > 0 ? 1000.0 * seconds / static_cast<double>(tokens) : 0;
}
BENCHMARK(BM_Decode)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->Iterations(2);

// Time to first token of a session's second request, with the prefix cache
// (arg 1) or after clearing it (arg 0). The instructions are ~300 tokens.
void BM_TimeToFirstToken(benchmark::State& state) {
  auto model = bench_model();
  if (!model) {
    state.SkipWithError("set ZHI_BENCH_MODEL to a GGUF file");
    return;
  }
  const bool cached = state.range(0) == 1;
  std::string instructions = "You are a careful assistant for a travel company. ";
  for (int i = 0; i < 20; ++i) instructions += "Answer precisely, cite the booking rules, and keep answers short. ";
  zhi::SessionOptions so;
  so.instructions = instructions;
  zhi::GenerationOptions g;
  g.greedy = true;
  g.max_tokens = 1;
  double ttft = 0, prompt_tokens = 0, reused = 0;
  for (auto _ : state) {
    auto s = zhi::Session::create(model, so);
    (void)(*s)->respond("Where is my booking?", g);
    if (!cached) model->clear_prefix_cache();
    auto r = (*s)->respond("And can I change the date?", g);
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    ttft += r->stats.time_to_first_token_s;
    prompt_tokens = static_cast<double>(r->stats.prompt_tokens);
    reused = static_cast<double>(r->stats.cached_tokens);
  }
  state.counters["ttft_ms"] = 1000.0 * ttft / static_cast<double>(state.iterations());
  state.counters["prompt_tokens"] = prompt_tokens;
  state.counters["cached_tokens"] = reused;
}
BENCHMARK(BM_TimeToFirstToken)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->Iterations(2);

// Greedy decoding with a draft model (arg: tokens proposed per step; 0 is
// plain greedy). Reports the acceptance rate and tokens per second.
void BM_Speculative(benchmark::State& state) {
  auto model = bench_model();
  const char* draft_path = std::getenv("ZHI_BENCH_DRAFT");
  if (!model || !draft_path) {
    state.SkipWithError("set ZHI_BENCH_MODEL and ZHI_BENCH_DRAFT to GGUF files with one vocabulary");
    return;
  }
  static std::shared_ptr<zhi::Model> draft = [&] {
    zhi::ModelOptions o = model->options();
    auto m = zhi::Model::load(draft_path, o);
    return m.ok() ? m.value() : nullptr;
  }();
  if (!draft) {
    state.SkipWithError("the draft model did not load");
    return;
  }
  zhi::SessionOptions so;
  so.draft_model = state.range(0) > 0 ? draft : nullptr;
  so.draft_tokens = static_cast<int>(state.range(0));
  zhi::GenerationOptions g;
  g.greedy = true;
  g.max_tokens = 64;
  double seconds = 0;
  int64_t tokens = 0, proposed = 0, accepted = 0;
  for (auto _ : state) {
    auto s = zhi::Session::create(model, so);
    if (!s.ok()) {
      state.SkipWithError(s.error().to_string().c_str());
      return;
    }
    auto r = (*s)->respond("Write a long story about the sea.", g);
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    seconds += r->stats.generate_seconds;
    tokens += r->stats.generated_tokens;
    proposed += r->stats.draft_proposed;
    accepted += r->stats.draft_accepted;
  }
  state.counters["tokens_per_s"] = seconds > 0 ? static_cast<double>(tokens) / seconds : 0;
  state.counters["acceptance"] = proposed > 0 ? static_cast<double>(accepted) / static_cast<double>(proposed) : 0;
}
BENCHMARK(BM_Speculative)->Arg(0)->Arg(4)->Unit(benchmark::kSecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
