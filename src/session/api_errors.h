// Bridges the engine's Status (core/) to the public API's Error.
#pragma once

#include "core/status.h"
#include "zhi/errors.hpp"

namespace zhi {

// Engine failures below the session layer: bad values stay kInvalidArgument,
// file and format problems mean the model cannot run (kUnavailable).
Error error_from_status(const Status& status);

inline Error invalid_argument_error(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message)};
}

}  // namespace zhi

// Returns the Error from the enclosing function if it is not OK.
#define ZHI_RETURN_IF_API_ERROR(expr)         \
  do {                                        \
    ::zhi::Error zhi_api_error_ = (expr);     \
    if (!zhi_api_error_.ok()) return zhi_api_error_; \
  } while (0)
