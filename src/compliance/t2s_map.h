// Traditional -> Simplified Chinese, one character at a time, from OpenCC's
// t2s dictionaries (Debian libopencc-data). Character-level, not phrase-level:
// terms and text go through the same map, so matching stays consistent, and
// every output character still comes from exactly one input character, which
// keeps the offset map exact.
#pragma once

#include <unordered_map>

#include "core/status.h"

namespace zhi::compliance {

using T2sMap = std::unordered_map<char32_t, char32_t>;

// Converts every Han code point through OpenCC once (about 0.1 s) and keeps the
// ones that change. Fails with the OpenCC error if its data is not installed.
Result<T2sMap> build_t2s_map();

}  // namespace zhi::compliance
