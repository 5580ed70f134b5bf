#include "tokenizer/gguf_vocab.h"

#include <gtest/gtest.h>

#include "golden_jsonl.h"
#include "gguf/gguf_reader.h"
#include "test_paths.h"

namespace zhi {
namespace {

std::string mini_gguf() { return testing::conformance_dir() + "/models/conf-f32.gguf"; }

TEST(GgufVocab, MiniVocabularyShape) {
  ZHI_REQUIRE_CONFORMANCE();
  Result<GgufFile> file = GgufFile::open(mini_gguf());
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  Result<Tokenizer> tok = tokenizer_from_gguf(*file);
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->n_vocab(), 1024);
  const std::optional<int32_t> im_start = tok->find_token("<|im_start|>");
  ASSERT_TRUE(im_start.has_value());
  EXPECT_TRUE(tok->is_control(*im_start));
  EXPECT_EQ(tok->token_bytes(*im_start), "<|im_start|>");
  EXPECT_TRUE(tok->valid_id(tok->eos_id()));
}

TEST(GgufVocab, MiniVocabularyGoldenIsExact) {
  ZHI_REQUIRE_CONFORMANCE();
  Result<GgufFile> file = GgufFile::open(mini_gguf());
  ASSERT_TRUE(file.ok()) << file.status().to_string();
  Result<Tokenizer> tok = tokenizer_from_gguf(*file);
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  const std::string path = testing::conformance_dir() + "/tokenizer/conf-mini-vocab.jsonl";
  const auto lines = testing::read_golden_jsonl(path);
  ASSERT_GT(lines.size(), 30u);
  EXPECT_EQ(testing::check_golden(*tok, lines, path), static_cast<int>(lines.size()));
}

}  // namespace
}  // namespace zhi
