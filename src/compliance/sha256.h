// SHA-256 of audit inputs and outputs (OpenSSL libcrypto): the audit log
// keeps these, never the raw text, unless a policy says otherwise.
#pragma once

#include <string>
#include <string_view>

namespace zhi::compliance {

// Lower-case hex, 64 characters.
std::string sha256_hex(std::string_view data);

}  // namespace zhi::compliance
