// Compiled grammars kept per model, keyed by what they were compiled from
// (a schema's text, a tool set), so the states and token masks one request
// discovers serve every later request with the same schema.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "session/compiled_grammar.h"
#include "zhi/errors.hpp"

namespace zhi {

class GrammarCache {
 public:
  using Compile = std::function<Expected<Grammar>()>;

  explicit GrammarCache(size_t max_entries = 32) : max_entries_(max_entries) {}

  // The grammar stored under `key`, or compile() it and store it. Errors are
  // not cached.
  Expected<std::shared_ptr<CompiledGrammar>> get(const std::string& key, const Compile& compile);

 private:
  const size_t max_entries_;
  std::mutex mu_;
  std::list<std::pair<std::string, std::shared_ptr<CompiledGrammar>>> entries_;  // front: most recent
};

}  // namespace zhi
