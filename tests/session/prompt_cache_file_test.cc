// Prompt cache files: KV rows saved and loaded back give bit-identical
// logits; the longest stored prefix wins; corrupt, truncated, foreign-model
// and garbage files are skipped with a warning (a cold start, same output).
#include "session/prompt_cache_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "session/loaded_model.h"
#include "test_paths.h"
#include "tiny_model.h"
#include "zhi/session.hpp"

namespace zhi {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  const std::string d = testing::temp_dir() + "/prompt-cache-" + name;
  fs::remove_all(d);
  return d;
}

std::vector<fs::path> cache_files(const std::string& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".zkv") out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

struct Fixture {
  LoadedModel lm;
  std::unique_ptr<PromptCacheDir> store;
  std::vector<int32_t> prompt;

  explicit Fixture(const std::string& dir,
                   const std::string& model_path = testing::tiny_model_path()) {
    auto l = load_model(model_path);
    EXPECT_TRUE(l.ok()) << l.status().to_string();
    lm = std::move(l).value();
    store = std::make_unique<PromptCacheDir>(dir, model_identity(*lm.model),
                                             lm.model->config().n_vocab);
    prompt = lm.tokenizer->encode(
        "The prompt cache keeps this text's KV rows: 缓存的前缀 and more words after it.", false);
  }

  std::unique_ptr<Qwen2Context> context() const {
    ContextOptions o;
    o.n_ctx = 256;
    o.n_threads = 1;
    auto c = Qwen2Context::create(lm.model, o);
    EXPECT_TRUE(c.ok());
    return std::move(c).value();
  }

  // Evaluates the first n prompt tokens and saves them.
  void save_prefix(size_t n) const {
    auto ctx = context();
    ASSERT_TRUE(ctx->eval(std::span(prompt).first(n)).ok());
    Status s = store->save(*ctx, std::span(prompt).first(n));
    ASSERT_TRUE(s.ok()) << s.to_string();
  }

  std::vector<float> logits(const Qwen2Context& ctx) const {
    const float* l = ctx.logits();
    return std::vector<float>(l, l + lm.model->config().n_vocab);
  }
};

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(PromptCacheFile, RoundTripGivesBitIdenticalLogits) {
  const std::string dir = fresh_dir("roundtrip");
  Fixture f(dir);
  const size_t n = f.prompt.size();
  ASSERT_GT(n, 12u);
  const size_t stored = n - 5;
  f.save_prefix(stored);
  ASSERT_EQ(cache_files(dir).size(), 1u);

  // Without a cache: the whole prompt, then two more tokens one at a time.
  auto ref = f.context();
  ASSERT_TRUE(ref->eval(f.prompt).ok());
  std::vector<std::vector<float>> want{f.logits(*ref)};
  for (int32_t t : {5, 9}) {
    ASSERT_TRUE(ref->eval({&t, 1}).ok());
    want.push_back(f.logits(*ref));
  }

  auto ctx = f.context();
  std::vector<std::string> warnings;
  ASSERT_EQ(f.store->load(*ctx, f.prompt, static_cast<int64_t>(n) - 1, 0, &warnings),
            static_cast<int64_t>(stored));
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(ctx->n_past(), static_cast<int64_t>(stored));
  ASSERT_TRUE(ctx->eval(std::span(f.prompt).subspan(stored)).ok());
  std::vector<std::vector<float>> got{f.logits(*ctx)};
  for (int32_t t : {5, 9}) {
    ASSERT_TRUE(ctx->eval({&t, 1}).ok());
    got.push_back(f.logits(*ctx));
  }
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_TRUE(bit_identical(got[i], want[i])) << "step " << i;
}

