// A context-free grammar over bytes, the target that JSON Schemas (and the
// regex subset of `pattern`) compile to. Rules are alternatives of sequences;
// a sequence holds byte sets and references to rules. The flat layout (one
// element array, each alternative ending in kEnd) is what the matcher walks,
// the same shape llama.cpp's GBNF engine uses.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zhi {

struct ByteSet {
  std::array<uint64_t, 4> words{};

  static ByteSet of(uint8_t b) {
    ByteSet s;
    s.add(b);
    return s;
  }
  static ByteSet range(uint8_t lo, uint8_t hi) {
    ByteSet s;
    s.add_range(lo, hi);
    return s;
  }
  void add(uint8_t b) { words[b >> 6] |= uint64_t{1} << (b & 63); }
  void add_range(uint8_t lo, uint8_t hi) {
    for (int b = lo; b <= hi; ++b) add(static_cast<uint8_t>(b));
  }
  void add_all(const ByteSet& o) {
    for (int i = 0; i < 4; ++i) words[i] |= o.words[i];
  }
  void remove(uint8_t b) { words[b >> 6] &= ~(uint64_t{1} << (b & 63)); }
  bool has(uint8_t b) const { return (words[b >> 6] >> (b & 63)) & 1; }
  bool empty() const { return (words[0] | words[1] | words[2] | words[3]) == 0; }
  bool operator==(const ByteSet&) const = default;
};

class Grammar {
 public:
  enum class Op : uint8_t { kBytes, kRule, kEnd };
  struct Element {
    Op op;
    uint32_t arg;  // kBytes: byte-set index; kRule: rule id
  };

  const std::vector<Element>& elements() const { return elements_; }
  const ByteSet& byte_set(uint32_t i) const { return byte_sets_[i]; }
  size_t byte_set_count() const { return byte_sets_.size(); }
  // Element positions where each alternative of `rule` starts.
  std::span<const uint32_t> alternatives(uint32_t rule) const { return rule_alts_[rule]; }
  uint32_t root() const { return root_; }
  size_t rule_count() const { return rule_alts_.size(); }
  const std::string& rule_name(uint32_t rule) const { return rule_names_[rule]; }
  // GBNF-like text, for tests and debugging.
  std::string to_string() const;

 private:
  friend class GrammarBuilder;
  std::vector<Element> elements_;
  std::vector<ByteSet> byte_sets_;
  std::vector<std::vector<uint32_t>> rule_alts_;
  std::vector<std::string> rule_names_;
  uint32_t root_ = 0;
};

class GrammarBuilder {
 public:
  struct Item {
    bool is_rule = false;
    uint32_t rule = 0;
    ByteSet bytes;
  };
  using Seq = std::vector<Item>;

  static Item bytes(const ByteSet& s) { return Item{false, 0, s}; }
  static Item byte(uint8_t b) { return Item{false, 0, ByteSet::of(b)}; }
  static Item ref(uint32_t rule) { return Item{true, rule, {}}; }
  static Seq literal(std::string_view text);
  static void append(Seq& seq, const Seq& more) { seq.insert(seq.end(), more.begin(), more.end()); }

  // A rule to define later (for recursion), or defined at once.
  uint32_t declare(std::string name);
  void define(uint32_t rule, std::vector<Seq> alternatives);
  uint32_t add(std::string name, std::vector<Seq> alternatives);
  // body{min,max}; max < 0 is unbounded. Bounded repetition unrolls into
  // max - min nested optional rules, so counts are exact.
  uint32_t repeat(const std::string& name, const Seq& body, int64_t min, int64_t max);

  size_t rule_count() const { return alts_.size(); }

  // Checks that every rule is defined and none can recurse without
  // consuming a byte (left recursion would make the matcher loop). The
  // error names the rules on the cycle.
  Result<Grammar> build(uint32_t root) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<Seq>> alts_;
  std::vector<bool> defined_;
};

}  // namespace zhi
