// What a loaded Model holds: the weights and tokenizer (read-only, shared by
// every session), the options every context is created with, the prefix
// cache, and the caches guided generation builds per vocabulary and schema.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "model/qwen2_context.h"
#include "session/loaded_model.h"
#include "session/prefix_cache.h"
#include "session/prompt_cache_file.h"
#include "zhi/model.hpp"

namespace zhi {

class TokenTrie;
class GrammarCache;

class ModelImpl {
 public:
  ModelImpl(std::string path, const ModelOptions& options, const ContextOptions& context_options, LoadedModel lm);
  ~ModelImpl();

  const std::string& path() const { return path_; }
  const ModelOptions& options() const { return options_; }
  const LoadedModel& loaded() const { return lm_; }
  int64_t context_size() const { return context_options_.n_ctx; }

  // A context for a prompt of `tokens`: the cached one sharing the longest
  // prefix, or a fresh one. `*reusable` positions of it already hold the
  // prompt; `*from_disk` of them came from a prompt cache file, and files
  // skipped as invalid add to `warnings`.
  Expected<CachedContext> acquire(std::span<const int32_t> tokens, int64_t* reusable,
                                  int64_t* from_disk = nullptr,
                                  std::vector<std::string>* warnings = nullptr);
  // Stores the leading positions of `entry` that hold `prompt` in the prompt
  // cache directory (when one is set); a failure becomes a warning.
  void persist(const CachedContext& entry, std::span<const int32_t> prompt,
               std::vector<std::string>* warnings) const;
  const PromptCacheDir* prompt_cache_dir() const { return disk_.get(); }
  void release(CachedContext entry) { cache_.put(std::move(entry)); }
  PrefixCache& cache() { return cache_; }

  // The vocabulary's byte trie, built on first use (guided generation only).
  const TokenTrie& token_trie() const;
  GrammarCache& grammars() const { return *grammars_; }

 private:
  std::string path_;
  ModelOptions options_;
  ContextOptions context_options_;
  LoadedModel lm_;
  PrefixCache cache_;
  std::unique_ptr<PromptCacheDir> disk_;
  mutable std::once_flag trie_once_;
  mutable std::unique_ptr<TokenTrie> trie_;
  std::unique_ptr<GrammarCache> grammars_;
};

}  // namespace zhi