TEST(PromptCacheFile, LongestSharedPrefixWinsAndIsCapped) {
  const std::string dir = fresh_dir("longest");
  Fixture f(dir);
  f.save_prefix(4);
  f.save_prefix(10);
  f.save_prefix(f.prompt.size());
  ASSERT_EQ(cache_files(dir).size(), 3u);
  auto ctx = f.context();
  // The full-prompt file holds everything, but the cap keeps the last token for evaluation.
  EXPECT_EQ(f.store->load(*ctx, f.prompt, static_cast<int64_t>(f.prompt.size()) - 1, 0, nullptr),
            static_cast<int64_t>(f.prompt.size()) - 1);
  // A prompt that leaves the stored ones after 7 tokens reuses 7.
  std::vector<int32_t> other(f.prompt.begin(), f.prompt.begin() + 7);
  other.push_back(f.prompt[7] == 3 ? 4 : 3);
  other.push_back(11);
  auto ctx2 = f.context();
  EXPECT_EQ(f.store->load(*ctx2, other, static_cast<int64_t>(other.size()) - 1, 0, nullptr), 7);
  // Nothing better than what the caller already has: untouched.
  auto ctx3 = f.context();
  EXPECT_EQ(f.store->load(*ctx3, other, static_cast<int64_t>(other.size()) - 1, 7, nullptr), 0);
  EXPECT_EQ(ctx3->n_past(), 0);
}

TEST(PromptCacheFile, MissingDirectoryIsAColdStartAndSaveCreatesIt) {
  const std::string dir = fresh_dir("missing") + "/nested";
  Fixture f(dir);
  auto ctx = f.context();
  std::vector<std::string> warnings;
  EXPECT_EQ(f.store->load(*ctx, f.prompt, 5, 0, &warnings), 0);
  EXPECT_TRUE(warnings.empty());
  f.save_prefix(6);
  EXPECT_EQ(cache_files(dir).size(), 1u);
  // Saving the same prefix again keeps the one file and leaves no temporary behind.
  f.save_prefix(6);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);
}

// Each way a file can be bad: load skips it with a warning naming why, the
// context is left empty, and the next load is still sound.
void expect_skipped(const std::string& dir, const Fixture& f, const std::string& why) {
  auto ctx = f.context();
  std::vector<std::string> warnings;
  EXPECT_EQ(f.store->load(*ctx, f.prompt, static_cast<int64_t>(f.prompt.size()) - 1, 0, &warnings),
            0);
  EXPECT_EQ(ctx->n_past(), 0);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(why), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(dir), std::string::npos) << warnings[0];
}

