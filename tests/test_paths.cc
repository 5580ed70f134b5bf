#include "test_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace zhi::testing {

std::string source_dir() { return ZHI_SOURCE_DIR; }

std::string conformance_dir() {
  if (const char* env = std::getenv("ZHI_CONFORMANCE_DIR"); env != nullptr && *env != '\0') return env;
  return source_dir() + "/../shared/conformance";
}

bool have_conformance() {
  return std::filesystem::exists(conformance_dir() + "/README.md");
}

std::string cli_path() { return ZHI_CLI_PATH; }

std::string temp_dir() {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("zhi-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}

}  // namespace zhi::testing
