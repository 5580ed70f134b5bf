// Runs the built `zhi` binary and captures what it printed.
#pragma once

#include <string>
#include <vector>

namespace zhi::testing {

struct CliResult {
  int exit_code = -1;  // -1: did not exit normally (a crash)
  std::string out;
  std::string err;
};

CliResult run_zhi(const std::vector<std::string>& args, const std::string& stdin_text = "");

}  // namespace zhi::testing
