#include "compliance/json_source.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace zhi::compliance {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view t) : t_(t) {}
  size_t pos() const { return p_; }
  bool done() const { return p_ >= t_.size(); }
  char peek() const { return done() ? '\0' : t_[p_]; }
  void skip_ws() {
    while (!done() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
  }
  // At an opening quote: returns the raw (still escaped) contents and moves past the closing quote.
  std::string_view string() {
    const size_t start = ++p_;
    while (!done() && t_[p_] != '"') p_ += (t_[p_] == '\\') ? 2 : 1;
    const std::string_view s = t_.substr(start, std::min(p_, t_.size()) - start);
    ++p_;
    return s;
  }
  void skip_value() {
    skip_ws();
    if (peek() == '"') {
      string();
      return;
    }
    if (peek() == '{' || peek() == '[') {
      int depth = 0;
      while (!done()) {
        const char c = t_[p_];
        if (c == '"') {
          string();
          continue;
        }
        ++p_;
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && --depth == 0) return;
      }
      return;
    }
    while (!done() && t_[p_] != ',' && t_[p_] != '}' && t_[p_] != ']' && t_[p_] != ' ' &&
           t_[p_] != '\n' && t_[p_] != '\r' && t_[p_] != '\t')
      ++p_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() == c) ++p_;
  }

 private:
  std::string_view t_;
  size_t p_ = 0;
};

// "/a~1b/0" -> {"a/b", "0"} per RFC 6901.
std::vector<std::string> pointer_tokens(std::string_view pointer) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < pointer.size()) {
    if (pointer[i] != '/') break;
    const size_t next = pointer.find('/', i + 1);
    std::string tok(pointer.substr(
        i + 1, next == std::string_view::npos ? std::string_view::npos : next - i - 1));
    std::string un;
    for (size_t k = 0; k < tok.size(); ++k) {
      if (tok[k] == '~' && k + 1 < tok.size()) {
        un += tok[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        un += tok[k];
      }
    }
    out.push_back(un);
    if (next == std::string_view::npos) break;
    i = next;
  }
  return out;
}

}  // namespace

size_t line_at_offset(std::string_view text, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

size_t locate_json_pointer(std::string_view text, std::string_view pointer) {
  Cursor c(text);
  c.skip_ws();
  size_t found = c.pos();
  for (const std::string& tok : pointer_tokens(pointer)) {
    c.skip_ws();
    if (c.peek() == '{') {
      c.expect('{');
      bool hit = false;
      while (true) {
        c.skip_ws();
        if (c.peek() != '"') return found;
        const std::string_view key = c.string();
        c.expect(':');
        c.skip_ws();
        if (key == tok) {
          hit = true;
          break;
        }
        c.skip_value();
        c.skip_ws();
        if (c.peek() != ',') return found;
        c.expect(',');
      }
      if (!hit) return found;
    } else if (c.peek() == '[') {
      c.expect('[');
      size_t want = 0;
      for (char ch : tok) {
        if (ch < '0' || ch > '9') return found;
        want = want * 10 + static_cast<size_t>(ch - '0');
      }
      for (size_t i = 0; i < want; ++i) {
        c.skip_value();
        c.skip_ws();
        if (c.peek() != ',') return found;
        c.expect(',');
      }
      c.skip_ws();
      if (c.peek() == ']') return found;
    } else {
      return found;
    }
    found = c.pos();
  }
  return found;
}

std::vector<size_t> JsonSource::element_lines(std::string_view pointer) const {
  std::vector<size_t> lines;
  const size_t at = locate_json_pointer(text_, pointer);
  Cursor c(std::string_view(text_).substr(at));
  c.skip_ws();
  if (c.peek() != '[') return lines;
  c.expect('[');
  size_t line = line_at_offset(text_, at), counted = at;
  while (true) {
    c.skip_ws();
    if (c.done() || c.peek() == ']') break;
    const size_t off = at + c.pos();
    for (; counted < off; ++counted) line += text_[counted] == '\n';
    lines.push_back(line);
    c.skip_value();
    c.skip_ws();
    if (c.peek() != ',') break;
    c.expect(',');
  }
  return lines;
}

Result<JsonSource> JsonSource::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error(path + ": read failed");
  return parse(path, ss.str());
}

Result<JsonSource> JsonSource::parse(std::string path, std::string text) {
  JsonSource s;
  s.path_ = std::move(path);
  s.text_ = std::move(text);
  try {
    s.root_ = nlohmann::json::parse(s.text_);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    const size_t at = e.byte > 0 ? e.byte - 1 : 0;
    std::string why = e.what();
    if (const size_t k = why.find("syntax error"); k != std::string::npos) why = why.substr(k);
    return corrupt_file(s.path_ + ":" + std::to_string(line_at_offset(s.text_, at)) + ": JSON " +
                        why);
  } catch (const nlohmann::json::exception& e) {
    return corrupt_file(s.path_ + ": JSON " + e.what());
  }
  return s;
}

Status JsonSource::error(std::string_view pointer, const std::string& message) const {
  return corrupt_file(path_ + ":" + std::to_string(line_of(pointer)) + ": " + message);
}

}  // namespace zhi::compliance
