// zhi bench: prompt and generation speed, medians of several runs, and
// generation as a share of the memory-bandwidth roofline measured here.
// Through the Session API, optionally: guided generation's overhead
// (--json-schema), speculative decoding's acceptance and speedup (--draft),
// and time to first token with and without a prefix-cache hit (--ttft).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/cli_common.h"
#include "core/host_load.h"
#include "core/memory_bandwidth.h"
#include "kernels/matmul.h"
#include "session/grammar_cache.h"
#include "session/grammar_matcher.h"
#include "session/json_schema_grammar.h"
#include "session/model_impl.h"
#include "session/token_trie.h"
#include "zhi/session.hpp"

namespace zhi::cli {
namespace {

struct BenchArgs {
  RunFlags run;
  int64_t n_prompt = 512;
  int64_t n_gen = 128;
  int reps = 5;
  bool json = false;
  std::string json_schema;  // FILE or inline JSON: guided-generation overhead
  std::string draft;        // draft model: speculative decoding
  int draft_tokens = 4;
  bool ttft = false;  // time to first token, first vs second request of a session
};

struct Spread {
  double median, min, max;
};

Spread spread(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

constexpr const char* kSessionPrompt =
    "Write a long story about the sea, the wind and a small boat.";

// --json-schema takes a file or the schema itself.
Result<std::string> schema_arg(const std::string& arg) {
  const size_t first = arg.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (arg[first] == '{' || arg[first] == '[' || arg == "true"))
    return arg;
  return read_file(arg);
}

Status api_status(const Error& e, const std::string& what) {
  return Status(StatusCode::kInvalidArgument, what + ": " + e.to_string());
}

GenerationOptions greedy_options(int64_t max_tokens) {
  GenerationOptions g;
  g.greedy = true;
  g.max_tokens = max_tokens;
  return g;
}

// One greedy answer in a fresh session; the model's prefix cache is cleared
// first so every run evaluates its prompt.
Result<Response> answer(const std::shared_ptr<Model>& model, const SessionOptions& so,
                        const GenerationOptions& g) {
  model->clear_prefix_cache();
  auto s = Session::create(model, so);
  if (!s.ok()) return api_status(s.error(), "session");
  auto r = (*s)->respond(kSessionPrompt, g);
  if (!r.ok()) return api_status(r.error(), "respond");
  return std::move(r).value();
}

double tokens_per_s(const ResponseStats& s) {
  return s.generate_seconds > 0 ? static_cast<double>(s.generated_tokens) / s.generate_seconds : 0;
}

struct GuidedResult {
  Spread free_tps{0, 0, 0}, guided_tps{0, 0, 0};
  double overhead = 0;  // 1 - guided/free, of the medians
  Spread mask_us{0, 0, 0};
  int64_t masked_tokens = 0, vocab = 0;
  std::string answer;
};

// Free vs schema-held greedy decoding, and the full-vocabulary mask's cost
// per token, timed by replaying the guided answer's tokens through the same
// (warm) compiled grammar the session used.
Result<GuidedResult> bench_guided(const std::shared_ptr<Model>& model, const std::string& schema,
                                  int64_t n_gen, int reps) {
  GuidedResult out;
  GenerationOptions free_g = greedy_options(n_gen), guided_g = greedy_options(n_gen);
  guided_g.json_schema = schema;
  // A structured answer must complete: it may run past -n, up to 512 tokens.
  guided_g.max_tokens = std::max<int64_t>(n_gen, 512);
  std::vector<double> free_tps, guided_tps;
  if (auto warm = answer(model, {}, guided_g); !warm.ok())
    return warm.status();  // compiles the schema, warms its masks
  for (int r = 0; r < reps; ++r) {
    ZHI_ASSIGN_OR_RETURN(Response f, answer(model, {}, free_g));
    ZHI_ASSIGN_OR_RETURN(Response g, answer(model, {}, guided_g));
    free_tps.push_back(tokens_per_s(f.stats));
    guided_tps.push_back(tokens_per_s(g.stats));
    out.answer = g.content;
  }
  out.free_tps = spread(free_tps);
  out.guided_tps = spread(guided_tps);
  out.overhead = out.free_tps.median > 0 ? 1.0 - out.guided_tps.median / out.free_tps.median : 0;

  ModelImpl& m = model->impl();
  auto grammar = m.grammars().get("schema:" + schema, [&] { return json_schema_grammar(schema); });
  if (!grammar.ok()) return api_status(grammar.error(), "--json-schema");
  const TokenTrie& trie = m.token_trie();
  const std::vector<int32_t> ids = m.loaded().tokenizer->encode(out.answer, false);
  std::vector<double> us;
  for (int r = 0; r < reps; ++r) {
    GrammarMatcher matcher(grammar.value(), trie);
    for (int32_t id : ids) {
      const auto t0 = std::chrono::steady_clock::now();
      auto bits = matcher.mask();
      us.push_back(seconds(t0) * 1e6);
      if (!((*bits)[static_cast<size_t>(id) >> 6] >> (id & 63) & 1) || !matcher.accept_token(id))
        break;
    }
  }
  if (!us.empty()) out.mask_us = spread(us);
  out.masked_tokens = static_cast<int64_t>(us.size()) / reps;
  out.vocab = model->vocab_size();
  return out;
}

struct DraftResult {
  Spread plain_tps{0, 0, 0}, spec_tps{0, 0, 0};
  double speedup = 0, acceptance = 0;
  int64_t proposed = 0, accepted = 0;
  bool identical = true;  // greedy text with and without the draft
};

Result<DraftResult> bench_draft(const std::shared_ptr<Model>& model,
                                const std::shared_ptr<Model>& draft, int draft_tokens,
                                int64_t n_gen, int reps) {
  DraftResult out;
  SessionOptions spec;
  spec.draft_model = draft;
  spec.draft_tokens = draft_tokens;
  const GenerationOptions g = greedy_options(n_gen);
  std::vector<double> plain_tps, spec_tps;
  for (int r = 0; r < reps; ++r) {
    draft->clear_prefix_cache();
    ZHI_ASSIGN_OR_RETURN(Response p, answer(model, {}, g));
    ZHI_ASSIGN_OR_RETURN(Response s, answer(model, spec, g));
    plain_tps.push_back(tokens_per_s(p.stats));
    spec_tps.push_back(tokens_per_s(s.stats));
    out.proposed += s.stats.draft_proposed;
    out.accepted += s.stats.draft_accepted;
    out.identical = out.identical && p.content == s.content;
  }
  out.plain_tps = spread(plain_tps);
  out.spec_tps = spread(spec_tps);
  out.speedup = out.plain_tps.median > 0 ? out.spec_tps.median / out.plain_tps.median : 0;
  out.acceptance =
      out.proposed > 0 ? static_cast<double>(out.accepted) / static_cast<double>(out.proposed) : 0;
  return out;
}

struct TtftResult {
  Spread first_ms{0, 0, 0}, second_ms{0, 0, 0};
  int64_t first_prompt_tokens = 0, second_prompt_tokens = 0, second_cached_tokens = 0;
  int runs = 0;
};

// A session with ~300 tokens of instructions answers twice; the second
// request's prompt starts with the whole first exchange (a prefix-cache hit).
// The cache is cleared before each run, so the first request is cold.
Result<TtftResult> bench_ttft(const std::shared_ptr<Model>& model, int reps) {
  TtftResult out;
  out.runs = std::max(reps, 5);
  SessionOptions so;
  so.instructions = "You are a careful assistant for a travel company. ";
  for (int i = 0; i < 20; ++i)
    so.instructions += "Answer precisely, cite the booking rules, and keep answers short. ";
  const GenerationOptions g = greedy_options(1);
  std::vector<double> first, second;
  for (int r = 0; r < out.runs; ++r) {
    model->clear_prefix_cache();
    auto s = Session::create(model, so);
    if (!s.ok()) return api_status(s.error(), "session");
    auto a = (*s)->respond("Where is my booking?", g);
    if (!a.ok()) return api_status(a.error(), "respond");
    auto b = (*s)->respond("And can I change the date?", g);
    if (!b.ok()) return api_status(b.error(), "respond");
    first.push_back(a->stats.time_to_first_token_s * 1e3);
    second.push_back(b->stats.time_to_first_token_s * 1e3);
    out.first_prompt_tokens = a->stats.prompt_tokens;
    out.second_prompt_tokens = b->stats.prompt_tokens;
    out.second_cached_tokens = b->stats.cached_tokens;
  }
  out.first_ms = spread(first);
  out.second_ms = spread(second);
  return out;
}

nlohmann::ordered_json spread_json(const Spread& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}};
}

