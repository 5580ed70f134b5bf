#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "tokenizer/bpe_model.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/nfc.h"
#include "tokenizer/qwen2_pretokenizer.h"
#include "tokenizer/special_token_matcher.h"
#include "tokenizer/word_cache.h"

namespace zhi {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

bool is_known_type(TokenType t) {
  const auto v = static_cast<int32_t>(t);
  return v >= static_cast<int32_t>(TokenType::kNormal) && v <= static_cast<int32_t>(TokenType::kByte);
}

}  // namespace

struct Tokenizer::Impl {
  std::vector<std::string> text;   // as stored in the vocabulary
  std::vector<std::string> bytes;  // what each token decodes to
  std::vector<TokenType> types;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> by_text;
  BpeModel bpe;
  SpecialTokenMatcher specials;
  WordCache cache;
  int32_t bos = kNoToken;
  int32_t eos = kNoToken;
  int32_t pad = kNoToken;
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Result<Tokenizer> Tokenizer::from_vocab(VocabData vocab) {
  const size_t n = vocab.tokens.size();
  if (n == 0) return invalid_argument("vocabulary: no tokens");
  if (n > static_cast<size_t>(INT32_MAX)) return out_of_range("vocabulary: too many tokens");
  if (vocab.token_types.size() != n) {
    return invalid_argument("vocabulary: " + std::to_string(vocab.token_types.size()) + " token types for " +
                            std::to_string(n) + " tokens");
  }

  auto impl = std::make_unique<Impl>();
  impl->by_text.reserve(n);
  impl->bytes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const TokenType t = vocab.token_types[i];
    if (!is_known_type(t)) {
      return invalid_argument("vocabulary: token " + std::to_string(i) + " has unknown type " +
                              std::to_string(static_cast<int32_t>(t)));
    }
    const std::string& s = vocab.tokens[i];
    // Specials are stored as plain text; everything else in stand-ins.
    const bool plain = t == TokenType::kControl || t == TokenType::kUserDefined;
    impl->bytes[i] = plain ? s : byte_level_decode(s);
    impl->by_text.try_emplace(s, static_cast<int32_t>(i));  // the first of duplicates wins
    if (plain) impl->specials.add(s, static_cast<int32_t>(i));
  }

  auto id_of = [&](std::string_view text) -> int32_t {
    const auto it = impl->by_text.find(text);
    return it == impl->by_text.end() ? kNoToken : it->second;
  };
  ZHI_ASSIGN_OR_RETURN(impl->bpe, BpeModel::build(vocab, impl->bytes, id_of));

  for (const auto& [name, id] : {std::pair<const char*, int32_t>{"bos", vocab.bos_id}, {"eos", vocab.eos_id}, {"pad", vocab.pad_id}}) {
    if (id != kNoToken && (id < 0 || static_cast<size_t>(id) >= n)) {
      return out_of_range(std::string("vocabulary: ") + name + " id " + std::to_string(id) + " is outside [0, " +
                          std::to_string(n) + ")");
    }
  }
  impl->bos = vocab.bos_id;
  impl->eos = vocab.eos_id;
  impl->pad = vocab.pad_id;
  impl->text = std::move(vocab.tokens);
  impl->types = std::move(vocab.token_types);
  return Tokenizer(std::move(impl));
}

namespace {

// Long texts are encoded in blocks of about this many bytes, so the
// per-character buffers stay in L2 and memory stays bounded.
constexpr size_t kBlockBytes = 32 << 10;

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The pre-tokenizer's offsets are 32-bit; a block longer than this (a GiB
// with no digit and no line break) is cut at a character boundary instead,
// the one case where the ids may differ from an uncut encoding.
constexpr size_t kMaxBlockBytes = size_t{1} << 30;

// Where the block starting at `from` may end: a place where the pre-tokenizer
// always cuts and NFC cannot reach across. An ASCII digit is always a piece
// of its own, and no piece holds a line break followed by a letter; both
// are ASCII, where NFC has a boundary.
size_t block_end(std::string_view text, size_t from) {
  if (text.size() - from <= 2 * kBlockBytes) return text.size();
  const size_t limit = std::min(text.size(), from + kMaxBlockBytes);
  for (size_t i = from + kBlockBytes; i < limit; ++i) {
    const char c = text[i];
    if (is_ascii_digit(c) || (is_ascii_letter(c) && (text[i - 1] == '\n' || text[i - 1] == '\r'))) return i;
  }
  if (limit == text.size()) return limit;
  size_t i = limit;
  while (i > from + 1 && (static_cast<uint8_t>(text[i]) & 0xC0) == 0x80) --i;  // not inside a character
  return i;
}

}  // namespace

