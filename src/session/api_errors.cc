#include "session/api_errors.h"

namespace zhi {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kContextWindowExceeded: return "context_window_exceeded";
    case ErrorCode::kGuardrailViolation: return "guardrail_violation";
    case ErrorCode::kDecodingFailure: return "decoding_failure";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kConcurrentRequests: return "concurrent_requests";
    case ErrorCode::kInvalidSchema: return "invalid_schema";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

Error Error::context_window_exceeded(int64_t requested_tokens, int64_t context_size, std::string message) {
  Error e(ErrorCode::kContextWindowExceeded, std::move(message));
  e.requested_tokens_ = requested_tokens;
  e.context_size_ = context_size;
  return e;
}

std::string Error::to_string() const {
  if (ok()) return "ok";
  return std::string(error_code_name(code_)) + ": " + message_;
}

Error error_from_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return {};
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange: return {ErrorCode::kInvalidArgument, status.message()};
    case StatusCode::kNotFound:
    case StatusCode::kIoError:
    case StatusCode::kCorruptFile:
    case StatusCode::kUnsupported: return {ErrorCode::kUnavailable, status.message()};
    case StatusCode::kInternal: return {ErrorCode::kInternal, status.message()};
  }
  return {ErrorCode::kInternal, status.message()};
}

}  // namespace zhi
