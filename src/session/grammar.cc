#include "session/grammar.h"

#include <algorithm>
#include <functional>

namespace zhi {
namespace {

std::string byte_set_text(const ByteSet& s) {
  std::string out = "[";
  for (int b = 0; b < 256; ++b) {
    if (!s.has(static_cast<uint8_t>(b))) continue;
    int e = b;
    while (e + 1 < 256 && s.has(static_cast<uint8_t>(e + 1))) ++e;
    auto put = [&](int c) {
      if (c >= 0x21 && c < 0x7f && c != '\\' && c != ']' && c != '-') {
        out += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", c);
        out += buf;
      }
    };
    put(b);
    if (e > b) {
      out += '-';
      put(e);
    }
    b = e;
  }
  return out + "]";
}

}  // namespace

std::string Grammar::to_string() const {
  std::string out;
  for (uint32_t r = 0; r < rule_alts_.size(); ++r) {
    out += rule_names_[r] + " ::=";
    for (size_t a = 0; a < rule_alts_[r].size(); ++a) {
      if (a > 0) out += " |";
      for (uint32_t p = rule_alts_[r][a]; elements_[p].op != Op::kEnd; ++p) {
        out += ' ';
        out += elements_[p].op == Op::kRule ? rule_names_[elements_[p].arg] : byte_set_text(byte_sets_[elements_[p].arg]);
      }
      if (elements_[rule_alts_[r][a]].op == Op::kEnd) out += " \"\"";
    }
    out += '\n';
  }
  return out;
}

GrammarBuilder::Seq GrammarBuilder::literal(std::string_view text) {
  Seq s;
  for (char c : text) s.push_back(byte(static_cast<uint8_t>(c)));
  return s;
}

uint32_t GrammarBuilder::declare(std::string name) {
  names_.push_back(std::move(name));
  alts_.emplace_back();
  defined_.push_back(false);
  return static_cast<uint32_t>(alts_.size() - 1);
}

void GrammarBuilder::define(uint32_t rule, std::vector<Seq> alternatives) {
  alts_[rule] = std::move(alternatives);
  defined_[rule] = true;
}

uint32_t GrammarBuilder::add(std::string name, std::vector<Seq> alternatives) {
  const uint32_t r = declare(std::move(name));
  define(r, std::move(alternatives));
  return r;
}

uint32_t GrammarBuilder::repeat(const std::string& name, const Seq& body, int64_t min, int64_t max) {
  Seq head;
  for (int64_t i = 0; i < min; ++i) append(head, body);
  if (max < 0) {
    // tail ::= body tail | "" (right recursion: the matcher's stack stays flat)
    const uint32_t tail = declare(name + "-star");
    Seq loop = body;
    loop.push_back(ref(tail));
    define(tail, {loop, {}});
    head.push_back(ref(tail));
  } else if (max > min) {
    // opt_k ::= body opt_{k+1} | "", innermost first.
    uint32_t next = 0;
    bool have_next = false;
    for (int64_t k = max - min; k >= 1; --k) {
      Seq with = body;
      if (have_next) with.push_back(ref(next));
      next = add(name + "-opt" + std::to_string(k), {with, {}});
      have_next = true;
    }
    head.push_back(ref(next));
  }
  return add(name, {head});
}

Result<Grammar> GrammarBuilder::build(uint32_t root) const {
  const size_t n = alts_.size();
  if (root >= n) return internal_error("grammar root rule " + std::to_string(root) + " does not exist");
  for (size_t r = 0; r < n; ++r) {
    if (!defined_[r]) return internal_error("grammar rule '" + names_[r] + "' is referenced but never defined");
    for (const Seq& seq : alts_[r])
      for (const Item& it : seq)
        if (it.is_rule && it.rule >= n) return internal_error("grammar rule '" + names_[r] + "' refers to a missing rule");
  }
  // Nullable rules (can match the empty string), to a fixpoint.
  std::vector<bool> nullable(n, false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < n; ++r) {
      if (nullable[r]) continue;
      for (const Seq& seq : alts_[r]) {
        if (std::all_of(seq.begin(), seq.end(), [&](const Item& it) { return it.is_rule && nullable[it.rule]; })) {
          nullable[r] = changed = true;
          break;
        }
      }
    }
  }
  // Left corners: rules reachable before any byte is consumed. A cycle there
  // is left recursion.
  std::vector<std::vector<uint32_t>> left(n);
  for (size_t r = 0; r < n; ++r)
    for (const Seq& seq : alts_[r])
      for (const Item& it : seq) {
        if (!it.is_rule) break;
        left[r].push_back(it.rule);
        if (!nullable[it.rule]) break;
      }
  std::vector<int> color(n, 0);  // 0 new, 1 on the path, 2 done
  std::vector<uint32_t> path;
  std::string cycle;
  std::function<bool(uint32_t)> dfs = [&](uint32_t r) {
    color[r] = 1;
    path.push_back(r);
    for (uint32_t next : left[r]) {
      if (color[next] == 1) {
        auto it = std::find(path.begin(), path.end(), next);
        for (; it != path.end(); ++it) cycle += names_[*it] + " -> ";
        cycle += names_[next];
        return true;
      }
      if (color[next] == 0 && dfs(next)) return true;
    }
    path.pop_back();
    color[r] = 2;
    return false;
  };
  for (uint32_t r = 0; r < n; ++r)
    if (color[r] == 0 && dfs(r)) return invalid_argument("left recursion (a cycle that consumes no input): " + cycle);

  Grammar g;
  g.root_ = root;
  g.rule_names_ = names_;
  g.rule_alts_.resize(n);
  for (size_t r = 0; r < n; ++r) {
    for (const Seq& seq : alts_[r]) {
      g.rule_alts_[r].push_back(static_cast<uint32_t>(g.elements_.size()));
      for (const Item& it : seq) {
        if (it.is_rule) {
          g.elements_.push_back({Grammar::Op::kRule, it.rule});
          continue;
        }
        auto found = std::find(g.byte_sets_.begin(), g.byte_sets_.end(), it.bytes);
        if (found == g.byte_sets_.end()) {
          g.byte_sets_.push_back(it.bytes);
          found = std::prev(g.byte_sets_.end());
        }
        g.elements_.push_back({Grammar::Op::kBytes, static_cast<uint32_t>(found - g.byte_sets_.begin())});
      }
      g.elements_.push_back({Grammar::Op::kEnd, 0});
    }
  }
  return g;
}

}  // namespace zhi
