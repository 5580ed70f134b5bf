#include <algorithm>
#include <thread>

#include "session/api_errors.h"
#include "session/availability.h"
#include "session/grammar_cache.h"
#include "session/model_impl.h"
#include "session/token_trie.h"
#include "zhi/model.hpp"

namespace zhi {
namespace {

GgmlType kv_ggml_type(KvCacheType t) {
  switch (t) {
    case KvCacheType::kF16: return GgmlType::kF16;
    case KvCacheType::kQ8_0: return GgmlType::kQ8_0;
    case KvCacheType::kF32: return GgmlType::kF32;
  }
  return GgmlType::kF16;
}

Error check_options(const ModelOptions& o) {
  if (o.context_size < 0 || o.context_size > (int64_t{1} << 24))
    return invalid_argument_error("context_size: must be in [0, 16777216] (0: the model's training context), got " +
                                  std::to_string(o.context_size));
  if (o.threads < 0 || o.threads > 512)
    return invalid_argument_error("threads: must be in [0, 512] (0: automatic), got " + std::to_string(o.threads));
  if (o.batch_size < 1) return invalid_argument_error("batch_size: must be at least 1, got " + std::to_string(o.batch_size));
  if (o.prefix_cache_entries < 0)
    return invalid_argument_error("prefix_cache_entries: must be >= 0, got " + std::to_string(o.prefix_cache_entries));
  return {};
}

}  // namespace

ModelImpl::ModelImpl(std::string path, const ModelOptions& options,
                     const ContextOptions& context_options, LoadedModel lm)
    : path_(std::move(path)),
      options_(options),
      context_options_(context_options),
      lm_(std::move(lm)),
      cache_(options.prefix_cache_entries, options.prefix_cache_bytes),
      grammars_(std::make_unique<GrammarCache>()) {
  if (!options.prompt_cache_dir.empty())
    disk_ = std::make_unique<PromptCacheDir>(options.prompt_cache_dir, model_identity(*lm_.model),
                                             lm_.model->config().n_vocab);
}

ModelImpl::~ModelImpl() = default;

Expected<CachedContext> ModelImpl::acquire(std::span<const int32_t> tokens, int64_t* reusable,
                                           int64_t* from_disk, std::vector<std::string>* warnings) {
  if (from_disk) *from_disk = 0;
  CachedContext entry = cache_.take(tokens, reusable);
  if (!entry.ctx) {
    auto ctx = Qwen2Context::create(lm_.model, context_options_);
    if (!ctx.ok()) return error_from_status(ctx.status());
    entry.ctx = std::move(ctx).value();
    *reusable = 0;
  }
  if (disk_ && !tokens.empty()) {
    // The last prompt token is always evaluated, for its logits.
    const int64_t limit = static_cast<int64_t>(tokens.size()) - 1;
    const int64_t n = disk_->load(*entry.ctx, tokens, limit, *reusable, warnings);
    if (n > 0) {
      entry.tokens.assign(tokens.begin(), tokens.begin() + n);
      *reusable = n;
      if (from_disk) *from_disk = n;
    } else if (entry.ctx->n_past() <
               *reusable) {  // a file that failed its checksum emptied the context
      entry.tokens.clear();
      *reusable = 0;
    }
  }
  return entry;
}

void ModelImpl::persist(const CachedContext& entry, std::span<const int32_t> prompt,
                        std::vector<std::string>* warnings) const {
  if (!disk_ || !entry.ctx) return;
  const int64_t n = std::min(common_prefix(entry.tokens, prompt), entry.ctx->n_past());
  if (n < 1) return;
  if (Status s = disk_->save(*entry.ctx, prompt.first(static_cast<size_t>(n))); !s.ok() && warnings)
    warnings->push_back("prompt cache not saved: " + s.message());
}

const TokenTrie& ModelImpl::token_trie() const {
  std::call_once(trie_once_, [&] { trie_ = std::make_unique<TokenTrie>(*lm_.tokenizer, lm_.model->config().n_vocab); });
  return *trie_;
}

Model::Model(std::unique_ptr<ModelImpl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

Expected<std::shared_ptr<Model>> Model::load(const std::string& path, const ModelOptions& options) {
  ZHI_RETURN_IF_API_ERROR(check_options(options));
  const Availability a = check_availability(path, options);
  if (!a.available()) return Error(ErrorCode::kUnavailable, std::string(availability_status_name(a.status)) + ": " + a.reason);
  auto lm = load_model(path);
  if (!lm.ok()) return error_from_status(lm.status());
  ContextOptions c;
  c.n_ctx = options.context_size == 0 ? lm->model->config().n_ctx_train : options.context_size;
  c.n_batch = options.batch_size;
  c.kv_type = kv_ggml_type(options.kv_cache_type);
  c.batch_arithmetic = options.fast_prompts ? BatchArithmetic::kBlockSum : BatchArithmetic::kReference;
  c.n_threads = options.threads > 0 ? options.threads
                                    : std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
  auto impl = std::make_unique<ModelImpl>(path, options, c, std::move(lm).value());
  return std::shared_ptr<Model>(new Model(std::move(impl)));
}

const std::string& Model::path() const { return impl_->path(); }
const ModelOptions& Model::options() const { return impl_->options(); }
int64_t Model::context_size() const { return impl_->context_size(); }
int64_t Model::vocab_size() const { return impl_->loaded().model->config().n_vocab; }
Availability Model::availability() const { return check_availability(impl_->path(), impl_->options()); }
PrefixCacheStats Model::prefix_cache_stats() const { return impl_->cache().stats(); }
void Model::clear_prefix_cache() { impl_->cache().clear(); }

}  // namespace zhi
