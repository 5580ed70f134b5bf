#include "session/regex_grammar.h"

#include <bitset>
#include <cctype>
#include <vector>

namespace zhi {
namespace {

using B = GrammarBuilder;
using Seq = GrammarBuilder::Seq;

// Repetition counts past this would unroll into too many grammar rules.
constexpr int64_t kMaxRepeat = 10000;

struct CharClass {
  std::bitset<128> ascii;
  bool any_non_ascii = false;
  std::vector<uint32_t> non_ascii;  // explicit code points
  bool has_shorthand = false;       // \d \w \s or a negation of one: complements stay printable
};

struct Node {
  enum class Kind { kClass, kConcat, kAlt, kRepeat } kind = Kind::kConcat;
  CharClass cls;
  std::vector<Node> kids;
  int64_t min = 0, max = 0;  // kRepeat; max < 0: unbounded
};

void add_range(CharClass& c, int lo, int hi) {
  for (int i = lo; i <= hi; ++i) c.ascii.set(static_cast<size_t>(i));
}

CharClass printable() {
  CharClass c;
  add_range(c, 0x20, 0x7E);
  return c;
}

std::string utf8_of(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

class Parser {
 public:
  Parser(std::string_view p, std::string where) : p_(p), where_(std::move(where)) {}

  Expected<Node> parse() {
    Node n = alternation();
    if (!error_.ok()) return error_;
    if (i_ < p_.size()) return fail("unbalanced ')' at offset " + std::to_string(i_));
    return n;
  }

 private:
  Error fail(const std::string& what) {
    if (error_.ok()) error_ = Error(ErrorCode::kInvalidSchema, where_ + ": pattern: " + what);
    return error_;
  }
  bool at_end() const { return i_ >= p_.size() || !error_.ok(); }
  char peek() const { return p_[i_]; }

  Node alternation() {
    Node alt;
    alt.kind = Node::Kind::kAlt;
    alt.kids.push_back(concat());
    while (!at_end() && peek() == '|') {
      ++i_;
      alt.kids.push_back(concat());
    }
    return alt.kids.size() == 1 ? std::move(alt.kids[0]) : alt;
  }

  Node concat() {
    Node c;
    c.kind = Node::Kind::kConcat;
    while (!at_end() && peek() != '|' && peek() != ')') c.kids.push_back(repeat());
    return c;
  }

  bool read_int(int64_t* v) {
    size_t start = i_;
    int64_t x = 0;
    while (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9' && x <= kMaxRepeat * 10) x = x * 10 + (p_[i_++] - '0');
    *v = x;
    return i_ > start;
  }

  // {n}, {n,}, {n,m} at i_ (on the '{'); false, with i_ unchanged, when it is not one.
  bool braces(int64_t* min, int64_t* max) {
    const size_t save = i_;
    ++i_;
    if (!read_int(min)) {
      i_ = save;
      return false;
    }
    *max = *min;
    if (i_ < p_.size() && p_[i_] == ',') {
      ++i_;
      if (!read_int(max)) *max = -1;
    }
    if (i_ >= p_.size() || p_[i_] != '}') {
      i_ = save;
      return false;
    }
    ++i_;
    return true;
  }

  Node repeat() {
    Node atom_node = atom();
    if (at_end()) return atom_node;
    int64_t min = 0, max = 0;
    const char c = peek();
    if (c == '*') {
      max = -1, ++i_;
    } else if (c == '+') {
      min = 1, max = -1, ++i_;
    } else if (c == '?') {
      max = 1, ++i_;
    } else if (c == '{' && braces(&min, &max)) {
    } else {
      return atom_node;
    }
    if (max >= 0 && min > max) fail("quantifier {" + std::to_string(min) + "," + std::to_string(max) + "} has min > max");
    if (min > kMaxRepeat || max > kMaxRepeat) fail("repetition counts above " + std::to_string(kMaxRepeat) + " are not supported");
    if (!at_end() && peek() == '?') ++i_;  // lazy: same language
    if (!at_end() && (peek() == '*' || peek() == '+' || peek() == '?' || (peek() == '{' && braces(&min, &max))))
      fail("a quantifier cannot follow another quantifier (possessive or nested quantifiers are not supported)");
    Node r;
    r.kind = Node::Kind::kRepeat;
    r.min = min;
    r.max = max;
    r.kids.push_back(std::move(atom_node));
    return r;
  }

  uint32_t code_point() {
    const auto b0 = static_cast<uint8_t>(p_[i_]);
    int len = b0 < 0x80 ? 1 : b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (len == 0 || i_ + len > p_.size()) {
      fail("invalid UTF-8 at offset " + std::to_string(i_));
      ++i_;
      return 0;
    }
    uint32_t cp = len == 1 ? b0 : b0 & (0xFF >> (len + 1));
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<uint8_t>(p_[i_ + k]) & 0x3F);
    i_ += len;
    return cp;
  }

  static Node class_node(CharClass c) {
    Node n;
    n.kind = Node::Kind::kClass;
    n.cls = std::move(c);
    return n;
  }

  static void add_cp(CharClass& c, uint32_t cp) {
    if (cp < 0x80) {
      c.ascii.set(cp);
    } else {
      c.non_ascii.push_back(cp);
    }
  }

  bool hex(int digits, uint32_t* out) {
    uint32_t v = 0;
    for (int k = 0; k < digits; ++k) {
      if (i_ >= p_.size() || !std::isxdigit(static_cast<unsigned char>(p_[i_]))) return false;
      const char h = p_[i_++];
      v = v * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    *out = v;
    return true;
  }

  // After a '\': a shorthand class (added to `c`, returns true) or one
  // code point (*cp, returns false).
  bool escape(CharClass& c, uint32_t* cp) {
    if (i_ >= p_.size()) {
      fail("pattern ends with a lone '\\'");
      return false;
    }
    const char e = p_[i_++];
    CharClass d, w, s;
    add_range(d, '0', '9');
    w = d;
    add_range(w, 'a', 'z');
    add_range(w, 'A', 'Z');
    w.ascii.set('_');
    for (char x : std::string_view(" \t\n\r\f\v")) s.ascii.set(static_cast<size_t>(x));
    auto add_set = [&](const CharClass& x, bool negate) {
      c.has_shorthand = true;
      c.ascii |= negate ? (printable().ascii & ~x.ascii) : x.ascii;
      return true;
    };
    switch (e) {
      case 'd': return add_set(d, false);
      case 'D': return add_set(d, true);
      case 'w': return add_set(w, false);
      case 'W': return add_set(w, true);
      case 's': return add_set(s, false);
      case 'S': return add_set(s, true);
      case 'n': *cp = '\n'; return false;
      case 't': *cp = '\t'; return false;
      case 'r': *cp = '\r'; return false;
      case 'f': *cp = '\f'; return false;
      case 'v': *cp = '\v'; return false;
      case 'x':
        if (!hex(2, cp)) fail("\\x needs two hex digits");
        return false;
      case 'u':
        if (!hex(4, cp)) fail("\\u needs four hex digits");
        if (*cp >= 0xD800 && *cp <= 0xDFFF) fail("\\u escapes of surrogates are not supported");
        return false;
      case 'b':
      case 'B': fail("word boundaries (\\b, \\B) are not supported"); return false;
      case 'k': fail("named backreferences are not supported"); return false;
      default: break;
    }
    if (e >= '0' && e <= '9') {
      fail("backreferences and octal escapes (\\" + std::string(1, e) + ") are not supported");
      return false;
    }
    if (std::isalnum(static_cast<unsigned char>(e))) {
      fail("unknown escape \\" + std::string(1, e));
      return false;
    }
    *cp = static_cast<uint8_t>(e);
    return false;
  }

  Node atom() {
    const char c = peek();
    if (c == '(') {
      ++i_;
      if (!at_end() && peek() == '?') {
        if (i_ + 1 < p_.size() && p_[i_ + 1] == ':') {
          i_ += 2;
        } else {
          fail("group syntax (?" + std::string(i_ + 1 < p_.size() ? p_.substr(i_ + 1, 1) : "") +
               "...) (lookaround, named groups, flags) is not supported");
          return {};
        }
      }
      Node inner = alternation();
      if (at_end() || peek() != ')') {
        fail("missing ')'");
        return {};
      }
      ++i_;
      return inner;
    }
    if (c == '[') return char_class();
    if (c == '.') {
      ++i_;
      CharClass any;
      add_range(any, 0, 0x7F);
      any.ascii.reset('\n');
      any.ascii.reset('\r');
      any.any_non_ascii = true;
      return class_node(any);
    }
    if (c == '^' || c == '$') {
      fail(std::string("anchor '") + c + "' is only supported at the start (^) or end ($) of the pattern");
      return {};
    }
    if (c == '*' || c == '+' || c == '?') {
      fail(std::string("nothing to repeat before '") + c + "'");
      return {};
    }
    CharClass cls;
    if (c == '\\') {
      ++i_;
      uint32_t cp = 0;
      if (!escape(cls, &cp)) add_cp(cls, cp);
      return class_node(cls);
    }
    add_cp(cls, code_point());
    return class_node(cls);
  }

  Node char_class() {
    ++i_;  // '['
    CharClass cls;
    bool negate = false;
    if (!at_end() && peek() == '^') {
      negate = true;
      ++i_;
    }
    if (!at_end() && peek() == ']') {
      fail("empty class '[]' (write '\\]' for a literal bracket)");
      return {};
    }
    while (!at_end() && peek() != ']') {
      uint32_t lo = 0;
      if (peek() == '\\') {
        ++i_;
        if (escape(cls, &lo)) continue;  // shorthand
      } else {
        lo = code_point();
      }
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        uint32_t hi = 0;
        if (peek() == '\\') {
          ++i_;
          if (escape(cls, &hi)) {
            fail("a range cannot end in a class shorthand");
            return {};
          }
        } else {
          hi = code_point();
        }
        if (hi < lo) {
          fail("range out of order");
          return {};
        }
        if (hi >= 0x80) {
          if (lo != hi) {
            fail("character ranges beyond ASCII are not supported");
            return {};
          }
          add_cp(cls, lo);
          continue;
        }
        add_range(cls, static_cast<int>(lo), static_cast<int>(hi));
        continue;
      }
      add_cp(cls, lo);
    }
    if (at_end()) {
      fail("missing ']'");
      return {};
    }
    ++i_;  // ']'
    if (negate) {
      if (!cls.non_ascii.empty()) {
        fail("negated classes that list non-ASCII characters are not supported");
        return {};
      }
      CharClass out;
      if (cls.has_shorthand) {
        out.ascii = printable().ascii & ~cls.ascii;
      } else {
        std::bitset<128> all;
        all.set();
        out.ascii = all & ~cls.ascii;
        out.any_non_ascii = true;
      }
      return class_node(out);
    }
    return class_node(cls);
  }

  std::string_view p_;
  size_t i_ = 0;
  std::string where_;
  Error error_;
};

class Emitter {
 public:
  Emitter(GrammarBuilder& b, JsonTextRules& rules, std::string where) : b_(b), rules_(rules), where_(std::move(where)) {}

  Expected<Seq> emit(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kClass: {
        std::vector<Seq> alts;
        ByteSet raw;
        for (uint32_t c = 0; c < 128; ++c) {
          if (!n.cls.ascii.test(c)) continue;
          Seq s = JsonTextRules::ascii_char_in_string(static_cast<uint8_t>(c));
          if (s.size() == 1) {
            raw.add(static_cast<uint8_t>(c));
          } else {
            alts.push_back(std::move(s));
          }
        }
        if (!raw.empty()) alts.push_back({B::bytes(raw)});
        if (n.cls.any_non_ascii) alts.push_back({B::ref(rules_.utf8_multibyte())});
        for (uint32_t cp : n.cls.non_ascii) alts.push_back(B::literal(utf8_of(cp)));
        if (alts.empty()) return Error(ErrorCode::kInvalidSchema, where_ + ": pattern: a class matches no character");
        if (alts.size() == 1) return alts[0];
        return Seq{B::ref(b_.add("pattern-class", std::move(alts)))};
      }
      case Node::Kind::kConcat: {
        Seq out;
        for (const Node& k : n.kids) {
          auto s = emit(k);
          if (!s.ok()) return s.error();
          GrammarBuilder::append(out, *s);
        }
        return out;
      }
      case Node::Kind::kAlt: {
        std::vector<Seq> alts;
        for (const Node& k : n.kids) {
          auto s = emit(k);
          if (!s.ok()) return s.error();
          alts.push_back(std::move(s).value());
        }
        return Seq{B::ref(b_.add("pattern-alt", std::move(alts)))};
      }
      case Node::Kind::kRepeat: {
        auto body = emit(n.kids[0]);
        if (!body.ok()) return body.error();
        if (body->empty()) return Seq{};
        return Seq{B::ref(b_.repeat("pattern-repeat", *body, n.min, n.max))};
      }
    }
    return Seq{};
  }

 private:
  GrammarBuilder& b_;
  JsonTextRules& rules_;
  std::string where_;
};

}  // namespace

Expected<uint32_t> compile_pattern(std::string_view pattern, GrammarBuilder& b, JsonTextRules& rules,
                                   const std::string& where) {
  std::string_view p = pattern;
  if (!p.empty() && p.front() == '^') p.remove_prefix(1);
  if (!p.empty() && p.back() == '$') {
    size_t slashes = 0;
    for (size_t k = p.size() - 1; k > 0 && p[k - 1] == '\\'; --k) ++slashes;
    if (slashes % 2 == 0) p.remove_suffix(1);
  }
  auto tree = Parser(p, where).parse();
  if (!tree.ok()) return tree.error();
  auto seq = Emitter(b, rules, where).emit(*tree);
  if (!seq.ok()) return seq.error();
  return b.add("pattern", {std::move(seq).value()});
}

}  // namespace zhi
