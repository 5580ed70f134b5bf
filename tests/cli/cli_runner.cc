#include "cli_runner.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace zhi::testing {
namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

CliResult run_zhi(const std::vector<std::string>& args, const std::string& stdin_text) {
  static int counter = 0;
  const std::string base = temp_dir() + "/cli" + std::to_string(++counter);
  std::string cmd = quote(cli_path());
  for (const auto& a : args) cmd += " " + quote(a);
  {
    std::ofstream in(base + ".in", std::ios::binary);
    in << stdin_text;
  }
  cmd += " <" + quote(base + ".in") + " >" + quote(base + ".out") + " 2>" + quote(base + ".err");
  const int status = std::system(cmd.c_str());
  CliResult r;
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  return r;
}

}  // namespace zhi::testing
