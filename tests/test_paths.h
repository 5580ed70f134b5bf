// Where tests find their inputs. The conformance pack is found through one
// setting, ZHI_CONFORMANCE_DIR, defaulting to ../shared/conformance beside
// the source tree.
#pragma once

#include <string>

namespace zhi::testing {

std::string source_dir();
std::string conformance_dir();
bool have_conformance();
std::string cli_path();  // the built `zhi` binary
// A fresh directory under the system temp dir, unique to this process.
std::string temp_dir();

}  // namespace zhi::testing

// Skips the current test, saying plainly why, when the pack is absent.
#define ZHI_REQUIRE_CONFORMANCE()                                                        \
  do {                                                                                   \
    if (!::zhi::testing::have_conformance())                                             \
      GTEST_SKIP() << "conformance pack not found at " << ::zhi::testing::conformance_dir() \
                   << " (set ZHI_CONFORMANCE_DIR to its path)";                          \
  } while (0)