TEST(PromptCacheFile, CorruptContentsAreSkippedAndRemoved) {
  const std::string dir = fresh_dir("corrupt");
  Fixture f(dir);
  f.save_prefix(f.prompt.size());
  const fs::path p = cache_files(dir).at(0);
  {
    std::fstream io(p, std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(-100, std::ios::end);
    char c = 0;
    io.read(&c, 1);
    c = static_cast<char>(c ^ 0x10);
    io.seekp(-100, std::ios::end);
    io.write(&c, 1);
  }
  expect_skipped(dir, f, "checksum");
  EXPECT_TRUE(cache_files(dir).empty());  // removed, so the next save writes a good one
}

TEST(PromptCacheFile, TruncatedAndGarbageFilesAreSkipped) {
  const std::string dir = fresh_dir("truncated");
  Fixture f(dir);
  f.save_prefix(f.prompt.size());
  const fs::path p = cache_files(dir).at(0);
  fs::resize_file(p, fs::file_size(p) - 7);
  expect_skipped(dir, f, "truncated");
  fs::resize_file(p, 30);
  expect_skipped(dir, f, "truncated");
  {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << std::string(200, 'x');
  }
  expect_skipped(dir, f, "bad magic");
  // A flipped header byte is caught by the header checksum.
  fs::remove(p);
  f.save_prefix(f.prompt.size());
  const fs::path q = cache_files(dir).at(0);
  {
    std::fstream io(q, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(50);
    io.put('\x7f');
  }
  expect_skipped(dir, f, "header checksum");
}

TEST(PromptCacheFile, AnotherModelsFileIsSkipped) {
  const std::string dir = fresh_dir("foreign");
  Fixture target(dir);
  Fixture draft(dir,
                testing::tiny_draft_model_path());  // same layout and vocabulary, other weights
  ASSERT_NE(target.store->model_id(), draft.store->model_id());
  draft.save_prefix(draft.prompt.size());
  // Under its own name it is simply another model's file: not looked at.
  auto ctx = target.context();
  std::vector<std::string> warnings;
  EXPECT_EQ(target.store->load(*ctx, target.prompt, static_cast<int64_t>(target.prompt.size()) - 1,
                               0, &warnings),
            0);
  EXPECT_TRUE(warnings.empty());
  // Renamed to look like the target's: the header says otherwise.
  const fs::path draft_file = cache_files(dir).at(0);
  target.save_prefix(3);
  fs::path target_file;
  for (const fs::path& p : cache_files(dir))
    if (p != draft_file) target_file = p;
  ASSERT_FALSE(target_file.empty());
  const std::string target_prefix = target_file.filename().string().substr(0, 17);
  ASSERT_NE(target_prefix, draft_file.filename().string().substr(0, 17));
  fs::rename(draft_file,
             fs::path(dir) / (target_prefix + draft_file.filename().string().substr(17)));
  fs::remove(target_file);
  expect_skipped(dir, target, "different model");
}

GenerationOptions greedy() {
  GenerationOptions g;
  g.greedy = true;
  g.max_tokens = 12;
  return g;
}

std::shared_ptr<Model> model_with_cache(const std::string& dir) {
  ModelOptions o;
  o.context_size = 256;
  o.threads = 1;
  o.prompt_cache_dir = dir;
  auto m = Model::load(testing::tiny_model_path(), o);
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  return m.value();
}

TEST(PromptCacheFile, SessionsAcrossModelLoadsReuseTheFileWithTheSameAnswer) {
  const std::string dir = fresh_dir("session");
  auto plain = testing::tiny_model(256);
  auto s0 = Session::create(plain, testing::with_instructions("You answer from the cache."));
  auto want = (*s0)->respond("Tell me about prefix caches.", greedy());
  ASSERT_TRUE(want.ok());

  for (int run = 0; run < 2; ++run) {  // each run is a fresh Model: nothing shared in memory
    auto model = model_with_cache(dir);
    auto s = Session::create(model, testing::with_instructions("You answer from the cache."));
    ASSERT_TRUE(s.ok());
    auto r = (*s)->respond("Tell me about prefix caches.", greedy());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->content, want->content);
    EXPECT_TRUE(r->stats.warnings.empty());
    if (run == 0) {
      EXPECT_EQ(r->stats.prompt_cache_tokens, 0);
      EXPECT_EQ(cache_files(dir).size(), 1u);
    } else {
      EXPECT_EQ(r->stats.prompt_cache_tokens, r->stats.prompt_tokens - 1);
      EXPECT_EQ(r->stats.cached_tokens, r->stats.prompt_tokens - 1);
      EXPECT_EQ(r->stats.evaluated_tokens, 1);
    }
  }
  // Same instructions, another question: the shared part comes from the file.
  auto model = model_with_cache(dir);
  auto s = Session::create(model, testing::with_instructions("You answer from the cache."));
  auto r = (*s)->respond("Something else entirely.", greedy());
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->stats.prompt_cache_tokens, 5);
  EXPECT_LT(r->stats.prompt_cache_tokens, r->stats.prompt_tokens - 1);

  // A corrupted file: a warning, a cold start, the same answer.
  for (const fs::path& p : cache_files(dir)) fs::resize_file(p, fs::file_size(p) - 1);
  auto m2 = model_with_cache(dir);
  auto s2 = Session::create(m2, testing::with_instructions("You answer from the cache."));
  auto r2 = (*s2)->respond("Tell me about prefix caches.", greedy());
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->content, want->content);
  EXPECT_EQ(r2->stats.prompt_cache_tokens, 0);
  EXPECT_FALSE(r2->stats.warnings.empty());
}

}  // namespace
}  // namespace zhi
