#include "tokenizer/vocab_metadata.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/utf8_util.h"

namespace zhi {
namespace {

constexpr int32_t kQwenFirstSpecial = 151643;
constexpr uint32_t kCjkFirst = 0x4E00;  // CJK Unified Ideographs block
constexpr int32_t kCjkCount = 0x9FFF - 0x4E00 + 1;

std::string utf8_encode(uint32_t cp) {
  std::string s;
  append_utf8(cp, &s);
  return s;
}

// Qwen2.5's added tokens in id order from 151643; true = user-defined
// (plain in HF's tokenizer.json), false = control.
const std::pair<const char*, bool> kQwenSpecials[] = {
    {"<|endoftext|>", false},    {"<|im_start|>", false},      {"<|im_end|>", false},
    {"<|object_ref_start|>", false}, {"<|object_ref_end|>", false}, {"<|box_start|>", false},
    {"<|box_end|>", false},      {"<|quad_start|>", false},    {"<|quad_end|>", false},
    {"<|vision_start|>", false}, {"<|vision_end|>", false},    {"<|vision_pad|>", false},
    {"<|image_pad|>", false},    {"<|video_pad|>", false},     {"<tool_call>", true},
    {"</tool_call>", true},      {"<|fim_prefix|>", true},     {"<|fim_middle|>", true},
    {"<|fim_suffix|>", true},    {"<|fim_pad|>", true},        {"<|repo_name|>", true},
    {"<|file_sep|>", true},
};

}  // namespace

void add_vocab_metadata(const VocabData& vocab, GgufWriter& w) {
  w.set("tokenizer.ggml.model", GgufValue::from_string("gpt2"));
  w.set("tokenizer.ggml.pre", GgufValue::from_string("qwen2"));
  w.set("tokenizer.ggml.tokens", GgufValue::from_string_array(vocab.tokens));
  std::vector<int32_t> types;
  types.reserve(vocab.token_types.size());
  for (TokenType t : vocab.token_types) types.push_back(static_cast<int32_t>(t));
  w.set("tokenizer.ggml.token_type", GgufValue::from_i32_array(types));
  std::vector<std::string> merges;
  merges.reserve(vocab.merges.size());
  for (const auto& [a, b] : vocab.merges) merges.push_back(a + " " + b);
  w.set("tokenizer.ggml.merges", GgufValue::from_string_array(merges));
  if (vocab.bos_id != kNoToken) w.set("tokenizer.ggml.bos_token_id", GgufValue::from_u32(vocab.bos_id));
  if (vocab.eos_id != kNoToken) w.set("tokenizer.ggml.eos_token_id", GgufValue::from_u32(vocab.eos_id));
  if (vocab.pad_id != kNoToken) w.set("tokenizer.ggml.padding_token_id", GgufValue::from_u32(vocab.pad_id));
  w.set("tokenizer.ggml.add_bos_token", GgufValue::from_bool(false));
}

void pad_vocab(VocabData& vocab, int32_t n_vocab) {
  while (static_cast<int32_t>(vocab.tokens.size()) < n_vocab) {
    vocab.tokens.push_back("[PAD" + std::to_string(vocab.tokens.size()) + "]");
    vocab.token_types.push_back(TokenType::kUnused);
  }
}

VocabData synthetic_qwen_vocab(int32_t n_vocab) {
  VocabData v;
  auto add = [&](std::string text, TokenType type) {
    v.tokens.push_back(std::move(text));
    v.token_types.push_back(type);
  };
  for (int b = 0; b < 256; ++b) add(byte_level_encode(std::string(1, static_cast<char>(b))), TokenType::kNormal);
  const int32_t n_specials = static_cast<int32_t>(std::size(kQwenSpecials));
  const bool qwen_sized = n_vocab >= kQwenFirstSpecial + n_specials;
  const int32_t first_special = qwen_sized ? kQwenFirstSpecial : std::max<int32_t>(256, n_vocab - n_specials);
  // Printable ASCII pairs, space-led first so common words split sensibly.
  const std::string order = " etaoinshrdlcumwfgypbvkjxqzETAOINSHRDLCUMWFGYPBVKJXQZ0123456789.,:;!?'\"-_()[]{}<>/\\|@#$%^&*+=~`";
  for (char a : order) {
    for (char b : order) {
      if (static_cast<int32_t>(v.tokens.size()) >= first_special) break;
      const std::string left = byte_level_encode(std::string(1, a));
      const std::string right = byte_level_encode(std::string(1, b));
      v.merges.emplace_back(left, right);
      add(left + right, TokenType::kNormal);
    }
  }
  // The rest of the ordinary range: CJK ideographs, one or two per token, so a
  // random model's output reads as (meaningless) text rather than markers.
  for (int32_t i = 0; static_cast<int32_t>(v.tokens.size()) < first_special; ++i) {
    std::string text = utf8_encode(kCjkFirst + i % kCjkCount);
    if (i >= kCjkCount) text += utf8_encode(kCjkFirst + (i / kCjkCount) % kCjkCount);
    add(byte_level_encode(text), TokenType::kNormal);
  }
  for (const auto& [text, user_defined] : kQwenSpecials) {
    if (static_cast<int32_t>(v.tokens.size()) >= n_vocab) break;
    add(text, user_defined ? TokenType::kUserDefined : TokenType::kControl);
  }
  pad_vocab(v, n_vocab);
  v.bos_id = first_special;      // <|endoftext|>
  v.eos_id = first_special + 2;  // <|im_end|>, as Qwen2.5-Instruct files set it
  v.pad_id = first_special;
  return v;
}

}  // namespace zhi
