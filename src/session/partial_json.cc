// Best-effort value of a JSON prefix, for showing a structured answer while
// it streams: complete members and closed strings only.
#include <string>

#include <nlohmann/json.hpp>

#include "zhi/session.hpp"

namespace zhi {
namespace {

using Json = nlohmann::ordered_json;

// Recursive descent that stops at the end of input. Each parse_* returns
// whether it produced a complete value; containers keep what completed
// before the input ran out and report themselves as incomplete.
class PartialParser {
 public:
  explicit PartialParser(std::string_view s) : s_(s) {}

  // Sets *out to the value (possibly a truncated container); false when
  // nothing usable was found.
  bool value(Json* out, bool* complete) {
    ws();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') return object(out, complete);
    if (c == '[') return array(out, complete);
    if (c == '"') {
      std::string str;
      if (!string(&str)) return false;
      *out = str;
      *complete = true;
      return true;
    }
    return scalar(out, complete);
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }

  bool string(std::string* out) {
    const size_t start = i_;
    ++i_;
    while (i_ < s_.size()) {
      if (s_[i_] == '\\') {
        i_ += 2;
        continue;
      }
      if (s_[i_] == '"') {
        ++i_;
        Json j = Json::parse(s_.substr(start, i_ - start), nullptr, false);
        if (j.is_discarded() || !j.is_string()) return false;
        *out = j.get<std::string>();
        return true;
      }
      ++i_;
    }
    return false;  // unclosed
  }

  // A number or literal is complete only when something follows it.
  bool scalar(Json* out, bool* complete) {
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' && s_[i_] != '\n' &&
           s_[i_] != '\t' && s_[i_] != '\r')
      ++i_;
    if (i_ >= s_.size()) return false;
    Json j = Json::parse(s_.substr(start, i_ - start), nullptr, false);
    if (j.is_discarded()) return false;
    *out = std::move(j);
    *complete = true;
    return true;
  }

  bool object(Json* out, bool* complete) {
    ++i_;
    *out = Json::object();
    *complete = false;
    for (;;) {
      ws();
      if (i_ >= s_.size()) return true;
      if (s_[i_] == '}') {
        ++i_;
        *complete = true;
        return true;
      }
      if (s_[i_] == ',') {
        ++i_;
        ws();
      }
      if (i_ >= s_.size() || s_[i_] != '"') return true;
      std::string key;
      if (!string(&key)) return true;
      ws();
      if (i_ >= s_.size() || s_[i_] != ':') return true;
      ++i_;
      Json v;
      bool v_complete = false;
      if (!value(&v, &v_complete)) return true;
      // Nested containers show their complete part; scalars only when whole.
      if (v_complete || v.is_object() || v.is_array()) (*out)[key] = std::move(v);
      if (!v_complete) return true;
    }
  }

  bool array(Json* out, bool* complete) {
    ++i_;
    *out = Json::array();
    *complete = false;
    for (;;) {
      ws();
      if (i_ >= s_.size()) return true;
      if (s_[i_] == ']') {
        ++i_;
        *complete = true;
        return true;
      }
      if (s_[i_] == ',') ++i_;
      Json v;
      bool v_complete = false;
      if (!value(&v, &v_complete)) return true;
      if (v_complete || v.is_object() || v.is_array()) out->push_back(std::move(v));
      if (!v_complete) return true;
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::string partial_json(std::string_view prefix) {
  PartialParser p(prefix);
  Json v;
  bool complete = false;
  if (!p.value(&v, &complete)) {
    // A lone scalar at the very end (e.g. "42") is complete only as the whole text.
    Json whole = Json::parse(prefix, nullptr, false);
    return whole.is_discarded() ? std::string() : whole.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace zhi
