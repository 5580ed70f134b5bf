#include "tiny_model.h"

#include <gtest/gtest.h>

#include "model/model_writer.h"
#include "test_paths.h"
#include "tokenizer/vocab_metadata.h"

namespace zhi::testing {

namespace {

std::string write_tiny(const std::string& name, uint64_t seed) {
  const std::string p = temp_dir() + "/" + name;
  SyntheticModelOptions o;
  o.shape = find_qwen2_shape("tiny").value();
  o.preset = Preset::kQ8_0;
  o.seed = seed;
  o.n_threads = 1;
  const VocabData vocab = synthetic_qwen_vocab(static_cast<int32_t>(o.shape.n_vocab));
  o.add_vocab = [&](GgufWriter& w) { add_vocab_metadata(vocab, w); };
  Status s = write_synthetic_model(o, p);
  EXPECT_TRUE(s.ok()) << s.to_string();
  return p;
}

}  // namespace

const std::string& tiny_model_path() {
  static const std::string path = write_tiny("session-tiny-q8.gguf", 1);
  return path;
}

const std::string& tiny_draft_model_path() {
  static const std::string path = write_tiny("session-tiny-draft-q8.gguf", 2);
  return path;
}

std::shared_ptr<Model> tiny_model(int64_t context_size, int prefix_cache_entries) {
  ModelOptions o;
  o.context_size = context_size;
  o.threads = 1;
  o.prefix_cache_entries = prefix_cache_entries;
  auto m = Model::load(tiny_model_path(), o);
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  return m.ok() ? m.value() : nullptr;
}

}  // namespace zhi::testing
