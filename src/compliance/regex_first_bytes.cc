#include "compliance/regex_first_bytes.h"

#include <algorithm>
#include <cstddef>

#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

// What a piece of pattern contributes: the bytes and ideographs its matches
// can start with (`known` false: it could start with something the analysis
// cannot name), and whether it can match empty text (zero-width assertions
// can).
struct Piece {
  StartSet first;
  bool known = true;
  bool nullable = false;
};

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
unsigned hex_value(char c) {
  return c <= '9' ? static_cast<unsigned>(c - '0') : static_cast<unsigned>((c | 0x20) - 'a' + 10);
}
// The byte of a one-letter control escape (\n, \t, ...), or -1.
int control_escape(char e) {
  switch (e) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'f':
      return '\f';
    case 'e':
      return 0x1B;
    case 'a':
      return 0x07;
    default:
      return -1;
  }
}
bool is_alnum(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

// Recursive descent over alternation, sequence, quantified atom. Every
// function returns false on syntax it does not parse, which ends the
// analysis; syntax it parses but cannot bound makes a Piece unknown.
class FirstBytesParser {
 public:
  explicit FirstBytesParser(std::string_view s) : s_(s) {}

  bool run(StartSet* out) {
    Piece p;
    if (!alternation(&p, 0) || i_ != s_.size() || !p.known || p.nullable ||
        p.first.chars.size() > StartSet::kMaxChars)
      return false;
    *out = p.first;
    return true;
  }

 private:
  static constexpr int kMaxDepth = 64;  // nested groups; deeper patterns are not analysed

  bool more() const { return i_ < s_.size(); }
  char peek(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }

  bool alternation(Piece* out, int depth) {
    if (depth > kMaxDepth) return false;
    Piece acc;
    while (true) {
      Piece seq;
      if (!sequence(&seq, depth)) return false;
      acc.first.merge(seq.first);
      acc.known = acc.known && seq.known;
      acc.nullable = acc.nullable || seq.nullable;
      if (peek() != '|') break;
      ++i_;
    }
    *out = acc;
    return true;
  }

  bool sequence(Piece* out, int depth) {
    Piece acc;
    acc.nullable = true;  // the empty sequence
    while (more() && peek() != '|' && peek() != ')') {
      Piece item;
      if (!quantified(&item, depth)) return false;
      if (acc.nullable) {  // what came before can be empty: item can start the match
        acc.first.merge(item.first);
        acc.known = acc.known && item.known;
      }
      acc.nullable = acc.nullable && item.nullable;
    }
    *out = acc;
    return true;
  }

  bool quantified(Piece* out, int depth) {
    if (!atom(out, depth)) return false;
    uint64_t min = 1;
    switch (peek()) {
      case '*':
      case '?':
        min = 0;
        ++i_;
        break;
      case '+':
        ++i_;
        break;
      case '{':
        if (!braces(&min)) return false;
        break;
      default:
        return true;
    }
    if (peek() == '?' || peek() == '+') ++i_;  // lazy or possessive
    if (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{') return false;
    if (min == 0) out->nullable = true;
    return true;
  }

  // {n}, {n,}, {n,m}, {,m}: sets *min to n (0 when absent).
  bool braces(uint64_t* min) {
    ++i_;  // '{'
    uint64_t n = 0;
    size_t digits = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (++digits > 9) return false;
      n = n * 10 + static_cast<uint64_t>(peek() - '0');
      ++i_;
    }
    if (peek() == ',') {
      ++i_;
      size_t max_digits = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (++max_digits > 9) return false;
        ++i_;
      }
      if (digits == 0 && max_digits == 0) return false;
    } else if (digits == 0) {
      return false;
    }
    if (peek() != '}') return false;
    ++i_;
    *min = n;
    return true;
  }

  // A literal byte under the caseless flag: both cases of a letter. 'k' and
  // 's' fold together with non-ASCII letters (KELVIN SIGN, LONG S), so a
  // match could start with a byte outside the set: unknown.
  static void literal(unsigned char b, Piece* p) {
    const unsigned char lower = b | 0x20;
    if (lower >= 'a' && lower <= 'z') {
      if (lower == 'k' || lower == 's') p->known = false;
      p->first.bytes.add(lower);
      p->first.bytes.add(static_cast<unsigned char>(lower & ~0x20));
    } else {
      p->first.bytes.add(b);
    }
  }

  // Skips one UTF-8 character that starts at i_ (a byte >= 0x80).
  void skip_utf8() {
    ++i_;
    while (more() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++i_;
  }

  // A character that starts at i_ with a byte >= 0x80: an ideograph joins
  // the set; anything else (a letter with case forms, a compatibility
  // character, bad UTF-8) is unknown.
  void non_ascii(Piece* p) {
    const size_t at = i_;
    skip_utf8();
    const Decoded d = decode_utf8(reinterpret_cast<const unsigned char*>(s_.data()) + at, i_ - at);
    if (d.len == i_ - at && d.len == 3 && is_start_ideograph(d.cp)) {
      add_char(d.cp, p);
    } else {
      p->known = false;
    }
  }

  static void add_char(char32_t cp, Piece* p) {
    std::vector<char32_t>& c = p->first.chars;
    if (std::find(c.begin(), c.end(), cp) == c.end()) c.push_back(cp);
  }

  bool atom(Piece* out, int depth) {
    const char c = peek();
    if (static_cast<unsigned char>(c) >= 0x80) {
      non_ascii(out);
      return true;
    }
    switch (c) {
      case '(':
        return group(out, depth);
      case '[':
        return char_class(out);
      case '.':
        ++i_;
        out->known = false;
        return true;
      case '^':
      case '$':
        ++i_;
        out->nullable = true;
        return true;
      case '\\':
        return escape(out, /*in_class=*/false);
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
        return false;
      default:
        ++i_;
        literal(static_cast<unsigned char>(c), out);
        return true;
    }
  }

  bool group(Piece* out, int depth) {
    ++i_;  // '('
    if (peek() == '?') {
      if (peek(1) != ':') return false;  // lookarounds, inline flags, named groups
      i_ += 2;
    }
    if (!alternation(out, depth + 1) || peek() != ')') return false;
    ++i_;
    return true;
  }

  // \xHH or \x{H...} after the 'x': the code point.
  bool hex_escape(uint32_t* cp) {
    uint32_t v = 0;
    if (peek() == '{') {
      ++i_;
      size_t n = 0;
      while (is_hex(peek())) {
        if (++n > 6) return false;
        v = v * 16 + hex_value(peek());
        ++i_;
      }
      if (n == 0 || peek() != '}') return false;
      ++i_;
    } else {
      for (int k = 0; k < 2; ++k) {
        if (!is_hex(peek())) return false;
        v = v * 16 + hex_value(peek());
        ++i_;
      }
    }
    *cp = v;
    return true;
  }

  // One escape at i_ ('\\'). Inside a class \b is a backspace; outside it
  // is an assertion.
  bool escape(Piece* out, bool in_class) {
    ++i_;
    if (!more()) return false;
    const char e = peek();
    ++i_;
    if (const int b = control_escape(e); b >= 0) {
      out->first.bytes.add(static_cast<unsigned char>(b));
      return true;
    }
    switch (e) {
      case 'd':
        for (unsigned char d = '0'; d <= '9'; ++d) out->first.bytes.add(d);
        return true;
      case 'b':
        if (in_class) {
          out->first.bytes.add(0x08);
        } else {
          out->nullable = true;
        }
        return true;
      case 'B':
      case 'A':
      case 'z':
      case 'Z':
      case 'G':
        if (in_class) return false;
        out->nullable = true;
        return true;
      case 'x': {
        uint32_t cp = 0;
        if (!hex_escape(&cp)) return false;
        if (cp < 0x80) {
          literal(static_cast<unsigned char>(cp), out);
        } else if (is_start_ideograph(cp)) {
          add_char(cp, out);
        } else {
          out->known = false;
        }
        return true;
      }
      case 'p':
      case 'P':
        if (peek() == '{') {
          while (more() && peek() != '}') ++i_;
          if (!more()) return false;
          ++i_;
        } else if (more()) {
          ++i_;
        }
        out->known = false;
        return true;
      // Classes that reach beyond ASCII, or whose exact ASCII members under
      // this library's flags were not checked: unknown.
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 'D':
      case 'h':
      case 'H':
      case 'v':
      case 'V':
      case 'N':
      case 'R':
      case 'X':
        if (in_class && (e == 'N' || e == 'R' || e == 'X')) return false;
        out->known = false;
        return true;
      default:
        if (static_cast<unsigned char>(e) >= 0x80 || is_alnum(e)) return false;  // \1, \Q, \c...
        literal(static_cast<unsigned char>(e), out);
        return true;
    }
  }

  // One class member's single character at i_, for ranges: sets *cp, or
  // returns false where it is not one plain character.
  bool class_char(uint32_t* cp) {
    const char c = peek();
    if (static_cast<unsigned char>(c) >= 0x80) return false;
    if (c != '\\') {
      ++i_;
      *cp = static_cast<unsigned char>(c);
      return true;
    }
    const char e = peek(1);
    if (e == 'x') {
      i_ += 2;
      return hex_escape(cp);
    }
    if (const int b = e == 'b' ? 0x08 : control_escape(e); b >= 0) {  // \b: a backspace here
      i_ += 2;
      *cp = static_cast<uint32_t>(b);
      return true;
    }
    if (static_cast<unsigned char>(e) < 0x80 && !is_alnum(e) && e != '\0') {
      i_ += 2;
      *cp = static_cast<unsigned char>(e);
      return true;
    }
    return false;
  }

  bool char_class(Piece* out) {
    ++i_;  // '['
    if (peek() == '^') {
      ++i_;
      out->known = false;  // a negated class reaches every other byte
    }
    bool first = true;
    while (more() && (peek() != ']' || first)) {
      first = false;
      const char c = peek();
      if (c == '[' && peek(1) == ':') {  // POSIX class [:name:]
        const size_t end = s_.find(":]", i_ + 2);
        if (end == std::string_view::npos) return false;
        i_ = end + 2;
        out->known = false;
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80) {
        non_ascii(out);
        if (peek() == '-' && peek(1) != ']') return false;  // a range from a non-ASCII character
        continue;
      }
      const size_t at = i_;
      uint32_t lo = 0;
      if (!class_char(&lo)) {
        i_ = at;
        if (c != '\\' || !escape(out, /*in_class=*/true)) return false;  // \d, \w, ...
        if (peek() == '-' && peek(1) != ']') return false;               // a range from a class
        continue;
      }
      uint32_t hi = lo;
      if (peek() == '-' && peek(1) != ']' && more()) {
        ++i_;
        if (static_cast<unsigned char>(peek()) >= 0x80) {
          skip_utf8();
          out->known = false;
          continue;
        }
        if (!class_char(&hi) || hi < lo) return false;
      }
      if (hi >= 0x80) {
        out->known = false;
        hi = 0x7F;
      }
      for (uint32_t b = lo; b <= hi; ++b) literal(static_cast<unsigned char>(b), out);
    }
    if (peek() != ']') return false;
    ++i_;
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

void StartSet::merge(const StartSet& o) {
  bytes.merge(o.bytes);
  for (char32_t cp : o.chars)
    if (std::find(chars.begin(), chars.end(), cp) == chars.end()) chars.push_back(cp);
}

bool is_start_ideograph(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF);
}

bool regex_first_bytes(std::string_view expression, StartSet* out) {
  return FirstBytesParser(expression).run(out);
}

}  // namespace zhi::compliance
