// C ABI: models and availability.
#include "capi/capi_common.h"
#include "capi/capi_handles.h"

namespace zhi::capi {
namespace {

Expected<ModelOptions> model_options(const zhi_model_options* in) {
  zhi_model_options o;
  zhi_model_options_init(&o);
  Error e = read_options(in, &o);
  if (!e.ok()) return e;
  if (o.kv_cache_type < ZHI_KV_F16 || o.kv_cache_type > ZHI_KV_F32)
    return Error(ErrorCode::kInvalidArgument, "options.kv_cache_type: unknown value " + std::to_string(o.kv_cache_type));
  ModelOptions m;
  m.context_size = o.context_size;
  m.threads = o.threads;
  m.batch_size = o.batch_size;
  m.kv_cache_type = static_cast<KvCacheType>(o.kv_cache_type);
  m.prefix_cache_entries = o.prefix_cache_entries;
  m.prefix_cache_bytes = o.prefix_cache_bytes;
  if (o.prompt_cache_dir != nullptr) m.prompt_cache_dir = o.prompt_cache_dir;
  if (o.fast_prompts != 0 && o.fast_prompts != 1)
    return Error(ErrorCode::kInvalidArgument, "options.fast_prompts: must be 0 or 1, not " + std::to_string(o.fast_prompts));
  m.fast_prompts = o.fast_prompts == 1;
  return m;
}

}  // namespace
}  // namespace zhi::capi

using zhi::Error;
using zhi::ErrorCode;
namespace capi = zhi::capi;

extern "C" {

void zhi_model_options_init(zhi_model_options* options) {
  if (options == nullptr) return;
  const zhi::ModelOptions d;
  options->struct_size = sizeof(zhi_model_options);
  options->context_size = d.context_size;
  options->threads = d.threads;
  options->batch_size = d.batch_size;
  options->kv_cache_type = static_cast<int32_t>(d.kv_cache_type);
  options->prefix_cache_entries = d.prefix_cache_entries;
  options->prefix_cache_bytes = d.prefix_cache_bytes;
  options->prompt_cache_dir = nullptr;
  options->fast_prompts = d.fast_prompts ? 1 : 0;
}

zhi_status zhi_check_availability(const char* path, const zhi_model_options* options, zhi_availability* out,
                                  char** reason) {
  return capi::guarded([&]() -> Error {
    if (path == nullptr) return capi::null_argument("path");
    if (out == nullptr) return capi::null_argument("out");
    auto o = capi::model_options(options);
    if (!o.ok()) return o.error();
    const zhi::Availability a = zhi::check_availability(path, *o);
    *out = static_cast<zhi_availability>(a.status);
    if (reason != nullptr) *reason = capi::copy_out(a.reason);
    return {};
  });
}

zhi_status zhi_model_load(const char* path, const zhi_model_options* options, zhi_model** out) {
  return capi::guarded([&]() -> Error {
    if (path == nullptr) return capi::null_argument("path");
    if (out == nullptr) return capi::null_argument("out");
    *out = nullptr;
    auto o = capi::model_options(options);
    if (!o.ok()) return o.error();
    auto m = zhi::Model::load(path, *o);
    if (!m.ok()) return m.error();
    *out = new zhi_model{std::move(m).value()};
    return {};
  });
}

void zhi_model_free(zhi_model* model) { delete model; }

zhi_status zhi_model_prefix_cache_stats(const zhi_model* model, zhi_prefix_cache_stats* out) {
  return capi::guarded([&]() -> Error {
    if (model == nullptr) return capi::null_argument("model");
    if (out == nullptr) return capi::null_argument("out");
    const zhi::PrefixCacheStats s = model->model->prefix_cache_stats();
    *out = zhi_prefix_cache_stats{s.lookups, s.hits, s.reused_tokens, s.evictions, s.entries, s.bytes};
    return {};
  });
}

}  // extern "C"
