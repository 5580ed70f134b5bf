#include "tokenizer/hf_tokenizer_json.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tokenizer/tokenizer.h"

namespace zhi {
namespace {

using Json = nlohmann::json;

// Ids beyond this are certainly a broken file, and would make us allocate
// an absurd token table.
constexpr int64_t kMaxTokenId = 1 << 24;

Status bad(const std::string& source, const std::string& what) { return corrupt_file(source + ": " + what); }

Result<int32_t> read_id(const Json& v, const std::string& source, const std::string& where) {
  if (!v.is_number_integer()) return bad(source, where + " is not an integer id");
  const int64_t id = v.get<int64_t>();
  if (id < 0 || id >= kMaxTokenId) return bad(source, where + " = " + std::to_string(id) + " is not a valid id");
  return static_cast<int32_t>(id);
}

Status read_merge(const Json& m, size_t index, const std::string& source, std::pair<std::string, std::string>* out) {
  const std::string where = "model.merges[" + std::to_string(index) + "]";
  if (m.is_string()) {
    const std::string& s = m.get_ref<const std::string&>();
    const size_t space = s.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == s.size() || s.find(' ', space + 1) != std::string::npos) {
      return bad(source, where + " = '" + s + "' is not two tokens separated by one space");
    }
    *out = {s.substr(0, space), s.substr(space + 1)};
    return Status();
  }
  if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string() &&
      !m[0].get_ref<const std::string&>().empty() && !m[1].get_ref<const std::string&>().empty()) {
    *out = {m[0].get<std::string>(), m[1].get<std::string>()};
    return Status();
  }
  return bad(source, where + " is neither \"a b\" nor [\"a\", \"b\"]");
}

}  // namespace

Result<VocabData> vocab_from_hf_json(std::string_view json_text, const std::string& source) {
  const Json doc = Json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return bad(source, "not valid JSON");
  if (!doc.is_object()) return bad(source, "top level is not an object");
  const auto model_it = doc.find("model");
  if (model_it == doc.end() || !model_it->is_object()) return bad(source, "no \"model\" object");
  const Json& model = *model_it;
  if (const auto t = model.find("type"); t != model.end() && !(t->is_string() && *t == "BPE")) {
    return unsupported(source + ": model.type is " + t->dump() + "; only BPE is supported");
  }

  const auto vocab_it = model.find("vocab");
  if (vocab_it == model.end() || !vocab_it->is_object()) return bad(source, "model.vocab is missing or not an object");
  const auto merges_it = model.find("merges");
  if (merges_it == model.end() || !merges_it->is_array()) return bad(source, "model.merges is missing or not an array");
  const Json* added = nullptr;
  if (const auto a = doc.find("added_tokens"); a != doc.end() && !a->is_null()) {
    if (!a->is_array()) return bad(source, "added_tokens is not an array");
    added = &*a;
  }

  // Pass 1: ids and their text, to size the table.
  struct Entry {
    int32_t id;
    const std::string* text;
    TokenType type;
  };
  std::vector<Entry> entries;
  entries.reserve(vocab_it->size() + (added ? added->size() : 0));
  for (auto it = vocab_it->begin(); it != vocab_it->end(); ++it) {
    const std::string& text = it.key();  // a reference into the document, which outlives entries
    ZHI_ASSIGN_OR_RETURN(const int32_t id, read_id(it.value(), source, "model.vocab[\"" + text + "\"]"));
    entries.push_back({id, &text, TokenType::kNormal});
  }
  const size_t n_model = entries.size();
  if (added != nullptr) {
    for (size_t i = 0; i < added->size(); ++i) {
      const Json& t = (*added)[i];
      const std::string where = "added_tokens[" + std::to_string(i) + "]";
      if (!t.is_object()) return bad(source, where + " is not an object");
      const auto content = t.find("content");
      if (content == t.end() || !content->is_string() || content->get_ref<const std::string&>().empty()) {
        return bad(source, where + ".content is missing or not a non-empty string");
      }
      const auto id_it = t.find("id");
      if (id_it == t.end()) return bad(source, where + ".id is missing");
      ZHI_ASSIGN_OR_RETURN(const int32_t id, read_id(*id_it, source, where + ".id"));
      bool special = false;
      if (const auto s = t.find("special"); s != t.end()) {
        if (!s->is_boolean()) return bad(source, where + ".special is not a boolean");
        special = s->get<bool>();
      }
      entries.push_back({id, &content->get_ref<const std::string&>(), special ? TokenType::kControl : TokenType::kUserDefined});
    }
  }

  int32_t max_id = -1;
  for (const Entry& e : entries) max_id = std::max(max_id, e.id);
  VocabData vocab;
  const size_t n = static_cast<size_t>(max_id) + 1;
  vocab.tokens.assign(n, std::string());
  // Ids that neither list names stay empty and unused.
  vocab.token_types.assign(n, TokenType::kUnused);
  std::vector<bool> seen(n, false);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    const auto id = static_cast<size_t>(e.id);
    if (seen[id] && i < n_model) return bad(source, "model.vocab gives id " + std::to_string(e.id) + " twice");
    // An added token may restate a model token; it then marks it special.
    seen[id] = true;
    vocab.tokens[id] = *e.text;
    vocab.token_types[id] = e.type;
  }

  vocab.merges.resize(merges_it->size());
  for (size_t i = 0; i < merges_it->size(); ++i) {
    ZHI_RETURN_IF_ERROR(read_merge((*merges_it)[i], i, source, &vocab.merges[i]));
  }

  // tokenizer.json does not say which token ends a text; Qwen's is this one.
  for (size_t i = 0; i < n; ++i) {
    if (vocab.tokens[i] == "<|endoftext|>") {
      vocab.eos_id = vocab.pad_id = static_cast<int32_t>(i);
      break;
    }
  }
  return vocab;
}

Result<Tokenizer> Tokenizer::from_hf_json(std::string_view json_text, const std::string& source) {
  ZHI_ASSIGN_OR_RETURN(VocabData vocab, vocab_from_hf_json(json_text, source));
  Result<Tokenizer> tok = from_vocab(std::move(vocab));
  if (!tok.ok()) return tok.status().with_context(source);
  return tok;
}

Result<Tokenizer> Tokenizer::from_hf_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open tokenizer.json");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in.good() && !in.eof()) return io_error(path + ": read failed");
  return from_hf_json(ss.str(), path);
}

}  // namespace zhi
