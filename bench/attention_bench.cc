// Decode attention on the Qwen2.5-0.5B shape (14 query heads over 2 KV
// heads of 64, F16 cache), all 24 layers per iteration so the cache comes
// from beyond L2 as it does in a real decode step. The kernels alone, as
// Qwen2Context::attention calls them but unchunked and without its V-row
// prefetch (so this times the kernels, not the model's schedule; the model
// uses layout 2 in runs of KvCache::kChunkPositions), on 1 or 2 threads
// of the pool:
//   layout 0: K and V rows position-major (a row holds every KV head);
//   layout 1: rows head-major (each KV head's positions contiguous);
//   layout 2: as 1, with K in key blocks (kernels/key_blocks.h);
//   heads_per_task 7: one task per KV head (its cache read once);
//   heads_per_task 4: the group split 4+3 (each KV head's cache read twice).
// Run: ./attention_bench --benchmark_min_time=0.5 --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "core/half.h"
#include "core/thread_pool.h"
#include "kernels/act_rows.h"
#include "kernels/activation_quant.h"
#include "kernels/kernel_table.h"
#include "kernels/key_blocks.h"
#include "other_load_counter.h"

namespace zhi {
namespace {

constexpr int64_t kLayers = 24;
constexpr int64_t kHeads = 14;
constexpr int64_t kKvHeads = 2;
constexpr int64_t kHeadDim = 64;

struct Aligned {
  explicit Aligned(size_t bytes)
      : p(static_cast<uint8_t*>(::operator new(bytes, std::align_val_t(kActAlign)))) {}
  ~Aligned() { ::operator delete(p, std::align_val_t(kActAlign)); }
  Aligned(const Aligned&) = delete;
  Aligned& operator=(const Aligned&) = delete;
  uint8_t* p;
};

void decode_attention(benchmark::State& state) {
  const int64_t n_keys = state.range(0);
  const int64_t per_task = state.range(1);
  const KernelTable& k = active_kernels();
  const GgmlType partner = activation_partner(GgmlType::kF16);
  const int64_t layout = state.range(3);
  const bool head_major = layout != 0;
  const bool key_blocks = layout == 2;
  const bool cold = state.range(4) != 0;
  // Position-major: a row holds one position of every KV head; head-major:
  // each KV head's positions are contiguous.
  const int64_t stride = head_major ? kHeadDim * 2 : kKvHeads * kHeadDim * 2;
  const int64_t head_offset = head_major ? n_keys * kHeadDim * 2 : kHeadDim * 2;
  const size_t layer_bytes = static_cast<size_t>(n_keys * kKvHeads * kHeadDim * 2);
  // A decode step streams the model's weights between two uses of a layer's
  // cache, so in a real step the cache comes from DRAM: `cold` reads this
  // much other memory (untimed) before each token.
  std::vector<uint64_t> flush(cold ? (64u << 20) / 8 : 0, 1);
  std::vector<uint16_t> kcache(kLayers * layer_bytes / 2), vcache(kcache.size());
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (auto& h : kcache) h = f32_to_f16(g(rng));
  for (auto& h : vcache) h = f32_to_f16(g(rng));
  std::vector<float> q(kHeads * kHeadDim), att(kHeads * kHeadDim);
  for (auto& v : q) v = g(rng);
  const int64_t q_bytes = act_row_bytes(partner, kHeadDim);
  const int64_t ld = act_align_up(n_keys * 4) / 4;
  ThreadPool pool(static_cast<int>(state.range(2)));
  std::vector<std::unique_ptr<Aligned>> scratch;
  for (int t = 0; t < pool.size(); ++t)
    scratch.push_back(
        std::make_unique<Aligned>(static_cast<size_t>(per_task * q_bytes + per_task * ld * 4)));
  const float scale = 1.0f / std::sqrt(static_cast<float>(kHeadDim));
  const int64_t group = kHeads / kKvHeads;
  // Tasks never straddle KV heads: the second part of a split group re-reads
  // its KV head's cache.
  const int64_t chunks = (group + per_task - 1) / per_task;
  uint64_t sink = 0;
  const OtherLoadCounter other_load(state);
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      for (size_t i = 0; i < flush.size(); i += 8) sink += flush[i];
      state.ResumeTiming();
    }
    for (int64_t l = 0; l < kLayers; ++l) {
      const auto* kl = reinterpret_cast<const uint8_t*>(kcache.data()) + l * layer_bytes;
      const auto* vl = reinterpret_cast<const uint8_t*>(vcache.data()) + l * layer_bytes;
      pool.run(kKvHeads * chunks, [&](int64_t task, int thread) {
        const int64_t kvh = task / chunks;
        const int64_t h0 = kvh * group + task % chunks * per_task;
        const int64_t nh = std::min(per_task, (kvh + 1) * group - h0);
        uint8_t* qrows = scratch[thread]->p;
        float* scores = reinterpret_cast<float*>(qrows + nh * q_bytes);
        for (int64_t i = 0; i < nh; ++i)
          k.quantize_for(partner)(&q[(h0 + i) * kHeadDim], kHeadDim, qrows + i * q_bytes);
        const ActView qv{partner, qrows, q_bytes, kHeadDim};
        if (key_blocks)  // the same bytes read as blocks: only the speed matters here
          k.key_block_scores_f16(kl + kvh * head_offset, n_keys, qv, nh, scores, ld);
        else
          k.gemm_for(GgmlType::kF16)(kl + kvh * head_offset, stride, n_keys, qv, nh, scores, ld);
        for (int64_t i = 0; i < nh; ++i) k.softmax(scores + i * ld, n_keys, scale, true);
        float* out = &att[h0 * kHeadDim];
        std::fill(out, out + nh * kHeadDim, 0.0f);
        k.attn_accum_multi[static_cast<uint32_t>(GgmlType::kF16)](
            scores, ld, nh, vl + kvh * head_offset, stride, n_keys, kHeadDim, out, kHeadDim);
      });
    }
    benchmark::DoNotOptimize(att.data());
  }
  benchmark::DoNotOptimize(sink);
  state.counters["us_per_token"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 1e-6,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(decode_attention)
    ->ArgNames({"keys", "heads_per_task", "threads", "layout", "cold"})
    ->ArgsProduct({{16, 1024, 4096}, {7, 4}, {1, 2}, {0, 1, 2}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

// The score product alone for one KV head's seven queries over keys in L1
// or L2 (warm): over K rows (the F16 GemmFn) or key blocks. ns_per_key is
// per key for all seven queries.
void decode_scores(benchmark::State& state) {
  const int64_t n_keys = state.range(0);
  const bool key_blocks = state.range(1) != 0;
  constexpr int64_t kQueries = kHeads / kKvHeads;
  const KernelTable& k = active_kernels();
  const GgmlType partner = activation_partner(GgmlType::kF16);
  Aligned keys(static_cast<size_t>(n_keys * kHeadDim * 2));
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (int64_t i = 0; i < n_keys * kHeadDim; ++i)
    reinterpret_cast<uint16_t*>(keys.p)[i] = f32_to_f16(g(rng));
  const int64_t q_bytes = act_row_bytes(partner, kHeadDim);
  Aligned qrows(static_cast<size_t>(kQueries * q_bytes));
  std::vector<float> q(kHeadDim);
  for (int64_t t = 0; t < kQueries; ++t) {
    for (auto& v : q) v = g(rng);
    k.quantize_for(partner)(q.data(), kHeadDim, qrows.p + t * q_bytes);
  }
  const ActView qv{partner, qrows.p, q_bytes, kHeadDim};
  const int64_t ld = act_align_up(n_keys * 4) / 4 + 16;
  std::vector<float> scores(kQueries * ld);
  for (auto _ : state) {
    if (key_blocks)
      k.key_block_scores_f16(keys.p, n_keys, qv, kQueries, scores.data(), ld);
    else
      k.gemm_for(GgmlType::kF16)(keys.p, kHeadDim * 2, n_keys, qv, kQueries, scores.data(), ld);
    benchmark::DoNotOptimize(scores.data());
  }
  state.counters["ns_per_key"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n_keys) * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(decode_scores)
    ->ArgNames({"keys", "key_blocks"})
    ->ArgsProduct({{1024}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace zhi

BENCHMARK_MAIN();
