#include "tokenizer/hf_tokenizer_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_paths.h"
#include "test_vocab.h"
#include "tokenizer/tokenizer.h"

namespace zhi {
namespace {

using Json = nlohmann::json;

// A tokenizer.json with the 256 byte tokens, "h"+"e" -> "he", and two added tokens.
Json base_doc(bool array_merges) {
  Json vocab = Json::object();
  for (int b = 0; b < 256; ++b) vocab[byte_level_encode(std::string(1, static_cast<char>(b)))] = b;
  vocab["he"] = 256;
  Json merges = Json::array();
  if (array_merges) {
    merges.push_back(Json::array({"h", "e"}));
  } else {
    merges.push_back("h e");
  }
  Json doc;
  doc["model"] = {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}};
  doc["added_tokens"] = Json::array({
      {{"id", 257}, {"content", "<|endoftext|>"}, {"special", true}},
      {{"id", 259}, {"content", "<tool_call>"}, {"special", false}},
  });
  return doc;
}

Result<Tokenizer> load(const Json& doc) { return Tokenizer::from_hf_json(doc.dump(), "t.json"); }

TEST(HfTokenizerJson, StringAndArrayMergesAgree) {
  for (bool arrays : {false, true}) {
    Result<Tokenizer> tok = load(base_doc(arrays));
    ASSERT_TRUE(tok.ok()) << tok.status().to_string();
    EXPECT_EQ(tok->encode("hehe", false), (std::vector<int32_t>{256, 256}));
  }
}

TEST(HfTokenizerJson, AddedTokensAndHoles) {
  Result<Tokenizer> tok = load(base_doc(false));
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  EXPECT_EQ(tok->n_vocab(), 260);
  EXPECT_TRUE(tok->is_control(257));
  EXPECT_EQ(tok->token_type(259), TokenType::kUserDefined);
  EXPECT_EQ(tok->token_type(258), TokenType::kUnused);  // named by neither list
  EXPECT_EQ(tok->token_bytes(258), "");
  EXPECT_EQ(tok->eos_id(), 257);
  EXPECT_EQ(tok->pad_id(), 257);
  EXPECT_EQ(tok->bos_id(), kNoToken);
  EXPECT_EQ(tok->encode("<tool_call>he", true), (std::vector<int32_t>{259, 256}));
}

void expect_error(const Json& doc, StatusCode code, const std::string& needle) {
  Result<Tokenizer> r = load(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().to_string();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().to_string();
  EXPECT_NE(r.status().message().find("t.json"), std::string::npos) << r.status().to_string();
}

TEST(HfTokenizerJson, Errors) {
  EXPECT_EQ(Tokenizer::from_hf_json("{not json", "t.json").status().code(), StatusCode::kCorruptFile);
  EXPECT_EQ(Tokenizer::from_hf_json("[1,2]", "t.json").status().code(), StatusCode::kCorruptFile);
  expect_error(Json::object(), StatusCode::kCorruptFile, "model");

  Json d = base_doc(false);
  d["model"]["type"] = "WordPiece";
  expect_error(d, StatusCode::kUnsupported, "BPE");

  d = base_doc(false);
  d["model"]["vocab"]["he"] = "x";
  expect_error(d, StatusCode::kCorruptFile, "model.vocab[\"he\"]");

  d = base_doc(false);
  d["model"]["vocab"]["he"] = -3;
  expect_error(d, StatusCode::kCorruptFile, "-3");

  d = base_doc(false);
  d["model"]["merges"][0] = "he";
  expect_error(d, StatusCode::kCorruptFile, "model.merges[0]");

  d = base_doc(false);
  d["model"]["merges"][0] = "h e x";
  expect_error(d, StatusCode::kCorruptFile, "model.merges[0]");

  d = base_doc(false);
  d["model"]["merges"][0] = Json::array({"h", "e", "x"});
  expect_error(d, StatusCode::kCorruptFile, "model.merges[0]");

  d = base_doc(false);
  d["model"]["merges"][0] = 5;
  expect_error(d, StatusCode::kCorruptFile, "model.merges[0]");

  d = base_doc(false);
  d["model"]["merges"].push_back("q z");  // "qz" is not a token
  expect_error(d, StatusCode::kInvalidArgument, "merges[1]");

  d = base_doc(false);
  d["model"]["vocab"]["dup"] = 256;
  expect_error(d, StatusCode::kCorruptFile, "twice");

  d = base_doc(false);
  d["added_tokens"] = "nope";
  expect_error(d, StatusCode::kCorruptFile, "added_tokens");

  d = base_doc(false);
  d["added_tokens"][0].erase("id");
  expect_error(d, StatusCode::kCorruptFile, "added_tokens[0].id");

  d = base_doc(false);
  d["added_tokens"][1]["special"] = "yes";
  expect_error(d, StatusCode::kCorruptFile, "added_tokens[1].special");

  d = base_doc(false);
  d["model"].erase("merges");
  expect_error(d, StatusCode::kCorruptFile, "model.merges");
}

TEST(HfTokenizerJson, FileErrors) {
  Result<Tokenizer> r = Tokenizer::from_hf_json_file("/nonexistent/tokenizer.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/tokenizer.json"), std::string::npos);

  const std::string path = testing::temp_dir() + "/tok.json";
  std::ofstream(path) << base_doc(true).dump();
  Result<Tokenizer> ok = Tokenizer::from_hf_json_file(path);
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok->encode("he", false), (std::vector<int32_t>{256}));
}

}  // namespace
}  // namespace zhi
