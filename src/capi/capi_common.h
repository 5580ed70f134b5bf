// Shared plumbing of the C ABI: the per-thread last error, the wrapper that
// keeps every exception on this side, and copying strings out.
#pragma once

#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <string_view>

#include "zhi/errors.hpp"
#include "zhi/zhi.h"

namespace zhi::capi {

// Records `e` as this thread's last error (cleared when ok) and returns its status.
zhi_status finish(const Error& e);

// Runs `body` (returning zhi::Error) so that nothing escapes: allocation
// failure becomes ZHI_OUT_OF_MEMORY, anything else ZHI_INTERNAL.
template <typename Body>
zhi_status guarded(Body&& body) noexcept {
  try {
    return finish(body());
  } catch (const std::bad_alloc&) {
    finish(Error(ErrorCode::kInternal, "out of memory"));
    return ZHI_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    return finish(Error(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what()));
  } catch (...) {
    return finish(Error(ErrorCode::kInternal, "unexpected exception"));
  }
}

// A malloc'd copy the caller frees with zhi_string_free.
char* copy_out(const std::string& s);

// Copies a caller's option struct over the defaults, honouring struct_size,
// so structs from older (smaller) headers keep working.
template <typename T>
Error read_options(const T* in, T* out) {
  if (in == nullptr) return {};
  if (in->struct_size < sizeof(uint32_t))
    return {ErrorCode::kInvalidArgument,
            "options.struct_size is not set (call the matching *_init function)"};
  const size_t n = in->struct_size < sizeof(T) ? in->struct_size : sizeof(T);
  std::memcpy(static_cast<void*>(out), in, n);
  out->struct_size = sizeof(T);
  return {};
}

// A caller's zhi_record_filter_fn as the C++ API's text filter
// (SessionOptions::record_filter, FeatureOptions::input_filter and
// output_filter): its text back, other text instead (copied at once), or
// NULL: a kGuardrailViolation whose message is `refused`.
std::function<Expected<std::string>(std::string_view)> text_filter(zhi_record_filter_fn fn,
                                                                   void* user_data,
                                                                   std::string refused);

inline Error null_argument(const char* name) {
  return {ErrorCode::kInvalidArgument, std::string(name) + ": must not be NULL"};
}

}  // namespace zhi::capi