int bench_main(const BenchArgs& a) {
  auto opts = context_options(a.run);
  if (!opts.ok()) return report(opts.status());
  std::string schema;  // checked before anything is measured
  if (!a.json_schema.empty()) {
    auto text = schema_arg(a.json_schema);
    if (!text.ok()) return report(text.status());
    if (auto g = json_schema_grammar(text.value()); !g.ok())
      return report(api_status(g.error(), "--json-schema"));
    schema = std::move(text).value();
  }
  if (opts->n_ctx == 0 || opts->n_ctx < a.n_prompt + a.n_gen) opts->n_ctx = a.n_prompt + a.n_gen;
  const auto t_load = std::chrono::steady_clock::now();
  auto model = Qwen2Model::load(a.run.model);
  if (!model.ok()) return report(model.status());
  const double load_s = seconds(t_load);
  auto ctx = Qwen2Context::create(model.value(), opts.value());
  if (!ctx.ok()) return report(ctx.status());
  Qwen2Context& c = **ctx;
  const int64_t n_vocab = c.config().n_vocab;

  // Token ids are arbitrary but fixed, so every run does identical work.
  std::vector<int32_t> prompt(a.n_prompt);
  for (int64_t i = 0; i < a.n_prompt; ++i)
    prompt[i] = static_cast<int32_t>((i * 7919 + 13) % n_vocab);
  // The host's bandwidth moves while we measure (a shared machine can halve
  // it between runs), so it is probed after every run and each run's
  // roofline share uses its own probe. The probe's buffer is freed and the
  // peak RSS restarted after it, so the peak stays the model's.
  // Each run also records how many CPUs other processes (or other guests,
  // through steal time) kept busy while it ran: a figure taken on a busy
  // host is low, and nothing else in the output would say so.
  // It is summed over the runs: /proc/stat counts in ticks (10 ms), too
  // coarse for one short run.
  std::vector<double> pp, tg, bws, shares;
  OtherLoadMeter other_load;
  double rss = 0;
  bool rss_clean = true;
  ThreadPool bw_pool(a.run.threads);
  const double model_gb = static_cast<double>(model.value()->weight_bytes()) / 1e9;
  for (int r = 0; r < a.reps; ++r) {
    (void)c.truncate(0);
    other_load.start();
    if (a.n_prompt > 0) {
      const auto t0 = std::chrono::steady_clock::now();
      if (Status s = c.eval(prompt); !s.ok()) return report(s);
      pp.push_back(a.n_prompt / seconds(t0));
    }
    if (a.n_gen > 0) {
      int32_t tok = 1;
      const auto t0 = std::chrono::steady_clock::now();
      for (int64_t i = 0; i < a.n_gen; ++i) {
        if (Status s = c.eval({&tok, 1}); !s.ok()) return report(s);
        tok = static_cast<int32_t>((tok * 31 + 7) % n_vocab);
      }
      tg.push_back(a.n_gen / seconds(t0));
    }
    other_load.stop();
    if (rss_clean) rss = std::max(rss, peak_rss_mib());
    const double bw_r = measure_read_bandwidth_gbs(bw_pool, uint64_t{256} << 20, 3);
    rss_clean = rss_clean && reset_peak_rss();
    bws.push_back(bw_r);
    if (!tg.empty() && bw_r > 0) shares.push_back(model_gb * tg.back() / bw_r);
  }
  const Spread p = pp.empty() ? Spread{0, 0, 0} : spread(pp);
  const Spread g = tg.empty() ? Spread{0, 0, 0} : spread(tg);
  const Spread bw_spread = bws.empty() ? Spread{0, 0, 0} : spread(bws);
  const Spread share = shares.empty() ? Spread{0, 0, 0} : spread(shares);
  const double bw = bw_spread.median;
  const double roofline = share.median;
  // Below half a second of runs the ticks' rounding would dominate.
  constexpr double kMinLoadSeconds = 0.5;
  // (A flag and a plain double: GCC 12 warns on std::optional<double> here.)
  const bool other_measured = other_load.available() && other_load.seconds() >= kMinLoadSeconds;
  const double other = other_load.cpus();
  // Above this many CPUs of other work the figures are likely low.
  constexpr double kBusyHost = 0.25;

  std::optional<GuidedResult> guided;
  std::optional<DraftResult> drafted;
  std::optional<TtftResult> ttft;
  if (!a.json_schema.empty() || !a.draft.empty() || a.ttft) {
    ModelOptions mo;
    mo.context_size = std::max<int64_t>(opts->n_ctx, 1024);
    mo.threads = a.run.threads;
    mo.batch_size = a.run.batch;
    mo.fast_prompts = a.run.fast_prompts;
    mo.kv_cache_type = opts->kv_type == GgmlType::kQ8_0  ? KvCacheType::kQ8_0
                       : opts->kv_type == GgmlType::kF32 ? KvCacheType::kF32
                                                         : KvCacheType::kF16;
    auto session_model = Model::load(a.run.model, mo);
    if (!session_model.ok()) return report(api_status(session_model.error(), a.run.model));
    const int64_t n_gen = std::max<int64_t>(a.n_gen, 1);
    if (!schema.empty()) {
      auto r = bench_guided(session_model.value(), schema, n_gen, a.reps);
      if (!r.ok()) return report(r.status());
      guided = std::move(r).value();
    }
    if (!a.draft.empty()) {
      auto draft = Model::load(a.draft, mo);
      if (!draft.ok()) return report(api_status(draft.error(), "--draft " + a.draft));
      auto r = bench_draft(session_model.value(), draft.value(), a.draft_tokens, n_gen, a.reps);
      if (!r.ok()) return report(r.status());
      drafted = r.value();
    }
    if (a.ttft) {
      auto r = bench_ttft(session_model.value(), a.reps);
      if (!r.ok()) return report(r.status());
      ttft = r.value();
    }
  }

  if (a.json) {
    nlohmann::ordered_json j;
    j["model"] = a.run.model;
    j["model_bytes"] = model.value()->weight_bytes();
    j["prompt_tokens"] = a.n_prompt;
    j["gen_tokens"] = a.n_gen;
    j["threads"] = a.run.threads;
    j["reps"] = a.reps;
    j["prompt_tps"] = {{"median", p.median}, {"min", p.min}, {"max", p.max}};
    j["gen_tps"] = {{"median", g.median}, {"min", g.min}, {"max", g.max}};
    j["bandwidth_gbs"] = bw;
    j["roofline_share"] = roofline;
    j["bandwidth_gbs_per_run"] = spread_json(bw_spread);
    j["roofline_share_per_run"] = spread_json(share);
    j["peak_rss_mb"] = rss;
    if (other_measured) {
      j["other_load_cpus"] = other;
    } else {
      j["other_load_cpus"] = nullptr;
    }
    j["load_seconds"] = load_s;
    j["repacked_mb"] = static_cast<double>(model.value()->packed_bytes()) / 1e6;
    j["fast_prompts"] = a.run.fast_prompts;
    if (guided) {
      j["json_schema"] = {{"free_gen_tps", spread_json(guided->free_tps)},
                          {"guided_gen_tps", spread_json(guided->guided_tps)},
                          {"overhead", guided->overhead},
                          {"mask_us_per_token", spread_json(guided->mask_us)},
                          {"masked_tokens", guided->masked_tokens},
                          {"vocab", guided->vocab}};
    }
    if (drafted) {
      j["draft"] = {{"model", a.draft},
                    {"draft_tokens", a.draft_tokens},
                    {"plain_gen_tps", spread_json(drafted->plain_tps)},
                    {"speculative_gen_tps", spread_json(drafted->spec_tps)},
                    {"speedup", drafted->speedup},
                    {"acceptance_rate", drafted->acceptance},
                    {"proposed", drafted->proposed},
                    {"accepted", drafted->accepted},
                    {"identical_output", drafted->identical}};
    }
    if (ttft) {
      j["ttft"] = {{"runs", ttft->runs},
                   {"first_request_ms", spread_json(ttft->first_ms)},
                   {"second_request_ms", spread_json(ttft->second_ms)},
                   {"first_prompt_tokens", ttft->first_prompt_tokens},
                   {"second_prompt_tokens", ttft->second_prompt_tokens},
                   {"second_cached_tokens", ttft->second_cached_tokens}};
    }
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("model:      %s (%.1f MB of weights), load %.2f s\n", a.run.model.c_str(),
              model_gb * 1e3, load_s);
  if (model.value()->packed_bytes() > 0)
    std::printf(
        "repacked:   %.1f MB of weights interleaved for the decode kernels at load (ZHI_REPACK=0: "
        "off)\n",
        static_cast<double>(model.value()->packed_bytes()) / 1e6);
  std::printf("threads:    %d, runs: %d%s\n", a.run.threads, a.reps,
              a.run.fast_prompts ? ", --fast-prompts (block-sum prompt arithmetic)" : "");
  if (!pp.empty())
    std::printf("prompt %-4lld %8.1f tokens/s (min %.1f, max %.1f)\n",
                static_cast<long long>(a.n_prompt), p.median, p.min, p.max);
  if (!tg.empty())
    std::printf("gen    %-4lld %8.1f tokens/s (min %.1f, max %.1f)\n",
                static_cast<long long>(a.n_gen), g.median, g.min, g.max);
  std::printf("bandwidth:  %.1f GB/s read (probed after each run; min %.1f, max %.1f)\n", bw,
              bw_spread.min, bw_spread.max);
  if (!shares.empty())
    std::printf(
        "roofline:   decode at %.0f%% of the bandwidth probed after the same run (min %.0f%%, max "
        "%.0f%%)\n",
        roofline * 100, share.min * 100, share.max * 100);
  std::printf("peak RSS:   %.0f MiB (KV cache %.0f MiB)\n", rss, c.kv_bytes() / 1048576.0);
  if (other_measured) {
    std::printf("host load:  other processes used %.2f CPUs on average while the runs ran\n",
                other);
    if (other >= kBusyHost)
      std::printf(
          "warning:    the machine was busy with other work; these figures are likely low\n");
  } else if (other_load.available()) {
    std::printf("host load:  not measured (the runs took %.2f s, under %.1f s)\n",
                other_load.seconds(), kMinLoadSeconds);
  }
  if (guided) {
    std::printf(
        "json-schema: gen %.1f tokens/s guided vs %.1f free (overhead %.1f%%); mask median %.1f "
        "us/token "
        "(min %.1f, max %.1f) over %lld tokens, vocab %lld\n",
        guided->guided_tps.median, guided->free_tps.median, guided->overhead * 100,
        guided->mask_us.median, guided->mask_us.min, guided->mask_us.max,
        static_cast<long long>(guided->masked_tokens), static_cast<long long>(guided->vocab));
  }
  if (drafted) {
    std::printf(
        "draft:      gen %.1f tokens/s speculative vs %.1f plain greedy (speedup %.2fx); "
        "acceptance %.1f%% "
        "(%lld of %lld proposed, %d per step); output %s\n",
        drafted->spec_tps.median, drafted->plain_tps.median, drafted->speedup,
        drafted->acceptance * 100, static_cast<long long>(drafted->accepted),
        static_cast<long long>(drafted->proposed), a.draft_tokens,
        drafted->identical ? "identical" : "DIFFERS");
  }
  if (ttft) {
    std::printf(
        "ttft:       first request %.1f ms (%lld tokens, cold), second %.1f ms (%lld tokens, %lld "
        "cached); "
        "medians of %d runs\n",
        ttft->first_ms.median, static_cast<long long>(ttft->first_prompt_tokens),
        ttft->second_ms.median, static_cast<long long>(ttft->second_prompt_tokens),
        static_cast<long long>(ttft->second_cached_tokens), ttft->runs);
  }
  return 0;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  a->run.ctx = 0;
  CLI::App* cmd = app.add_subcommand(
      "bench", "measure prompt and generation speed against the memory roofline");
  add_run_flags(cmd, &a->run);
  cmd->add_option("-p,--n-prompt", a->n_prompt, "prompt tokens")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-n,--n-gen", a->n_gen, "generated tokens")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-r,--repetitions", a->reps, "runs; medians are reported")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->add_option("--json-schema", a->json_schema,
                  "also measure guided generation against this JSON Schema (a file, or the schema "
                  "text): generation "
                  "speed with and without the mask, and the mask's cost per token");
  cmd->add_option("--draft", a->draft,
                  "also measure speculative decoding with this draft model (same vocabulary): "
                  "acceptance rate and "
                  "speedup over plain greedy decoding")
      ->check(CLI::ExistingFile);
  cmd->add_option("--draft-tokens", a->draft_tokens, "tokens the draft proposes per step")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--ttft", a->ttft,
                "also measure time to first token of a session's first request (cold) and second "
                "request (prefix-cache "
                "hit), medians of max(-r, 5) runs");
  return {cmd, [a] { return bench_main(*a); }};
}

}  // namespace zhi::cli
