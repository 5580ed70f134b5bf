#include "tokenizer/gguf_vocab.h"

#include <gtest/gtest.h>

#include "golden_jsonl.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "test_paths.h"
#include "test_vocab.h"

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

// A small but complete tokenizer.ggml.* set, to break one key at a time.
struct GgufVocabFile : ::testing::Test {
  GgufWriter w;
  void SetUp() override {
    testing::TestVocab v;
    v.merge("h", "e");
    v.add("<|im_end|>", TokenType::kControl);
    std::vector<int32_t> types;
    for (TokenType t : v.data.token_types) types.push_back(static_cast<int32_t>(t));
    std::vector<std::string> merges;
    for (const auto& [l, r] : v.data.merges) merges.push_back(l + " " + r);
    w.set("general.architecture", GgufValue::from_string("qwen2"));
    w.set("tokenizer.ggml.model", GgufValue::from_string("gpt2"));
    w.set("tokenizer.ggml.pre", GgufValue::from_string("qwen2"));
    w.set("tokenizer.ggml.tokens", GgufValue::from_string_array(v.data.tokens));
    w.set("tokenizer.ggml.token_type", GgufValue::from_i32_array(types));
    w.set("tokenizer.ggml.merges", GgufValue::from_string_array(merges));
    w.set("tokenizer.ggml.eos_token_id", GgufValue::from_u32(257));
  }
  Result<Tokenizer> load() {
    const std::string path = testing::temp_dir() + "/vocab.gguf";
    const Status s = w.write(path);
    EXPECT_TRUE(s.ok()) << s.to_string();
    Result<GgufFile> f = GgufFile::open(path);
    EXPECT_TRUE(f.ok()) << f.status().to_string();
    if (!f.ok()) return f.status();
    return tokenizer_from_gguf(*f);
  }
  void expect_error(StatusCode code, const std::string& needle) {
    Result<Tokenizer> r = load();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().to_string();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().to_string();
    EXPECT_NE(r.status().message().find("vocab.gguf"), std::string::npos) << r.status().to_string();
  }
};

TEST_F(GgufVocabFile, Loads) {
  Result<Tokenizer> tok = load();
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->encode("hehe<|im_end|>", true), (std::vector<int32_t>{256, 256, 257}));
  EXPECT_EQ(tok->eos_id(), 257);
  EXPECT_EQ(tok->bos_id(), kNoToken);
}

TEST_F(GgufVocabFile, MissingTokens) {
  w.remove("tokenizer.ggml.tokens");
  expect_error(StatusCode::kNotFound, "tokenizer.ggml.tokens");
}

TEST_F(GgufVocabFile, MistypedTokenTypes) {
  w.set("tokenizer.ggml.token_type", GgufValue::from_string("1"));
  expect_error(StatusCode::kInvalidArgument, "tokenizer.ggml.token_type");
}

TEST_F(GgufVocabFile, TokenTypeCountMismatch) {
  w.set("tokenizer.ggml.token_type", GgufValue::from_i32_array({1, 1}));
  expect_error(StatusCode::kCorruptFile, "tokenizer.ggml.token_type");
}

TEST_F(GgufVocabFile, TokenTypeOutOfRange) {
  std::vector<int32_t> types(258, 1);
  types[7] = 42;
  w.set("tokenizer.ggml.token_type", GgufValue::from_i32_array(types));
  expect_error(StatusCode::kCorruptFile, "tokenizer.ggml.token_type'[7]");
}

TEST_F(GgufVocabFile, MalformedMerge) {
  w.set("tokenizer.ggml.merges", GgufValue::from_string_array({"h e", "nospace"}));
  expect_error(StatusCode::kCorruptFile, "tokenizer.ggml.merges'[1]");
}

TEST_F(GgufVocabFile, MergeOfUnknownToken) {
  w.set("tokenizer.ggml.merges", GgufValue::from_string_array({"h e", "he zz"}));
  expect_error(StatusCode::kInvalidArgument, "merges[1]");
}

TEST_F(GgufVocabFile, OtherTokenizerModel) {
  w.set("tokenizer.ggml.model", GgufValue::from_string("llama"));
  expect_error(StatusCode::kUnsupported, "tokenizer.ggml.model");
}

TEST_F(GgufVocabFile, OtherPreTokenizer) {
  w.set("tokenizer.ggml.pre", GgufValue::from_string("llama-bpe"));
  expect_error(StatusCode::kUnsupported, "tokenizer.ggml.pre");
}

TEST_F(GgufVocabFile, EosOutOfRange) {
  w.set("tokenizer.ggml.eos_token_id", GgufValue::from_u32(9999));
  expect_error(StatusCode::kCorruptFile, "tokenizer.ggml.eos_token_id");
}

TEST_F(GgufVocabFile, MistypedEos) {
  w.set("tokenizer.ggml.eos_token_id", GgufValue::from_string("257"));
  expect_error(StatusCode::kInvalidArgument, "tokenizer.ggml.eos_token_id");
}

}  // namespace
}  // namespace zhi
