// zhi bench: prompt and generation speed, medians of several runs, and
// generation as a share of the memory-bandwidth roofline measured here.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "core/memory_bandwidth.h"
#include "kernels/matmul.h"

namespace zhi::cli {
namespace {

struct BenchArgs {
  RunFlags run;
  int64_t n_prompt = 512;
  int64_t n_gen = 128;
  int reps = 5;
  bool json = false;
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

int bench_main(const BenchArgs& a) {
  auto opts = context_options(a.run);
  if (!opts.ok()) return report(opts.status());
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
  for (int64_t i = 0; i < a.n_prompt; ++i) prompt[i] = static_cast<int32_t>((i * 7919 + 13) % n_vocab);
  std::vector<double> pp, tg;
  for (int r = 0; r < a.reps; ++r) {
    (void)c.truncate(0);
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
  }
  // Read RSS before the bandwidth probe, whose 512 MiB buffer is not the model's.
  const double rss = peak_rss_mib();
  ThreadPool bw_pool(a.run.threads);
  const double bw = measure_read_bandwidth_gbs(bw_pool);
  const double model_gb = static_cast<double>(model.value()->weight_bytes()) / 1e9;
  const Spread p = pp.empty() ? Spread{0, 0, 0} : spread(pp);
  const Spread g = tg.empty() ? Spread{0, 0, 0} : spread(tg);
  const double roofline = bw > 0 ? model_gb * g.median / bw : 0;

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
    j["peak_rss_mb"] = rss;
    j["load_seconds"] = load_s;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("model:      %s (%.1f MB of weights), load %.2f s\n", a.run.model.c_str(), model_gb * 1e3, load_s);
  std::printf("threads:    %d, runs: %d\n", a.run.threads, a.reps);
  if (!pp.empty())
    std::printf("prompt %-4lld %8.1f tokens/s (min %.1f, max %.1f)\n", static_cast<long long>(a.n_prompt), p.median,
                p.min, p.max);
  if (!tg.empty())
    std::printf("gen    %-4lld %8.1f tokens/s (min %.1f, max %.1f)\n", static_cast<long long>(a.n_gen), g.median, g.min,
                g.max);
  std::printf("bandwidth:  %.1f GB/s read (measured); decode roofline share %.0f%%\n", bw, roofline * 100);
  std::printf("peak RSS:   %.0f MiB (KV cache %.0f MiB)\n", rss, c.kv_bytes() / 1048576.0);
  return 0;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  a->run.ctx = 0;
  CLI::App* cmd = app.add_subcommand("bench", "measure prompt and generation speed against the memory roofline");
  add_run_flags(cmd, &a->run);
  cmd->add_option("-p,--n-prompt", a->n_prompt, "prompt tokens")->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-n,--n-gen", a->n_gen, "generated tokens")->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-r,--repetitions", a->reps, "runs; medians are reported")->check(CLI::Range(1, 1000));
  cmd->add_flag("--json", a->json, "print one JSON object");
  return {cmd, [a] { return bench_main(*a); }};
}

}  // namespace zhi::cli
