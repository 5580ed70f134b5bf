// A random-weight model with the "tiny" Qwen2 layout and the synthetic
// vocabulary (ChatML and tool-call tokens included), written once per test
// process. Its text means nothing; its behaviour is deterministic.
#pragma once

#include <memory>
#include <string>

#include "zhi/model.hpp"
#include "zhi/session.hpp"

namespace zhi::testing {

const std::string& tiny_model_path();
// Another tiny model, same vocabulary, different random weights (a draft model).
const std::string& tiny_draft_model_path();
// Loaded with `context_size` tokens and single-threaded contexts (tests run in parallel).
std::shared_ptr<Model> tiny_model(int64_t context_size = 512, int prefix_cache_entries = 8);

inline SessionOptions with_tools(std::vector<Tool> tools) {
  SessionOptions o;
  o.tools = std::move(tools);
  return o;
}

inline SessionOptions with_instructions(std::string text) {
  SessionOptions o;
  o.instructions = std::move(text);
  return o;
}

}  // namespace zhi::testing
