// Errors of the public C++ API. Every Model and Session call that can fail
// returns an Error or an Expected<T>; nothing throws. The codes are the same
// numbers as zhi_status in zhi.h, so the C ABI passes them through unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace zhi {

enum class ErrorCode : int32_t {
  kOk = 0,
  kInvalidArgument = 1,        // a caller-supplied value is wrong (option, prompt, transcript)
  kContextWindowExceeded = 2,  // prompt plus answer do not fit; see requested_tokens()
  kGuardrailViolation = 3,     // the guardrail hook refused the prompt or the answer
  kDecodingFailure = 4,        // generation could not finish (structured output cut short, no legal token)
  kCancelled = 5,              // cancel() or a stream callback stopped the request
  kConcurrentRequests = 6,     // the session is already serving a request
  kInvalidSchema = 7,          // a JSON Schema uses something outside the supported subset
  kUnavailable = 8,            // the model cannot run here (file, memory, CPU); see Availability
  kInternal = 9,               // a bug: an invariant did not hold
};

// "context_window_exceeded", as zhi_status_name() spells it.
const char* error_code_name(ErrorCode code);

class Error {
 public:
  Error() = default;
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  // kContextWindowExceeded with the counts that did not fit.
  static Error context_window_exceeded(int64_t requested_tokens, int64_t context_size, std::string message);

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "concurrent_requests: the session is already responding"
  std::string to_string() const;

  // Set for kContextWindowExceeded: tokens the request needed and the window it had.
  int64_t requested_tokens() const { return requested_tokens_; }
  int64_t context_size() const { return context_size_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  int64_t requested_tokens_ = 0;
  int64_t context_size_ = 0;
};

// A value, or the Error explaining why there is none.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Expected(Error error) : v_(std::move(error)) {  // NOLINT: implicit by design
    if (std::get<Error>(v_).ok()) v_ = Error(ErrorCode::kInternal, "Expected built from an OK error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Error& error() const {
    static const Error kNone;
    return ok() ? kNone : std::get<Error>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace zhi
