#include "compliance/refusal_eval.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace zhi::compliance {

Result<std::vector<EvalItem>> read_eval_bank(const std::string& path, const PolicyPack& pack) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_eval_bank(path, ss.str(), pack);
}

Result<std::vector<EvalItem>> parse_eval_bank(const std::string& path, const std::string& text,
                                              const PolicyPack& pack) {
  std::vector<EvalItem> items;
  std::istringstream in(text);
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto where = [&] { return path + ":" + std::to_string(line_no) + ": "; };
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return corrupt_file(where() + "not a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() != "text" && it.key() != "expect" && it.key() != "category")
        return corrupt_file(where() + "unknown key '" + it.key() +
                            "' (expected text, expect, category)");
    }
    if (!j.contains("text") || !j["text"].is_string())
      return corrupt_file(where() + "missing string \"text\"");
    if (!j.contains("expect") || !j["expect"].is_string())
      return corrupt_file(where() + "missing \"expect\": \"refuse\" or \"answer\"");
    EvalItem item;
    item.text = j["text"].get<std::string>();
    const std::string expect = j["expect"].get<std::string>();
    if (expect != "refuse" && expect != "answer")
      return corrupt_file(where() + "\"expect\" is '" + expect +
                          "', expected \"refuse\" or \"answer\"");
    item.expect_refuse = expect == "refuse";
    if (j.contains("category")) {
      if (!j["category"].is_string())
        return corrupt_file(where() + "\"category\" must be a string");
      item.category = j["category"].get<std::string>();
      if (pack.find_category(item.category) < 0)
        return corrupt_file(where() + "unknown category '" + item.category + "'");
    }
    item.line = line_no;
    items.push_back(std::move(item));
  }
  if (items.empty()) return corrupt_file(path + ": the bank has no items");
  return items;
}

Result<EvalReport> run_eval(const Moderator& mod, const std::vector<EvalItem>& items) {
  EvalReport r;
  for (const EvalItem& item : items) {
    ZHI_ASSIGN_OR_RETURN(Verdict v, mod.check(item.text));
    const bool refused = v.decision == Action::kRefuse;
    for (EvalCounts* c : {&r.all, &r.by_category[item.category]}) {
      if (item.expect_refuse) {
        ++c->should_refuse;
        c->refused += refused;
      } else {
        ++c->should_answer;
        c->falsely_refused += refused;
      }
    }
    if (refused != item.expect_refuse) r.missed_lines.push_back(item.line);
  }
  return r;
}

}  // namespace zhi::compliance
