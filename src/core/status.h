// Errors are values. Every failure carries a message that names the file,
// field or flag at fault; nothing here throws.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace zhi {

enum class StatusCode : int32_t {
  kOk = 0,
  kInvalidArgument,   // a caller-supplied value is wrong (flag, prompt, option)
  kNotFound,          // file or key missing
  kIoError,           // the OS refused (open, mmap, read, write)
  kCorruptFile,       // a file breaks its format's rules
  kUnsupported,       // valid, but not something this build can run
  kOutOfRange,        // a count or size exceeds a limit (context window, ...)
  kInternal,          // a bug: an invariant did not hold
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corrupt_file: model.gguf: tensor 'x': offset past end of file"
  std::string to_string() const;

  // Prefixes context, e.g. the file name, so deep errors still say where they are.
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status corrupt_file(std::string m) { return {StatusCode::kCorruptFile, std::move(m)}; }
inline Status unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status out_of_range(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status internal_error(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {     // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "Result built from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace zhi

#define ZHI_CONCAT_INNER(a, b) a##b
#define ZHI_CONCAT(a, b) ZHI_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if it is not OK.
#define ZHI_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::zhi::Status zhi_status_ = (expr);      \
    if (!zhi_status_.ok()) return zhi_status_; \
  } while (0)

// ZHI_ASSIGN_OR_RETURN(auto x, make_x()); binds x or returns the error.
#define ZHI_ASSIGN_OR_RETURN(lhs, expr) \
  ZHI_ASSIGN_OR_RETURN_IMPL(ZHI_CONCAT(zhi_result_, __LINE__), lhs, expr)
#define ZHI_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
