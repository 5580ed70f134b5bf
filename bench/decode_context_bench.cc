// Decode speed at a short and a long context on one model file. The goal is
// that generation speed does not fall as the context grows; on a shared host
// whose bandwidth moves by 2x between runs, separate runs cannot show a few
// percent, so this measures both contexts token by token in turn in one
// process and reports their medians and the long/short ratio.
//
// Every measured token sees exactly the same context: after each one the
// context is truncated back to its prefix.
//
//   build/decode_context_bench MODEL [--short 16] [--long 1024] [--tokens 64]
//       [--threads 2] [--kv-type f16|q8_0]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/qwen2_context.h"
#include "model/qwen2_model.h"

namespace {

using zhi::Qwen2Context;

struct Args {
  std::string model;
  int64_t short_ctx = 16;
  int64_t long_ctx = 1024;
  int64_t tokens = 64;
  int threads = 2;
  zhi::GgmlType kv_type = zhi::GgmlType::kF16;
};

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    auto value = [&](int64_t& out) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      out = std::strtoll(argv[++i], &end, 10);
      return *end == '\0' && out >= 0;
    };
    int64_t t = 0;
    if (f == "--short") {
      if (!value(a.short_ctx) || a.short_ctx < 1) return false;
    } else if (f == "--long") {
      if (!value(a.long_ctx) || a.long_ctx < 1) return false;
    } else if (f == "--tokens") {
      if (!value(a.tokens) || a.tokens < 1) return false;
    } else if (f == "--threads") {
      if (!value(t) || t < 1 || t > 512) return false;
      a.threads = static_cast<int>(t);
    } else if (f == "--kv-type" && i + 1 < argc) {
      const std::string v = argv[++i];
      if (v == "f16") {
        a.kv_type = zhi::GgmlType::kF16;
      } else if (v == "q8_0") {
        a.kv_type = zhi::GgmlType::kQ8_0;
      } else {
        return false;
      }
    } else if (a.model.empty() && f[0] != '-') {
      a.model = f;
    } else {
      return false;
    }
  }
  return !a.model.empty();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) {
    std::fprintf(stderr,
                 "usage: decode_context_bench MODEL [--short N] [--long N] [--tokens N] "
                 "[--threads N] [--kv-type f16|q8_0]\n");
    return 2;
  }
  auto model = zhi::Qwen2Model::load(a.model);
  if (!model.ok()) {
    std::fprintf(stderr, "decode_context_bench: %s\n", model.status().to_string().c_str());
    return 1;
  }
  const int64_t n_vocab = (*model)->config().n_vocab;
  std::mt19937 rng(1);
  std::vector<int32_t> prompt(static_cast<size_t>(std::max(a.short_ctx, a.long_ctx)));
  for (int32_t& id : prompt) id = static_cast<int32_t>(rng() % static_cast<uint32_t>(n_vocab));

  std::unique_ptr<Qwen2Context> ctx[2];
  const int64_t lens[2] = {a.short_ctx, a.long_ctx};
  for (int c = 0; c < 2; ++c) {
    zhi::ContextOptions o;
    o.n_ctx = lens[c] + 1;
    o.n_threads = a.threads;
    o.kv_type = a.kv_type;
    auto made = Qwen2Context::create(*model, o);
    if (!made.ok()) {
      std::fprintf(stderr, "decode_context_bench: %s\n", made.status().to_string().c_str());
      return 1;
    }
    ctx[c] = std::move(made.value());
    if (auto s = ctx[c]->eval({prompt.data(), static_cast<size_t>(lens[c])}); !s.ok()) {
      std::fprintf(stderr, "decode_context_bench: %s\n", s.to_string().c_str());
      return 1;
    }
  }
  // One token at each context in turn, the order swapping every round so
  // neither always follows the other.
  std::vector<double> ms[2];
  const int32_t next = prompt[0];
  for (int64_t i = 0; i < a.tokens + 1; ++i) {
    for (int k = 0; k < 2; ++k) {
      const int c = static_cast<int>((k + i) % 2);
      Qwen2Context& x = *ctx[c];
      const auto t0 = std::chrono::steady_clock::now();
      const zhi::Status s = x.eval({&next, 1});
      const auto t1 = std::chrono::steady_clock::now();
      if (!s.ok()) {
        std::fprintf(stderr, "decode_context_bench: %s\n", s.to_string().c_str());
        return 1;
      }
      (void)x.truncate(lens[c]);
      if (i > 0) ms[c].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
  }
  std::printf("%s, %d threads, %lld tokens per context (medians, ms per token)\n", a.model.c_str(),
              a.threads, static_cast<long long>(a.tokens));
  double med[2];
  for (int c = 0; c < 2; ++c) {
    med[c] = median(ms[c]);
    std::printf("  context %5lld: %7.3f ms  (%.1f tok/s)\n", static_cast<long long>(lens[c]),
                med[c], 1000.0 / med[c]);
  }
  std::printf("  long/short speed: %.3f\n", med[0] / med[1]);
  return 0;
}
