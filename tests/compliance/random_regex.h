// Random regular expressions and texts for the RegexSet tests: a small
// grammar of the syntax regex_first_bytes knows (and some it does not), and
// texts of the characters those patterns name, with ASCII as dense or as
// sparse as asked.
#pragma once

#include <random>
#include <string>

namespace zhi::compliance {

inline std::string random_pattern(std::mt19937& rng, int depth = 0) {
  static const char* const kAtoms[] = {
      "1",     "7",      "a",    "b", "x",   "-",   "_",   " ", "感", "\\d", "[0-9]", "[ab]",
      "[3-9]", "[\\dx]", "[^a]", ".", "\\s", "\\w", "\\b", "^", "$",  "\\.", "[_-]"};
  static const char* const kQuantifiers[] = {"",  "",      "",      "?",   "*",
                                             "+", "{1,3}", "{0,2}", "{2}", "??"};
  std::string out;
  const int alternatives = 1 + static_cast<int>(rng() % 3 == 0);
  for (int a = 0; a < alternatives; ++a) {
    if (a) out += '|';
    const int items = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < items; ++i) {
      if (depth < 2 && rng() % 6 == 0) {
        out += rng() % 2 ? "(" : "(?:";
        out += random_pattern(rng, depth + 1);
        out += ')';
      } else {
        out += kAtoms[rng() % std::size(kAtoms)];
      }
      out += kQuantifiers[rng() % std::size(kQuantifiers)];
    }
  }
  return out;
}

// `chars` characters; each is ASCII with probability 1 / ascii_every, else
// one of a few non-ASCII ones (mostly CJK).
inline std::string random_text(std::mt19937& rng, size_t chars, unsigned ascii_every) {
  static const char* const kAscii[] = {"1", "7", "3", "0", "a",  "b", "x", "A",
                                       "-", "_", " ", " ", "\n", ".", "k", "z"};
  static const char* const kOther[] = {"感", "敏", "é", "，", "语", "言"};
  std::string t;
  for (size_t i = 0; i < chars; ++i)
    t += rng() % ascii_every == 0 ? kAscii[rng() % std::size(kAscii)]
                                  : kOther[rng() % std::size(kOther)];
  return t;
}

}  // namespace zhi::compliance
