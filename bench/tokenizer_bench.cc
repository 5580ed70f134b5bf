// Tokenizer throughput on a few MB of generated mixed Chinese/English text
// (prose, numbers, punctuation, a little code), one thread.
//
// Needs the real Qwen vocabulary:
//   scripts/tokenizer_crosscheck.sh   (writes build/qwen-tokenizer.json), then
//   ZHI_QWEN_TOKENIZER_JSON=build/qwen-tokenizer.json build/tokenizer_bench
// Without it the benchmarks are skipped, saying so.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"

namespace {

// Deterministic text, about half English and half Chinese by bytes. English
// words come from a list (real English repeats its words heavily); Chinese
// words are drawn from 400 common characters, so Chinese clauses almost
// never repeat and the BPE loop, not the word cache, does the work, as with
// real Chinese text.
std::string make_mixed_text(size_t target_bytes) {
  static const char* const kEn[] = {
      "the", "model", "runs", "on", "a", "CPU", "with", "two", "threads", "and", "quantized", "weights",
      "tokenizer", "throughput", "is", "measured", "in", "megabytes", "per", "second", "for", "mixed", "text",
      "Qwen", "attention", "layer", "cache", "prompt", "user", "assistant", "inference", "engine", "latency",
      "we", "they", "it's", "don't", "you'll", "memory", "bandwidth", "kernel", "matrix", "vector", "batch",
      "of", "to", "that", "was", "he", "she", "this", "have", "from", "or", "one", "had", "by", "word", "but",
      "not", "what", "all", "were", "when", "your", "can", "said", "there", "use", "each", "which", "do",
      "how", "their", "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so",
      "some", "her", "would", "make", "like", "him", "into", "time", "has", "look", "more", "write", "go",
      "see", "number", "no", "way", "could", "people", "my", "than", "first", "water", "been", "call", "who",
      "Alibaba", "Hangzhou", "Beijing", "government", "development", "international", "understanding"};
  static const std::string kHanzi =
      "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
      "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从"
      "业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又"
      "么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位"
      "入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放"
      "决西被干做必战先回则任取据处府研队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极"
      "交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类"
      "八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段界拉林律叫且究观越织装影算低持音众书布"
      "复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构称太准精值";
  static const char* const kEnPunct[] = {".", ",", "!", "?", ";", ":"};
  static const char* const kZhPunct[] = {"，", "。", "！", "？", "；", "、", "：“", "”"};
  std::mt19937 rng(12345);
  auto pick = [&](const auto& arr) { return arr[rng() % (sizeof(arr) / sizeof(arr[0]))]; };
  auto hanzi = [&]() { return kHanzi.substr(3 * (rng() % (kHanzi.size() / 3)), 3); };
  std::string s;
  s.reserve(target_bytes + 256);
  while (s.size() < target_bytes) {
    const unsigned kind = rng() % 10;
    if (kind < 4) {  // an English sentence
      const int n = 5 + static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i) {
        if (i > 0) s += ' ';
        s += pick(kEn);
      }
      s += pick(kEnPunct);
      s += ' ';
    } else if (kind < 8) {  // a Chinese sentence: clauses of one- to three-character words
      const int n = 4 + static_cast<int>(rng() % 14);
      for (int i = 0; i < n; ++i) {
        const int len = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < len; ++k) s += hanzi();
        if (rng() % 5 == 0) s += pick(kZhPunct);
      }
      s += "。";
    } else if (kind < 9) {  // numbers and mixed script
      s += std::to_string(rng() % 100000) + hanzi() + pick(kEn) + "，" + std::to_string(rng() % 1000) + "." +
           std::to_string(rng() % 100) + "% ";
    } else {  // a line of code
      s += "\n    if (x[" + std::to_string(rng() % 64) + "] > 0) { return " + pick(kEn) + "_" + pick(kEn) + "(x); }\n";
    }
    if (rng() % 8 == 0) s += "\n\n";
  }
  return s;
}

const zhi::Tokenizer* qwen() {
  static std::unique_ptr<zhi::Tokenizer> tok = []() -> std::unique_ptr<zhi::Tokenizer> {
    const char* path = std::getenv("ZHI_QWEN_TOKENIZER_JSON");
    if (path == nullptr || *path == '\0') return nullptr;
    zhi::Result<zhi::Tokenizer> r = zhi::Tokenizer::from_hf_json_file(path);
    if (!r.ok()) {
      std::fprintf(stderr, "tokenizer_bench: %s\n", r.status().to_string().c_str());
      return nullptr;
    }
    return std::make_unique<zhi::Tokenizer>(std::move(r).value());
  }();
  return tok.get();
}

constexpr const char* kNoVocab =
    "real Qwen vocab not found: set ZHI_QWEN_TOKENIZER_JSON (scripts/tokenizer_crosscheck.sh writes "
    "build/qwen-tokenizer.json)";

void BM_EncodeMixedZhEn(benchmark::State& state) {
  const zhi::Tokenizer* tok = qwen();
  if (tok == nullptr) {
    state.SkipWithError(kNoVocab);
    return;
  }
  static const std::string text = make_mixed_text(4 << 20);
  size_t n_tokens = 0;
  for (auto _ : state) {
    std::vector<int32_t> ids = tok->encode(text, /*parse_special=*/false);
    n_tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens"] = static_cast<double>(n_tokens);
  state.counters["bytes_per_token"] = static_cast<double>(text.size()) / static_cast<double>(n_tokens);
}
BENCHMARK(BM_EncodeMixedZhEn)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_StreamDecodeMixedZhEn(benchmark::State& state) {
  const zhi::Tokenizer* tok = qwen();
  if (tok == nullptr) {
    state.SkipWithError(kNoVocab);
    return;
  }
  static const std::string text = make_mixed_text(1 << 20);
  static const std::vector<int32_t> ids = tok->encode(text, false);
  for (auto _ : state) {
    zhi::StreamDecoder dec(*tok);
    size_t bytes = 0;
    for (int32_t id : ids) bytes += dec.push(id).value().size();
    bytes += dec.flush().size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_StreamDecodeMixedZhEn)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
