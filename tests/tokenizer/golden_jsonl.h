// Reads {"text", "ids", ...} lines and checks a tokenizer against them.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace zhi::testing {

struct GoldenLine {
  int line_no = 0;
  std::string text;
  std::vector<int32_t> ids;
  bool has_plain = false;
  std::vector<int32_t> ids_plain;  // encode(text, parse_special=false), when given
};

inline std::vector<GoldenLine> read_golden_jsonl(const std::string& path) {
  std::vector<GoldenLine> out;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j.contains("ids")) {
      ADD_FAILURE() << path << ":" << no << ": not a {\"text\",\"ids\"} line";
      continue;
    }
    GoldenLine g;
    g.line_no = no;
    g.text = j["text"].get<std::string>();
    g.ids = j["ids"].get<std::vector<int32_t>>();
    if (j.contains("ids_plain")) {
      g.has_plain = true;
      g.ids_plain = j["ids_plain"].get<std::vector<int32_t>>();
    }
    out.push_back(std::move(g));
  }
  return out;
}

inline std::string format_ids(const std::vector<int32_t>& ids) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < ids.size(); ++i) s << (i ? "," : "") << ids[i];
  s << "]";
  return s.str();
}

// Shows the first differing position with the tokens' text around it.
inline std::string explain_mismatch(const Tokenizer& tok, const std::vector<int32_t>& want,
                                    const std::vector<int32_t>& got) {
  size_t k = 0;
  while (k < want.size() && k < got.size() && want[k] == got[k]) ++k;
  std::ostringstream s;
  s << "\n  want " << format_ids(want) << "\n  got  " << format_ids(got) << "\n  first difference at " << k;
  auto piece = [&](const std::vector<int32_t>& ids) {
    std::string p;
    for (size_t i = k; i < ids.size() && i < k + 4; ++i) p += "[" + tok.token_text(ids[i]) + "]";
    return p;
  };
  s << ": want " << piece(want) << " got " << piece(got);
  return s.str();
}

// Checks every line; returns how many matched exactly.
inline int check_golden(const Tokenizer& tok, const std::vector<GoldenLine>& lines, const std::string& path) {
  int ok = 0;
  for (const GoldenLine& g : lines) {
    const std::vector<int32_t> got = tok.encode(g.text, /*parse_special=*/true);
    bool line_ok = got == g.ids;
    EXPECT_TRUE(line_ok) << path << ":" << g.line_no << " text " << nlohmann::json(g.text).dump()
                         << explain_mismatch(tok, g.ids, got);
    if (g.has_plain) {
      const std::vector<int32_t> plain = tok.encode(g.text, /*parse_special=*/false);
      EXPECT_EQ(plain, g.ids_plain) << path << ":" << g.line_no << " (parse_special=false) text "
                                    << nlohmann::json(g.text).dump() << explain_mismatch(tok, g.ids_plain, plain);
      line_ok = line_ok && plain == g.ids_plain;
    }
    // Byte-level BPE is lossless: the ids spell the (NFC) text back.
    Result<std::string> back = tok.decode(got);
    EXPECT_TRUE(back.ok());
    if (line_ok) ++ok;
  }
  return ok;
}

}  // namespace zhi::testing
