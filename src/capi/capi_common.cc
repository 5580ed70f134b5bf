#include "capi/capi_common.h"

#include <cstdlib>

#include "zhi/session.hpp"

namespace zhi::capi {
namespace {

struct LastError {
  std::string message;
  int64_t requested_tokens = 0;
  int64_t context_size = 0;
};

LastError& last_error() {
  thread_local LastError e;
  return e;
}

}  // namespace

zhi_status finish(const Error& e) {
  LastError& last = last_error();
  last.message = e.ok() ? std::string() : e.message();
  last.requested_tokens = e.requested_tokens();
  last.context_size = e.context_size();
  return static_cast<zhi_status>(e.code());
}

char* copy_out(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

std::function<Expected<std::string>(std::string_view)> text_filter(zhi_record_filter_fn fn,
                                                                   void* user_data,
                                                                   std::string refused) {
  return [fn, user_data,
          refused = std::move(refused)](std::string_view text) -> Expected<std::string> {
    const std::string copy(text);
    const char* kept = fn(user_data, copy.c_str(), copy.size());
    if (kept == nullptr) return Error(ErrorCode::kGuardrailViolation, refused);
    if (kept == copy.c_str()) return copy;
    return std::string(kept);
  };
}

}  // namespace zhi::capi

extern "C" {

const char* zhi_status_name(zhi_status status) {
  if (status == ZHI_OUT_OF_MEMORY) return "out_of_memory";
  if (status < ZHI_OK || status > ZHI_INTERNAL) return "unknown";
  return zhi::error_code_name(static_cast<zhi::ErrorCode>(status));
}

const char* zhi_last_error(void) { return zhi::capi::last_error().message.c_str(); }

void zhi_last_error_context_counts(int64_t* requested_tokens, int64_t* context_size) {
  if (requested_tokens) *requested_tokens = zhi::capi::last_error().requested_tokens;
  if (context_size) *context_size = zhi::capi::last_error().context_size;
}

const char* zhi_version(void) { return "0.1.0"; }

void zhi_string_free(char* s) { std::free(s); }

zhi_status zhi_partial_json(const char* prefix, char** out_json) {
  return zhi::capi::guarded([&]() -> zhi::Error {
    if (prefix == nullptr) return zhi::capi::null_argument("prefix");
    if (out_json == nullptr) return zhi::capi::null_argument("out_json");
    *out_json = zhi::capi::copy_out(zhi::partial_json(prefix));
    return {};
  });
}

}  // extern "C"
