// zhi moderate: run a policy pack's moderation on text and print the
// decision, category and spans as JSON. Operator tool: spans are byte
// offsets into the input and `rule` names the term's file and line; the
// matched text itself is not printed.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "compliance/moderator.h"
#include "compliance/policy_loader.h"
#include "compliance/stream_moderator.h"

namespace zhi::cli {
namespace {

using compliance::Action;
using compliance::Moderator;
using compliance::Verdict;

struct ModerateArgs {
  std::string policy, text, file, jsonl, lang;
  std::vector<std::string> terms, categories, allow;
  bool stream = false;
};

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::ordered_json verdict_json(const Moderator& mod, const Verdict& v) {
  nlohmann::ordered_json j;
  j["decision"] = compliance::action_name(v.decision);
  j["category"] = v.category >= 0 ? nlohmann::ordered_json(mod.category(v.category).id) : nullptr;
  j["language"] = v.language;
  if (v.decision == Action::kRefuse) j["refusal"] = v.refusal;
  if (v.decision == Action::kMask) j["masked"] = v.masked;
  nlohmann::ordered_json spans = nlohmann::ordered_json::array();
  for (const compliance::Finding& f : v.findings) {
    nlohmann::ordered_json s;
    s["begin"] = f.begin;
    s["end"] = f.end;
    s["category"] = mod.category(f.category).id;
    s["action"] = compliance::action_name(f.action);
    s["rule"] = mod.pack().terms[f.rule].source;
    spans.push_back(std::move(s));
  }
  j["spans"] = std::move(spans);
  return j;
}

Result<std::shared_ptr<const Moderator>> open_moderator(const ModerateArgs& a) {
  if (a.terms.size() != a.categories.size())
    return invalid_argument("give one --category for each --terms file (" +
                            std::to_string(a.terms.size()) + " --terms, " +
                            std::to_string(a.categories.size()) + " --category)");
  ZHI_ASSIGN_OR_RETURN(compliance::PolicyPack pack, compliance::load_policy_pack(a.policy));
  for (size_t i = 0; i < a.terms.size(); ++i) {
    if (pack.find_category(a.categories[i]) < 0)
      return invalid_argument("--category: no category '" + a.categories[i] + "' in " + a.policy);
    ZHI_RETURN_IF_ERROR(compliance::add_term_file(pack, a.terms[i], a.categories[i]));
  }
  for (const std::string& f : a.allow) ZHI_RETURN_IF_ERROR(compliance::add_allow_file(pack, f));
  return Moderator::create(std::move(pack));
}

int moderate_jsonl(const Moderator& mod, const ModerateArgs& a) {
  std::ifstream in(a.jsonl);
  if (!in) return report(not_found(a.jsonl + ": cannot open"));
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string())
      return report(invalid_argument(a.jsonl + ":" + std::to_string(line_no) +
                                     ": expected {\"text\": string}"));
    Result<Verdict> v = mod.check(j["text"].get<std::string>(), a.lang);
    if (!v.ok()) return report(v.status());
    nlohmann::ordered_json out;
    if (j.contains("id")) out["id"] = j["id"];
    out.update(verdict_json(mod, v.value()));
    std::printf("%s\n", dump(out).c_str());
  }
  return 0;
}

// Each input line is one piece, JSON-string encoded ("\"敏\""), as a
// generator would emit it. Prints what a UI would do after each piece, then
// the final verdict.
int moderate_stream(const Moderator& mod, const ModerateArgs& a) {
  std::ifstream file;
  if (!a.file.empty()) {
    file.open(a.file);
    if (!file) return report(not_found(a.file + ": cannot open"));
  }
  std::istream& in = a.file.empty() ? std::cin : file;
  const std::string source = a.file.empty() ? "stdin" : a.file;
  Result<compliance::StreamModerator> s =
      mod.stream(a.lang.empty() ? mod.pack().default_language : a.lang);
  if (!s.ok()) return report(s.status());
  auto print_step = [](int64_t piece, const compliance::StreamStep& st, const Moderator& m) {
    nlohmann::ordered_json j;
    j["piece"] = piece;
    j["show"] = st.text;
    if (st.replace) j["replace"] = true;
    if (st.stop) j["stop"] = true;
    if (st.category >= 0) j["category"] = m.category(st.category).id;
    std::printf("%s\n", dump(j).c_str());
  };
  std::string line;
  int64_t line_no = 0;
  bool stopped = false;
  while (!stopped && std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_string())
      return report(
          invalid_argument(source + ":" + std::to_string(line_no) + ": expected a JSON string"));
    Result<compliance::StreamStep> st = s->feed(j.get<std::string>());
    if (!st.ok()) return report(st.status());
    print_step(line_no, st.value(), mod);
    stopped = st->stop;
  }
  if (!stopped) {
    Result<compliance::StreamStep> st = s->finish();
    if (!st.ok()) return report(st.status());
    print_step(-1, st.value(), mod);
  }
  nlohmann::ordered_json out;
  out["final"] = true;
  out.update(verdict_json(mod, s->verdict()));
  std::printf("%s\n", dump(out).c_str());
  return 0;
}

int moderate_main(const ModerateArgs& a) {
  const int inputs = !a.text.empty() + !a.jsonl.empty() + (!a.file.empty() && !a.stream);
  if (a.stream ? (!a.text.empty() || !a.jsonl.empty()) : inputs != 1)
    return report(invalid_argument(a.stream ? "--stream reads pieces from --file F or stdin"
                                            : "give exactly one of TEXT, --file F or --jsonl F"));
  Result<std::shared_ptr<const Moderator>> mod = open_moderator(a);
  if (!mod.ok()) return report(mod.status());
  if (a.stream) return moderate_stream(**mod, a);
  if (!a.jsonl.empty()) return moderate_jsonl(**mod, a);
  std::string text = a.text;
  if (!a.file.empty()) {
    Result<std::string> t = read_file(a.file);
    if (!t.ok()) return report(t.status());
    text = std::move(t).value();
  }
  Result<Verdict> v = (*mod)->check(text, a.lang);
  if (!v.ok()) return report(v.status());
  std::printf("%s\n", dump(verdict_json(**mod, v.value())).c_str());
  return 0;
}

}  // namespace

Command add_moderate_command(CLI::App& app) {
  auto a = std::make_shared<ModerateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "moderate",
      "check text against a policy pack; prints the decision, category and spans as JSON");
  cmd->add_option("--policy", a->policy, "policy pack directory, e.g. policy/cn")->required();
  cmd->add_option(
         "--terms", a->terms,
         "operator term list (UTF-8, one term per line, # comments); pair each with --category")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--category", a->categories, "category id or slug for the --terms file before it")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--allow", a->allow, "extra allow list (benign words containing a listed term)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("text", a->text, "text to check");
  cmd->add_option("--file", a->file, "read the text from a file (with --stream: the pieces)");
  cmd->add_option("--jsonl", a->jsonl,
                  "JSONL file of {\"text\": ...} lines; prints one result per line");
  cmd->add_flag(
      "--stream", a->stream,
      "read pieces, one JSON string per line (stdin or --file), as a generator emits them");
  cmd->add_option("--lang", a->lang,
                  "language of refusals: zh-CN or en (default: detected from the text)")
      ->check(CLI::IsMember({"zh-CN", "en"}));
  return {cmd, [a] { return moderate_main(*a); }};
}

}  // namespace zhi::cli
