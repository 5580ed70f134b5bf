// libFuzzer target for the tokenizer. Not wired into CMake or scripts/fuzz.sh;
// build and run by hand (clang 14, from the repository root):
//
//   mkdir -p build-fuzz-tok/corpus && clang++ -std=c++20 -O1 -g \
//     -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc \
//     fuzz/tokenizer_fuzz.cc src/core/status.cc src/tokenizer/{bpe_merges,bpe_model,byte_level,\
//     hf_tokenizer_json,nfc,qwen2_pretokenizer,special_token_matcher,stream_decoder,tokenizer,\
//     utf8_util,word_cache}.cc $(pkg-config --cflags --libs libutf8proc) -o build-fuzz-tok/tokenizer_fuzz
//   build-fuzz-tok/tokenizer_fuzz -max_len=4096 -malloc_limit_mb=512 build-fuzz-tok/corpus
//
// The vocabulary is a small synthetic one (all 256 bytes, merges inside and
// across CJK characters, specials), or the real Qwen vocabulary when
// ZHI_QWEN_TOKENIZER_JSON is set. The first input byte picks a mode:
//   bit 0: parse specials; bit 1: treat the rest as a tokenizer.json instead.
// For text, whatever the bytes, the target traps unless:
//   - every id is in range and decode(encode(text)) gives back NFC(text);
//   - the pre-tokenizer's pieces tile the text;
//   - the whole-character shortcut gives the same ids as plain byte BPE;
//   - streaming decode equals the sanitized full decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/bpe_model.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/hf_tokenizer_json.h"
#include "tokenizer/nfc.h"
#include "tokenizer/qwen2_pretokenizer.h"
#include "tokenizer/stream_decoder.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8_util.h"

namespace zhi {
namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

VocabData synthetic_vocab() {
  VocabData v;
  auto add = [&](const std::string& bytes, TokenType t) {
    v.tokens.push_back(t == TokenType::kControl ? bytes : byte_level_encode(bytes));
    v.token_types.push_back(t);
  };
  for (int b = 0; b < 256; ++b) add(std::string(1, static_cast<char>(b)), TokenType::kByte);
  std::vector<std::string> have;
  auto merge = [&](const std::string& l, const std::string& r) {
    for (const std::string& h : have) {
      if (h == l + r) return;
    }
    v.merges.emplace_back(byte_level_encode(l), byte_level_encode(r));
    add(l + r, TokenType::kNormal);
    have.push_back(l + r);
  };
  // Whole characters, then words; and a cross-boundary merge that must
  // keep 文 off the shortcut.
  for (const std::string c : {"中", "文", "字", "你", "好"}) {
    merge(c.substr(0, 1), c.substr(1, 1));
    merge(c.substr(0, 2), c.substr(2, 1));
  }
  merge("\x87", "\xe5");
  merge("中", "文");
  merge("你", "好");
  const char* const pairs[][2] = {{"h", "e"},  {"l", "l"},   {"he", "ll"},   {"hell", "o"}, {" ", "w"},
                                  {"o", "r"},  {" w", "or"}, {"l", "d"},     {" wor", "ld"}, {" ", " "},
                                  {"\n", "\n"}, {"'", "s"},  {"\xe4", "\xbd"}};
  for (const auto& p : pairs) merge(p[0], p[1]);
  add("<|im_start|>", TokenType::kControl);
  add("<|im_end|>", TokenType::kControl);
  v.eos_id = static_cast<int32_t>(v.tokens.size() - 1);
  return v;
}

struct Fixture {
  std::unique_ptr<Tokenizer> tok;
  std::unique_ptr<BpeModel> bpe;
};

const Fixture& fixture() {
  static const Fixture* f = [] {
    auto* fx = new Fixture;
    VocabData v;
    if (const char* path = std::getenv("ZHI_QWEN_TOKENIZER_JSON"); path != nullptr && *path != '\0') {
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      Result<VocabData> r = vocab_from_hf_json(ss.str(), path);
      check(r.ok());
      v = std::move(r).value();
    } else {
      v = synthetic_vocab();
    }
    Result<Tokenizer> t = Tokenizer::from_vocab(v);
    check(t.ok());
    fx->tok = std::make_unique<Tokenizer>(std::move(t).value());
    std::vector<std::string> bytes;
    for (int32_t i = 0; i < fx->tok->n_vocab(); ++i) bytes.push_back(fx->tok->token_bytes(i));
    Result<BpeModel> m = BpeModel::build(v, bytes, [&](std::string_view s) { return fx->tok->find_token(s).value_or(kNoToken); });
    check(m.ok());
    fx->bpe = std::make_unique<BpeModel>(std::move(m).value());
    return fx;
  }();
  return *f;
}

void fuzz_text(std::string_view text, bool parse_special) {
  const Fixture& fx = fixture();
  const Tokenizer& tok = *fx.tok;

  const std::vector<int32_t> ids = tok.encode(text, parse_special);
  for (int32_t id : ids) check(tok.valid_id(id));
  Result<std::string> back = tok.decode(ids);
  check(back.ok());
  if (!parse_special) {
    std::string storage;
    check(*back == nfc_normalize(text, &storage));
  }

  std::string storage;
  const std::string_view norm = nfc_normalize(text, &storage);
  std::string joined;
  BpeScratch scratch;
  for (std::string_view piece : qwen2_pretokenize(norm)) {
    check(!piece.empty());
    joined += piece;
    std::vector<int32_t> fast, slow;
    fx.bpe->encode_word(piece, &scratch, &fast);
    fx.bpe->encode_word_bytewise(piece, &scratch, &slow);
    check(fast == slow);
  }
  check(joined == norm);

  StreamDecoder dec(tok);
  std::string streamed;
  for (int32_t id : ids) {
    Result<std::string> piece = dec.push(id);
    check(piece.ok());
    check(sanitize_utf8(*piece) == *piece);
    streamed += *piece;
  }
  streamed += dec.flush();
  check(streamed == sanitize_utf8(*back));
}

void fuzz_json(std::string_view json) {
  Result<Tokenizer> t = Tokenizer::from_hf_json(json, "fuzz.json");
  if (!t.ok()) {
    check(!t.status().message().empty());
    return;
  }
  const std::vector<int32_t> ids = t->encode("hello 你好 <|im_start|>", true);
  for (int32_t id : ids) check(t->valid_id(id));
}

}  // namespace
}  // namespace zhi

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode & 2) {
    zhi::fuzz_json(rest);
  } else {
    zhi::fuzz_text(rest, (mode & 1) != 0);
  }
  return 0;
}