void Tokenizer::encode_ordinary(std::string_view text, std::vector<int32_t>* out) const {
  std::string nfc_storage;
  Qwen2PreTokenizer pre;
  std::vector<PieceSpan> pieces;
  BpeScratch scratch;
  for (size_t from = 0; from < text.size();) {
    const size_t to = block_end(text, from);
    const std::string_view norm = nfc_normalize(text.substr(from, to - from), &nfc_storage);
    from = to;

    pieces.clear();
    pre.split(norm, &pieces);
    for (const PieceSpan& p : pieces) {
      const std::string_view word = norm.substr(p.begin, p.end - p.begin);
      if (word.size() == 1) {
        out->push_back(impl_->bpe.byte_token(static_cast<uint8_t>(word[0])));
        continue;
      }
      const bool cacheable = word.size() <= WordCache::kMaxWordBytes;
      const uint64_t hash = cacheable ? WordCache::hash_word(word) : 0;
      if (cacheable && impl_->cache.lookup(word, hash, out)) continue;
      const size_t before = out->size();
      impl_->bpe.encode_word(word, &scratch, out);
      if (cacheable) impl_->cache.insert(word, hash, out->data() + before, out->size() - before);
    }
  }
}

void Tokenizer::encode_append(std::string_view text, bool parse_special, std::vector<int32_t>* out) const {
  if (!parse_special || impl_->specials.empty()) {
    encode_ordinary(text, out);
    return;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    const SpecialTokenMatcher::Match m = impl_->specials.find(text, pos);
    encode_ordinary(text.substr(pos, m.pos - pos), out);
    if (m.id == kNoToken) break;
    out->push_back(m.id);
    pos = m.pos + m.len;
  }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parse_special) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 4);
  encode_append(text, parse_special, &ids);
  return ids;
}

Result<std::string> Tokenizer::decode(std::span<const int32_t> ids) const {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!valid_id(ids[i])) {
      return out_of_range("decode: token id " + std::to_string(ids[i]) + " (position " + std::to_string(i) +
                          ") is outside [0, " + std::to_string(n_vocab()) + ")");
    }
    out += impl_->bytes[static_cast<size_t>(ids[i])];
  }
  return out;
}

const std::string& Tokenizer::token_bytes(int32_t id) const {
  static const std::string kEmpty;
  return valid_id(id) ? impl_->bytes[static_cast<size_t>(id)] : kEmpty;
}

const std::string& Tokenizer::token_text(int32_t id) const {
  static const std::string kEmpty;
  return valid_id(id) ? impl_->text[static_cast<size_t>(id)] : kEmpty;
}

std::optional<int32_t> Tokenizer::find_token(std::string_view text) const {
  const auto it = impl_->by_text.find(text);
  if (it == impl_->by_text.end()) return std::nullopt;
  return it->second;
}

int32_t Tokenizer::n_vocab() const { return static_cast<int32_t>(impl_->text.size()); }

TokenType Tokenizer::token_type(int32_t id) const {
  return valid_id(id) ? impl_->types[static_cast<size_t>(id)] : TokenType::kUnused;
}

bool Tokenizer::is_special(int32_t id) const {
  const TokenType t = token_type(id);
  return t == TokenType::kControl || t == TokenType::kUserDefined;
}

int32_t Tokenizer::bos_id() const { return impl_->bos; }
int32_t Tokenizer::eos_id() const { return impl_->eos; }
int32_t Tokenizer::pad_id() const { return impl_->pad; }

}  // namespace zhi
